package tickets

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"time"

	"golang.org/x/sys/unix"
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
// the writer like every change, and that it has room for more than that
// one row: the health row is rewritten in place, so the write alone would
// pass on a database where no mail fits (a full disk, or max_page_count
// reached). Room is free pages under max_page_count and free bytes on the
// file system, each at least minRoom.
func (s *Store) Writable(ctx context.Context, now time.Time) error {
	return s.write(ctx, "health check", func(ctx context.Context, tx dbtx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO health (id, at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET at = excluded.at`, nanos(now)); err != nil {
			return err
		}
		var pages, maxPages, pageSize int64
		if err := tx.QueryRowContext(ctx, `SELECT (SELECT page_count FROM pragma_page_count()), (SELECT max_page_count FROM pragma_max_page_count()), (SELECT page_size FROM pragma_page_size())`).Scan(&pages, &maxPages, &pageSize); err != nil {
			return err
		}
		if (maxPages-pages)*pageSize < minRoom {
			return fmt.Errorf("%w: the database is at its size limit (max_page_count)", ErrStorageFull)
		}
		var fs unix.Statfs_t
		if err := unix.Statfs(filepath.Dir(s.path), &fs); err != nil {
			return fmt.Errorf("free space of %s: %w", filepath.Dir(s.path), err)
		}
		if free := int64(fs.Bavail) * int64(fs.Bsize); free < minRoom {
			return fmt.Errorf("%w: %d bytes free on the database's file system", ErrStorageFull, free)
		}
		return nil
	})
}

// minRoom is the room below which the database counts as full for
// /healthz: a few mails of the biggest size accepted (25 MB by default)
// would not fit.
const minRoom = 64 << 20
