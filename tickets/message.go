package tickets

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Inbound is a received mail as the mail package has parsed it.
type Inbound struct {
	// MessageID is the Message-ID header without <>. When a mail has none,
	// a key derived from its raw bytes is used, so the same mail delivered
	// twice still files once.
	MessageID   string
	From        string // the sender's address
	To          []string
	Subject     string
	Received    time.Time // when sosd accepted it
	Raw         []byte
	Attachments []Attachment
	// Remote is the SMTP client's address ("ip:port"); not stored.
	Remote string
}

// Attachment is one attached file, with a safe file name.
type Attachment struct {
	Filename    string
	ContentType string
	Data        []byte
}

// Outgoing is one rendered mail to queue in the outbox.
type Outgoing struct {
	Kind      string   // what it is: ack, consultant_notice, reply, receipt, …
	MessageID string   // without <>; in the support domain
	From      string   // envelope sender
	To        []string // envelope recipients
	Subject   string
	Raw       []byte // the whole rendered message
}

// Composer renders the mail that a change causes. It is called inside the
// change's transaction with the outcome as it will be committed, so the
// mail commits together with its cause or not at all. It must not touch
// the store.
type Composer func(o Outcome) ([]Outgoing, error)

// messageKey is the dedup key of an inbound mail.
func (in Inbound) messageKey() string {
	if id := strings.TrimSpace(in.MessageID); id != "" {
		return id
	}
	sum := sha256.Sum256(in.Raw)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// findInbound returns the row and ticket of an inbound mail already
// stored, or 0s.
func findInbound(ctx context.Context, tx dbtx, key string) (msgRow int64, ticket ID, err error) {
	var t sql.NullInt64
	err = tx.QueryRowContext(ctx, `SELECT id, ticket_id FROM messages WHERE direction = 'in' AND message_id = ?`, key).Scan(&msgRow, &t)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, nil
	}
	return msgRow, ID(t.Int64), err
}

// insertInbound stores an inbound mail and its attachments.
func insertInbound(ctx context.Context, tx dbtx, ticket ID, in Inbound) (int64, error) {
	res, err := tx.ExecContext(ctx, `INSERT INTO messages (ticket_id, direction, message_id, at, from_addr, to_addrs, subject, raw)
		VALUES (?, 'in', ?, ?, ?, ?, ?, ?)`,
		nullID(ticket), in.messageKey(), nanos(in.Received), in.From, strings.Join(in.To, ","), in.Subject, in.Raw)
	if err != nil {
		return 0, fmt.Errorf("store message: %w", err)
	}
	row, err := res.LastInsertId()
	if err != nil {
		return 0, err
	}
	for _, a := range in.Attachments {
		if _, err := tx.ExecContext(ctx, `INSERT INTO attachments (message_id, filename, content_type, size, data) VALUES (?, ?, ?, ?, ?)`,
			row, a.Filename, a.ContentType, len(a.Data), a.Data); err != nil {
			return 0, fmt.Errorf("store attachment %q: %w", a.Filename, err)
		}
	}
	return row, nil
}

// enqueue stores rendered mails as outgoing messages with outbox rows due
// at now. It returns the outbox row ids.
func enqueue(ctx context.Context, tx dbtx, ticket ID, now time.Time, mails []Outgoing) ([]int64, error) {
	var ids []int64
	for _, m := range mails {
		if m.MessageID == "" || len(m.To) == 0 || len(m.Raw) == 0 {
			return nil, fmt.Errorf("outgoing %s mail needs a Message-ID, recipients and a body", m.Kind)
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO messages (ticket_id, direction, message_id, at, from_addr, to_addrs, subject, raw)
			VALUES (?, 'out', ?, ?, ?, ?, ?, ?)`,
			nullID(ticket), m.MessageID, nanos(now), m.From, strings.Join(m.To, ","), m.Subject, m.Raw)
		if err != nil {
			return nil, fmt.Errorf("store outgoing %s mail: %w", m.Kind, err)
		}
		msgRow, err := res.LastInsertId()
		if err != nil {
			return nil, err
		}
		res, err = tx.ExecContext(ctx, `INSERT INTO outbox (message_id, kind, mail_from, rcpt_to, next_attempt, created) VALUES (?, ?, ?, ?, ?, ?)`,
			msgRow, m.Kind, m.From, strings.Join(m.To, ","), nanos(now), nanos(now))
		if err != nil {
			return nil, fmt.Errorf("queue %s mail: %w", m.Kind, err)
		}
		id, err := res.LastInsertId()
		if err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// addEvent appends one history event.
func addEvent(ctx context.Context, tx dbtx, ticket ID, at time.Time, kind, actor, detail string, msgRow int64) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO events (ticket_id, at, kind, actor, detail, message_id) VALUES (?, ?, ?, ?, ?, ?)`,
		int64(ticket), nanos(at), kind, actor, detail, nullRow(msgRow))
	if err != nil {
		return fmt.Errorf("record %s event: %w", kind, err)
	}
	return nil
}

func nullID(id ID) sql.NullInt64 {
	return sql.NullInt64{Int64: int64(id), Valid: id != 0}
}

func nullRow(row int64) sql.NullInt64 {
	return sql.NullInt64{Int64: row, Valid: row != 0}
}

// replyPreamble starts an operation on ticket id caused by mail in: when
// the mail was stored before it marks res a duplicate and reports done;
// otherwise it loads the ticket into res.Previous and res.Ticket.
func replyPreamble(ctx context.Context, tx dbtx, id ID, in Inbound, res *Result) (t Ticket, done bool, err error) {
	msgRow, existing, err := findInbound(ctx, tx, in.messageKey())
	if err != nil {
		return t, true, err
	}
	if msgRow != 0 {
		res.Duplicate = true
		res.Ticket, err = getTicket(ctx, tx, existing)
		return t, true, err
	}
	if t, err = getTicket(ctx, tx, id); err != nil {
		return t, true, err
	}
	res.Previous, res.Ticket = t, t
	return t, false, nil
}
