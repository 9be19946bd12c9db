package sla

import (
	"errors"
	"slices"
	"strings"
	"time"
)

// DayKind says why a day has the hours it has.
type DayKind uint8

// The kinds of day, in the order a day is examined.
const (
	// Regular is an open day of the week with the normal hours.
	Regular DayKind = iota
	// Weekly is a day of the week the calendar does not open (a weekend).
	Weekly
	// Holiday is a public holiday or a closed eve.
	Holiday
	// ExtraClosed is a company closure day from the configuration.
	ExtraClosed
	// Eve is an open day whose next day is a holiday: eve hours.
	Eve
)

// String names the kind for logs and explanations.
func (k DayKind) String() string {
	switch k {
	case Regular:
		return "regular"
	case Weekly:
		return "weekly closed"
	case Holiday:
		return "holiday"
	case ExtraClosed:
		return "extra closed"
	case Eve:
		return "eve"
	}
	return "unknown"
}

// ExtraClosedName is the name given to a company closure day.
const ExtraClosedName = "Extra stängd dag"

// Day is what the calendar says about one date.
type Day struct {
	Date Date
	Kind DayKind
	// Name is the holiday's or eve's name; empty on regular and weekly
	// closed days.
	Name string
	// Hours are the open hours; zero when the day is closed.
	Hours Hours
}

// Open reports whether the calendar opens at all on the day.
func (d Day) Open() bool {
	return d.Kind == Regular || d.Kind == Eve
}

// The precomputed table covers these years; outside them every day is
// worked out on demand, which is correct but slower and allocates.
const (
	tableFirstYear = 1990
	tableLastYear  = 2100
)

// entry is one day of the precomputed table.
type entry struct {
	kind DayKind
	name uint16 // index into Calendar.names; 0 is ""
}

// Calendar is an immutable business calendar. Build it with NewCalendar;
// it is safe for concurrent use.
type Calendar struct {
	cfg      CalendarConfig
	loc      *time.Location
	open     [7]bool
	hours    Hours
	eveHours Hours
	holidays []holiday // the rules in force, closed eves filtered
	extra    map[int]bool

	first int // day number of table[0]
	table []entry
	names []string
}

// NewCalendar validates cfg and builds its calendar. The error joins every
// *FieldError that Validate finds.
func NewCalendar(cfg CalendarConfig) (*Calendar, error) {
	if errs := cfg.Validate(); len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	c := &Calendar{
		cfg:   cfg,
		extra: make(map[int]bool, len(cfg.ExtraClosed)),
		names: []string{""},
	}
	c.cfg.Days = slices.Clone(cfg.Days)
	c.cfg.ClosedEves = slices.Clone(cfg.ClosedEves)
	c.cfg.ExtraClosed = slices.Clone(cfg.ExtraClosed)
	c.loc, _ = time.LoadLocation(cfg.Timezone)
	c.hours, _ = ParseHours(cfg.Hours)
	c.eveHours, _ = ParseHours(cfg.EveHours)
	days := weekdayKeys()
	for _, d := range cfg.Days {
		c.open[days[d]] = true
	}
	if cfg.Holidays == HolidaysSE {
		for _, h := range swedishHolidays() {
			if h.closedEve == "" || slices.Contains(cfg.ClosedEves, h.closedEve) {
				c.holidays = append(c.holidays, h)
			}
		}
	}
	for _, s := range cfg.ExtraClosed {
		d, _ := ParseDate(s)
		c.extra[dayNumber(d)] = true
	}
	c.buildTable()
	return c, nil
}

// Config returns the configuration the calendar was built from.
func (c *Calendar) Config() CalendarConfig {
	cfg := c.cfg
	cfg.Days = slices.Clone(c.cfg.Days)
	cfg.ClosedEves = slices.Clone(c.cfg.ClosedEves)
	cfg.ExtraClosed = slices.Clone(c.cfg.ExtraClosed)
	return cfg
}

// Location returns the calendar's zone.
func (c *Calendar) Location() *time.Location {
	return c.loc
}

// buildTable classifies every day of the table's years once, so that
// Deadline needs no holiday arithmetic per call.
func (c *Calendar) buildTable() {
	c.first = dayNumber(Date{tableFirstYear, time.January, 1})
	last := dayNumber(Date{tableLastYear, time.December, 31})
	// One year more on each side: an eve depends on the next day.
	hol := make(map[int][]string)
	for y := tableFirstYear - 1; y <= tableLastYear+1; y++ {
		for _, h := range c.holidays {
			n := dayNumber(h.date(y))
			hol[n] = append(hol[n], h.name)
		}
	}
	index := map[string]uint16{"": 0}
	intern := func(s string) uint16 {
		i, ok := index[s]
		if !ok {
			i = uint16(len(c.names))
			c.names = append(c.names, s)
			index[s] = i
		}
		return i
	}
	c.table = make([]entry, last-c.first+1)
	for n := c.first; n <= last; n++ {
		kind, name := c.classify(n, func(m int) []string { return hol[m] })
		c.table[n-c.first] = entry{kind: kind, name: intern(name)}
	}
}

// classify works out one day from the holidays falling on it and on the
// next day (SPEC §2).
func (c *Calendar) classify(n int, holidaysOn func(int) []string) (DayKind, string) {
	if names := holidaysOn(n); len(names) > 0 {
		return Holiday, strings.Join(names, ", ")
	}
	if c.extra[n] {
		return ExtraClosed, ExtraClosedName
	}
	if !c.open[weekdayOf(n)] {
		return Weekly, ""
	}
	// An eve is an open day before a holiday: a Saturday or Sunday after
	// it does not count, nor does a company closure.
	if next := holidaysOn(n + 1); len(next) > 0 {
		return Eve, c.eveName(next[0])
	}
	return Regular, ""
}

func (c *Calendar) eveName(holidayName string) string {
	for _, h := range c.holidays {
		if h.name == holidayName {
			return h.eveName
		}
	}
	return "Dag före " + holidayName
}

// holidaysOn computes the holidays of one day without the table; only days
// outside the table's years take this path.
func (c *Calendar) holidaysOn(n int) []string {
	d := dateOf(n)
	var names []string
	for _, h := range c.holidays {
		if h.date(d.Year) == d {
			names = append(names, h.name)
		}
	}
	return names
}

// kindOf returns the kind and the name index or name of day n.
func (c *Calendar) kindOf(n int) (DayKind, string) {
	if i := n - c.first; i >= 0 && i < len(c.table) {
		e := c.table[i]
		return e.kind, c.names[e.name]
	}
	return c.classify(n, c.holidaysOn)
}

// hoursOf returns the open hours of day n and whether it opens at all.
func (c *Calendar) hoursOf(n int) (Hours, bool) {
	var kind DayKind
	if i := n - c.first; i >= 0 && i < len(c.table) {
		kind = c.table[i].kind
	} else {
		kind, _ = c.classify(n, c.holidaysOn)
	}
	switch kind {
	case Regular:
		return c.hours, true
	case Eve:
		return c.eveHours, true
	}
	return Hours{}, false
}

// Day returns what the calendar says about date d.
func (c *Calendar) Day(d Date) Day {
	n := dayNumber(d)
	kind, name := c.kindOf(n)
	day := Day{Date: d, Kind: kind, Name: name}
	day.Hours, _ = c.hoursOf(n)
	return day
}

// Exceptions returns, in date order, the days from `from` to `to`
// inclusive that fall on an open day of the week but whose hours differ
// from normal: holidays, company closures and eves. This is the list
// `sosd sla calendar` prints (SPEC §9).
func (c *Calendar) Exceptions(from, to Date) []Day {
	var days []Day
	for n := dayNumber(from); n <= dayNumber(to); n++ {
		if !c.open[weekdayOf(n)] {
			continue
		}
		d := c.Day(dateOf(n))
		if d.Kind == Regular || d.Kind == Eve && d.Hours == c.hours {
			continue
		}
		days = append(days, d)
	}
	return days
}
