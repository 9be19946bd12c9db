package tickets

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ticketColumns selects a Ticket without its deadline facts;
// withFacts adds them. scanTicket reads either.
const (
	ticketColumns = `t.id, t.status, t.customer, COALESCE(t.application, ''), t.priority, t.reporter, t.subject, t.language,
	t.received, t.deadline, t.started, t.resolved, t.closed, COALESCE(t.assignee, ''), t.called, t.reopened,
	COALESCE(t.refers_to, 0),
	COALESCE((SELECT SUM(minutes) FROM work_log w WHERE w.ticket_id = t.id), 0),
	(SELECT COUNT(*) FROM onsite_visits o WHERE o.ticket_id = t.id),
	COALESCE(t.calendar_id, 0)`
	withFacts = ticketColumns + `, t.deadline_facts`
)

type scanner interface{ Scan(dest ...any) error }

// scanTicket reads a row of ticketColumns, or of withFacts when facts is
// set.
func scanTicket(row scanner, facts bool) (Ticket, error) {
	var t Ticket
	var received, deadline int64
	var factsJSON string
	var started, resolved, closed sql.NullInt64
	dest := []any{&t.ID, &t.Status, &t.Customer, &t.Application, &t.Priority, &t.Reporter, &t.Subject, &t.Language,
		&received, &deadline, &started, &resolved, &closed, &t.Assignee, &t.Called, &t.Reopened,
		&t.RefersTo, &t.WorkMinutes, &t.Onsite, &t.calendarID}
	if facts {
		dest = append(dest, &factsJSON)
	}
	err := row.Scan(dest...)
	if err != nil {
		return t, err
	}
	t.Received, t.Deadline = fromNanos(received), fromNanos(deadline)
	t.Started, t.Resolved, t.Closed = fromNullNanos(started), fromNullNanos(resolved), fromNullNanos(closed)
	if facts {
		if err := json.Unmarshal([]byte(factsJSON), &t.Facts); err != nil {
			return t, fmt.Errorf("%s: deadline facts: %w", t.ID, err)
		}
	}
	return t, nil
}

func getTicket(ctx context.Context, tx dbtx, id ID) (Ticket, error) {
	t, err := scanTicket(tx.QueryRowContext(ctx, `SELECT `+withFacts+` FROM tickets t WHERE t.id = ?`, int64(id)), true)
	if errors.Is(err, sql.ErrNoRows) {
		return t, fmt.Errorf("%s: %w", id, ErrNotFound)
	}
	return t, err
}

// Event is one entry of a ticket's history.
type Event struct {
	At     time.Time
	Kind   string
	Actor  string
	Detail string
}

// Message is one mail of a ticket, in or out, without its raw bytes.
type Message struct {
	At        time.Time
	Direction string // "in" or "out"
	From      string
	To        []string
	Subject   string
	MessageID string
}

// Details is a ticket with its whole history, for `tickets show`.
type Details struct {
	Ticket   Ticket
	Events   []Event   // oldest first
	Messages []Message // oldest first
}

// Get returns one ticket with its history and messages.
func (s *Store) Get(ctx context.Context, id ID) (Details, error) {
	var d Details
	err := s.read(ctx, "get ticket", func(tx *sql.Tx) error {
		var err error
		if d.Ticket, err = getTicket(ctx, tx, id); err != nil {
			return err
		}
		rows, err := tx.QueryContext(ctx, `SELECT at, kind, actor, detail FROM events WHERE ticket_id = ? ORDER BY id`, int64(id))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var e Event
			var at int64
			if err := rows.Scan(&at, &e.Kind, &e.Actor, &e.Detail); err != nil {
				return err
			}
			e.At = fromNanos(at)
			d.Events = append(d.Events, e)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		mrows, err := tx.QueryContext(ctx, `SELECT at, direction, from_addr, to_addrs, subject, message_id FROM messages WHERE ticket_id = ? ORDER BY at, id`, int64(id))
		if err != nil {
			return err
		}
		defer mrows.Close()
		for mrows.Next() {
			var m Message
			var at int64
			var to string
			if err := mrows.Scan(&at, &m.Direction, &m.From, &to, &m.Subject, &m.MessageID); err != nil {
				return err
			}
			m.At = fromNanos(at)
			if to != "" {
				m.To = strings.Split(to, ",")
			}
			d.Messages = append(d.Messages, m)
		}
		return mrows.Err()
	})
	return d, err
}

// Filter selects tickets for List.
type Filter struct {
	OpenOnly bool   // not closed
	Customer string // config id; "" for all
}

// List returns the tickets matching f, newest first, without their
// deadline facts.
func (s *Store) List(ctx context.Context, f Filter) ([]Ticket, error) {
	var list []Ticket
	err := s.Each(ctx, f, func(t Ticket) error {
		list = append(list, t)
		return nil
	})
	return list, err
}

// Each calls fn for each ticket matching f, newest first, without their
// deadline facts, from one snapshot; it stops at fn's first error. Large
// listings stream through it instead of being held in memory.
func (s *Store) Each(ctx context.Context, f Filter, fn func(Ticket) error) error {
	return s.read(ctx, "list tickets", func(tx *sql.Tx) error {
		q := `SELECT ` + ticketColumns + ` FROM tickets t WHERE 1=1`
		var args []any
		if f.OpenOnly {
			q += ` AND t.status <> 'closed'`
		}
		if f.Customer != "" {
			q += ` AND t.customer = ?`
			args = append(args, f.Customer)
		}
		q += ` ORDER BY t.id DESC`
		return eachTicket(ctx, tx, false, fn, q, args...)
	})
}

// eachTicket runs query q (selecting ticketColumns, or withFacts when facts
// is set) and calls fn for each row, stopping at fn's first error.
func eachTicket(ctx context.Context, tx dbtx, facts bool, fn func(Ticket) error, q string, args ...any) error {
	rows, err := tx.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		t, err := scanTicket(rows, facts)
		if err != nil {
			return err
		}
		if err := fn(t); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Ticket returns ticket id without its history; ErrNotFound when there is
// none.
func (s *Store) Ticket(ctx context.Context, id ID) (Ticket, error) {
	var t Ticket
	err := s.read(ctx, "get ticket", func(tx *sql.Tx) error {
		var err error
		t, err = getTicket(ctx, tx, id)
		return err
	})
	return t, err
}
