package tickets

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"sosd/sla"
)

// Tests of quarters (SPEC §9): the quarter a ticket belongs to, parsing,
// bounds across summer time, and the first open day of a quarter.

// A ticket belongs to the quarter in which it was received in the
// calendar's zone (SPEC §9), not in UTC.
func TestReportQuarterBoundaries(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	ctx := context.Background()
	utc := func(y int, m time.Month, d, hh, mm, ss int) time.Time {
		return time.Date(y, m, d, hh, mm, ss, 0, time.UTC)
	}
	tests := []struct {
		name     string
		received time.Time
		local    Quarter // in Stockholm
		inUTC    Quarter
	}{
		{"1 Jan 2026 00:00 CET", utc(2025, 12, 31, 23, 0, 0), Quarter{2026, 1}, Quarter{2025, 4}},
		{"31 Mar 23:59:59 CEST", utc(2026, 3, 31, 21, 59, 59), Quarter{2026, 1}, Quarter{2026, 1}},
		{"1 Apr 00:00 CEST", utc(2026, 3, 31, 22, 0, 0), Quarter{2026, 2}, Quarter{2026, 1}},
		{"1 Apr 01:30 CEST", utc(2026, 3, 31, 23, 30, 0), Quarter{2026, 2}, Quarter{2026, 1}},
		{"31 Dec 23:59 CET", utc(2026, 12, 31, 22, 59, 0), Quarter{2026, 4}, Quarter{2026, 4}},
		{"1 Jan 2027 00:00 CET", utc(2026, 12, 31, 23, 0, 0), Quarter{2027, 1}, Quarter{2026, 4}},
	}
	in := map[Quarter][]ID{}
	for _, tc := range tests {
		if got := QuarterOf(tc.received, rqStockholm); got != tc.local {
			t.Errorf("%s: QuarterOf = %s, want %s", tc.name, got, tc.local)
		}
		if got := QuarterOf(tc.received, time.UTC); got != tc.inUTC {
			t.Errorf("%s: QuarterOf in UTC = %s, want %s", tc.name, got, tc.inUTC)
		}
		id := stFile(t, s, "acme", "ekonomi", 3, tc.received)
		in[tc.local] = append(in[tc.local], id)
	}
	for _, q := range []Quarter{{2025, 4}, {2026, 1}, {2026, 2}, {2026, 3}, {2026, 4}, {2027, 1}} {
		r, err := s.Report(ctx, "acme", q, rqStockholm, rqAt(2027, 6, 1, 12, 0))
		if err != nil {
			t.Fatal(err)
		}
		var got []ID
		for _, tk := range r.List {
			got = append(got, tk.ID)
		}
		if !slices.Equal(got, in[q]) || r.Tickets != len(in[q]) || r.Trend[3].Tickets != len(in[q]) {
			t.Errorf("%s lists %v (%d tickets, trend %d), want %v", q, got, r.Tickets, r.Trend[3].Tickets, in[q])
		}
	}
}

func TestParseQuarter(t *testing.T) {
	t.Parallel()
	good := []struct {
		in   string
		want Quarter
	}{
		{"2026Q4", Quarter{2026, 4}},
		{"2026q1", Quarter{2026, 1}},
		{"2027Q2", Quarter{2027, 2}},
		{"2026Q3", Quarter{2026, 3}},
	}
	for _, tc := range good {
		got, err := ParseQuarter(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseQuarter(%q) = %v, %v; want %v", tc.in, got, err, tc.want)
		}
		if got.String() != strings.ToUpper(tc.in) {
			t.Errorf("%v.String() = %q, want %q", got, got.String(), strings.ToUpper(tc.in))
		}
	}
	for _, in := range []string{"", "2026Q5", "2026Q0", "26Q1", "2026-Q1", "2026Q", "Q42026", "2026Q11", "2026", "Q4", "20260Q1",
		"2026Q-1", "2026Q+1", "+026Q1", "2026 Q4", "2026Q4x", "2026QQ4", "2026Q4Q"} {
		if q, err := ParseQuarter(in); err == nil {
			t.Errorf("ParseQuarter(%q) = %v, want an error", in, q)
		} else if !strings.Contains(err.Error(), strconv.Quote(in)) {
			t.Errorf("ParseQuarter(%q): error %q does not name the input", in, err)
		}
	}
}

func TestQuarterPrevAndBounds(t *testing.T) {
	t.Parallel()
	prev := map[Quarter]Quarter{
		{2026, 1}: {2025, 4},
		{2026, 2}: {2026, 1},
		{2026, 4}: {2026, 3},
		{2000, 1}: {1999, 4},
	}
	for q, w := range prev {
		if got := q.Prev(); got != w {
			t.Errorf("%s.Prev() = %s, want %s", q, got, w)
		}
	}
	// The four quarters of a trend ending with 2027Q1 span a new year.
	q := Quarter{2027, 1}
	if got := []Quarter{q.Prev().Prev().Prev(), q.Prev().Prev(), q.Prev()}; !slices.Equal(got, []Quarter{{2026, 2}, {2026, 3}, {2026, 4}}) {
		t.Errorf("three before 2027Q1 = %v", got)
	}

	// Bounds are local midnights; a quarter across a DST change is an
	// hour shorter (spring) or longer (autumn) than its days.
	tests := []struct {
		q        Quarter
		from, to string
		hours    int
	}{
		{Quarter{2026, 1}, "2026-01-01T00:00:00+01:00", "2026-04-01T00:00:00+02:00", 90*24 - 1},
		{Quarter{2026, 2}, "2026-04-01T00:00:00+02:00", "2026-07-01T00:00:00+02:00", 91 * 24},
		{Quarter{2026, 3}, "2026-07-01T00:00:00+02:00", "2026-10-01T00:00:00+02:00", 92 * 24},
		{Quarter{2026, 4}, "2026-10-01T00:00:00+02:00", "2027-01-01T00:00:00+01:00", 92*24 + 1},
		{Quarter{2028, 1}, "2028-01-01T00:00:00+01:00", "2028-04-01T00:00:00+02:00", 91*24 - 1}, // leap year
	}
	for _, tc := range tests {
		from, to := tc.q.Bounds(rqStockholm)
		if f, tt := from.Format(time.RFC3339), to.Format(time.RFC3339); f != tc.from || tt != tc.to {
			t.Errorf("%s.Bounds = %s, %s; want %s, %s", tc.q, f, tt, tc.from, tc.to)
		}
		if h := to.Sub(from); h != time.Duration(tc.hours)*time.Hour {
			t.Errorf("%s lasts %v, want %d h", tc.q, h, tc.hours)
		}
		// The bounds are the quarter's own: the last instant before
		// `to` is in it, `to` is in the next.
		if QuarterOf(from, rqStockholm) != tc.q || QuarterOf(to.Add(-time.Nanosecond), rqStockholm) != tc.q ||
			QuarterOf(to, rqStockholm) == tc.q {
			t.Errorf("%s: QuarterOf disagrees with Bounds", tc.q)
		}
	}
}

func TestFirstOpenDay(t *testing.T) {
	t.Parallel()
	def := testPolicy(t).Calendar
	extra := sla.DefaultCalendarConfig()
	extra.ExtraClosed = []string{"2027-01-04"}
	withExtra, err := sla.NewCalendar(extra)
	if err != nil {
		t.Fatal(err)
	}
	allYear := sla.CalendarConfig{Timezone: "Europe/Stockholm", Holidays: sla.HolidaysNone,
		Days: []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}, Hours: "00:00-24:00", EveHours: "00:00-24:00"}
	always, err := sla.NewCalendar(allYear)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		cal  *sla.Calendar
		q    Quarter
		want time.Time
	}{
		// Fri 1 Jan 2027 Nyårsdagen, Sat 2, Sun 3 → Mon 4 (Tue 5 is the
		// eve of Trettondedag jul; Mon 4 is a normal day).
		{"2027Q1 after new year and a weekend", def, Quarter{2027, 1}, rqAt(2027, 1, 4, 0, 0)},
		// Thu 1 Jan 2026 Nyårsdagen → Fri 2 Jan, a normal day.
		{"2026Q1", def, Quarter{2026, 1}, rqAt(2026, 1, 2, 0, 0)},
		// Easter Sunday 5 Apr 2026: Wed 1 Apr is a normal day (the eve is
		// Thu 2, Långfredagen Fri 3).
		{"2026Q2 before Easter", def, Quarter{2026, 2}, rqAt(2026, 4, 1, 0, 0)},
		// Easter Sunday 31 Mar 2024: Mon 1 Apr is Annandag påsk.
		{"2024Q2 Annandag påsk", def, Quarter{2024, 2}, rqAt(2024, 4, 2, 0, 0)},
		// Easter Sunday 1 Apr 2018: Påskdagen, then Annandag påsk Mon 2.
		{"2018Q2 Påskdagen and Annandag påsk", def, Quarter{2018, 2}, rqAt(2018, 4, 3, 0, 0)},
		// Easter Sunday 4 Apr 2021: Thu 1 Apr is Skärtorsdagen, an eve
		// (08:30–14:00) but open: eves close only when configured, and the
		// default closes Midsommar-, Jul- and Nyårsafton only.
		{"2021Q2 Skärtorsdagen is an open eve", def, Quarter{2021, 2}, rqAt(2021, 4, 1, 0, 0)},
		{"2026Q3", def, Quarter{2026, 3}, rqAt(2026, 7, 1, 0, 0)},
		{"2026Q4", def, Quarter{2026, 4}, rqAt(2026, 10, 1, 0, 0)},
		{"2028Q1 Saturday new year", def, Quarter{2028, 1}, rqAt(2028, 1, 3, 0, 0)},
		{"2029Q3 Sunday", def, Quarter{2029, 3}, rqAt(2029, 7, 2, 0, 0)},
		{"2023Q4 Sunday", def, Quarter{2023, 4}, rqAt(2023, 10, 2, 0, 0)},
		// A company closure day moves it to Tue 5, an eve but open.
		{"2027Q1 with 4 Jan closed", withExtra, Quarter{2027, 1}, rqAt(2027, 1, 5, 0, 0)},
		{"2027Q1 round the clock", always, Quarter{2027, 1}, rqAt(2027, 1, 1, 0, 0)},
	}
	for _, tc := range tests {
		got := FirstOpenDay(tc.cal, tc.q)
		if !got.Equal(tc.want) || got.Location().String() != "Europe/Stockholm" {
			t.Errorf("%s: FirstOpenDay = %v, want %v", tc.name, got, tc.want)
		}
		if !tc.cal.Day(sla.DateOf(got)).Open() {
			t.Errorf("%s: %v is not open", tc.name, got)
		}
	}
}
