package sla

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// CalendarConfig is the `calendar:` section of the configuration (SPEC §4),
// as written by the admin. DefaultCalendarConfig gives the agreement's own
// calendar.
type CalendarConfig struct {
	// Timezone is an IANA zone name; open hours are wall-clock times in it.
	Timezone string `yaml:"timezone"`
	// Holidays is HolidaysSE or HolidaysNone.
	Holidays string `yaml:"holidays"`
	// Days are the open days of the week: mon, tue, wed, thu, fri, sat, sun.
	Days []string `yaml:"days"`
	// Hours are the normal open hours, "HH:MM-HH:MM"; "00:00-24:00" is
	// round the clock.
	Hours string `yaml:"hours"`
	// EveHours are the open hours of an eve ("dag före helgdag").
	EveHours string `yaml:"eve_hours"`
	// ClosedEves names which of Midsommarafton, Julafton and Nyarsafton are
	// closed like holidays.
	ClosedEves []string `yaml:"closed_eves"`
	// ExtraClosed are company closure days, "YYYY-MM-DD". They close the
	// day but do not make the day before an eve.
	ExtraClosed []string `yaml:"extra_closed"`
}

// DefaultCalendarConfig returns the calendar of the agreement (SPEC §2):
// Europe/Stockholm, Swedish holidays, Monday–Friday 08:00–17:00, eves
// 08:30–14:00, and Midsommarafton, Julafton and Nyårsafton closed.
func DefaultCalendarConfig() CalendarConfig {
	return CalendarConfig{
		Timezone:   "Europe/Stockholm",
		Holidays:   HolidaysSE,
		Days:       []string{"mon", "tue", "wed", "thu", "fri"},
		Hours:      "08:00-17:00",
		EveHours:   "08:30-14:00",
		ClosedEves: []string{Midsommarafton, Julafton, Nyarsafton},
	}
}

// FieldError is a problem with one configuration key. Field is the key's
// path relative to the section validated ("hours", "days[2]"), so the
// caller can prefix it and find its line in the file.
type FieldError struct {
	Field string
	Msg   string
}

func (e *FieldError) Error() string {
	return e.Field + ": " + e.Msg
}

func fieldErrorf(field, format string, args ...any) error {
	return &FieldError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// ParseWeekday reads a day name of the configuration: "mon" … "sun".
func ParseWeekday(s string) (time.Weekday, bool) {
	d, ok := weekdayKeys()[s]
	return d, ok
}

// weekdayKeys maps the configuration's day names to weekdays.
func weekdayKeys() map[string]time.Weekday {
	return map[string]time.Weekday{
		"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday,
		"wed": time.Wednesday, "thu": time.Thursday, "fri": time.Friday,
		"sat": time.Saturday,
	}
}

// Validate checks every key and returns one *FieldError per problem found,
// not only the first; nil means the configuration builds a Calendar.
func (c CalendarConfig) Validate() []error {
	var errs []error
	if c.Timezone == "" {
		errs = append(errs, fieldErrorf("timezone", "must name a time zone, e.g. Europe/Stockholm"))
	} else if _, err := time.LoadLocation(c.Timezone); err != nil {
		errs = append(errs, fieldErrorf("timezone", "unknown time zone %q", c.Timezone))
	}
	if c.Holidays != HolidaysSE && c.Holidays != HolidaysNone {
		errs = append(errs, fieldErrorf("holidays", "%q is not a holiday set (se or none)", c.Holidays))
	}
	if len(c.Days) == 0 {
		errs = append(errs, fieldErrorf("days", "at least one open day is needed"))
	}
	days := weekdayKeys()
	for i, d := range c.Days {
		if _, ok := days[d]; !ok {
			errs = append(errs, fieldErrorf(fmt.Sprintf("days[%d]", i), "%q is not a day (mon, tue, wed, thu, fri, sat, sun)", d))
		} else if slices.Index(c.Days, d) < i {
			errs = append(errs, fieldErrorf(fmt.Sprintf("days[%d]", i), "%q is listed twice", d))
		}
	}
	if _, err := ParseHours(c.Hours); err != nil {
		errs = append(errs, fieldErrorf("hours", "%v", err))
	}
	if _, err := ParseHours(c.EveHours); err != nil {
		errs = append(errs, fieldErrorf("eve_hours", "%v", err))
	}
	eves := []string{Midsommarafton, Julafton, Nyarsafton}
	for i, e := range c.ClosedEves {
		if !slices.Contains(eves, e) {
			errs = append(errs, fieldErrorf(fmt.Sprintf("closed_eves[%d]", i), "%q is not one of %s", e, strings.Join(eves, ", ")))
		} else if slices.Index(c.ClosedEves, e) < i {
			errs = append(errs, fieldErrorf(fmt.Sprintf("closed_eves[%d]", i), "%q is listed twice", e))
		}
	}
	for i, s := range c.ExtraClosed {
		if _, err := ParseDate(s); err != nil {
			errs = append(errs, fieldErrorf(fmt.Sprintf("extra_closed[%d]", i), "%v", err))
		} else if slices.Index(c.ExtraClosed, s) < i {
			errs = append(errs, fieldErrorf(fmt.Sprintf("extra_closed[%d]", i), "%s is listed twice", s))
		}
	}
	return errs
}

// Priority is one level of the agreement's service levels ("Servicenivå"):
// troubleshooting starts within StartWithin business time.
type Priority struct {
	Name        string
	StartWithin time.Duration
}

// DefaultPriorities returns the agreement's levels: 1 Affärskritiskt 2 h,
// 2 Kritiskt 4 h, 3 Standard 8 h.
func DefaultPriorities() map[int]Priority {
	return map[int]Priority{
		1: {Name: "Affärskritiskt", StartWithin: 2 * time.Hour},
		2: {Name: "Kritiskt", StartWithin: 4 * time.Hour},
		3: {Name: "Standard", StartWithin: 8 * time.Hour},
	}
}

// ValidatePriorities checks that exactly priorities 1, 2 and 3 are present,
// each with a name and a positive window. Fields are "1", "2.name", ….
func ValidatePriorities(p map[int]Priority) []error {
	var errs []error
	keys := make([]int, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if k < 1 || k > 3 {
			errs = append(errs, fieldErrorf(fmt.Sprint(k), "priority %d does not exist in the agreement (1, 2 or 3)", k))
		}
	}
	for k := 1; k <= 3; k++ {
		v, ok := p[k]
		if !ok {
			errs = append(errs, fieldErrorf(fmt.Sprint(k), "priority %d is missing", k))
			continue
		}
		if strings.TrimSpace(v.Name) == "" {
			errs = append(errs, fieldErrorf(fmt.Sprintf("%d.name", k), "must not be empty"))
		}
		if v.StartWithin <= 0 {
			errs = append(errs, fieldErrorf(fmt.Sprintf("%d.start_within", k), "must be a positive duration such as 8h"))
		}
	}
	return errs
}
