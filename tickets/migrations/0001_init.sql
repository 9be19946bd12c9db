-- 0001: the first schema. Times are INTEGER nanoseconds since the Unix epoch
-- (UTC); they are shown in the calendar's zone. Rows of events, messages and
-- notices are never updated or deleted: they are the history.

CREATE TABLE tickets (
    id              INTEGER PRIMARY KEY,          -- n of SOS-n: max+1 inside the filing transaction, so gap-free
    status          TEXT    NOT NULL CHECK (status IN ('new', 'started', 'resolved', 'closed')),
    customer        TEXT    NOT NULL,             -- the config id
    application     TEXT,                         -- the config id; NULL while unknown
    priority        INTEGER NOT NULL CHECK (priority BETWEEN 1 AND 3),
    reporter        TEXT    NOT NULL,             -- address of whoever reported it
    subject         TEXT    NOT NULL,
    language        TEXT    NOT NULL DEFAULT 'sv',
    received        INTEGER NOT NULL,             -- when sosd accepted the report (SPEC §3)
    deadline        INTEGER NOT NULL,             -- committed start of troubleshooting (SPEC §2)
    deadline_facts  TEXT    NOT NULL,             -- JSON: the calendar facts the deadline was computed with
    started         INTEGER,
    resolved        INTEGER,
    closed          INTEGER,
    assignee        TEXT,
    called          INTEGER NOT NULL DEFAULT 0,   -- the four-hour call took place (SOS "Problemlösning")
    reopened        INTEGER NOT NULL DEFAULT 0,   -- times a resolution was rejected or a closed ticket reopened
    refers_to       INTEGER REFERENCES tickets (id) -- a new ticket opened by a late reply to this closed one
);
CREATE INDEX tickets_customer_received ON tickets (customer, received);
CREATE INDEX tickets_open ON tickets (status) WHERE status <> 'closed';

-- Every mail in and out; raw bytes kept so a bad parse can be redone.
CREATE TABLE messages (
    id          INTEGER PRIMARY KEY,
    ticket_id   INTEGER REFERENCES tickets (id),
    direction   TEXT    NOT NULL CHECK (direction IN ('in', 'out')),
    message_id  TEXT    NOT NULL,                 -- the Message-ID header, without <>
    at          INTEGER NOT NULL,
    from_addr   TEXT    NOT NULL,
    to_addrs    TEXT    NOT NULL,                 -- comma-separated
    subject     TEXT    NOT NULL,
    raw         BLOB    NOT NULL,
    UNIQUE (direction, message_id)                -- the same mail again files nothing new (SPEC §5)
);
CREATE INDEX messages_ticket ON messages (ticket_id, at);
CREATE INDEX messages_message_id ON messages (message_id);

CREATE TABLE attachments (
    id            INTEGER PRIMARY KEY,
    message_id    INTEGER NOT NULL REFERENCES messages (id),
    filename      TEXT    NOT NULL,
    content_type  TEXT    NOT NULL,
    size          INTEGER NOT NULL,
    data          BLOB    NOT NULL
);
CREATE INDEX attachments_message ON attachments (message_id);

-- The append-only history of a ticket: who, when, what, from which mail.
CREATE TABLE events (
    id          INTEGER PRIMARY KEY,
    ticket_id   INTEGER NOT NULL REFERENCES tickets (id),
    at          INTEGER NOT NULL,
    kind        TEXT    NOT NULL,
    actor       TEXT    NOT NULL,
    detail      TEXT    NOT NULL DEFAULT '',
    message_id  INTEGER REFERENCES messages (id)
);
CREATE INDEX events_ticket ON events (ticket_id, id);

-- Outgoing mail waiting for delivery; written in the transaction of its cause.
CREATE TABLE outbox (
    id            INTEGER PRIMARY KEY,
    message_id    INTEGER NOT NULL UNIQUE REFERENCES messages (id), -- the rendered mail
    kind          TEXT    NOT NULL,
    mail_from     TEXT    NOT NULL,               -- envelope sender
    rcpt_to       TEXT    NOT NULL,               -- comma-separated envelope recipients
    state         TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'failed')),
    attempts      INTEGER NOT NULL DEFAULT 0,
    next_attempt  INTEGER NOT NULL,
    last_error    TEXT    NOT NULL DEFAULT '',
    created       INTEGER NOT NULL,
    done          INTEGER                          -- when sent or given up
);
CREATE INDEX outbox_due ON outbox (next_attempt) WHERE state = 'pending';

-- Notices that must go out once only, also across restarts: escalation
-- levels, four-hour reminders, quarterly reports, daily notices to unknown
-- senders. Inserted in the same transaction as their outbox row.
CREATE TABLE notices (
    id        INTEGER PRIMARY KEY,
    subject   TEXT    NOT NULL,                   -- e.g. SOS-12, acme/2026Q4, sender@example.net/2026-11-27
    kind      TEXT    NOT NULL,                   -- e.g. warning, breach, four_hour, report, unknown_sender
    at        INTEGER NOT NULL,
    outbox_id INTEGER REFERENCES outbox (id),
    UNIQUE (subject, kind)
);

CREATE TABLE work_log (
    id          INTEGER PRIMARY KEY,
    ticket_id   INTEGER NOT NULL REFERENCES tickets (id),
    at          INTEGER NOT NULL,
    consultant  TEXT    NOT NULL,
    minutes     INTEGER NOT NULL CHECK (minutes > 0),
    message_id  INTEGER REFERENCES messages (id)
);
CREATE INDEX work_log_ticket ON work_log (ticket_id);

CREATE TABLE onsite_visits (
    id          INTEGER PRIMARY KEY,
    ticket_id   INTEGER NOT NULL REFERENCES tickets (id),
    at          INTEGER NOT NULL,                 -- when the visit is booked for
    booked      INTEGER NOT NULL,                 -- when it was booked
    consultant  TEXT    NOT NULL,
    message_id  INTEGER REFERENCES messages (id)
);
CREATE INDEX onsite_visits_ticket ON onsite_visits (ticket_id);

-- Mail kept for review: unparseable, unclassifiable, or from unknown senders.
CREATE TABLE quarantine (
    id          INTEGER PRIMARY KEY,
    at          INTEGER NOT NULL,
    reason      TEXT    NOT NULL,
    mail_from   TEXT    NOT NULL,
    message_id  TEXT    NOT NULL,
    raw         BLOB    NOT NULL,
    UNIQUE (message_id)
);
