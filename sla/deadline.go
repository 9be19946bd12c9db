package sla

import "time"

// Interval is a stretch of open time that counted towards a window.
type Interval struct {
	Start, End time.Time
	// Day is the calendar day the interval belongs to, with its kind and
	// name, so an explanation can say why the hours were what they were.
	Day Day
}

// Duration is the open time in the interval.
func (iv Interval) Duration() time.Duration {
	return iv.End.Sub(iv.Start)
}

// openInterval returns the open interval of day n as instants.
func (c *Calendar) openInterval(n int) (start, end time.Time, ok bool) {
	h, ok := c.hoursOf(n)
	if !ok {
		return time.Time{}, time.Time{}, false
	}
	d := dateOf(n)
	return d.at(h.Open, c.loc), d.at(h.Close, c.loc), true
}

// dayNumberAt returns the day number of instant t's date in the calendar's
// zone.
func (c *Calendar) dayNumberAt(t time.Time) int {
	return dayNumber(DateOf(t.In(c.loc)))
}

// Deadline returns the earliest instant t ≥ reported such that the open
// time inside [reported, t] equals window (SPEC §2; agreement "Svarstid").
// A report outside open hours starts counting at the next opening; a
// deadline that lands on a closing time is that closing time, not the next
// opening; seconds and smaller units are kept. Open time is real elapsed
// time between wall-clock opening and closing instants, so hours across a
// DST change are counted as they pass. A window ≤ 0 returns reported.
// The result is in the calendar's zone.
//
// Deadline terminates for every valid calendar: at least one weekday opens
// and only finitely many dates are closed each year.
func (c *Calendar) Deadline(reported time.Time, window time.Duration) time.Time {
	reported = reported.In(c.loc)
	if window <= 0 {
		return reported
	}
	remaining := window
	for n := c.dayNumberAt(reported); ; n++ {
		start, end, ok := c.openInterval(n)
		if !ok {
			continue
		}
		if start.Before(reported) {
			start = reported
		}
		if !end.After(start) {
			continue
		}
		if avail := end.Sub(start); remaining <= avail {
			return start.Add(remaining)
		} else {
			remaining -= avail
		}
	}
}

// Explain returns the open intervals that make up window from reported, in
// order: the last one ends at Deadline(reported, window). It is what
// `sosd sla deadline --explain` and `sosd tickets show` print.
func (c *Calendar) Explain(reported time.Time, window time.Duration) []Interval {
	reported = reported.In(c.loc)
	var ivs []Interval
	remaining := window
	for n := c.dayNumberAt(reported); remaining > 0; n++ {
		start, end, ok := c.openInterval(n)
		if !ok {
			continue
		}
		if start.Before(reported) {
			start = reported
		}
		if !end.After(start) {
			continue
		}
		if avail := end.Sub(start); remaining < avail {
			end = start.Add(remaining)
		}
		remaining -= end.Sub(start)
		ivs = append(ivs, Interval{Start: start, End: end, Day: c.Day(dateOf(n))})
	}
	return ivs
}

// Elapsed returns the open time between two instants: the business time
// that reports and the four-hour rule measure (SPEC §2, §8). When to is
// before from the result is negative, -Elapsed(to, from).
func (c *Calendar) Elapsed(from, to time.Time) time.Duration {
	if to.Before(from) {
		return -c.Elapsed(to, from)
	}
	var total time.Duration
	last := c.dayNumberAt(to)
	for n := c.dayNumberAt(from); n <= last; n++ {
		start, end, ok := c.openInterval(n)
		if !ok {
			continue
		}
		if start.Before(from) {
			start = from
		}
		if end.After(to) {
			end = to
		}
		if end.After(start) {
			total += end.Sub(start)
		}
	}
	return total
}
