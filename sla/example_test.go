package sla_test

import (
	"fmt"
	"time"

	"sosd/sla"
)

// The agreement's worked example ("Exempel"): a standard-priority incident
// reported Monday 15:00 must see troubleshooting start by Tuesday 14:00 —
// two hours on Monday, six on Tuesday.
func ExampleCalendar_Deadline() {
	cal, err := sla.NewCalendar(sla.DefaultCalendarConfig())
	if err != nil {
		panic(err)
	}
	stockholm := cal.Location()
	reported := time.Date(2026, time.November, 30, 15, 0, 0, 0, stockholm) // a Monday
	standard := sla.DefaultPriorities()[3].StartWithin
	fmt.Println(cal.Deadline(reported, standard).Format(time.RFC3339))
	// Output: 2026-12-01T14:00:00+01:00
}

// Explain lists the open hours that made up the same window.
func ExampleCalendar_Explain() {
	cal, err := sla.NewCalendar(sla.DefaultCalendarConfig())
	if err != nil {
		panic(err)
	}
	reported := time.Date(2026, time.November, 30, 15, 0, 0, 0, cal.Location())
	for _, iv := range cal.Explain(reported, 8*time.Hour) {
		fmt.Println(iv.Start.Format("Mon 2006-01-02 15:04"), "-", iv.End.Format("15:04"), iv.Duration())
	}
	// Output:
	// Mon 2026-11-30 15:00 - 17:00 2h0m0s
	// Tue 2026-12-01 08:00 - 14:00 6h0m0s
}

// Elapsed measures open time between two instants; the weekend does not
// count.
func ExampleCalendar_Elapsed() {
	cal, err := sla.NewCalendar(sla.DefaultCalendarConfig())
	if err != nil {
		panic(err)
	}
	loc := cal.Location()
	friday := time.Date(2026, time.November, 27, 16, 0, 0, 0, loc)
	monday := time.Date(2026, time.November, 30, 9, 30, 0, 0, loc)
	fmt.Println(cal.Elapsed(friday, monday))
	// Output: 2h30m0s
}

// Christmas 2026: Wednesday 23 December is an eve (08:30–14:00), 24–27 are
// closed, and 28 December is a company closure in this configuration.
func ExampleCalendar_Deadline_christmas() {
	cfg := sla.DefaultCalendarConfig()
	cfg.ExtraClosed = []string{"2026-12-28"}
	cal, err := sla.NewCalendar(cfg)
	if err != nil {
		panic(err)
	}
	reported := time.Date(2026, time.December, 23, 12, 0, 0, 0, cal.Location())
	fmt.Println(cal.Deadline(reported, 8*time.Hour).Format(time.RFC3339))
	// Output: 2026-12-29T14:00:00+01:00
}
