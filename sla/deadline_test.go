package sla_test

import (
	"testing"
	"time"

	"sosd/sla"
)

// instant parses an RFC 3339 time written in a test table.
func instant(t testing.TB, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatalf("bad instant %q in test table: %v", s, err)
	}
	return tm
}

// calendars are the configurations the deadline tests name.
var calendars = map[string]func(*sla.CalendarConfig){
	"default": nil,
	"extra28": func(c *sla.CalendarConfig) { c.ExtraClosed = []string{"2026-12-28"} },
	"247": func(c *sla.CalendarConfig) {
		c.Hours = "00:00-24:00"
		c.Days = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
		c.Holidays = sla.HolidaysNone
	},
	"ny": func(c *sla.CalendarConfig) {
		c.Timezone = "America/New_York"
		c.Hours = "09:00-17:00"
		c.Holidays = sla.HolidaysNone
	},
	"ny-se": func(c *sla.CalendarConfig) {
		c.Timezone = "America/New_York"
		c.Hours = "09:00-17:00"
	},
	"openeves": func(c *sla.CalendarConfig) { c.ClosedEves = nil },
}

func buildCalendars(t testing.TB) map[string]*sla.Calendar {
	t.Helper()
	m := make(map[string]*sla.Calendar, len(calendars))
	for name, edit := range calendars {
		m[name] = newCalendar(t, edit)
	}
	return m
}

const (
	h2   = 2 * time.Hour
	h4   = 4 * time.Hour
	h8   = 8 * time.Hour
	h100 = 100 * time.Hour
)

type deadlineCase struct {
	name     string
	cal      string // key of calendars; "" is "default"
	reported string
	window   time.Duration
	want     string
}

// deadlineCases are worked out by hand from SPEC §2. Normal days are in the
// week of Tue 2026-11-24 (no holidays); the eve is Wed 2026-05-13
// (08:30–14:00), before Kristi himmelsfärds dag on Thursday, with Friday
// 15 May regular.
var deadlineCases = []deadlineCase{
	{"worked example", "", "2026-11-30T15:00:00+01:00", h8, "2026-12-01T14:00:00+01:00"},

	// A normal day around its opening and closing and the eve's hours.
	{"normal 07:59 2h", "", "2026-11-24T07:59:00+01:00", h2, "2026-11-24T10:00:00+01:00"},
	{"normal 07:59 4h", "", "2026-11-24T07:59:00+01:00", h4, "2026-11-24T12:00:00+01:00"},
	{"normal 07:59 8h", "", "2026-11-24T07:59:00+01:00", h8, "2026-11-24T16:00:00+01:00"},
	{"normal 08:00 2h", "", "2026-11-24T08:00:00+01:00", h2, "2026-11-24T10:00:00+01:00"},
	{"normal 08:00 4h", "", "2026-11-24T08:00:00+01:00", h4, "2026-11-24T12:00:00+01:00"},
	{"normal 08:00 8h", "", "2026-11-24T08:00:00+01:00", h8, "2026-11-24T16:00:00+01:00"},
	{"normal 08:01 2h", "", "2026-11-24T08:01:00+01:00", h2, "2026-11-24T10:01:00+01:00"},
	{"normal 08:01 4h", "", "2026-11-24T08:01:00+01:00", h4, "2026-11-24T12:01:00+01:00"},
	{"normal 08:01 8h", "", "2026-11-24T08:01:00+01:00", h8, "2026-11-24T16:01:00+01:00"},
	{"normal 08:29 2h", "", "2026-11-24T08:29:00+01:00", h2, "2026-11-24T10:29:00+01:00"},
	{"normal 08:29 8h", "", "2026-11-24T08:29:00+01:00", h8, "2026-11-24T16:29:00+01:00"},
	{"normal 08:30 2h", "", "2026-11-24T08:30:00+01:00", h2, "2026-11-24T10:30:00+01:00"},
	{"normal 08:30 8h", "", "2026-11-24T08:30:00+01:00", h8, "2026-11-24T16:30:00+01:00"},
	{"normal 08:31 4h", "", "2026-11-24T08:31:00+01:00", h4, "2026-11-24T12:31:00+01:00"},
	{"normal 08:31 8h", "", "2026-11-24T08:31:00+01:00", h8, "2026-11-24T16:31:00+01:00"},
	{"normal 13:59 2h", "", "2026-11-24T13:59:00+01:00", h2, "2026-11-24T15:59:00+01:00"},
	{"normal 13:59 4h", "", "2026-11-24T13:59:00+01:00", h4, "2026-11-25T08:59:00+01:00"},
	{"normal 13:59 8h", "", "2026-11-24T13:59:00+01:00", h8, "2026-11-25T12:59:00+01:00"},
	{"normal 14:00 2h", "", "2026-11-24T14:00:00+01:00", h2, "2026-11-24T16:00:00+01:00"},
	{"normal 14:00 4h", "", "2026-11-24T14:00:00+01:00", h4, "2026-11-25T09:00:00+01:00"},
	{"normal 14:00 8h", "", "2026-11-24T14:00:00+01:00", h8, "2026-11-25T13:00:00+01:00"},
	{"normal 14:01 2h", "", "2026-11-24T14:01:00+01:00", h2, "2026-11-24T16:01:00+01:00"},
	{"normal 14:01 4h", "", "2026-11-24T14:01:00+01:00", h4, "2026-11-25T09:01:00+01:00"},
	{"normal 14:01 8h", "", "2026-11-24T14:01:00+01:00", h8, "2026-11-25T13:01:00+01:00"},
	{"normal 16:59 2h", "", "2026-11-24T16:59:00+01:00", h2, "2026-11-25T09:59:00+01:00"},
	{"normal 16:59 4h", "", "2026-11-24T16:59:00+01:00", h4, "2026-11-25T11:59:00+01:00"},
	{"normal 16:59 8h", "", "2026-11-24T16:59:00+01:00", h8, "2026-11-25T15:59:00+01:00"},
	{"normal 17:00 2h", "", "2026-11-24T17:00:00+01:00", h2, "2026-11-25T10:00:00+01:00"},
	{"normal 17:00 4h", "", "2026-11-24T17:00:00+01:00", h4, "2026-11-25T12:00:00+01:00"},
	{"normal 17:00 8h", "", "2026-11-24T17:00:00+01:00", h8, "2026-11-25T16:00:00+01:00"},
	{"normal 17:01 2h", "", "2026-11-24T17:01:00+01:00", h2, "2026-11-25T10:00:00+01:00"},
	{"normal 17:01 4h", "", "2026-11-24T17:01:00+01:00", h4, "2026-11-25T12:00:00+01:00"},
	{"normal 17:01 8h", "", "2026-11-24T17:01:00+01:00", h8, "2026-11-25T16:00:00+01:00"},
	{"normal 23:59 2h", "", "2026-11-24T23:59:59+01:00", h2, "2026-11-25T10:00:00+01:00"},
	{"normal 00:00 2h", "", "2026-11-25T00:00:00+01:00", h2, "2026-11-25T10:00:00+01:00"},

	// Landing exactly on a closing time keeps the closing time.
	{"Mon 09:00 + 8h is 17:00", "", "2026-11-30T09:00:00+01:00", h8, "2026-11-30T17:00:00+01:00"},
	{"08:00 + 9h is 17:00", "", "2026-11-24T08:00:00+01:00", 9 * time.Hour, "2026-11-24T17:00:00+01:00"},
	{"07:00 + 9h is 17:00", "", "2026-11-24T07:00:00+01:00", 9 * time.Hour, "2026-11-24T17:00:00+01:00"},
	{"08:00 + 18h is 17:00 next day", "", "2026-11-24T08:00:00+01:00", 18 * time.Hour, "2026-11-25T17:00:00+01:00"},
	{"16:00 + 1h is 17:00", "", "2026-11-24T16:00:00+01:00", time.Hour, "2026-11-24T17:00:00+01:00"},
	{"Fri 15:00 + 2h is Fri 17:00", "", "2026-11-27T15:00:00+01:00", h2, "2026-11-27T17:00:00+01:00"},
	{"eve 12:00 + 2h is 14:00", "", "2026-05-13T12:00:00+02:00", h2, "2026-05-13T14:00:00+02:00"},
	{"eve 08:30 + 5h30 is 14:00", "", "2026-05-13T08:30:00+02:00", 5*time.Hour + 30*time.Minute, "2026-05-13T14:00:00+02:00"},
	{"eve 06:00 + 5h30 is 14:00", "", "2026-05-13T06:00:00+02:00", 5*time.Hour + 30*time.Minute, "2026-05-13T14:00:00+02:00"},
	{"eve 11:30 + 2h is 13:30", "", "2026-05-13T11:30:00+02:00", h2, "2026-05-13T13:30:00+02:00"},

	// The eve: 08:30–14:00, then Thursday closed, Friday regular.
	{"eve 07:59 2h", "", "2026-05-13T07:59:00+02:00", h2, "2026-05-13T10:30:00+02:00"},
	{"eve 07:59 4h", "", "2026-05-13T07:59:00+02:00", h4, "2026-05-13T12:30:00+02:00"},
	{"eve 07:59 8h", "", "2026-05-13T07:59:00+02:00", h8, "2026-05-15T10:30:00+02:00"},
	{"eve 08:00 2h", "", "2026-05-13T08:00:00+02:00", h2, "2026-05-13T10:30:00+02:00"},
	{"eve 08:00 4h", "", "2026-05-13T08:00:00+02:00", h4, "2026-05-13T12:30:00+02:00"},
	{"eve 08:00 8h", "", "2026-05-13T08:00:00+02:00", h8, "2026-05-15T10:30:00+02:00"},
	{"eve 08:01 2h", "", "2026-05-13T08:01:00+02:00", h2, "2026-05-13T10:30:00+02:00"},
	{"eve 08:29 2h", "", "2026-05-13T08:29:00+02:00", h2, "2026-05-13T10:30:00+02:00"},
	{"eve 08:29 8h", "", "2026-05-13T08:29:00+02:00", h8, "2026-05-15T10:30:00+02:00"},
	{"eve 08:30 2h", "", "2026-05-13T08:30:00+02:00", h2, "2026-05-13T10:30:00+02:00"},
	{"eve 08:30 4h", "", "2026-05-13T08:30:00+02:00", h4, "2026-05-13T12:30:00+02:00"},
	{"eve 08:30 8h", "", "2026-05-13T08:30:00+02:00", h8, "2026-05-15T10:30:00+02:00"},
	{"eve 08:31 2h", "", "2026-05-13T08:31:00+02:00", h2, "2026-05-13T10:31:00+02:00"},
	{"eve 08:31 8h", "", "2026-05-13T08:31:00+02:00", h8, "2026-05-15T10:31:00+02:00"},
	{"eve 13:59 2h", "", "2026-05-13T13:59:00+02:00", h2, "2026-05-15T09:59:00+02:00"},
	{"eve 13:59 4h", "", "2026-05-13T13:59:00+02:00", h4, "2026-05-15T11:59:00+02:00"},
	{"eve 13:59 8h", "", "2026-05-13T13:59:00+02:00", h8, "2026-05-15T15:59:00+02:00"},
	{"eve 14:00 2h", "", "2026-05-13T14:00:00+02:00", h2, "2026-05-15T10:00:00+02:00"},
	{"eve 14:00 4h", "", "2026-05-13T14:00:00+02:00", h4, "2026-05-15T12:00:00+02:00"},
	{"eve 14:00 8h", "", "2026-05-13T14:00:00+02:00", h8, "2026-05-15T16:00:00+02:00"},
	{"eve 14:01 2h", "", "2026-05-13T14:01:00+02:00", h2, "2026-05-15T10:00:00+02:00"},
	{"eve 14:01 8h", "", "2026-05-13T14:01:00+02:00", h8, "2026-05-15T16:00:00+02:00"},
	{"eve 16:59 2h", "", "2026-05-13T16:59:00+02:00", h2, "2026-05-15T10:00:00+02:00"},
	{"eve 17:00 4h", "", "2026-05-13T17:00:00+02:00", h4, "2026-05-15T12:00:00+02:00"},
	{"eve 17:01 8h", "", "2026-05-13T17:01:00+02:00", h8, "2026-05-15T16:00:00+02:00"},
	{"holiday Thu 10:00 8h", "", "2026-05-14T10:00:00+02:00", h8, "2026-05-15T16:00:00+02:00"},
	{"eve 13:00 12h over the weekend", "", "2026-05-13T13:00:00+02:00", 12 * time.Hour, "2026-05-18T10:00:00+02:00"},

	// Weekends.
	{"Saturday 10:00 8h", "", "2026-11-28T10:00:00+01:00", h8, "2026-11-30T16:00:00+01:00"},
	{"Saturday 10:00 9h", "", "2026-11-28T10:00:00+01:00", 9 * time.Hour, "2026-11-30T17:00:00+01:00"},
	{"Saturday 10:00 10h", "", "2026-11-28T10:00:00+01:00", 10 * time.Hour, "2026-12-01T09:00:00+01:00"},
	{"Sunday 23:59 2h", "", "2026-11-29T23:59:00+01:00", h2, "2026-11-30T10:00:00+01:00"},
	{"Friday 15:00 8h", "", "2026-11-27T15:00:00+01:00", h8, "2026-11-30T14:00:00+01:00"},
	{"Friday 16:30 2h", "", "2026-11-27T16:30:00+01:00", h2, "2026-11-30T09:30:00+01:00"},

	// Seconds and smaller units are kept.
	{"seconds kept", "", "2026-11-30T15:00:37+01:00", h8, "2026-12-01T14:00:37+01:00"},
	{"seconds across the night", "", "2026-11-30T16:59:59+01:00", h2, "2026-12-01T09:59:59+01:00"},
	{"nanoseconds kept", "", "2026-11-30T15:00:00.5+01:00", h8, "2026-12-01T14:00:00.5+01:00"},
	{"window with seconds", "", "2026-11-30T08:00:00+01:00", time.Hour + 1500*time.Millisecond, "2026-11-30T09:00:01.5+01:00"},
	{"seconds before opening are dropped", "", "2026-11-30T07:59:59+01:00", h2, "2026-11-30T10:00:00+01:00"},

	// DST 2026 in Stockholm: 29 March 02:00→03:00, 25 October 03:00→02:00.
	{"spring: Fri 15:00 8h", "", "2026-03-27T15:00:00+01:00", h8, "2026-03-30T14:00:00+02:00"},
	{"spring: Fri 16:00 4h", "", "2026-03-27T16:00:00+01:00", h4, "2026-03-30T11:00:00+02:00"},
	{"spring: Sun in the lost hour", "", "2026-03-29T01:30:00Z", h2, "2026-03-30T10:00:00+02:00"},
	{"autumn: Fri 15:00 8h", "", "2026-10-23T15:00:00+02:00", h8, "2026-10-26T14:00:00+01:00"},
	{"autumn: Fri 16:30 2h", "", "2026-10-23T16:30:00+02:00", h2, "2026-10-26T09:30:00+01:00"},
	{"autumn: Sun in the repeated hour", "", "2026-10-25T00:30:00Z", h4, "2026-10-26T12:00:00+01:00"},

	// Round the clock: open time is real elapsed time, also across DST.
	{"24/7 spring 01:00 2h", "247", "2026-03-29T01:00:00+01:00", h2, "2026-03-29T04:00:00+02:00"},
	{"24/7 spring Sat 23:00 4h", "247", "2026-03-28T23:00:00+01:00", h4, "2026-03-29T04:00:00+02:00"},
	{"24/7 spring day is 23h", "247", "2026-03-29T00:00:00+01:00", 23 * time.Hour, "2026-03-30T00:00:00+02:00"},
	{"24/7 spring Fri 15:00 8h", "247", "2026-03-27T15:00:00+01:00", h8, "2026-03-27T23:00:00+01:00"},
	{"24/7 spring Sat 20:00 8h", "247", "2026-03-28T20:00:00+01:00", h8, "2026-03-29T05:00:00+02:00"},
	{"24/7 autumn 01:00 2h", "247", "2026-10-25T01:00:00+02:00", h2, "2026-10-25T02:00:00+01:00"},
	{"24/7 autumn day is 25h", "247", "2026-10-25T00:00:00+02:00", 25 * time.Hour, "2026-10-26T00:00:00+01:00"},
	{"24/7 autumn Sat 22:00 8h", "247", "2026-10-24T22:00:00+02:00", h8, "2026-10-25T05:00:00+01:00"},
	{"24/7 ends at midnight", "247", "2026-11-30T22:00:00+01:00", h2, "2026-12-01T00:00:00+01:00"},
	{"24/7 Christmas is open", "247", "2026-12-24T12:00:00+01:00", h100, "2026-12-28T16:00:00+01:00"},

	// Year end 2026→2027: eve 23 Dec, 24–27 closed, 28–29 open, eve 30
	// Dec, 31 Dec–3 Jan closed, 4 Jan open, eve 5 Jan, 6 Jan closed.
	{"Christmas: eve 12:00 8h", "", "2026-12-23T12:00:00+01:00", h8, "2026-12-28T14:00:00+01:00"},
	{"Christmas: eve 12:00 8h, 28 Dec closed", "extra28", "2026-12-23T12:00:00+01:00", h8, "2026-12-29T14:00:00+01:00"},
	{"Christmas: eve 15:00 2h", "", "2026-12-23T15:00:00+01:00", h2, "2026-12-28T10:00:00+01:00"},
	{"Christmas: Julafton 10:00 2h", "", "2026-12-24T10:00:00+01:00", h2, "2026-12-28T10:00:00+01:00"},
	{"Christmas: Julafton 2h, 28 Dec closed", "extra28", "2026-12-24T10:00:00+01:00", h2, "2026-12-29T10:00:00+01:00"},
	{"New Year: Tue 29 Dec 15:00 8h", "", "2026-12-29T15:00:00+01:00", h8, "2027-01-04T08:30:00+01:00"},
	{"New Year: eve 30 Dec 13:00 4h", "", "2026-12-30T13:00:00+01:00", h4, "2027-01-04T11:00:00+01:00"},
	{"New Year: Nyårsafton 10:00 2h", "", "2026-12-31T10:00:00+01:00", h2, "2027-01-04T10:00:00+01:00"},
	{"New Year: Mon 4 Jan 16:00 8h", "", "2027-01-04T16:00:00+01:00", h8, "2027-01-07T09:30:00+01:00"},
	{"New Year: 100h from 14 Dec", "", "2026-12-14T08:00:00+01:00", h100, "2027-01-04T16:00:00+01:00"},

	// Leap day 2028.
	{"leap: Mon 28 Feb 15:00 8h", "", "2028-02-28T15:00:00+01:00", h8, "2028-02-29T14:00:00+01:00"},
	{"leap: Tue 29 Feb 16:00 4h", "", "2028-02-29T16:00:00+01:00", h4, "2028-03-01T11:00:00+01:00"},
	{"leap: Tue 29 Feb 09:00 8h", "", "2028-02-29T09:00:00+01:00", h8, "2028-02-29T17:00:00+01:00"},

	// Reports given in other offsets than Stockholm's.
	{"UTC worked example", "", "2026-11-30T14:00:00Z", h8, "2026-12-01T14:00:00+01:00"},
	{"New York offset", "", "2026-11-30T09:00:00-05:00", h8, "2026-12-01T14:00:00+01:00"},
	{"Tokyo offset", "", "2026-11-30T23:30:00+09:00", h8, "2026-12-01T14:30:00+01:00"},
	{"UTC summer", "", "2026-06-10T06:00:00Z", h8, "2026-06-10T16:00:00+02:00"},
	{"UTC date before the local date", "", "2026-11-29T23:30:00Z", h2, "2026-11-30T10:00:00+01:00"},
	{"UTC-10 date before the local date", "", "2026-12-01T07:30:00-10:00", h2, "2026-12-02T10:00:00+01:00"},

	// Windows of many days.
	{"100h", "", "2026-11-30T08:00:00+01:00", h100, "2026-12-15T09:00:00+01:00"},
	{"45h is exactly one week", "", "2026-11-30T08:00:00+01:00", 45 * time.Hour, "2026-12-04T17:00:00+01:00"},

	// New York, 09:00–17:00, no holidays; US DST 8 March and 1 November 2026.
	{"NY Mon 15:00 8h", "ny", "2026-11-30T15:00:00-05:00", h8, "2026-12-01T15:00:00-05:00"},
	{"NY 08:59 2h", "ny", "2026-11-30T08:59:00-05:00", h2, "2026-11-30T11:00:00-05:00"},
	{"NY Fri to Mon over spring DST", "ny", "2026-03-06T15:00:00-05:00", h4, "2026-03-09T11:00:00-04:00"},
	{"NY Fri to Mon over autumn DST", "ny", "2026-10-30T16:00:00-04:00", h2, "2026-11-02T10:00:00-05:00"},
	{"NY reported in Stockholm time", "ny", "2026-11-30T15:00:00+01:00", h8, "2026-11-30T17:00:00-05:00"},
	{"NY Christmas is a plain Friday", "ny", "2026-12-25T09:00:00-05:00", h8, "2026-12-25T17:00:00-05:00"},
	{"NY with Swedish holidays: eve then 28 Dec", "ny-se", "2026-12-23T13:00:00-05:00", h2, "2026-12-28T10:00:00-05:00"},

	// No closed eves: Julafton and Nyårsafton are eves, 23 and 30 Dec
	// regular.
	{"open eves: 23 Dec 15:00 8h", "openeves", "2026-12-23T15:00:00+01:00", h8, "2026-12-28T08:30:00+01:00"},
	{"open eves: 30 Dec 16:00 4h", "openeves", "2026-12-30T16:00:00+01:00", h4, "2026-12-31T11:30:00+01:00"},
	{"open eves: 18 Jun 16:00 2h", "openeves", "2026-06-18T16:00:00+02:00", h2, "2026-06-19T09:30:00+02:00"},
	{"open eves: Julafton 13:00 2h", "openeves", "2026-12-24T13:00:00+01:00", h2, "2026-12-28T09:00:00+01:00"},

	// A window of zero is due at once.
	{"zero window", "", "2026-11-28T10:00:00+01:00", 0, "2026-11-28T10:00:00+01:00"},
}

func TestDeadline(t *testing.T) {
	t.Parallel()
	cals := buildCalendars(t)
	for _, tt := range deadlineCases {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			key := tt.cal
			if key == "" {
				key = "default"
			}
			cal := cals[key]
			reported := instant(t, tt.reported)
			want := instant(t, tt.want)
			got := cal.Deadline(reported, tt.window)
			if !got.Equal(want) {
				t.Fatalf("Deadline(%s, %v) = %s, want %s", tt.reported, tt.window,
					got.Format(time.RFC3339Nano), tt.want)
			}
			if got.Location() != cal.Location() {
				t.Errorf("Deadline(%s, %v) is in %v, want the calendar's zone %v", tt.reported, tt.window, got.Location(), cal.Location())
			}
			if tt.window > 0 {
				if el := cal.Elapsed(reported, got); el != tt.window {
					t.Errorf("Elapsed(%s, deadline) = %v, want %v", tt.reported, el, tt.window)
				}
			}
		})
	}
}

// TestDeadlineFormat checks the worked example as it is printed: in
// Stockholm time with its offset.
func TestDeadlineFormat(t *testing.T) {
	t.Parallel()
	cal := newCalendar(t, nil)
	for _, in := range []string{"2026-11-30T15:00:00+01:00", "2026-11-30T14:00:00Z"} {
		got := cal.Deadline(instant(t, in), h8).Format(time.RFC3339)
		if got != "2026-12-01T14:00:00+01:00" {
			t.Errorf("Deadline(%s, 8h) formats as %s, want 2026-12-01T14:00:00+01:00", in, got)
		}
	}
}

func TestElapsed(t *testing.T) {
	t.Parallel()
	cals := buildCalendars(t)
	tests := []struct {
		name     string
		cal      string
		from, to string
		want     time.Duration
	}{
		{"zero across a weekend", "", "2026-11-27T17:00:00+01:00", "2026-11-30T08:00:00+01:00", 0},
		{"zero inside a Saturday", "", "2026-11-28T09:00:00+01:00", "2026-11-28T16:00:00+01:00", 0},
		{"zero at night", "", "2026-11-24T17:00:00+01:00", "2026-11-25T08:00:00+01:00", 0},
		{"same instant", "", "2026-11-24T10:00:00+01:00", "2026-11-24T10:00:00+01:00", 0},
		{"Friday to Monday", "", "2026-11-27T16:00:00+01:00", "2026-11-30T09:30:00+01:00", 2*time.Hour + 30*time.Minute},
		{"worked example", "", "2026-11-30T15:00:00+01:00", "2026-12-01T14:00:00+01:00", h8},
		{"negative worked example", "", "2026-12-01T14:00:00+01:00", "2026-11-30T15:00:00+01:00", -h8},
		{"negative within a day", "", "2026-11-24T12:00:00+01:00", "2026-11-24T10:15:00+01:00", -(time.Hour + 45*time.Minute)},
		{"one full day", "", "2026-11-24T00:00:00+01:00", "2026-11-25T00:00:00+01:00", 9 * time.Hour},
		{"eve day", "", "2026-05-13T00:00:00+02:00", "2026-05-15T00:00:00+02:00", 5*time.Hour + 30*time.Minute},
		{"Christmas to New Year", "", "2026-12-23T00:00:00+01:00", "2027-01-01T00:00:00+01:00", 29 * time.Hour},
		{"Christmas to New Year, 28 Dec closed", "extra28", "2026-12-23T00:00:00+01:00", "2027-01-01T00:00:00+01:00", 20 * time.Hour},
		{"seconds", "", "2026-11-24T09:00:00.25+01:00", "2026-11-24T09:00:01+01:00", 750 * time.Millisecond},
		{"spring DST weekend", "", "2026-03-27T16:00:00+01:00", "2026-03-30T09:00:00+02:00", h2},
		{"autumn DST weekend", "", "2026-10-23T16:00:00+02:00", "2026-10-26T09:00:00+01:00", h2},
		{"UTC and another offset", "", "2026-11-30T14:00:00Z", "2026-12-01T08:00:00-05:00", h8},
		{"24/7 spring day", "247", "2026-03-29T00:00:00+01:00", "2026-03-30T00:00:00+02:00", 23 * time.Hour},
		{"24/7 autumn day", "247", "2026-10-25T00:00:00+02:00", "2026-10-26T00:00:00+01:00", 25 * time.Hour},
		{"24/7 is wall time", "247", "2026-03-29T01:00:00+01:00", "2026-03-29T04:00:00+02:00", h2},
		{"24/7 week", "247", "2026-11-23T00:00:00+01:00", "2026-11-30T00:00:00+01:00", 7 * 24 * time.Hour},
		{"NY day", "ny", "2026-11-30T00:00:00-05:00", "2026-12-01T00:00:00-05:00", 8 * time.Hour},
		{"NY day seen from Stockholm", "ny", "2026-11-30T15:00:00+01:00", "2026-11-30T23:00:00+01:00", 8 * time.Hour},
		{"open eves: Christmas week", "openeves", "2026-12-21T00:00:00+01:00", "2026-12-28T00:00:00+01:00", 9*3*time.Hour + 5*time.Hour + 30*time.Minute},
		{"Q1 2027 by hand", "", "2027-01-01T00:00:00+01:00", "2027-04-01T00:00:00+02:00", 533 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			key := tt.cal
			if key == "" {
				key = "default"
			}
			got := cals[key].Elapsed(instant(t, tt.from), instant(t, tt.to))
			if got != tt.want {
				t.Errorf("Elapsed(%s, %s) = %v, want %v", tt.from, tt.to, got, tt.want)
			}
		})
	}
}

// openTimeByDays sums the open hours of whole days from..to (inclusive) as
// Day reports them, turning wall-clock hours into real time in loc.
func openTimeByDays(cal *sla.Calendar, from, to sla.Date) time.Duration {
	var total time.Duration
	for d := from; !to.Before(d); d = nextDate(d) {
		day := cal.Day(d)
		if !day.Open() {
			continue
		}
		open := time.Date(d.Year, d.Month, d.Day, 0, int(day.Hours.Open), 0, 0, cal.Location())
		closing := time.Date(d.Year, d.Month, d.Day, 0, int(day.Hours.Close), 0, 0, cal.Location())
		total += closing.Sub(open)
	}
	return total
}

// TestElapsedQuarters compares Elapsed over whole quarters with the sum of
// each day's hours.
func TestElapsedQuarters(t *testing.T) {
	t.Parallel()
	cals := buildCalendars(t)
	for _, key := range []string{"default", "extra28", "openeves", "ny", "247"} {
		cal := cals[key]
		loc := cal.Location()
		for _, q := range []struct{ year, month int }{{2026, 1}, {2026, 4}, {2026, 7}, {2026, 10}, {2027, 1}, {2028, 1}} {
			from := time.Date(q.year, time.Month(q.month), 1, 0, 0, 0, 0, loc)
			to := from.AddDate(0, 3, 0)
			got := cal.Elapsed(from, to)
			last := to.AddDate(0, 0, -1)
			want := openTimeByDays(cal,
				sla.Date{Year: from.Year(), Month: from.Month(), Day: from.Day()},
				sla.Date{Year: last.Year(), Month: last.Month(), Day: last.Day()})
			if got != want {
				t.Errorf("%s: Elapsed over %s..%s = %v, sum of days %v", key, from.Format(time.DateOnly), to.Format(time.DateOnly), got, want)
			}
			if got <= 0 {
				t.Errorf("%s: no open time in quarter %v", key, q)
			}
			if neg := cal.Elapsed(to, from); neg != -got {
				t.Errorf("%s: Elapsed backwards = %v, want %v", key, neg, -got)
			}
		}
	}
	// Q1 2027 counted by hand: 64 weekdays, 4 of them closed (1 Jan, 6 Jan,
	// 26 and 29 Mar), 2 eves (5 Jan, 25 Mar): 58×9h + 2×5h30 = 533h.
	if got := openTimeByDays(cals["default"], date(t, "2027-01-01"), date(t, "2027-03-31")); got != 533*time.Hour {
		t.Errorf("Q1 2027 by Day() = %v, want 533h", got)
	}
}

func TestExplain(t *testing.T) {
	t.Parallel()
	cals := buildCalendars(t)
	for _, tt := range deadlineCases {
		if tt.window <= 0 {
			continue
		}
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			key := tt.cal
			if key == "" {
				key = "default"
			}
			cal := cals[key]
			reported := instant(t, tt.reported)
			ivs := cal.Explain(reported, tt.window)
			checkExplain(t, cal, reported, tt.window, ivs)
			if len(ivs) > 0 && !ivs[len(ivs)-1].End.Equal(instant(t, tt.want)) {
				t.Errorf("last interval ends %v, want %s", ivs[len(ivs)-1].End, tt.want)
			}
		})
	}
}

// checkExplain asserts what an explanation promises: the intervals are in
// order, each lies within the open hours of its day, they sum to the
// window, and the last one ends at the deadline.
func checkExplain(t testing.TB, cal *sla.Calendar, reported time.Time, window time.Duration, ivs []sla.Interval) {
	t.Helper()
	if len(ivs) == 0 {
		t.Fatalf("Explain(%v, %v) is empty", reported, window)
	}
	loc := cal.Location()
	var sum time.Duration
	prev := reported
	for i, iv := range ivs {
		sum += iv.Duration()
		if iv.Duration() != iv.End.Sub(iv.Start) || iv.Duration() <= 0 {
			t.Errorf("interval %d: %v..%v has duration %v", i, iv.Start, iv.End, iv.Duration())
		}
		if iv.Start.Before(prev) {
			t.Errorf("interval %d starts %v, before %v", i, iv.Start, prev)
		}
		prev = iv.End
		d := iv.Day.Date
		if want := cal.Day(d); iv.Day != want {
			t.Errorf("interval %d: Day = %+v, calendar says %+v", i, iv.Day, want)
		}
		if !iv.Day.Open() {
			t.Errorf("interval %d lies on a closed day %+v", i, iv.Day)
		}
		if sd := iv.Start.In(loc); (sla.Date{Year: sd.Year(), Month: sd.Month(), Day: sd.Day()}) != d {
			t.Errorf("interval %d starts %v, not on its day %v", i, sd, d)
		}
		open := time.Date(d.Year, d.Month, d.Day, 0, int(iv.Day.Hours.Open), 0, 0, loc)
		closing := time.Date(d.Year, d.Month, d.Day, 0, int(iv.Day.Hours.Close), 0, 0, loc)
		if iv.Start.Before(open) || iv.End.After(closing) {
			t.Errorf("interval %d: %v..%v is outside %v on %v", i, iv.Start, iv.End, iv.Day.Hours, d)
		}
	}
	if sum != window {
		t.Errorf("Explain(%v, %v) sums to %v", reported, window, sum)
	}
	if dl := cal.Deadline(reported, window); !ivs[len(ivs)-1].End.Equal(dl) {
		t.Errorf("Explain(%v, %v) ends %v, Deadline is %v", reported, window, ivs[len(ivs)-1].End, dl)
	}
}

// TestExplainWorkedExample spells out the agreement's example.
func TestExplainWorkedExample(t *testing.T) {
	t.Parallel()
	cal := newCalendar(t, func(c *sla.CalendarConfig) { c.ExtraClosed = []string{"2026-12-28"} })
	tests := []struct {
		reported string
		window   time.Duration
		want     [][2]string
		kinds    []sla.DayKind
	}{
		{"2026-11-30T15:00:00+01:00", h8, [][2]string{
			{"2026-11-30T15:00:00+01:00", "2026-11-30T17:00:00+01:00"},
			{"2026-12-01T08:00:00+01:00", "2026-12-01T14:00:00+01:00"},
		}, []sla.DayKind{sla.Regular, sla.Regular}},
		{"2026-12-23T12:00:00+01:00", h8, [][2]string{
			{"2026-12-23T12:00:00+01:00", "2026-12-23T14:00:00+01:00"},
			{"2026-12-29T08:00:00+01:00", "2026-12-29T14:00:00+01:00"},
		}, []sla.DayKind{sla.Eve, sla.Regular}},
		{"2026-12-29T15:00:00+01:00", h8, [][2]string{
			{"2026-12-29T15:00:00+01:00", "2026-12-29T17:00:00+01:00"},
			{"2026-12-30T08:30:00+01:00", "2026-12-30T14:00:00+01:00"},
			{"2027-01-04T08:00:00+01:00", "2027-01-04T08:30:00+01:00"},
		}, []sla.DayKind{sla.Regular, sla.Eve, sla.Regular}},
	}
	for _, tt := range tests {
		ivs := cal.Explain(instant(t, tt.reported), tt.window)
		if len(ivs) != len(tt.want) {
			t.Errorf("Explain(%s, %v) has %d intervals, want %d: %v", tt.reported, tt.window, len(ivs), len(tt.want), ivs)
			continue
		}
		for i, w := range tt.want {
			if !ivs[i].Start.Equal(instant(t, w[0])) || !ivs[i].End.Equal(instant(t, w[1])) || ivs[i].Day.Kind != tt.kinds[i] {
				t.Errorf("Explain(%s) interval %d = %v..%v %v, want %s..%s %v", tt.reported, i,
					ivs[i].Start, ivs[i].End, ivs[i].Day.Kind, w[0], w[1], tt.kinds[i])
			}
		}
	}
	if ivs := cal.Explain(instant(t, "2026-11-30T15:00:00+01:00"), 0); len(ivs) != 0 {
		t.Errorf("Explain with a zero window = %v, want none", ivs)
	}
}
