package tickets

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"sosd/sla"
)

// Progress is a ticket not yet started and how much of its response window
// its calendar says is used.
type Progress struct {
	Ticket Ticket
	// Used is the open time since the report divided by the window: 0.75
	// is the default warning level, 1 the deadline.
	Used float64
}

// NotStarted returns every ticket not started yet, with the fraction of its
// window used at now (SPEC §8, escalation). Open time is measured with the
// calendar the deadline was computed with, so a configuration edit moves
// no warning either.
func (s *Store) NotStarted(ctx context.Context, now time.Time) ([]Progress, error) {
	var out []Progress
	err := s.read(ctx, "tickets not started", func(tx *sql.Tx) error {
		cals := calendars{}
		return eachTicket(ctx, tx, true, func(t Ticket) error {
			used, err := cals.used(t, now)
			out = append(out, Progress{Ticket: t, Used: used})
			return err
		}, `SELECT `+withFacts+` FROM tickets t WHERE t.status = 'new' ORDER BY t.id`)
	})
	return out, err
}

// calendars builds each stored calendar once per query: tickets filed
// under the same configuration share one.
type calendars map[string]*sla.Calendar

func (cs calendars) of(t Ticket) (*sla.Calendar, error) {
	key := fmt.Sprintf("%+v", t.Facts.Calendar)
	if c, ok := cs[key]; ok {
		return c, nil
	}
	c, err := sla.NewCalendar(t.Facts.Calendar)
	if err != nil {
		return nil, fmt.Errorf("%s: stored calendar: %w", t.ID, err)
	}
	cs[key] = c
	return c, nil
}

// used is the fraction of t's response window used at now.
func (cs calendars) used(t Ticket, now time.Time) (float64, error) {
	cal, err := cs.of(t)
	if err != nil {
		return 0, err
	}
	window, err := time.ParseDuration(t.Facts.Window)
	if err != nil || window <= 0 {
		return 0, fmt.Errorf("%s: stored window %q", t.ID, t.Facts.Window)
	}
	return float64(cal.Elapsed(t.Received, now)) / float64(window), nil
}

// FourHourDue returns started, open tickets with no #called whose logged
// work, or business time since start on cal, has reached threshold (SOS
// "Problemlösning": beyond four working hours the consultant calls the
// customer).
func (s *Store) FourHourDue(ctx context.Context, now time.Time, cal *sla.Calendar, threshold time.Duration) ([]Ticket, error) {
	var out []Ticket
	err := s.read(ctx, "four-hour rule", func(tx *sql.Tx) error {
		return eachTicket(ctx, tx, false, func(t Ticket) error {
			if time.Duration(t.WorkMinutes)*time.Minute >= threshold || cal.Elapsed(t.Started, now) >= threshold {
				out = append(out, t)
			}
			return nil
		}, `SELECT `+ticketColumns+` FROM tickets t
			WHERE t.started IS NOT NULL AND t.status IN ('started', 'resolved') AND t.called = 0 ORDER BY t.id`)
	})
	return out, err
}

// Received returns a customer's tickets received in [from, to), oldest
// first, with their deadline facts: the rows of a quarter's statistics.
func (s *Store) Received(ctx context.Context, customer string, from, to time.Time) ([]Ticket, error) {
	var out []Ticket
	err := s.read(ctx, "tickets of a period", func(tx *sql.Tx) error {
		return eachTicket(ctx, tx, true, func(t Ticket) error {
			out = append(out, t)
			return nil
		}, `SELECT `+withFacts+` FROM tickets t
			WHERE t.customer = ? AND t.received >= ? AND t.received < ? ORDER BY t.received, t.id`, customer, nanos(from), nanos(to))
	})
	return out, err
}
