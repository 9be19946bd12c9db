package sla_test

import (
	"math/rand/v2"
	"testing"
	"time"

	"sosd/sla"
)

// checkDeadline asserts the properties SPEC §2 gives a deadline, for one
// report and window, and returns the deadline:
//   - the open time in [reported, deadline] is exactly the window;
//   - it is the earliest such instant: one second (and one nanosecond)
//     earlier there is less open time;
//   - it is not before the report, and lies within the open hours of its day
//     or exactly on a closing time;
//   - it is in the calendar's zone.
func checkDeadline(t testing.TB, cal *sla.Calendar, reported time.Time, window time.Duration) time.Time {
	t.Helper()
	dl := cal.Deadline(reported, window)
	if dl.Before(reported) {
		t.Fatalf("Deadline(%v, %v) = %v is before the report", reported, window, dl)
	}
	if window > 0 && !dl.After(reported) {
		t.Fatalf("Deadline(%v, %v) = %v, want after the report", reported, window, dl)
	}
	if got := cal.Elapsed(reported, dl); got != window {
		t.Fatalf("Elapsed(%v, Deadline(…, %v) = %v) = %v", reported, window, dl, got)
	}
	for _, eps := range []time.Duration{time.Second, time.Nanosecond} {
		if got := cal.Elapsed(reported, dl.Add(-eps)); window > 0 && got >= window {
			t.Fatalf("Deadline(%v, %v) = %v is not the earliest: Elapsed to %v before it is %v", reported, window, dl, eps, got)
		}
	}
	if dl.Location() != cal.Location() {
		t.Fatalf("Deadline(%v, %v) is in %v, want %v", reported, window, dl.Location(), cal.Location())
	}
	if window > 0 && !withinOpenHours(cal, dl) {
		local := dl.In(cal.Location())
		t.Fatalf("Deadline(%v, %v) = %v (%v) is outside open hours", reported, window, local, local.Weekday())
	}
	return dl
}

// withinOpenHours reports whether t lies within the open hours of its date
// in the calendar's zone, closing time included, or exactly on the closing
// time of the day before (a 24:00 close).
func withinOpenHours(cal *sla.Calendar, t time.Time) bool {
	loc := cal.Location()
	local := t.In(loc)
	for _, back := range []int{0, 1} {
		tm := time.Date(local.Year(), local.Month(), local.Day()-back, 12, 0, 0, 0, loc)
		d := sla.Date{Year: tm.Year(), Month: tm.Month(), Day: tm.Day()}
		day := cal.Day(d)
		if !day.Open() {
			continue
		}
		open := time.Date(d.Year, d.Month, d.Day, 0, int(day.Hours.Open), 0, 0, loc)
		closing := time.Date(d.Year, d.Month, d.Day, 0, int(day.Hours.Close), 0, 0, loc)
		if back == 0 && !t.Before(open) && !t.After(closing) {
			return true
		}
		if back == 1 && t.Equal(closing) {
			return true
		}
	}
	return false
}

// checkMonotonic asserts that a later report never gets an earlier
// deadline.
func checkMonotonic(t testing.TB, cal *sla.Calendar, r time.Time, delta, window time.Duration) {
	t.Helper()
	a := cal.Deadline(r, window)
	b := cal.Deadline(r.Add(delta), window)
	if b.Before(a) {
		t.Fatalf("Deadline(%v, %v) = %v but Deadline(%v, %v) = %v is earlier", r, window, a, r.Add(delta), window, b)
	}
}

var (
	propFrom = time.Date(2000, time.January, 1, 0, 0, 0, 0, time.UTC)
	propTo   = time.Date(2061, time.January, 1, 0, 0, 0, 0, time.UTC)
)

func TestDeadlineProperties(t *testing.T) {
	t.Parallel()
	cals := buildCalendars(t)
	runs := map[string]int{"default": 1500, "extra28": 200, "openeves": 300, "ny": 300, "ny-se": 200, "247": 200}
	for key, n := range runs {
		cal := cals[key]
		t.Run(key, func(t *testing.T) {
			t.Parallel()
			rng := rand.New(rand.NewPCG(20261130, uint64(n)))
			span := propTo.Sub(propFrom)
			for range n {
				r := propFrom.Add(time.Duration(rng.Int64N(int64(span))))
				// Half of the reports in whole minutes, so that they hit
				// opening and closing times exactly now and then.
				if rng.IntN(2) == 0 {
					r = r.Truncate(time.Minute)
				}
				windows := []time.Duration{h2, h4, h8, time.Duration(1 + rng.Int64N(int64(200*time.Hour)))}
				for _, w := range windows {
					dl := checkDeadline(t, cal, r, w)
					checkMonotonic(t, cal, r, time.Duration(rng.Int64N(int64(100*time.Hour))), w)
					checkMonotonic(t, cal, r, time.Duration(rng.Int64N(int64(time.Hour))), w)
					if key == "247" && !dl.Equal(r.Add(w)) {
						t.Fatalf("round the clock: Deadline(%v, %v) = %v, want %v", r, w, dl, r.Add(w))
					}
				}
				// An explanation adds up to its deadline.
				if rng.IntN(10) == 0 {
					checkExplain(t, cal, r, windows[3], cal.Explain(r, windows[3]))
				}
				// Elapsed is antisymmetric.
				other := r.Add(time.Duration(rng.Int64N(int64(300 * time.Hour))))
				if a, b := cal.Elapsed(r, other), cal.Elapsed(other, r); a != -b || a < 0 {
					t.Fatalf("Elapsed(%v, %v) = %v, backwards %v", r, other, a, b)
				}
			}
		})
	}
}

// TestDeadlineAtOpenings checks every minute from 07:00 to 18:00 on an eve
// and on the regular day after a weekend: the properties hold, and the
// deadline never moves backwards as the report moves forward.
func TestDeadlineAtOpenings(t *testing.T) {
	t.Parallel()
	cal := newCalendar(t, nil)
	for _, day := range []string{"2026-12-23", "2026-12-30", "2026-11-27", "2026-03-27", "2026-10-23"} {
		d := date(t, day)
		for _, w := range []time.Duration{time.Minute, h2, h4, h8, 5*time.Hour + 30*time.Minute, 9 * time.Hour} {
			prev := time.Time{}
			for m := 7 * 60; m <= 18*60; m++ {
				r := time.Date(d.Year, d.Month, d.Day, 0, m, 0, 0, cal.Location())
				dl := checkDeadline(t, cal, r, w)
				if dl.Before(prev) {
					t.Fatalf("Deadline(%v, %v) = %v is before the previous minute's %v", r, w, dl, prev)
				}
				prev = dl
			}
		}
	}
}

// FuzzDeadline checks the same properties on instants from 1900 to 2199,
// which also crosses the years the implementation precomputes.
func FuzzDeadline(f *testing.F) {
	// sec and nsec pick the report, window and delta are in nanoseconds,
	// which picks the calendar.
	f.Add(int64(0), int64(0), int64(8*time.Hour), int64(0), uint8(0))
	f.Add(int64(3_900_000_000), int64(37), int64(2*time.Hour), int64(time.Hour), uint8(1))
	f.Add(int64(-1), int64(999_999_999), int64(100*time.Hour), int64(90*time.Minute), uint8(2))
	f.Add(int64(1_000_000_007), int64(500_000_000), int64(4*time.Hour), int64(17*time.Hour), uint8(3))
	f.Add(int64(7_000_000_000), int64(1), int64(time.Nanosecond), int64(time.Nanosecond), uint8(4))
	f.Add(int64(1234567890), int64(0), int64(199*time.Hour), int64(-5), uint8(5))
	cals := buildCalendars(f)
	keys := []string{"default", "extra28", "247", "ny", "ny-se", "openeves"}
	from := time.Date(1900, time.January, 1, 0, 0, 0, 0, time.UTC)
	span := uint64(time.Date(2200, time.January, 1, 0, 0, 0, 0, time.UTC).Sub(from) / time.Second)
	f.Fuzz(func(t *testing.T, sec, nsec, window, delta int64, which uint8) {
		cal := cals[keys[int(which)%len(keys)]]
		r := from.Add(time.Duration(uint64(sec)%span) * time.Second).Add(time.Duration(uint64(nsec) % uint64(time.Second)))
		w := time.Duration(uint64(window)%uint64(200*time.Hour)) + 1
		dl := checkDeadline(t, cal, r, w)
		checkMonotonic(t, cal, r, time.Duration(uint64(delta)%uint64(200*time.Hour)), w)
		if cal == cals["247"] && !dl.Equal(r.Add(w)) {
			t.Fatalf("round the clock: Deadline(%v, %v) = %v, want %v", r, w, dl, r.Add(w))
		}
		checkExplain(t, cal, r, w, cal.Explain(r, w))
	})
}
