package tickets

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Escalation (SPEC §8): a ticket not started that has used warn_at of its
// response window gets a warning, and one that reaches its deadline a
// breach notice; each once per ticket and level, also across restarts
// (the notices table's UNIQUE rows, written with their outbox rows).
//
// The window is business time, so the warning falls at a business
// instant: a priority-3 ticket filed at 16:00 with warn_at 0.75 is warned
// at 13:00 the next open day (one hour that day, five the next), not at
// night.

// The notice kinds of escalation and the four-hour rule; their subject
// is the ticket id ("SOS-12").
const (
	NoticeWarning  = "warning"
	NoticeBreach   = "breach"
	NoticeFourHour = "four_hour"
)

// Escalation is one notice a job found due.
type Escalation struct {
	Ticket Ticket
	Level  string  // NoticeWarning or NoticeBreach
	Used   float64 // the fraction of the window used at now
}

// DueEscalations returns the warnings and breach notices due at now,
// from one read snapshot. A ticket whose breach was noticed is not read
// at all, and a ticket past its deadline gets only the breach notice: a
// warning after the fact (the daemon was down) helps nobody.
func (s *Store) DueEscalations(ctx context.Context, now time.Time, warnAt float64) ([]Escalation, error) {
	var out []Escalation
	err := s.read(ctx, "due escalations", func(tx *sql.Tx) error {
		cals, err := loadCalendars(ctx, tx)
		if err != nil {
			return err
		}
		// A warning needs at least warn_at × window of wall time since
		// the report (business time never runs faster than the clock),
		// so SQL skips the tickets too young for one; a second of slack
		// covers window_ns rounded by migration 0003.
		// The notices are looked up only for tickets past their
		// deadline (in SQL) or past their warning (below): for the rest
		// the scan costs one row each.
		rows, err := tx.QueryContext(ctx, `SELECT t.id, t.received, t.deadline, t.window_ns, t.calendar_id
			FROM tickets t
			WHERE t.status = 'new'
			AND (t.deadline <= ?1 OR t.received + CAST(?2 * t.window_ns AS INTEGER) - 1000000000 <= ?1)
			AND (t.deadline > ?1 OR NOT EXISTS (SELECT 1 FROM notices n WHERE n.subject = 'SOS-' || t.id AND n.kind = 'breach'))`,
			now.UnixNano(), warnAt)
		if err != nil {
			return err
		}
		defer rows.Close()
		type due struct {
			id    ID
			level string
			used  float64
		}
		var found []due
		for rows.Next() {
			var id ID
			var received, deadline, window, calendar int64
			if err := rows.Scan(&id, &received, &deadline, &window, &calendar); err != nil {
				return err
			}
			if now.UnixNano() >= deadline {
				found = append(found, due{id, NoticeBreach, 1})
				continue
			}
			cal, ok, err := cals.row(calendar)
			if !ok && err == nil {
				err = fmt.Errorf("stored calendar %d: not found", calendar)
			}
			if err != nil {
				return fmt.Errorf("%s: %w", id, err)
			}
			used := float64(cal.Elapsed(fromNanos(received), now)) / float64(window)
			if used >= warnAt {
				found = append(found, due{id, NoticeWarning, used})
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		rows.Close()
		for _, d := range found {
			if d.level == NoticeWarning {
				var warned bool
				if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM notices WHERE subject = ? AND kind = 'warning')`,
					d.id.String()).Scan(&warned); err != nil {
					return err
				}
				if warned {
					continue
				}
			}
			t, err := getTicket(ctx, tx, d.id)
			if err != nil {
				return err
			}
			out = append(out, Escalation{Ticket: t, Level: d.level, Used: d.used})
		}
		return nil
	})
	return out, err
}

// SendNotice records a job's notice about ticket once and queues the mail
// compose renders, in one transaction (see Notice), if the ticket still
// calls for it there: a warning or breach only while it is not started
// (a breach only at its deadline), a four-hour reminder only while it is
// open with no call recorded. The job's scan read a snapshot; a #start
// or #called may have come since.
func (s *Store) SendNotice(ctx context.Context, ticket ID, kind string, now time.Time, compose func() ([]Outgoing, error)) (bool, error) {
	due := func(ctx context.Context, tx dbtx) (bool, error) {
		var status Status
		var deadline int64
		var called bool
		if err := tx.QueryRowContext(ctx, `SELECT status, deadline, called FROM tickets WHERE id = ?`, int64(ticket)).Scan(&status, &deadline, &called); err != nil {
			return false, fmt.Errorf("%s: %w", ticket, err)
		}
		switch kind {
		case NoticeWarning:
			return status == StatusNew, nil
		case NoticeBreach:
			return status == StatusNew && deadline <= now.UnixNano(), nil
		case NoticeFourHour:
			return status != StatusClosed && !called, nil
		}
		return true, nil
	}
	return s.noticeIf(ctx, ticket.String(), kind, ticket, now, due, compose)
}
