package sla_test

import (
	"slices"
	"testing"
	"time"

	"sosd/sla"
)

// newCalendar builds a calendar from the default configuration after edit
// (which may be nil) has changed it, failing the test if it does not build.
func newCalendar(t testing.TB, edit func(*sla.CalendarConfig)) *sla.Calendar {
	t.Helper()
	cfg := sla.DefaultCalendarConfig()
	if edit != nil {
		edit(&cfg)
	}
	cal, err := sla.NewCalendar(cfg)
	if err != nil {
		t.Fatalf("NewCalendar(%+v): %v", cfg, err)
	}
	return cal
}

// date parses YYYY-MM-DD with the standard library only, so that the tests
// do not rely on the package under test to read their own tables.
func date(t testing.TB, s string) sla.Date {
	t.Helper()
	tm, err := time.Parse(time.DateOnly, s)
	if err != nil {
		t.Fatalf("bad date %q in test table: %v", s, err)
	}
	return sla.Date{Year: tm.Year(), Month: tm.Month(), Day: tm.Day()}
}

// weekday returns the weekday of d computed by the time package.
func weekday(d sla.Date) time.Weekday {
	return time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC).Weekday()
}

// nextDate returns the date after d, computed by the time package.
func nextDate(d sla.Date) sla.Date {
	tm := time.Date(d.Year, d.Month, d.Day+1, 12, 0, 0, 0, time.UTC)
	return sla.Date{Year: tm.Year(), Month: tm.Month(), Day: tm.Day()}
}

func isWeekend(wd time.Weekday) bool {
	return wd == time.Saturday || wd == time.Sunday
}

var (
	normalHours = sla.Hours{Open: 8 * 60, Close: 17 * 60}
	eveHours    = sla.Hours{Open: 8*60 + 30, Close: 14 * 60}
)

// named is one row of a year's table: a date, its weekday as a check on the
// table itself, and the name the calendar must give it.
type named struct {
	date, wd, name string
}

// yearTable is worked out by hand for one year (see the package test's
// brief): every holiday of SPEC §2, and every eve, i.e. every Monday–Friday
// that is not closed and whose next calendar day is a holiday.
type yearTable struct {
	year     int
	holidays []named
	eves     []named
}

var yearTables = []yearTable{
	{
		year: 2024, // Easter 31 March
		holidays: []named{
			{"2024-01-01", "Mon", "Nyårsdagen"},
			{"2024-01-06", "Sat", "Trettondedag jul"},
			{"2024-03-29", "Fri", "Långfredagen"},
			{"2024-03-31", "Sun", "Påskdagen"},
			{"2024-04-01", "Mon", "Annandag påsk"},
			{"2024-05-01", "Wed", "Första maj"},
			{"2024-05-09", "Thu", "Kristi himmelsfärds dag"},
			{"2024-05-19", "Sun", "Pingstdagen"},
			{"2024-06-06", "Thu", "Sveriges nationaldag"},
			{"2024-06-21", "Fri", "Midsommarafton"},
			{"2024-06-22", "Sat", "Midsommardagen"},
			{"2024-11-02", "Sat", "Alla helgons dag"},
			{"2024-12-24", "Tue", "Julafton"},
			{"2024-12-25", "Wed", "Juldagen"},
			{"2024-12-26", "Thu", "Annandag jul"},
			{"2024-12-31", "Tue", "Nyårsafton"},
		},
		eves: []named{
			{"2024-01-05", "Fri", "Trettondagsafton"},
			{"2024-03-28", "Thu", "Skärtorsdagen"},
			{"2024-04-30", "Tue", "Valborgsmässoafton"},
			{"2024-05-08", "Wed", "Dag före Kristi himmelsfärds dag"},
			{"2024-06-05", "Wed", "Dag före nationaldagen"},
			{"2024-06-20", "Thu", "Dag före midsommarafton"},
			{"2024-11-01", "Fri", "Allhelgonaafton"},
			{"2024-12-23", "Mon", "Dag före julafton"},
			{"2024-12-30", "Mon", "Dag före nyårsafton"},
		},
	},
	{
		year: 2025, // Easter 20 April
		holidays: []named{
			{"2025-01-01", "Wed", "Nyårsdagen"},
			{"2025-01-06", "Mon", "Trettondedag jul"},
			{"2025-04-18", "Fri", "Långfredagen"},
			{"2025-04-20", "Sun", "Påskdagen"},
			{"2025-04-21", "Mon", "Annandag påsk"},
			{"2025-05-01", "Thu", "Första maj"},
			{"2025-05-29", "Thu", "Kristi himmelsfärds dag"},
			{"2025-06-06", "Fri", "Sveriges nationaldag"},
			{"2025-06-08", "Sun", "Pingstdagen"},
			{"2025-06-20", "Fri", "Midsommarafton"},
			{"2025-06-21", "Sat", "Midsommardagen"},
			{"2025-11-01", "Sat", "Alla helgons dag"},
			{"2025-12-24", "Wed", "Julafton"},
			{"2025-12-25", "Thu", "Juldagen"},
			{"2025-12-26", "Fri", "Annandag jul"},
			{"2025-12-31", "Wed", "Nyårsafton"},
		},
		eves: []named{
			// 5 January is a Sunday, so there is no Trettondagsafton.
			{"2025-04-17", "Thu", "Skärtorsdagen"},
			{"2025-04-30", "Wed", "Valborgsmässoafton"},
			{"2025-05-28", "Wed", "Dag före Kristi himmelsfärds dag"},
			{"2025-06-05", "Thu", "Dag före nationaldagen"},
			{"2025-06-19", "Thu", "Dag före midsommarafton"},
			{"2025-10-31", "Fri", "Allhelgonaafton"},
			{"2025-12-23", "Tue", "Dag före julafton"},
			{"2025-12-30", "Tue", "Dag före nyårsafton"},
		},
	},
	{
		year: 2026, // Easter 5 April
		holidays: []named{
			{"2026-01-01", "Thu", "Nyårsdagen"},
			{"2026-01-06", "Tue", "Trettondedag jul"},
			{"2026-04-03", "Fri", "Långfredagen"},
			{"2026-04-05", "Sun", "Påskdagen"},
			{"2026-04-06", "Mon", "Annandag påsk"},
			{"2026-05-01", "Fri", "Första maj"},
			{"2026-05-14", "Thu", "Kristi himmelsfärds dag"},
			{"2026-05-24", "Sun", "Pingstdagen"},
			{"2026-06-06", "Sat", "Sveriges nationaldag"},
			{"2026-06-19", "Fri", "Midsommarafton"},
			{"2026-06-20", "Sat", "Midsommardagen"},
			{"2026-10-31", "Sat", "Alla helgons dag"},
			{"2026-12-24", "Thu", "Julafton"},
			{"2026-12-25", "Fri", "Juldagen"},
			{"2026-12-26", "Sat", "Annandag jul"},
			{"2026-12-31", "Thu", "Nyårsafton"},
		},
		// Exactly the SPEC §2 examples.
		eves: []named{
			{"2026-01-05", "Mon", "Trettondagsafton"},
			{"2026-04-02", "Thu", "Skärtorsdagen"},
			{"2026-04-30", "Thu", "Valborgsmässoafton"},
			{"2026-05-13", "Wed", "Dag före Kristi himmelsfärds dag"},
			{"2026-06-05", "Fri", "Dag före nationaldagen"},
			{"2026-06-18", "Thu", "Dag före midsommarafton"},
			{"2026-10-30", "Fri", "Allhelgonaafton"},
			{"2026-12-23", "Wed", "Dag före julafton"},
			{"2026-12-30", "Wed", "Dag före nyårsafton"},
		},
	},
	{
		year: 2027, // Easter 28 March
		holidays: []named{
			{"2027-01-01", "Fri", "Nyårsdagen"},
			{"2027-01-06", "Wed", "Trettondedag jul"},
			{"2027-03-26", "Fri", "Långfredagen"},
			{"2027-03-28", "Sun", "Påskdagen"},
			{"2027-03-29", "Mon", "Annandag påsk"},
			{"2027-05-01", "Sat", "Första maj"},
			{"2027-05-06", "Thu", "Kristi himmelsfärds dag"},
			{"2027-05-16", "Sun", "Pingstdagen"},
			{"2027-06-06", "Sun", "Sveriges nationaldag"},
			{"2027-06-25", "Fri", "Midsommarafton"},
			{"2027-06-26", "Sat", "Midsommardagen"},
			{"2027-11-06", "Sat", "Alla helgons dag"},
			{"2027-12-24", "Fri", "Julafton"},
			{"2027-12-25", "Sat", "Juldagen"},
			{"2027-12-26", "Sun", "Annandag jul"},
			{"2027-12-31", "Fri", "Nyårsafton"},
		},
		eves: []named{
			{"2027-01-05", "Tue", "Trettondagsafton"},
			{"2027-03-25", "Thu", "Skärtorsdagen"},
			{"2027-04-30", "Fri", "Valborgsmässoafton"},
			{"2027-05-05", "Wed", "Dag före Kristi himmelsfärds dag"},
			// 5 June is a Saturday.
			{"2027-06-24", "Thu", "Dag före midsommarafton"},
			{"2027-11-05", "Fri", "Allhelgonaafton"},
			{"2027-12-23", "Thu", "Dag före julafton"},
			{"2027-12-30", "Thu", "Dag före nyårsafton"},
		},
	},
	{
		year: 2028, // Easter 16 April; leap year
		holidays: []named{
			{"2028-01-01", "Sat", "Nyårsdagen"},
			{"2028-01-06", "Thu", "Trettondedag jul"},
			{"2028-04-14", "Fri", "Långfredagen"},
			{"2028-04-16", "Sun", "Påskdagen"},
			{"2028-04-17", "Mon", "Annandag påsk"},
			{"2028-05-01", "Mon", "Första maj"},
			{"2028-05-25", "Thu", "Kristi himmelsfärds dag"},
			{"2028-06-04", "Sun", "Pingstdagen"},
			{"2028-06-06", "Tue", "Sveriges nationaldag"},
			{"2028-06-23", "Fri", "Midsommarafton"},
			{"2028-06-24", "Sat", "Midsommardagen"},
			{"2028-11-04", "Sat", "Alla helgons dag"},
			{"2028-12-24", "Sun", "Julafton"},
			{"2028-12-25", "Mon", "Juldagen"},
			{"2028-12-26", "Tue", "Annandag jul"},
			{"2028-12-31", "Sun", "Nyårsafton"},
		},
		eves: []named{
			{"2028-01-05", "Wed", "Trettondagsafton"},
			{"2028-04-13", "Thu", "Skärtorsdagen"},
			// 30 April is a Sunday.
			{"2028-05-24", "Wed", "Dag före Kristi himmelsfärds dag"},
			{"2028-06-05", "Mon", "Dag före nationaldagen"},
			{"2028-06-22", "Thu", "Dag före midsommarafton"},
			{"2028-11-03", "Fri", "Allhelgonaafton"},
			// 23 and 30 December are Saturdays.
		},
	},
	{
		year: 2029, // Easter 1 April
		holidays: []named{
			{"2029-01-01", "Mon", "Nyårsdagen"},
			{"2029-01-06", "Sat", "Trettondedag jul"},
			{"2029-03-30", "Fri", "Långfredagen"},
			{"2029-04-01", "Sun", "Påskdagen"},
			{"2029-04-02", "Mon", "Annandag påsk"},
			{"2029-05-01", "Tue", "Första maj"},
			{"2029-05-10", "Thu", "Kristi himmelsfärds dag"},
			{"2029-05-20", "Sun", "Pingstdagen"},
			{"2029-06-06", "Wed", "Sveriges nationaldag"},
			{"2029-06-22", "Fri", "Midsommarafton"},
			{"2029-06-23", "Sat", "Midsommardagen"},
			{"2029-11-03", "Sat", "Alla helgons dag"},
			{"2029-12-24", "Mon", "Julafton"},
			{"2029-12-25", "Tue", "Juldagen"},
			{"2029-12-26", "Wed", "Annandag jul"},
			{"2029-12-31", "Mon", "Nyårsafton"},
		},
		eves: []named{
			{"2029-01-05", "Fri", "Trettondagsafton"},
			{"2029-03-29", "Thu", "Skärtorsdagen"},
			{"2029-04-30", "Mon", "Valborgsmässoafton"},
			{"2029-05-09", "Wed", "Dag före Kristi himmelsfärds dag"},
			{"2029-06-05", "Tue", "Dag före nationaldagen"},
			{"2029-06-21", "Thu", "Dag före midsommarafton"},
			{"2029-11-02", "Fri", "Allhelgonaafton"},
			// 23 and 30 December are Sundays.
		},
	},
	{
		year: 2030, // Easter 21 April
		holidays: []named{
			{"2030-01-01", "Tue", "Nyårsdagen"},
			{"2030-01-06", "Sun", "Trettondedag jul"},
			{"2030-04-19", "Fri", "Långfredagen"},
			{"2030-04-21", "Sun", "Påskdagen"},
			{"2030-04-22", "Mon", "Annandag påsk"},
			{"2030-05-01", "Wed", "Första maj"},
			{"2030-05-30", "Thu", "Kristi himmelsfärds dag"},
			{"2030-06-06", "Thu", "Sveriges nationaldag"},
			{"2030-06-09", "Sun", "Pingstdagen"},
			{"2030-06-21", "Fri", "Midsommarafton"},
			{"2030-06-22", "Sat", "Midsommardagen"},
			{"2030-11-02", "Sat", "Alla helgons dag"},
			{"2030-12-24", "Tue", "Julafton"},
			{"2030-12-25", "Wed", "Juldagen"},
			{"2030-12-26", "Thu", "Annandag jul"},
			{"2030-12-31", "Tue", "Nyårsafton"},
		},
		eves: []named{
			// 31 December 2029 is closed; 5 January is a Saturday.
			{"2030-04-18", "Thu", "Skärtorsdagen"},
			{"2030-04-30", "Tue", "Valborgsmässoafton"},
			{"2030-05-29", "Wed", "Dag före Kristi himmelsfärds dag"},
			{"2030-06-05", "Wed", "Dag före nationaldagen"},
			{"2030-06-20", "Thu", "Dag före midsommarafton"},
			{"2030-11-01", "Fri", "Allhelgonaafton"},
			{"2030-12-23", "Mon", "Dag före julafton"},
			{"2030-12-30", "Mon", "Dag före nyårsafton"},
		},
	},
}

// TestYearTablesAreConsistent checks the hand-written tables themselves, so
// that a typo in them cannot pass for a bug in the calendar (or hide one).
func TestYearTablesAreConsistent(t *testing.T) {
	t.Parallel()
	easter := map[int]string{
		2024: "2024-03-31", 2025: "2025-04-20", 2026: "2026-04-05", 2027: "2027-03-28",
		2028: "2028-04-16", 2029: "2029-04-01", 2030: "2030-04-21",
	}
	for _, yt := range yearTables {
		e, _ := time.Parse(time.DateOnly, easter[yt.year])
		if e.Weekday() != time.Sunday {
			t.Errorf("Easter %d (%s) is not a Sunday", yt.year, easter[yt.year])
		}
		byName := map[string]sla.Date{}
		for _, rows := range [][]named{yt.holidays, yt.eves} {
			for _, r := range rows {
				d := date(t, r.date)
				if d.Year != yt.year {
					t.Errorf("%s is in the %d table", r.date, yt.year)
				}
				if got := weekday(d).String()[:3]; got != r.wd {
					t.Errorf("%s is a %s, the table says %s", r.date, got, r.wd)
				}
				byName[r.name] = d
			}
		}
		offset := func(days int) sla.Date {
			tm := e.AddDate(0, 0, days)
			return sla.Date{Year: tm.Year(), Month: tm.Month(), Day: tm.Day()}
		}
		for name, want := range map[string]sla.Date{
			"Långfredagen":            offset(-2),
			"Påskdagen":               offset(0),
			"Annandag påsk":           offset(1),
			"Kristi himmelsfärds dag": offset(39),
			"Pingstdagen":             offset(49),
		} {
			if byName[name] != want {
				t.Errorf("%d: %s is %v in the table, counting from Easter gives %v", yt.year, name, byName[name], want)
			}
		}
		ma := byName["Midsommarafton"]
		if weekday(ma) != time.Friday || ma.Month != time.June || ma.Day < 19 || ma.Day > 25 {
			t.Errorf("%d: Midsommarafton %v is not the Friday 19–25 June", yt.year, ma)
		}
		if nextDate(ma) != byName["Midsommardagen"] {
			t.Errorf("%d: Midsommardagen %v is not the day after Midsommarafton", yt.year, byName["Midsommardagen"])
		}
		ah := byName["Alla helgons dag"]
		first := time.Date(yt.year, time.October, 31, 12, 0, 0, 0, time.UTC)
		if at := time.Date(ah.Year, ah.Month, ah.Day, 12, 0, 0, 0, time.UTC); at.Weekday() != time.Saturday || at.Before(first) || at.After(first.AddDate(0, 0, 6)) {
			t.Errorf("%d: Alla helgons dag %v is not the Saturday 31 Oct–6 Nov", yt.year, ah)
		}
		if len(yt.holidays) != 16 {
			t.Errorf("%d: %d holidays in the table, want 16", yt.year, len(yt.holidays))
		}
	}
}

// TestHolidays checks every holiday of 2024–2030 by date and name.
func TestHolidays(t *testing.T) {
	t.Parallel()
	cal := newCalendar(t, nil)
	for _, yt := range yearTables {
		for _, h := range yt.holidays {
			t.Run(h.date, func(t *testing.T) {
				t.Parallel()
				got := cal.Day(date(t, h.date))
				if got.Kind != sla.Holiday || got.Name != h.name {
					t.Errorf("Day(%s) = %v %q, want holiday %q", h.date, got.Kind, got.Name, h.name)
				}
				if got.Hours != (sla.Hours{}) || got.Open() {
					t.Errorf("Day(%s) hours %v open=%v, want closed", h.date, got.Hours, got.Open())
				}
				if got.Date != date(t, h.date) {
					t.Errorf("Day(%s).Date = %v", h.date, got.Date)
				}
			})
		}
	}
}

// TestEves checks every eve of 2024–2030: kind, name and 08:30–14:00.
func TestEves(t *testing.T) {
	t.Parallel()
	cal := newCalendar(t, nil)
	for _, yt := range yearTables {
		for _, e := range yt.eves {
			t.Run(e.date, func(t *testing.T) {
				t.Parallel()
				got := cal.Day(date(t, e.date))
				if got.Kind != sla.Eve || got.Name != e.name {
					t.Errorf("Day(%s) = %v %q, want eve %q", e.date, got.Kind, got.Name, e.name)
				}
				if got.Hours != eveHours || !got.Open() {
					t.Errorf("Day(%s) hours %v open=%v, want %v", e.date, got.Hours, got.Open(), eveHours)
				}
			})
		}
	}
}

// TestYearExceptions checks that Exceptions over a whole year lists exactly
// the hand-computed eves and weekday holidays, and that every other day is
// a plain regular or weekend day.
func TestYearExceptions(t *testing.T) {
	t.Parallel()
	cal := newCalendar(t, nil)
	for _, yt := range yearTables {
		t.Run(time.Date(yt.year, 1, 1, 0, 0, 0, 0, time.UTC).Format("2006"), func(t *testing.T) {
			t.Parallel()
			var wantEves, wantClosed []string
			special := map[sla.Date]bool{}
			for _, e := range yt.eves {
				wantEves = append(wantEves, e.date+" "+e.name)
				special[date(t, e.date)] = true
			}
			for _, h := range yt.holidays {
				special[date(t, h.date)] = true
				if !isWeekend(weekday(date(t, h.date))) {
					wantClosed = append(wantClosed, h.date+" "+h.name)
				}
			}
			var gotEves, gotClosed []string
			from := sla.Date{Year: yt.year, Month: time.January, Day: 1}
			to := sla.Date{Year: yt.year, Month: time.December, Day: 31}
			for _, d := range cal.Exceptions(from, to) {
				s := d.Date.String() + " " + d.Name
				switch d.Kind {
				case sla.Eve:
					gotEves = append(gotEves, s)
					if d.Hours != eveHours {
						t.Errorf("exception %s: eve hours %v", s, d.Hours)
					}
				case sla.Holiday:
					gotClosed = append(gotClosed, s)
				default:
					t.Errorf("unexpected exception %s of kind %v", s, d.Kind)
				}
			}
			if !slices.Equal(gotEves, wantEves) {
				t.Errorf("eves of %d:\n got %q\nwant %q", yt.year, gotEves, wantEves)
			}
			if !slices.Equal(gotClosed, wantClosed) {
				t.Errorf("closed weekdays of %d:\n got %q\nwant %q", yt.year, gotClosed, wantClosed)
			}
			// Every other day is an ordinary day.
			for d := from; !to.Before(d); d = nextDate(d) {
				if special[d] {
					continue
				}
				got := cal.Day(d)
				want := sla.Day{Date: d, Kind: sla.Regular, Hours: normalHours}
				if isWeekend(weekday(d)) {
					want = sla.Day{Date: d, Kind: sla.Weekly}
				}
				if got != want {
					t.Errorf("Day(%v) = %+v, want %+v", d, got, want)
				}
			}
		})
	}
}

// TestSpecialDays covers single days that the year tables do not single out,
// and custom calendars.
func TestSpecialDays(t *testing.T) {
	t.Parallel()
	def := newCalendar(t, nil)
	openEves := newCalendar(t, func(c *sla.CalendarConfig) { c.ClosedEves = nil })
	extra := newCalendar(t, func(c *sla.CalendarConfig) {
		c.ExtraClosed = []string{"2026-12-28", "2026-11-25", "2026-12-23", "2026-12-25"}
	})
	none := newCalendar(t, func(c *sla.CalendarConfig) { c.Holidays = sla.HolidaysNone })
	weekendOpen := newCalendar(t, func(c *sla.CalendarConfig) {
		c.Days = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
	})
	tests := []struct {
		name  string
		cal   *sla.Calendar
		date  string
		kind  sla.DayKind
		dname string
		hours sla.Hours
	}{
		{"leap day is a regular Tuesday", def, "2028-02-29", sla.Regular, "", normalHours},
		{"day after leap day", def, "2028-03-01", sla.Regular, "", normalHours},
		{"Saturday", def, "2026-11-28", sla.Weekly, "", sla.Hours{}},
		{"Sunday", def, "2026-11-29", sla.Weekly, "", sla.Hours{}},
		{"Friday before a Saturday holiday is the eve", def, "2026-06-05", sla.Eve, "Dag före nationaldagen", eveHours},
		{"Friday before a plain weekend is regular", def, "2026-11-27", sla.Regular, "", normalHours},
		{"Friday before Easter weekend is closed", def, "2026-04-03", sla.Holiday, "Långfredagen", sla.Hours{}},
		{"Tuesday after Easter is regular", def, "2026-04-07", sla.Regular, "", normalHours},
		{"Monday 28 Dec 2026 is regular by default", def, "2026-12-28", sla.Regular, "", normalHours},
		{"Friday 15 May 2026 after Ascension is regular", def, "2026-05-15", sla.Regular, "", normalHours},

		// ClosedEves empty: Midsommarafton, Julafton, Nyårsafton are eves
		// of the holidays after them, and the days before them are regular.
		{"open eves: Julafton is an eve", openEves, "2026-12-24", sla.Eve, "Julafton", eveHours},
		{"open eves: 23 Dec is regular", openEves, "2026-12-23", sla.Regular, "", normalHours},
		{"open eves: Nyårsafton is an eve", openEves, "2026-12-31", sla.Eve, "Nyårsafton", eveHours},
		{"open eves: 30 Dec is regular", openEves, "2026-12-30", sla.Regular, "", normalHours},
		{"open eves: Midsommarafton is an eve", openEves, "2026-06-19", sla.Eve, "Midsommarafton", eveHours},
		{"open eves: 18 June is regular", openEves, "2026-06-18", sla.Regular, "", normalHours},
		{"open eves: Juldagen still closed", openEves, "2026-12-25", sla.Holiday, "Juldagen", sla.Hours{}},
		{"open eves: Skärtorsdagen unchanged", openEves, "2026-04-02", sla.Eve, "Skärtorsdagen", eveHours},

		// Extra closure days close the day and make no eve.
		{"extra: 28 Dec closed", extra, "2026-12-28", sla.ExtraClosed, sla.ExtraClosedName, sla.Hours{}},
		{"extra: 27 Dec still a Sunday", extra, "2026-12-27", sla.Weekly, "", sla.Hours{}},
		{"extra: 26 Dec still Annandag jul", extra, "2026-12-26", sla.Holiday, "Annandag jul", sla.Hours{}},
		{"extra: a holiday stays a holiday", extra, "2026-12-25", sla.Holiday, "Juldagen", sla.Hours{}},
		{"extra: 29 Dec regular", extra, "2026-12-29", sla.Regular, "", normalHours},
		{"extra: Wed 25 Nov closed", extra, "2026-11-25", sla.ExtraClosed, sla.ExtraClosedName, sla.Hours{}},
		{"extra: Tue 24 Nov not an eve", extra, "2026-11-24", sla.Regular, "", normalHours},
		{"extra: an eve that is closed is closed", extra, "2026-12-23", sla.ExtraClosed, sla.ExtraClosedName, sla.Hours{}},
		{"extra: 22 Dec not an eve", extra, "2026-12-22", sla.Regular, "", normalHours},

		// Holidays none.
		{"none: Juldagen regular", none, "2026-12-25", sla.Regular, "", normalHours},
		{"none: Julafton regular", none, "2026-12-24", sla.Regular, "", normalHours},
		{"none: 23 Dec regular", none, "2026-12-23", sla.Regular, "", normalHours},
		{"none: Saturday still closed", none, "2026-12-26", sla.Weekly, "", sla.Hours{}},

		// Open weekends: a holiday on a Saturday still closes it.
		{"weekends open: Saturday regular", weekendOpen, "2026-11-28", sla.Regular, "", normalHours},
		{"weekends open: Saturday holiday closed", weekendOpen, "2026-06-06", sla.Holiday, "Sveriges nationaldag", sla.Hours{}},

		// Outside the years the implementation precomputes (1990–2100).
		{"1989: Trettondagsafton", def, "1989-01-05", sla.Eve, "Trettondagsafton", eveHours},
		{"1989: Julafton Sunday", def, "1989-12-24", sla.Holiday, "Julafton", sla.Hours{}},
		{"1989: Fri 22 Dec regular", def, "1989-12-22", sla.Regular, "", normalHours},
		{"1990: Nyårsdagen Monday", def, "1990-01-01", sla.Holiday, "Nyårsdagen", sla.Hours{}},
		{"2100: Thu 30 Dec eve", def, "2100-12-30", sla.Eve, "Dag före nyårsafton", eveHours},
		{"2100: Nyårsafton Friday", def, "2100-12-31", sla.Holiday, "Nyårsafton", sla.Hours{}},
		{"2101: Nyårsdagen Saturday", def, "2101-01-01", sla.Holiday, "Nyårsdagen", sla.Hours{}},
		{"2101: Trettondagsafton Wednesday", def, "2101-01-05", sla.Eve, "Trettondagsafton", eveHours},
		{"2101: Trettondedag jul", def, "2101-01-06", sla.Holiday, "Trettondedag jul", sla.Hours{}},
		{"2101: Fri 7 Jan regular", def, "2101-01-07", sla.Regular, "", normalHours},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			d := date(t, tt.date)
			got := tt.cal.Day(d)
			want := sla.Day{Date: d, Kind: tt.kind, Name: tt.dname, Hours: tt.hours}
			if got != want {
				t.Errorf("Day(%s) = %+v, want %+v", tt.date, got, want)
			}
		})
	}
}

// TestExceptionsCustom checks the Exceptions lists of custom calendars.
func TestExceptionsCustom(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		edit     func(*sla.CalendarConfig)
		from, to string
		want     []string // "date kind name"
	}{
		{
			name: "default Christmas 2026",
			from: "2026-12-20", to: "2027-01-07",
			want: []string{
				"2026-12-23 eve Dag före julafton",
				"2026-12-24 holiday Julafton",
				"2026-12-25 holiday Juldagen",
				"2026-12-30 eve Dag före nyårsafton",
				"2026-12-31 holiday Nyårsafton",
				"2027-01-01 holiday Nyårsdagen",
				"2027-01-05 eve Trettondagsafton",
				"2027-01-06 holiday Trettondedag jul",
			},
		},
		{
			name: "extra closed 28 Dec makes no eve",
			edit: func(c *sla.CalendarConfig) { c.ExtraClosed = []string{"2026-12-28"} },
			from: "2026-12-20", to: "2026-12-31",
			want: []string{
				"2026-12-23 eve Dag före julafton",
				"2026-12-24 holiday Julafton",
				"2026-12-25 holiday Juldagen",
				"2026-12-28 extra closed " + sla.ExtraClosedName,
				"2026-12-30 eve Dag före nyårsafton",
				"2026-12-31 holiday Nyårsafton",
			},
		},
		{
			name: "no closed eves",
			edit: func(c *sla.CalendarConfig) { c.ClosedEves = []string{} },
			from: "2026-12-20", to: "2027-01-02",
			want: []string{
				"2026-12-24 eve Julafton",
				"2026-12-25 holiday Juldagen",
				"2026-12-31 eve Nyårsafton",
				"2027-01-01 holiday Nyårsdagen",
			},
		},
		{
			name: "only Julafton closed",
			edit: func(c *sla.CalendarConfig) { c.ClosedEves = []string{sla.Julafton} },
			from: "2026-06-15", to: "2026-06-21",
			want: []string{"2026-06-19 eve Midsommarafton"},
		},
		{
			name: "holidays none: nothing all year",
			edit: func(c *sla.CalendarConfig) { c.Holidays = sla.HolidaysNone },
			from: "2026-01-01", to: "2026-12-31",
			want: nil,
		},
		{
			name: "eve hours equal to normal hours are no exception",
			edit: func(c *sla.CalendarConfig) { c.EveHours = c.Hours },
			from: "2026-12-20", to: "2026-12-31",
			want: []string{
				"2026-12-24 holiday Julafton",
				"2026-12-25 holiday Juldagen",
				"2026-12-31 holiday Nyårsafton",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cal := newCalendar(t, tt.edit)
			var got []string
			for _, d := range cal.Exceptions(date(t, tt.from), date(t, tt.to)) {
				got = append(got, d.Date.String()+" "+d.Kind.String()+" "+d.Name)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Exceptions(%s, %s):\n got %q\nwant %q", tt.from, tt.to, got, tt.want)
			}
		})
	}
}

// TestHolidaysNone walks a whole year on a calendar without holidays.
func TestHolidaysNone(t *testing.T) {
	t.Parallel()
	cal := newCalendar(t, func(c *sla.CalendarConfig) { c.Holidays = sla.HolidaysNone })
	for d := date(t, "2026-01-01"); d.Year == 2026; d = nextDate(d) {
		got := cal.Day(d)
		if isWeekend(weekday(d)) {
			if got.Kind != sla.Weekly {
				t.Errorf("Day(%v).Kind = %v, want weekly closed", d, got.Kind)
			}
		} else if got.Kind != sla.Regular || got.Hours != normalHours || got.Name != "" {
			t.Errorf("Day(%v) = %+v, want regular 08:00-17:00", d, got)
		}
	}
}
