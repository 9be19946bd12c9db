package sla

import (
	"fmt"
	"time"
)

// Date is a civil date in the calendar's zone, without a time of day.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ParseDate parses a date written as YYYY-MM-DD and rejects dates that do
// not exist (2026-02-30).
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("%q is not a date of the form YYYY-MM-DD", s)
	}
	return DateOf(t), nil
}

// DateOf returns the date of t in t's own location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// String formats the date as YYYY-MM-DD.
func (d Date) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
}

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday {
	return weekdayOf(dayNumber(d))
}

// AddDays returns the date n days after d (before d when n is negative).
func (d Date) AddDays(n int) Date {
	return dateOf(dayNumber(d) + n)
}

// Before reports whether d is earlier than e.
func (d Date) Before(e Date) bool {
	return dayNumber(d) < dayNumber(e)
}

// at returns the instant of the wall-clock time c on date d in loc. Times
// that do not exist because of a DST change are normalised by time.Date
// (02:30 on the spring-forward day becomes 03:30); c may be 24:00, which is
// midnight of the next day.
func (d Date) at(c Clock, loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, int(c)/60, int(c)%60, 0, 0, loc)
}

// dayNumber counts days since 1970-01-01 in the proleptic Gregorian calendar
// (negative before it), with integer arithmetic only so the hot path of
// Deadline allocates nothing. The algorithm is the well-known
// days-from-civil conversion: years start in March so the leap day is last.
func dayNumber(d Date) int {
	y := d.Year
	m := int(d.Month)
	if m <= 2 {
		y--
	}
	era := floorDiv(y, 400)
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d.Day - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// dateOf is the inverse of dayNumber.
func dateOf(n int) Date {
	n += 719468
	era := floorDiv(n, 146097)
	doe := n - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y := yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d := doy - (153*mp+2)/5 + 1
	m := mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	return Date{y, time.Month(m), d}
}

// weekdayOf returns the weekday of a day number; 1970-01-01 was a Thursday.
func weekdayOf(n int) time.Weekday {
	return time.Weekday(((n+4)%7 + 7) % 7)
}

func floorDiv(a, b int) int {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// Clock is a wall-clock time of day in minutes since midnight, from 00:00
// to 24:00 inclusive (24:00 is only meaningful as a closing time).
type Clock int

// String formats c as HH:MM.
func (c Clock) String() string {
	return fmt.Sprintf("%02d:%02d", int(c)/60, int(c)%60)
}

// Hours is a span of wall-clock time within one day, [Open, Close).
type Hours struct {
	Open, Close Clock
}

// String formats h as HH:MM-HH:MM, the form the configuration uses.
func (h Hours) String() string {
	return h.Open.String() + "-" + h.Close.String()
}

// ParseHours parses "HH:MM-HH:MM" with Open < Close; the close may be 24:00.
func ParseHours(s string) (Hours, error) {
	if len(s) != len("08:00-17:00") || s[5] != '-' {
		return Hours{}, fmt.Errorf("%q is not of the form HH:MM-HH:MM", s)
	}
	open, err := parseClock(s[:5], false)
	if err != nil {
		return Hours{}, fmt.Errorf("%q: opening %w", s, err)
	}
	close, err := parseClock(s[6:], true)
	if err != nil {
		return Hours{}, fmt.Errorf("%q: closing %w", s, err)
	}
	if open >= close {
		return Hours{}, fmt.Errorf("%q: opening must be before closing", s)
	}
	return Hours{open, close}, nil
}

// parseClock parses exactly "HH:MM"; 24:00 only when closing.
func parseClock(s string, closing bool) (Clock, error) {
	digit := func(b byte) bool { return b >= '0' && b <= '9' }
	if len(s) != 5 || s[2] != ':' || !digit(s[0]) || !digit(s[1]) || !digit(s[3]) || !digit(s[4]) {
		return 0, fmt.Errorf("time %q is not HH:MM", s)
	}
	h := int(s[0]-'0')*10 + int(s[1]-'0')
	m := int(s[3]-'0')*10 + int(s[4]-'0')
	return clockOf(h, m, closing)
}

func clockOf(h, m int, closing bool) (Clock, error) {
	if h == 24 && m == 0 && closing {
		return 24 * 60, nil
	}
	if h < 0 || h > 23 || m < 0 || m > 59 {
		return 0, fmt.Errorf("time %02d:%02d is not a time of day", h, m)
	}
	return Clock(h*60 + m), nil
}
