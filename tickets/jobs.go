package tickets

import (
	"context"
	"database/sql"
	"encoding/json"
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
		cals, err := loadCalendars(ctx, tx)
		if err != nil {
			return err
		}
		return eachTicket(ctx, tx, true, func(t Ticket) error {
			used, err := cals.used(t, now)
			out = append(out, Progress{Ticket: t, Used: used})
			return err
		}, `SELECT `+withFacts+` FROM tickets t WHERE t.status = 'new' ORDER BY t.id`)
	})
	return out, err
}

// calendars builds each stored calendar once per query: tickets filed
// under the same configuration share one. A ticket names its calendar's
// row (migration 0003); byID is filled from the calendars table by
// loadCalendars, so most queries never decode a ticket's facts. A ticket
// read with its facts and no row falls back to them.
type calendars struct {
	configs map[int64]sla.CalendarConfig
	byID    map[int64]*sla.Calendar
	byFacts map[string]*sla.Calendar
}

// loadCalendars reads the calendars table (a row per configuration ever
// used: a handful).
func loadCalendars(ctx context.Context, tx dbtx) (*calendars, error) {
	cs := &calendars{configs: map[int64]sla.CalendarConfig{}}
	rows, err := tx.QueryContext(ctx, `SELECT id, config FROM calendars`)
	if err != nil {
		return nil, fmt.Errorf("read calendars: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var config []byte
		if err := rows.Scan(&id, &config); err != nil {
			return nil, err
		}
		var c sla.CalendarConfig
		if err := json.Unmarshal(config, &c); err != nil {
			return nil, fmt.Errorf("stored calendar %d: %w", id, err)
		}
		cs.configs[id] = c
	}
	return cs, rows.Err()
}

func (cs *calendars) of(t Ticket) (*sla.Calendar, error) {
	if c, ok, err := cs.row(t.calendarID); ok || err != nil {
		if err != nil {
			err = fmt.Errorf("%s: %w", t.ID, err)
		}
		return c, err
	}
	if t.Facts.Window == "" {
		return nil, fmt.Errorf("%s: no stored calendar", t.ID)
	}
	key := fmt.Sprintf("%+v", t.Facts.Calendar)
	if c, ok := cs.byFacts[key]; ok {
		return c, nil
	}
	c, err := sla.NewCalendar(t.Facts.Calendar)
	if err != nil {
		return nil, fmt.Errorf("%s: stored calendar: %w", t.ID, err)
	}
	if cs.byFacts == nil {
		cs.byFacts = map[string]*sla.Calendar{}
	}
	cs.byFacts[key] = c
	return c, nil
}

// row is the calendar of row id of the calendars table, built once; ok
// is false when loadCalendars did not read such a row.
func (cs *calendars) row(id int64) (c *sla.Calendar, ok bool, err error) {
	if c, ok := cs.byID[id]; ok {
		return c, true, nil
	}
	config, ok := cs.configs[id]
	if !ok {
		return nil, false, nil
	}
	if c, err = sla.NewCalendar(config); err != nil {
		return nil, true, fmt.Errorf("stored calendar %d: %w", id, err)
	}
	if cs.byID == nil {
		cs.byID = map[int64]*sla.Calendar{}
	}
	cs.byID[id] = c
	return c, true, nil
}

// used is the fraction of t's response window used at now.
func (cs *calendars) used(t Ticket, now time.Time) (float64, error) {
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
			// Troubleshooting time runs from the start until a fix is
			// proposed: a ticket waiting for the customer's approval is
			// not being worked on.
			until := now
			if !t.Resolved.IsZero() && t.Resolved.Before(now) {
				until = t.Resolved
			}
			if time.Duration(t.WorkMinutes)*time.Minute >= threshold || cal.Elapsed(t.Started, until) >= threshold {
				out = append(out, t)
			}
			return nil
		}, `SELECT `+ticketColumns+` FROM tickets t
			WHERE t.started IS NOT NULL AND t.status IN ('started', 'resolved') AND t.called = 0
			AND NOT EXISTS (SELECT 1 FROM notices n WHERE n.subject = 'SOS-' || t.id AND n.kind = 'four_hour')
			ORDER BY t.id`)
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
