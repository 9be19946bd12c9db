package tickets

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// NewTicket is what classification decided about a mail that opens a
// ticket.
type NewTicket struct {
	Customer    string
	Application string // "" when no marker matched
	Priority    int    // 1, 2 or 3
	Language    string // sv or en: the customer's
	Reporter    string
	Subject     string
	// RefersTo is the closed ticket a late reply came from (SPEC §7).
	RefersTo ID
}

// File files a new ticket from an inbound mail, in one transaction: the
// ticket with its deadline, the mail and its attachments, the "filed"
// event, and the outgoing mail compose renders (acknowledgement, notice to
// consultants). The same Message-ID again files nothing and returns the
// earlier ticket with Duplicate set.
func (s *Store) File(ctx context.Context, in Inbound, nt NewTicket, compose Composer) (Result, error) {
	var out Result
	err := s.write(ctx, "file ticket", func(ctx context.Context, tx dbtx) error {
		out = Result{}
		msgRow, existing, err := findInbound(ctx, tx, in.messageKey())
		if err != nil {
			return err
		}
		if msgRow != 0 {
			out.Duplicate = true
			if existing != 0 {
				out.Ticket, err = getTicket(ctx, tx, existing)
			}
			return err
		}
		t, err := s.insertTicket(ctx, tx, in.Received, nt)
		if err != nil {
			return err
		}
		if msgRow, err = insertInbound(ctx, tx, t.ID, in); err != nil {
			return err
		}
		detail := fmt.Sprintf("priority %d, deadline %s", t.Priority, t.Deadline.Format(time.RFC3339))
		if t.RefersTo != 0 {
			detail += ", refers to " + t.RefersTo.String()
		}
		if err := addEvent(ctx, tx, t.ID, in.Received, "filed", in.From, detail, msgRow); err != nil {
			return err
		}
		out.Ticket = t
		out.Outcome = OutcomeFiled
		return out.queue(ctx, tx, in.Received, compose)
	})
	return out, err
}

// insertTicket inserts a ticket numbered max+1. The single writer and the
// immediate transaction make the numbers sequential and gap-free.
func (s *Store) insertTicket(ctx context.Context, tx dbtx, received time.Time, nt NewTicket) (Ticket, error) {
	deadline, facts, err := s.Policy().deadline(nt.Priority, received, received)
	if err != nil {
		return Ticket{}, err
	}
	factsJSON, err := json.Marshal(facts)
	if err != nil {
		return Ticket{}, err
	}
	calID, err := calendarID(ctx, tx, facts)
	if err != nil {
		return Ticket{}, err
	}
	lang := nt.Language
	if lang == "" {
		lang = "sv"
	}
	var id ID
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) + 1 FROM tickets`).Scan(&id); err != nil {
		return Ticket{}, err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO tickets (id, status, customer, application, priority, reporter, subject, language, received, deadline, deadline_facts, refers_to, window_ns, calendar_id)
		VALUES (?, 'new', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		int64(id), nt.Customer, sql.NullString{String: nt.Application, Valid: nt.Application != ""}, nt.Priority,
		nt.Reporter, nt.Subject, lang, nanos(received), nanos(deadline), string(factsJSON), nullID(nt.RefersTo), int64(facts.window()), calID)
	if err != nil {
		return Ticket{}, fmt.Errorf("insert ticket: %w", err)
	}
	return getTicket(ctx, tx, id)
}

// queue renders the mail for the result's outcome and stores it in the
// outbox.
func (r *Result) queue(ctx context.Context, tx dbtx, now time.Time, compose Composer) error {
	if compose == nil {
		return nil
	}
	mails, err := compose(r.outcome(now))
	if err != nil {
		return fmt.Errorf("compose mail for %s: %w", r.Ticket.ID, err)
	}
	ids, err := enqueue(ctx, tx, r.Ticket.ID, now, mails)
	r.Outbox = append(r.Outbox, ids...)
	return err
}

// calendarID returns the row of the calendar facts were computed on,
// adding it the first time: the tickets of one configuration share it, so
// the escalation scan builds each calendar once (migration 0003).
func calendarID(ctx context.Context, tx dbtx, facts DeadlineFacts) (int64, error) {
	config, err := json.Marshal(facts.Calendar)
	if err != nil {
		return 0, err
	}
	var id int64
	err = tx.QueryRowContext(ctx, `SELECT id FROM calendars WHERE config = ?`, string(config)).Scan(&id)
	if err == nil {
		return id, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("find calendar: %w", err)
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO calendars (config) VALUES (?)`, string(config))
	if err != nil {
		return 0, fmt.Errorf("add calendar: %w", err)
	}
	return res.LastInsertId()
}
