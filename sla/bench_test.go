package sla_test

import (
	"testing"
	"time"

	"sosd/sla"
)

// Speed target (issue "Foundation"): Deadline for an 8 h window, also across
// the Christmas closure, under 2 µs and with no allocations per call.
func BenchmarkDeadline(b *testing.B) {
	cfg := sla.DefaultCalendarConfig()
	cfg.ExtraClosed = []string{"2026-12-28"}
	cal, err := sla.NewCalendar(cfg)
	if err != nil {
		b.Fatal(err)
	}
	loc := cal.Location()
	cases := []struct {
		name     string
		reported time.Time
	}{
		{"weekday", time.Date(2026, 11, 30, 15, 0, 0, 0, loc)},
		{"christmas", time.Date(2026, 12, 23, 13, 0, 0, 0, loc)},
		{"weekend", time.Date(2026, 11, 28, 3, 0, 0, 0, time.UTC)},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				cal.Deadline(c.reported, 8*time.Hour)
			}
		})
	}
}

func TestDeadlineDoesNotAllocate(t *testing.T) {
	cal, err := sla.NewCalendar(sla.DefaultCalendarConfig())
	if err != nil {
		t.Fatal(err)
	}
	reported := time.Date(2026, 12, 23, 13, 0, 0, 0, cal.Location())
	if n := testing.AllocsPerRun(100, func() { cal.Deadline(reported, 8*time.Hour) }); n != 0 {
		t.Errorf("Deadline allocates %v times per call, want 0", n)
	}
}

func BenchmarkElapsedQuarter(b *testing.B) {
	cal, err := sla.NewCalendar(sla.DefaultCalendarConfig())
	if err != nil {
		b.Fatal(err)
	}
	from := time.Date(2026, 10, 1, 0, 0, 0, 0, cal.Location())
	to := time.Date(2027, 1, 1, 0, 0, 0, 0, cal.Location())
	b.ReportAllocs()
	for b.Loop() {
		cal.Elapsed(from, to)
	}
}

func BenchmarkNewCalendar(b *testing.B) {
	cfg := sla.DefaultCalendarConfig()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := sla.NewCalendar(cfg); err != nil {
			b.Fatal(err)
		}
	}
}
