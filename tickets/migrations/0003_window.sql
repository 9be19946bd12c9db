-- 0003: what the every-minute escalation scan (SPEC §8) needs of each
-- ticket, without parsing its stored facts: the response window in
-- nanoseconds, and its calendar as a row of its own that the tickets filed
-- under one configuration share. Business time never runs faster than the
-- clock, so a warning needs at least warn_at × window of wall time since
-- the report, and the scan skips younger tickets in SQL. Existing rows get
-- both from their facts. And the row /healthz writes.
CREATE TABLE calendars (
    id      INTEGER PRIMARY KEY,
    config  TEXT NOT NULL UNIQUE                  -- JSON of sla.CalendarConfig
);
ALTER TABLE tickets ADD COLUMN window_ns INTEGER;
ALTER TABLE tickets ADD COLUMN calendar_id INTEGER REFERENCES calendars (id);
INSERT OR IGNORE INTO calendars (config)
    SELECT DISTINCT json_extract(deadline_facts, '$.calendar') FROM tickets;
UPDATE tickets SET
    window_ns = (
        SELECT CAST(SUM(julianday(json_extract(value, '$.end')) - julianday(json_extract(value, '$.start'))) * 86400000000000 AS INTEGER)
        FROM json_each(deadline_facts, '$.intervals')),
    calendar_id = (SELECT id FROM calendars WHERE config = json_extract(tickets.deadline_facts, '$.calendar'));

-- /healthz proves the database takes a write by writing this one row.
CREATE TABLE health (
    id  INTEGER PRIMARY KEY CHECK (id = 1),
    at  INTEGER NOT NULL
);
