package tickets

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"sosd/mail"
)

// OutboxItem is one outgoing mail due for delivery: mail's type, since
// the Store is mail's Outbox.
type OutboxItem = mail.OutboxItem

var _ mail.Outbox = (*Store)(nil)

// Due returns up to limit pending outbox rows whose next attempt is at or
// before now: acknowledgements first (the customer waits for the
// committed start time; consultants see the ticket anyway), then oldest
// first.
func (s *Store) Due(ctx context.Context, now time.Time, limit int) ([]OutboxItem, error) {
	var items []OutboxItem
	err := s.read(ctx, "read outbox", func(tx *sql.Tx) error {
		return eachItem(ctx, tx, func(it OutboxItem, _ string) { items = append(items, it) },
			`o.state = 'pending' AND o.next_attempt <= ? ORDER BY o.kind <> 'ack', o.next_attempt, o.id LIMIT ?`, nanos(now), limit)
	})
	return items, err
}

// eachItem calls fn with each outbox row (and its last error) that where
// selects.
func eachItem(ctx context.Context, tx *sql.Tx, fn func(it OutboxItem, lastError string), where string, args ...any) error {
	rows, err := tx.QueryContext(ctx, `SELECT o.id, COALESCE(m.ticket_id, 0), o.kind, m.message_id, o.mail_from, o.rcpt_to, m.subject, m.raw, o.attempts, o.last_error
		FROM outbox o JOIN messages m ON m.id = o.message_id WHERE `+where, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var it OutboxItem
		var to, lastError string
		if err := rows.Scan(&it.ID, &it.Ticket, &it.Kind, &it.MessageID, &it.From, &to, &it.Subject, &it.Raw, &it.Attempts, &lastError); err != nil {
			return err
		}
		it.To = strings.Split(to, ",")
		fn(it, lastError)
	}
	return rows.Err()
}

// MarkSent records that the relay (or the spool) accepted the mail. Only
// then is a row sent (SPEC §10).
func (s *Store) MarkSent(ctx context.Context, id int64, now time.Time) error {
	return s.write(ctx, "mark sent", func(ctx context.Context, tx dbtx) error {
		_, err := tx.ExecContext(ctx, `UPDATE outbox SET state = 'sent', attempts = attempts + 1, done = ?, last_error = '' WHERE id = ?`, nanos(now), id)
		return err
	})
}

// MarkRetry records a temporary failure; the row is tried again at next.
func (s *Store) MarkRetry(ctx context.Context, id int64, next time.Time, reason string) error {
	return s.write(ctx, "mark retry", func(ctx context.Context, tx dbtx) error {
		_, err := tx.ExecContext(ctx, `UPDATE outbox SET attempts = attempts + 1, next_attempt = ?, last_error = ? WHERE id = ?`, nanos(next), reason, id)
		return err
	})
}

// MarkFailed records a permanent failure; the row is not tried again.
func (s *Store) MarkFailed(ctx context.Context, id int64, now time.Time, reason string) error {
	return s.write(ctx, "mark failed", func(ctx context.Context, tx dbtx) error {
		_, err := tx.ExecContext(ctx, `UPDATE outbox SET state = 'failed', attempts = attempts + 1, done = ?, last_error = ? WHERE id = ?`, nanos(now), reason, id)
		return err
	})
}

// FailedItem is an outgoing mail given up, with the relay's last answer.
type FailedItem struct {
	Item   OutboxItem
	Reason string
}

// Unreported returns the mails given up whose failure was not reported
// (SPEC §10): the worker reports right after marking a row failed, in a
// second transaction, so a crash or a full disk in between would
// otherwise leave it unreported for good. Reports about reports are not
// reported again.
func (s *Store) Unreported(ctx context.Context, limit int) ([]FailedItem, error) {
	var out []FailedItem
	err := s.read(ctx, "read unreported failures", func(tx *sql.Tx) error {
		return eachItem(ctx, tx, func(it OutboxItem, reason string) { out = append(out, FailedItem{Item: it, Reason: reason}) },
			`o.state = 'failed' AND o.kind <> 'delivery_failed'
			AND NOT EXISTS (SELECT 1 FROM notices n WHERE n.subject = 'outbox/' || o.id AND n.kind = 'delivery_failed')
			ORDER BY o.id LIMIT ?`, limit)
	})
	return out, err
}
