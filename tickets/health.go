package tickets

import (
	"context"
	"database/sql"
	"time"
)

// Counts are figures the database holds exactly, for /metrics at scrape
// time: counted from the rows, they survive restarts and never drift
// from what happened (SPEC §10).
type Counts struct {
	Tickets      int64     // filed so far: ids are gap-free, so the highest is the count
	Open         int64     // not closed
	AcksSent     int64     // acknowledgements the relay (or spool) accepted
	Failed       int64     // outgoing mail given up (5xx)
	Pending      int64     // outgoing mail waiting, due or in backoff
	Warnings     int64     // escalation warnings sent
	Breaches     int64     // breach notices sent
	FourHour     int64     // four-hour reminders sent
	OldestQueued time.Time // creation of the oldest pending row; zero when none
	OldestDue    time.Time // next_attempt of the oldest row due at now; zero when none
}

// Counts reads the figures in one snapshot.
func (s *Store) Counts(ctx context.Context, now time.Time) (Counts, error) {
	var c Counts
	err := s.read(ctx, "counts", func(tx *sql.Tx) error {
		var oldestQueued, oldestDue sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT
			(SELECT COALESCE(MAX(id), 0) FROM tickets),
			(SELECT COUNT(*) FROM tickets WHERE status <> 'closed'),
			(SELECT COUNT(*) FROM outbox WHERE kind = 'ack' AND state = 'sent'),
			(SELECT COUNT(*) FROM outbox WHERE state = 'failed'),
			(SELECT COUNT(*) FROM outbox WHERE state = 'pending'),
			(SELECT COUNT(*) FROM notices WHERE kind = 'warning'),
			(SELECT COUNT(*) FROM notices WHERE kind = 'breach'),
			(SELECT COUNT(*) FROM notices WHERE kind = 'four_hour'),
			(SELECT MIN(created) FROM outbox WHERE state = 'pending'),
			(SELECT MIN(next_attempt) FROM outbox WHERE state = 'pending' AND next_attempt <= ?)`, nanos(now)).Scan(
			&c.Tickets, &c.Open, &c.AcksSent, &c.Failed, &c.Pending, &c.Warnings, &c.Breaches, &c.FourHour, &oldestQueued, &oldestDue)
		c.OldestQueued, c.OldestDue = fromNullNanos(oldestQueued), fromNullNanos(oldestDue)
		return err
	})
	return c, err
}

// Writable checks that the database takes a durable write now, through
// the writer like every change, so a full disk, a read-only file, a lost
// lock or a stopped writer shows (/healthz).
func (s *Store) Writable(ctx context.Context, now time.Time) error {
	return s.write(ctx, "health check", func(ctx context.Context, tx dbtx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO health (id, at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET at = excluded.at`, nanos(now))
		return err
	})
}
