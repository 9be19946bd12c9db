package tickets

import (
	"context"
	"database/sql"
	"time"
)

// Notice sends mail at most once per subject and kind, also across
// restarts: the UNIQUE row and its outbox rows commit together (STYLE
// L12). Subjects are e.g. "SOS-12" with kinds "warning", "breach",
// "four_hour"; "acme/2026Q4" with "report"; a sender and a date with
// "unknown_sender". It reports whether the notice was new; when it was
// sent before, compose is not called and nothing is written.
func (s *Store) Notice(ctx context.Context, subject, kind string, ticket ID, now time.Time, compose func() ([]Outgoing, error)) (bool, error) {
	return s.noticeIf(ctx, subject, kind, ticket, now, nil, compose)
}

// noticeIf is Notice, sent only when due, run first in the same
// transaction, still says so: a job's scan reads a snapshot, and the
// ticket may have changed before the notice is written.
func (s *Store) noticeIf(ctx context.Context, subject, kind string, ticket ID, now time.Time, due func(ctx context.Context, tx dbtx) (bool, error), compose func() ([]Outgoing, error)) (bool, error) {
	sent := false
	err := s.write(ctx, "record "+kind+" notice", func(ctx context.Context, tx dbtx) error {
		sent = false
		if due != nil {
			if ok, err := due(ctx, tx); err != nil || !ok {
				return err
			}
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM notices WHERE subject = ? AND kind = ?`, subject, kind).Scan(&n); err != nil || n > 0 {
			return err
		}
		mails, err := compose()
		if err != nil {
			return err
		}
		ids, err := enqueue(ctx, tx, ticket, now, mails)
		if err != nil {
			return err
		}
		var first sql.NullInt64
		if len(ids) > 0 {
			first = sql.NullInt64{Int64: ids[0], Valid: true}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO notices (subject, kind, at, outbox_id) VALUES (?, ?, ?, ?)`, subject, kind, nanos(now), first); err != nil {
			return err
		}
		if ticket != 0 {
			if err := addEvent(ctx, tx, ticket, now, "notice_"+kind, "sosd", "", 0); err != nil {
				return err
			}
		}
		sent = true
		return nil
	})
	return sent, err
}

// NoticeSent reports whether the notice of subject and kind went out, for
// a job that would do expensive work (a report) before Notice: Notice's
// compose runs inside the writer's transaction, where it must be quick.
func (s *Store) NoticeSent(ctx context.Context, subject, kind string) (bool, error) {
	var n int
	err := s.read(ctx, "read notice", func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM notices WHERE subject = ? AND kind = ?`, subject, kind).Scan(&n)
	})
	return n > 0, err
}

// Once names a notice that goes out at most once (see Notice).
type Once struct {
	Subject, Kind string
}

// Keep keeps a mail for review without a ticket (unparseable, from an
// unknown sender, a consultant's mail about no ticket), in one transaction
// with the mail compose renders. With once set, compose is called only the
// first time that notice is due (at most one polite notice per sender per
// day, SPEC §5); otherwise for every new mail. The same Message-ID again is
// kept once and causes nothing. It reports whether the mail was new.
func (s *Store) Keep(ctx context.Context, in Inbound, reason string, once *Once, compose func() ([]Outgoing, error)) (bool, error) {
	added := false
	err := s.write(ctx, "keep for review", func(ctx context.Context, tx dbtx) error {
		added = false
		res, err := tx.ExecContext(ctx, `INSERT INTO quarantine (at, reason, mail_from, message_id, raw) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (message_id) DO NOTHING`, nanos(in.Received), reason, in.From, in.messageKey(), in.Raw)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return err
		}
		added = true
		if compose == nil {
			return nil
		}
		if once != nil {
			res, err := tx.ExecContext(ctx, `INSERT INTO notices (subject, kind, at) VALUES (?, ?, ?) ON CONFLICT (subject, kind) DO NOTHING`,
				once.Subject, once.Kind, nanos(in.Received))
			if err != nil {
				return err
			}
			if n, err := res.RowsAffected(); err != nil || n == 0 {
				return err
			}
		}
		mails, err := compose()
		if err != nil {
			return err
		}
		_, err = enqueue(ctx, tx, 0, in.Received, mails)
		return err
	})
	return added, err
}

// RecentFrom counts the mails received from sender since since, filed or
// kept: the loop breaker's measure (SPEC §5).
func (s *Store) RecentFrom(ctx context.Context, sender string, since time.Time) (int, error) {
	var n int
	err := s.read(ctx, "count recent mail", func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, `SELECT
			(SELECT COUNT(*) FROM messages WHERE direction = 'in' AND from_addr = ? AND at >= ?) +
			(SELECT COUNT(*) FROM quarantine WHERE mail_from = ? AND at >= ?)`,
			sender, nanos(since), sender, nanos(since)).Scan(&n)
	})
	return n, err
}

// KeptMail is a mail kept for review.
type KeptMail struct {
	At        time.Time
	Reason    string
	From      string
	MessageID string
	Size      int
}

// Kept lists the mail kept for review, newest first.
func (s *Store) Kept(ctx context.Context) ([]KeptMail, error) {
	var out []KeptMail
	err := s.read(ctx, "list kept mail", func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT at, reason, mail_from, message_id, length(raw) FROM quarantine ORDER BY at DESC, id DESC`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var k KeptMail
			var at int64
			if err := rows.Scan(&at, &k.Reason, &k.From, &k.MessageID, &k.Size); err != nil {
				return err
			}
			k.At = fromNanos(at)
			out = append(out, k)
		}
		return rows.Err()
	})
	return out, err
}
