package tickets

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Tests of the quarterly status report (SPEC §8, §9; issue 7): the figures
// of a quarter worked out by hand. The fixture is in report_fixture_test.go,
// quarters and the first open day in quarter_test.go, the once-only job and
// the report mail in report_mail_test.go.

func rqInt(p *int) string {
	if p == nil {
		return "nil"
	}
	return strconv.Itoa(*p)
}

func rqPct(p *float64) string {
	if p == nil {
		return "nil"
	}
	return strconv.FormatFloat(*p, 'f', 1, 64)
}

// The fixture quarter, every figure worked out by hand from the ticket
// table rqQ4Tickets (report_fixture_test.go).

// Per priority (response minutes of the started tickets, sorted;
// nearest rank: the median is the ⌈n/2⌉-th, p90 the ⌈0.9 n⌉-th):
//
//	P1: A01–A06, 6 tickets. Met A01 A02 A04 A06 = 4; breached A03
//	    (late) A05 (never) = 2. Responses 0 20 40 90 150 (n=5):
//	    median 3rd = 40, p90 5th = 150, worst 150.
//	P2: A07–A13, 7 tickets. Met A07 A08 A10 A11 = 4; breached A09
//	    (late) A12 (never) = 2; A13 not due. Responses 45 60 60 240 300:
//	    median 60, p90 300, worst 300.
//	P3: A14–A32, 19 tickets. Met A14 A15 A16 A18 A19 A21 A22 A23 A24
//	    A25 A27 A29 A30 = 13; breached A17 A26 (late) A20 A28 (never) =
//	    4; A31 A32 not due. Responses (n=15) 5 10 15 30 60 60 60 60 120
//	    180 240 330 480 540 600: median 8th = 60, p90 14th = 540, worst
//	    600.
//
// In all 32 tickets, 21 met, 8 breached, 3 neither: 100 × 21 ÷ 29 =
// 72.41… → 72.4 %.
//
// Applications: ekonomi A01 A02 A06 A07 A12 A14 A15 A19 A22 A24 A27 A30
// A32 = 13; intranat A04 A08 A13 A16 A20 A23 A28 A31 = 8; crm A03 A09
// A10 A17 A21 A25 A29 = 7 (A21 by #app); unknown A05 A11 A18 A26 = 4.
//
// Breaches, in order of receipt: A03 (14 Oct) A17 (15 Oct) A09 (23 Oct)
// A20 (27 Oct) A05 (9 Nov) A26 (7 Dec) A28 (15 Dec) A12 (23 Dec).
//
// Resolution of the 10 closed tickets, sorted: 90 (A01) 240 (A14) 270
// (A02) 300 (A03) 540 (A24) 570 (A25) 660 (A07) 720 (A10) 1140 (A06) 1260
// (A18): median 5th = 540, p90 9th = 1140, worst 1260.
//
// Visits A07 1 + A19 2 + A27 1 = 4. Work A02 90 + A06 300 + A11 270 + A19
// 120 + A21 45 + A24 60 = 885 minutes. Calls A06, A11 = 2. Reopened A10 1
// + A18 1 + A22 2 = 4. Awaiting approval A11, A22 = 2.
//
// Trend: 2026Q1 B1 met, B2 breached: 2 tickets, 50.0 %; 2026Q2 B3 (31
// Mar 23:30 UTC), B4 met, B5 breached: 3 tickets, 66.7 %; 2026Q3 none of
// acme's: 0, null; 2026Q4: 32, 72.4 %.
func TestReportQuarterByHand(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	ctx := context.Background()
	q4 := rqQ4Tickets()
	ids := rqBuild(t, s, append(slices.Clone(q4), rqOtherTickets()...))
	name := map[ID]string{}
	for n, id := range ids {
		name[id] = n
	}

	r, err := s.Report(ctx, "acme", Quarter{2026, 4}, rqStockholm, rqNow)
	if err != nil {
		t.Fatal(err)
	}
	if r.Customer != "acme" || r.Quarter != (Quarter{2026, 4}) || !r.Now.Equal(rqNow) {
		t.Errorf("report of %s %s at %v", r.Customer, r.Quarter, r.Now)
	}
	if f, to := r.From.In(rqStockholm).Format(time.RFC3339), r.To.In(rqStockholm).Format(time.RFC3339); f != "2026-10-01T00:00:00+02:00" || to != "2027-01-01T00:00:00+01:00" {
		t.Errorf("period %s – %s", f, to)
	}

	// Ticket by ticket: each hand-computed response and resolution
	// against the calendar, and each verdict against the report's rule.
	cal := testPolicy(t).Calendar
	byName := map[string]rqTicket{}
	for _, tk := range q4 {
		byName[tk.name] = tk
	}
	var listed []string
	for _, got := range r.List {
		n := name[got.ID]
		listed = append(listed, n)
		w, ok := byName[n]
		if !ok {
			t.Errorf("%s (%s) is listed in acme's 2026Q4", n, got.ID)
			continue
		}
		resp, res := -1, -1
		if !got.Started.IsZero() {
			resp = int(cal.Elapsed(got.Received, got.Started) / time.Minute)
		}
		if !got.Closed.IsZero() {
			res = int(cal.Elapsed(got.Received, got.Closed) / time.Minute)
		}
		verdict := "open"
		switch {
		case got.Breached(rqNow):
			verdict = "breached"
		case !got.Started.IsZero():
			verdict = "met"
		}
		if resp != w.response || res != w.resolution || verdict != w.verdict {
			t.Errorf("%s: response %d resolution %d %s; by hand %d %d %s", n, resp, res, verdict, w.response, w.resolution, w.verdict)
		}
	}
	var want []string
	for _, tk := range q4 {
		want = append(want, tk.name)
	}
	slices.SortStableFunc(want, func(a, b string) int { return byName[a].received.Compare(byName[b].received) })
	if !slices.Equal(listed, want) {
		t.Errorf("tickets listed %v, want %v (in order of receipt)", listed, want)
	}

	if r.Tickets != 32 || r.Met != 21 || r.Breached != 8 {
		t.Errorf("tickets/met/breached = %d/%d/%d, want 32/21/8", r.Tickets, r.Met, r.Breached)
	}
	if p := rqPct(r.SLAMetPercent()); p != "72.4" {
		t.Errorf("SLA met = %s %%, want 72.4 (21 of 29)", p)
	}
	type prio struct {
		tickets, met, breached int
		median, p90, worst     string
	}
	wantPrio := map[int]prio{
		1: {6, 4, 2, "40", "150", "150"},
		2: {7, 4, 2, "60", "300", "300"},
		3: {19, 13, 4, "60", "540", "600"},
	}
	if len(r.ByPriority) != 3 {
		t.Errorf("ByPriority has %d entries, want 1, 2, 3", len(r.ByPriority))
	}
	for p, w := range wantPrio {
		ps := r.ByPriority[p]
		if ps == nil {
			t.Errorf("priority %d missing", p)
			continue
		}
		got := prio{ps.Tickets, ps.Met, ps.Breached, rqInt(ps.MedianResponse), rqInt(ps.P90Response), rqInt(ps.WorstResponse)}
		if got != w {
			t.Errorf("priority %d = %+v, by hand %+v", p, got, w)
		}
	}
	if w := map[string]int{"ekonomi": 13, "intranat": 8, "crm": 7, "unknown": 4}; !maps.Equal(r.ByApplication, w) {
		t.Errorf("ByApplication = %v, by hand %v", r.ByApplication, w)
	}

	d := rqQ4
	wantBreaches := []struct {
		name     string
		prio     int
		deadline time.Time
		started  time.Time
	}{
		{"A03", 1, d(10, 14, 12, 0), d(10, 14, 12, 30)},
		{"A17", 3, d(10, 16, 10, 0), d(10, 16, 12, 0)},
		{"A09", 2, d(10, 26, 10, 0), d(10, 26, 11, 0)},
		{"A20", 3, d(10, 27, 17, 0), time.Time{}},
		{"A05", 1, d(11, 9, 12, 0), time.Time{}},
		{"A26", 3, d(12, 8, 12, 0), d(12, 8, 13, 0)},
		{"A28", 3, d(12, 16, 15, 0), time.Time{}},
		{"A12", 2, d(12, 23, 14, 0), time.Time{}},
	}
	if len(r.Breaches) != len(wantBreaches) {
		t.Errorf("%d breaches, want %d: %+v", len(r.Breaches), len(wantBreaches), r.Breaches)
	} else {
		for i, w := range wantBreaches {
			g := r.Breaches[i]
			if g.ID != ids[w.name] || g.Priority != w.prio || !g.Deadline.Equal(w.deadline) || !g.Started.Equal(w.started) ||
				!strings.HasPrefix(g.Subject, w.name+" ") {
				t.Errorf("breach %d = %s P%d deadline %v started %v %q; want %s P%d %v %v", i, name[g.ID], g.Priority,
					g.Deadline.In(rqStockholm), g.Started.In(rqStockholm), g.Subject, w.name, w.prio, w.deadline, w.started)
			}
		}
	}
	if got := [3]string{rqInt(r.ResolutionMedian), rqInt(r.ResolutionP90), rqInt(r.ResolutionWorst)}; got != [3]string{"540", "1140", "1260"} {
		t.Errorf("resolution median/p90/worst = %v, by hand 540 1140 1260", got)
	}
	if r.OnsiteVisits != 4 || r.WorkMinutes != 885 || r.FourHourCalls != 2 || r.Reopened != 4 || r.AwaitingApproval != 2 {
		t.Errorf("visits %d work %d calls %d reopened %d awaiting %d; by hand 4 885 2 4 2",
			r.OnsiteVisits, r.WorkMinutes, r.FourHourCalls, r.Reopened, r.AwaitingApproval)
	}

	wantTrend := []struct {
		q                      Quarter
		tickets, met, breached int
		pct                    string
	}{
		{Quarter{2026, 1}, 2, 1, 1, "50.0"},
		{Quarter{2026, 2}, 3, 2, 1, "66.7"},
		{Quarter{2026, 3}, 0, 0, 0, "nil"},
		{Quarter{2026, 4}, 32, 21, 8, "72.4"},
	}
	if len(r.Trend) != len(wantTrend) {
		t.Fatalf("trend = %+v, want 4 quarters", r.Trend)
	}
	for i, w := range wantTrend {
		g := r.Trend[i]
		if g.Quarter != w.q || g.Tickets != w.tickets || g.Met != w.met || g.Breached != w.breached || rqPct(g.SLAMetPercent) != w.pct {
			t.Errorf("trend[%d] = %s %d %d/%d %s; want %s %d %d/%d %s", i, g.Quarter, g.Tickets, g.Met, g.Breached,
				rqPct(g.SLAMetPercent), w.q, w.tickets, w.met, w.breached, w.pct)
		}
	}

	// Later on 4 January the not-yet-due tickets fall due: A13 at 11:00
	// and A31 at 14:00; A32's deadline is 16:00, so at 16:00 it is not
	// breached yet, and a minute later it is.
	for _, tc := range []struct {
		now              time.Time
		breached, p2, p3 int
		pct              string
		last             []string
	}{
		{rqAt(2027, 1, 4, 11, 0), 8, 2, 4, "72.4", []string{"A12"}},
		{rqAt(2027, 1, 4, 11, 1), 9, 3, 4, "70.0", []string{"A12", "A13"}},         // 21 of 30
		{rqAt(2027, 1, 4, 16, 0), 10, 3, 5, "67.7", []string{"A12", "A31", "A13"}}, // 21 of 31
		{rqAt(2027, 1, 4, 16, 1), 11, 3, 6, "65.6", []string{"A12", "A31", "A13", "A32"}},
	} {
		r, err := s.Report(ctx, "acme", Quarter{2026, 4}, rqStockholm, tc.now)
		if err != nil {
			t.Fatal(err)
		}
		var last []string
		for _, b := range r.Breaches[len(r.Breaches)-len(tc.last):] {
			last = append(last, name[b.ID])
		}
		if r.Met != 21 || r.Breached != tc.breached || r.ByPriority[2].Breached != tc.p2 || r.ByPriority[3].Breached != tc.p3 ||
			rqPct(r.SLAMetPercent()) != tc.pct || len(r.Breaches) != tc.breached || !slices.Equal(last, tc.last) {
			t.Errorf("at %v: met %d breached %d (P2 %d, P3 %d) %s %%, last breaches %v; want 21 %d (%d, %d) %s %v",
				tc.now, r.Met, r.Breached, r.ByPriority[2].Breached, r.ByPriority[3].Breached, rqPct(r.SLAMetPercent()), last,
				tc.breached, tc.p2, tc.p3, tc.pct, tc.last)
		}
	}

	// 2027Q1 at rqNow: X1 only, not yet due: a quarter with a ticket but
	// none due has a null percentage, as does Q3 with no tickets.
	r, err = s.Report(ctx, "acme", Quarter{2027, 1}, rqStockholm, rqNow)
	if err != nil {
		t.Fatal(err)
	}
	if r.Tickets != 1 || r.Met != 0 || r.Breached != 0 || r.SLAMetPercent() != nil || len(r.List) != 1 || r.List[0].ID != ids["X1"] {
		t.Errorf("2027Q1: %d tickets, %d/%d, %s %%; want X1 alone, nothing due, nil", r.Tickets, r.Met, r.Breached, rqPct(r.SLAMetPercent()))
	}
	var trend []string
	for _, tp := range r.Trend {
		trend = append(trend, fmt.Sprintf("%s:%d:%s", tp.Quarter, tp.Tickets, rqPct(tp.SLAMetPercent)))
	}
	if w := []string{"2026Q2:3:66.7", "2026Q3:0:nil", "2026Q4:32:72.4", "2027Q1:1:nil"}; !slices.Equal(trend, w) {
		t.Errorf("2027Q1 trend = %v, want %v", trend, w)
	}

	// nordlog's quarter holds only N2, and its Q3 only N1 (breached).
	r, err = s.Report(ctx, "nordlog", Quarter{2026, 4}, rqStockholm, rqNow)
	if err != nil {
		t.Fatal(err)
	}
	if r.Tickets != 1 || r.Met != 1 || r.OnsiteVisits != 1 || r.WorkMinutes != 60 || r.FourHourCalls != 1 || rqInt(r.ByPriority[1].MedianResponse) != "10" ||
		r.Trend[2].Tickets != 1 || rqPct(r.Trend[2].SLAMetPercent) != "0.0" {
		t.Errorf("nordlog 2026Q4 = %+v", r)
	}
}
