package tickets

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Quarter is a calendar quarter, Q 1–4 of Year (SPEC §8, §9: "2026Q4").
type Quarter struct {
	Year, Q int
}

// ParseQuarter reads "2026Q4" (also "2026q4").
func ParseQuarter(s string) (Quarter, error) {
	y, q, ok := strings.Cut(strings.ToUpper(strings.TrimSpace(s)), "Q")
	year, err1 := strconv.Atoi(y)
	n, err2 := strconv.Atoi(q)
	if !ok || err1 != nil || err2 != nil || len(y) != 4 || len(q) != 1 || n < 1 || n > 4 || year < 1990 || year > 2100 {
		return Quarter{}, fmt.Errorf("quarter %q: want a year and quarter such as 2026Q4", s)
	}
	return Quarter{Year: year, Q: n}, nil
}

func (q Quarter) String() string { return fmt.Sprintf("%dQ%d", q.Year, q.Q) }

// Bounds returns the quarter's first instant and the next quarter's, in
// loc: a ticket belongs to the quarter in which it was received, in the
// calendar's zone (SPEC §9), so 31 March 23:30 UTC is Q2 in Stockholm.
func (q Quarter) Bounds(loc *time.Location) (from, to time.Time) {
	from = time.Date(q.Year, time.Month(3*(q.Q-1)+1), 1, 0, 0, 0, 0, loc)
	return from, from.AddDate(0, 3, 0)
}

// Prev is the quarter before q.
func (q Quarter) Prev() Quarter {
	if q.Q == 1 {
		return Quarter{Year: q.Year - 1, Q: 4}
	}
	return Quarter{Year: q.Year, Q: q.Q - 1}
}

// next is the quarter after q.
func (q Quarter) next() Quarter {
	if q.Q == 4 {
		return Quarter{Year: q.Year + 1, Q: 1}
	}
	return Quarter{Year: q.Year, Q: q.Q + 1}
}

// QuarterOf is the quarter t falls in, in loc.
func QuarterOf(t time.Time, loc *time.Location) Quarter {
	t = t.In(loc)
	return Quarter{Year: t.Year(), Q: (int(t.Month())-1)/3 + 1}
}

// TrendPoint is one quarter of a report's trend.
type TrendPoint struct {
	Quarter       Quarter
	Tickets       int
	Met, Breached int
	SLAMetPercent *float64
}

// Report is a customer's quarterly status report (SPEC §8): the quarter's
// figures, its tickets (for the CSV), and the trend over the four
// quarters ending with it, oldest first.
type Report struct {
	Stats
	Quarter Quarter
	List    []Ticket
	Trend   []TrendPoint
	// cals are the calendars of List's tickets, for the CSV's minutes.
	cals *calendars
}

// Report computes customer's report for quarter q in loc as things stood
// at now, from one read snapshot: the figures and the trend agree with
// each other even while intake goes on.
func (s *Store) Report(ctx context.Context, customer string, q Quarter, loc *time.Location, now time.Time) (Report, error) {
	quarters := []Quarter{q.Prev().Prev().Prev(), q.Prev().Prev(), q.Prev(), q}
	first, _ := quarters[0].Bounds(loc)
	_, end := q.Bounds(loc)
	var all []Ticket
	var cals *calendars
	err := s.read(ctx, "report", func(tx *sql.Tx) error {
		var err error
		if cals, err = loadCalendars(ctx, tx); err != nil {
			return err
		}
		// Without the facts: each ticket's calendar is a shared row, and
		// 20,000 decoded facts would cost more than the whole report.
		return eachTicket(ctx, tx, false, func(t Ticket) error {
			all = append(all, t)
			return nil
		}, `SELECT `+ticketColumns+` FROM tickets t
			WHERE t.customer = ? AND t.received >= ? AND t.received < ? ORDER BY t.received, t.id`, customer, nanos(first), nanos(end))
	})
	if err != nil {
		return Report{}, err
	}
	r := Report{Quarter: q, cals: cals}
	for _, qq := range quarters {
		from, to := qq.Bounds(loc)
		var list []Ticket
		for _, t := range all {
			if !t.Received.Before(from) && t.Received.Before(to) {
				list = append(list, t)
			}
		}
		st, err := statsOf(customer, list, from, to, now, cals)
		if err != nil {
			return Report{}, err
		}
		r.Trend = append(r.Trend, TrendPoint{Quarter: qq, Tickets: st.Tickets, Met: st.Met, Breached: st.Breached, SLAMetPercent: st.SLAMetPercent()})
		if qq == q {
			r.Stats, r.List = st, list
		}
	}
	return r, nil
}
