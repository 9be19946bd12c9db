package tickets

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// CustomerReply is a mail from the customer's side about a ticket, with
// what the mail package read in its new text (SPEC §7).
type CustomerReply struct {
	Mail Inbound
	// Approves: the new text's first word approves ("godkänd",
	// "godkänner", "approved", "OK").
	Approves bool
	// OnlyThanks: the new text is only a thank-you ("tack", "thanks", …).
	OnlyThanks bool
	// Automatic: an out-of-office or other automatic reply; it is kept but
	// never changes the ticket's state.
	Automatic bool
	// PriorityRequest is a higher priority asked for after filing (0 if
	// none): recorded and passed on, the deadline unchanged (SPEC §7).
	PriorityRequest int
	// Priority is the priority a new ticket gets if this reply opens one.
	Priority int
}

// CustomerReply adds a customer's reply to ticket id in one transaction
// and applies SPEC §7:
//   - to a resolved ticket: approval closes it, anything else reopens it;
//   - to a closed ticket: within reopenWithin of closing it reopens it
//     unless it is only a thank-you; later it opens a new ticket that
//     refers to the closed one;
//   - otherwise it is appended.
//
// Automatic replies are only appended.
func (s *Store) CustomerReply(ctx context.Context, id ID, r CustomerReply, reopenWithin time.Duration, compose Composer) (Result, error) {
	var res Result
	err := s.write(ctx, "add customer reply", func(ctx context.Context, tx dbtx) error {
		res = Result{Outcome: OutcomeAppended}
		t, done, err := replyPreamble(ctx, tx, id, r.Mail, &res)
		if done {
			return err
		}
		now := r.Mail.Received
		from := r.Mail.From

		if !r.Automatic && t.Status == StatusClosed && !r.OnlyThanks && now.Sub(t.Closed) > reopenWithin {
			return s.fileFollowUp(ctx, tx, &res, t, r, compose)
		}
		msgRow, err := insertInbound(ctx, tx, id, r.Mail)
		if err != nil {
			return err
		}
		kind := "reply_in"
		if r.Automatic {
			kind = "automatic_reply"
		}
		if err := addEvent(ctx, tx, id, now, kind, from, "", msgRow); err != nil {
			return err
		}
		// A request counts on a ticket that is open after this reply,
		// including one this reply reopens.
		reopens := t.Status == StatusClosed && !r.OnlyThanks && !r.Automatic
		if r.PriorityRequest != 0 && r.PriorityRequest < t.Priority && (t.Open() || reopens) {
			detail := fmt.Sprintf("asked for priority %d (now %d); the deadline is unchanged", r.PriorityRequest, t.Priority)
			if err := addEvent(ctx, tx, id, now, "priority_requested", from, detail, msgRow); err != nil {
				return err
			}
			res.Changes = append(res.Changes, Change{Kind: "priority_requested", Detail: detail, From: strconv.Itoa(t.Priority), To: strconv.Itoa(r.PriorityRequest)})
		}
		if !r.Automatic {
			var err error
			switch {
			case t.Status == StatusResolved && r.Approves:
				err = transition(ctx, tx, id, StatusClosed, now, "approved", from, "the customer approved the solution", msgRow)
				res.Outcome = OutcomeApproved
			case t.Status == StatusResolved:
				err = transition(ctx, tx, id, StatusStarted, now, "rejected", from, "the customer did not approve the solution", msgRow)
				res.Outcome = OutcomeReopened
			case t.Status == StatusClosed && !r.OnlyThanks:
				err = transition(ctx, tx, id, StatusStarted, now, "reopened", from, "a reply reopened the closed ticket", msgRow)
				res.Outcome = OutcomeReopened
			}
			if err != nil {
				return err
			}
		}
		if res.Ticket, err = getTicket(ctx, tx, id); err != nil {
			return err
		}
		return res.queue(ctx, tx, now, compose)
	})
	return res, err
}

// fileFollowUp opens a new ticket for a reply to a ticket closed too long
// ago to reopen, referring to it (SPEC §7).
func (s *Store) fileFollowUp(ctx context.Context, tx dbtx, res *Result, old Ticket, r CustomerReply, compose Composer) error {
	now, from := r.Mail.Received, r.Mail.From
	prio := r.Priority
	if prio == 0 {
		prio = 3
	}
	nt, err := s.insertTicket(ctx, tx, now, NewTicket{
		Customer: old.Customer, Application: old.Application, Priority: prio, Language: old.Language,
		Reporter: from, Subject: r.Mail.Subject, RefersTo: old.ID,
	})
	if err != nil {
		return err
	}
	msgRow, err := insertInbound(ctx, tx, nt.ID, r.Mail)
	if err != nil {
		return err
	}
	detail := fmt.Sprintf("priority %d, deadline %s, refers to %s", nt.Priority, nt.Deadline.Format(time.RFC3339), old.ID)
	if err := addEvent(ctx, tx, nt.ID, now, "filed", from, detail, msgRow); err != nil {
		return err
	}
	if err := addEvent(ctx, tx, old.ID, now, "followed_up", from, "a late reply opened "+nt.ID.String(), msgRow); err != nil {
		return err
	}
	res.Outcome, res.Ticket = OutcomeNewFromClosed, nt
	return res.queue(ctx, tx, now, compose)
}

// transition moves a ticket to status to on the customer's word.
func transition(ctx context.Context, tx dbtx, id ID, to Status, now time.Time, kind, actor, detail string, msgRow int64) error {
	var q string
	switch to {
	case StatusClosed:
		q = `UPDATE tickets SET status = 'closed', closed = ? WHERE id = ?`
	case StatusStarted:
		// Back to work: the old resolution and closing no longer hold, and
		// reports count the reopening.
		q = `UPDATE tickets SET status = 'started', resolved = NULL, closed = NULL, reopened = reopened + 1,
			started = COALESCE(started, ?) WHERE id = ?`
	default:
		return fmt.Errorf("transition to %s", to)
	}
	if _, err := tx.ExecContext(ctx, q, nanos(now), int64(id)); err != nil {
		return fmt.Errorf("%s %s: %w", kind, id, err)
	}
	return addEvent(ctx, tx, id, now, kind, actor, detail, msgRow)
}
