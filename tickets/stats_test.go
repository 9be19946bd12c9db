package tickets

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"testing"
	"time"
)

// stFile files a ticket with no mail composed.
func stFile(t testing.TB, s *Store, customer, app string, prio int, at time.Time) ID {
	t.Helper()
	from := "eva@" + customer + ".se"
	res, err := s.File(context.Background(), inbound(fmt.Sprintf("st-%d@%s.se", lcSeq.Add(1), customer), from, at),
		NewTicket{Customer: customer, Application: app, Priority: prio, Language: "sv", Reporter: from, Subject: "Servern svarar inte"}, nil)
	if err != nil {
		t.Fatalf("File: %v", err)
	}
	return res.Ticket.ID
}

// stDo applies consultant commands and fails the test unless they apply.
func stDo(t testing.TB, s *Store, id ID, at time.Time, cmds ...Command) {
	t.Helper()
	if res := lcApply(t, s, id, lcReply(at, false, cmds...), nil); res.Outcome != OutcomeApplied {
		t.Fatalf("%v on %s: %s %v", cmds, id, res.Outcome, res.Problems)
	}
}

// stCustomer adds a customer's reply.
func stCustomer(t testing.TB, s *Store, id ID, at time.Time, approves bool, want OutcomeKind) {
	t.Helper()
	if res := rpReply(t, s, id, CustomerReply{Mail: rpMail(at), Approves: approves}, nil); res.Outcome != want {
		t.Fatalf("customer reply to %s: %s, want %s", id, res.Outcome, want)
	}
}

func stInt(p *int) string {
	if p == nil {
		return "nil"
	}
	return fmt.Sprint(*p)
}

// A quarter of one customer's tickets, every figure worked out by hand
// (SPEC §9 report rules). Response and resolution times are business
// minutes on the agreement's calendar.
func TestStatsQuarter(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	ctx := context.Background()
	at := func(y int, m time.Month, d, hh, mm int) time.Time { return stockholm(t, y, m, d, hh, mm) }
	start := Command{Kind: CmdStart}
	resolve := Command{Kind: CmdResolve}
	closeCmd := Command{Kind: CmdClose}

	// T0 P3 intranat, received at the very start of the quarter (Thu
	// 00:00): counting starts at 08:00; started 08:30 → 30 min, met.
	t0 := stFile(t, s, "acme", "intranat", 3, at(2026, 10, 1, 0, 0))
	stDo(t, s, t0, at(2026, 10, 1, 8, 30), start)
	// T1 P1 ekonomi, Mon 09:00, deadline 11:00; started 09:30 → 30, met;
	// 45 min logged, resolved 10:00, approved 11:00 → resolution 120.
	t1 := stFile(t, s, "acme", "ekonomi", 1, at(2026, 10, 5, 9, 0))
	stDo(t, s, t1, at(2026, 10, 5, 9, 30), start)
	stDo(t, s, t1, at(2026, 10, 5, 10, 0), Command{Kind: CmdTime, Work: 45 * time.Minute}, resolve)
	stCustomer(t, s, t1, at(2026, 10, 5, 11, 0), true, OutcomeApproved)
	// T2 P1 ekonomi, Tue 09:00, deadline 11:00; started exactly at 11:00
	// → 120, met (not later than the deadline); closed Wed 09:00 →
	// resolution 8 h + 1 h = 540 (24 h on the clock).
	t2 := stFile(t, s, "acme", "ekonomi", 1, at(2026, 10, 6, 9, 0))
	stDo(t, s, t2, at(2026, 10, 6, 11, 0), start)
	stDo(t, s, t2, at(2026, 10, 7, 9, 0), closeCmd)
	// T3 P1 intranat, Wed 16:00, deadline Thu 09:00; started Thu 08:50 →
	// 60 + 50 = 110 business minutes (16 h 50 m on the clock), met.
	t3 := stFile(t, s, "acme", "intranat", 1, at(2026, 10, 7, 16, 0))
	stDo(t, s, t3, at(2026, 10, 8, 8, 50), start)
	// T4 P2 without an application, Mon 10:00, deadline 14:00; started
	// late at 15:00 → 300, breached; 5 h logged and the call made.
	t4 := stFile(t, s, "acme", "", 2, at(2026, 11, 2, 10, 0))
	stDo(t, s, t4, at(2026, 11, 2, 15, 0), start)
	stDo(t, s, t4, at(2026, 11, 2, 16, 0), Command{Kind: CmdTime, Work: 5 * time.Hour}, Command{Kind: CmdCalled})
	// T5 P2 ekonomi, Tue 08:00; started 08:20 → 20, met; a visit booked;
	// closed Wed 10:00, reopened by the customer Thu 09:00, closed again
	// Thu 10:00 → resolution 9 h + 9 h + 2 h = 1200.
	t5 := stFile(t, s, "acme", "ekonomi", 2, at(2026, 11, 3, 8, 0))
	stDo(t, s, t5, at(2026, 11, 3, 8, 20), start)
	stDo(t, s, t5, at(2026, 11, 3, 8, 30), Command{Kind: CmdOnsite, Onsite: at(2026, 11, 4, 9, 0)})
	stDo(t, s, t5, at(2026, 11, 4, 10, 0), closeCmd)
	stCustomer(t, s, t5, at(2026, 11, 5, 9, 0), false, OutcomeReopened)
	stDo(t, s, t5, at(2026, 11, 5, 10, 0), closeCmd)
	// T6 P3 ekonomi, Mon 10:00, deadline Tue 09:00; started 11:00 → 60,
	// met; a visit; resolved, rejected, resolved again: awaiting approval.
	t6 := stFile(t, s, "acme", "ekonomi", 3, at(2026, 11, 30, 10, 0))
	stDo(t, s, t6, at(2026, 11, 30, 11, 0), start)
	stDo(t, s, t6, at(2026, 11, 30, 11, 30), Command{Kind: CmdOnsite, Onsite: at(2026, 12, 2, 9, 0)})
	stDo(t, s, t6, at(2026, 12, 1, 10, 0), resolve)
	stCustomer(t, s, t6, at(2026, 12, 1, 11, 0), false, OutcomeReopened)
	stDo(t, s, t6, at(2026, 12, 1, 15, 0), resolve)
	// T7 P3 ekonomi, Mon 09:00, deadline 17:00, never started: breached.
	t7 := stFile(t, s, "acme", "ekonomi", 3, at(2026, 12, 7, 9, 0))
	// T8 P3 intranat, Wed 30 Dec 12:00 (an eve, open until 14:00; 31 Dec,
	// 1 Jan and the weekend closed): deadline Mon 4 Jan 14:00, not yet
	// passed at now: neither met nor breached.
	t8 := stFile(t, s, "acme", "intranat", 3, at(2026, 12, 30, 12, 0))
	if d := lcGet(t, s, t8).Ticket.Deadline; !d.Equal(at(2027, 1, 4, 14, 0)) {
		t.Fatalf("T8 deadline = %v, want 2027-01-04 14:00", d)
	}

	// Not in acme's quarter: another customer's ticket, one just before
	// the quarter and one at its exclusive end. Each would change every
	// figure if counted.
	other := stFile(t, s, "globex", "ekonomi", 1, at(2026, 10, 5, 9, 0))
	stDo(t, s, other, at(2026, 10, 5, 9, 10), Command{Kind: CmdTime, Work: time.Hour}, Command{Kind: CmdCalled},
		Command{Kind: CmdOnsite, Onsite: at(2026, 10, 6, 9, 0)})
	before := stFile(t, s, "acme", "ekonomi", 1, at(2026, 9, 30, 23, 59))
	stDo(t, s, before, at(2026, 10, 1, 9, 0), Command{Kind: CmdTime, Work: time.Hour}, Command{Kind: CmdCalled})
	stFile(t, s, "acme", "ekonomi", 3, at(2027, 1, 1, 0, 0))

	from, to, now := at(2026, 10, 1, 0, 0), at(2027, 1, 1, 0, 0), at(2027, 1, 4, 7, 0)
	st, err := s.Stats(ctx, "acme", from, to, now)
	if err != nil {
		t.Fatal(err)
	}
	if st.Customer != "acme" || !st.From.Equal(from) || !st.To.Equal(to) || !st.Now.Equal(now) {
		t.Errorf("period = %s %v %v %v", st.Customer, st.From, st.To, st.Now)
	}
	if st.Tickets != 9 || st.Met != 6 || st.Breached != 2 {
		t.Errorf("tickets/met/breached = %d/%d/%d, want 9/6/2", st.Tickets, st.Met, st.Breached)
	}
	if p := st.SLAMetPercent(); p == nil || *p != 75.0 {
		t.Errorf("SLAMetPercent = %v, want 75.0", p)
	}
	type prio struct {
		tickets, met, breached int
		median, p90, worst     string
	}
	wantPrio := map[int]prio{
		1: {3, 3, 0, "110", "120", "120"},
		2: {2, 1, 1, "20", "300", "300"},
		3: {4, 2, 1, "30", "60", "60"},
	}
	for p, w := range wantPrio {
		ps := st.ByPriority[p]
		if ps == nil {
			t.Errorf("priority %d missing", p)
			continue
		}
		got := prio{ps.Tickets, ps.Met, ps.Breached, stInt(ps.MedianResponse), stInt(ps.P90Response), stInt(ps.WorstResponse)}
		if got != w {
			t.Errorf("priority %d = %+v, want %+v", p, got, w)
		}
	}
	if len(st.ByPriority) != 3 {
		t.Errorf("ByPriority has %d entries, want 3", len(st.ByPriority))
	}
	if want := map[string]int{"ekonomi": 5, "intranat": 3, "unknown": 1}; !maps.Equal(st.ByApplication, want) {
		t.Errorf("ByApplication = %v, want %v", st.ByApplication, want)
	}
	wantBreaches := []Breach{
		{ID: t4, Priority: 2, Deadline: at(2026, 11, 2, 14, 0), Started: at(2026, 11, 2, 15, 0)},
		{ID: t7, Priority: 3, Deadline: at(2026, 12, 7, 17, 0)},
	}
	if len(st.Breaches) != len(wantBreaches) {
		t.Errorf("Breaches = %+v, want %+v", st.Breaches, wantBreaches)
	} else {
		for i, w := range wantBreaches {
			g := st.Breaches[i]
			if g.ID != w.ID || g.Priority != w.Priority || !g.Deadline.Equal(w.Deadline) || !g.Started.Equal(w.Started) {
				t.Errorf("Breaches[%d] = %+v, want %+v", i, g, w)
			}
		}
	}
	if got := stInt(st.ResolutionMedian); got != "540" {
		t.Errorf("ResolutionMedian = %s, want 540 (of 120, 540, 1200)", got)
	}
	if st.WorkMinutes != 345 || st.OnsiteVisits != 2 || st.FourHourCalls != 1 || st.Reopened != 2 || st.AwaitingApproval != 1 {
		t.Errorf("work %d onsite %d calls %d reopened %d awaiting %d; want 345 2 1 2 1",
			st.WorkMinutes, st.OnsiteVisits, st.FourHourCalls, st.Reopened, st.AwaitingApproval)
	}

	// At its deadline T8 is not yet breached; once the deadline has
	// passed it is.
	at14, err := s.Stats(ctx, "acme", from, to, at(2027, 1, 4, 14, 0))
	if err != nil {
		t.Fatal(err)
	}
	if at14.Met != 6 || at14.Breached != 2 {
		t.Errorf("at T8's deadline: met %d breached %d, want 6 2", at14.Met, at14.Breached)
	}
	later, err := s.Stats(ctx, "acme", from, to, at(2027, 1, 4, 14, 1))
	if err != nil {
		t.Fatal(err)
	}
	if later.Met != 6 || later.Breached != 3 || later.ByPriority[3].Breached != 2 || len(later.Breaches) != 3 || later.Breaches[2].ID != t8 {
		t.Errorf("after T8's deadline: met %d breached %d, breaches %+v; want 6, 3, T8 last", later.Met, later.Breached, later.Breaches)
	}
	if p := later.SLAMetPercent(); p == nil || *p != 66.7 {
		t.Errorf("SLAMetPercent 6 of 9 = %v, want 66.7", p)
	}

	// The other customer: one ticket, breached, never started.
	g, err := s.Stats(ctx, "globex", from, to, now)
	if err != nil {
		t.Fatal(err)
	}
	if g.Tickets != 1 || g.Breached != 1 || g.Met != 0 || g.ByPriority[1].MedianResponse != nil || g.ResolutionMedian != nil ||
		g.WorkMinutes != 60 || g.FourHourCalls != 1 || g.OnsiteVisits != 1 {
		t.Errorf("globex = %+v", g)
	}
	if p := g.SLAMetPercent(); p == nil || *p != 0 {
		t.Errorf("globex SLAMetPercent = %v, want 0.0 (not null: one breach)", p)
	}

	// A customer without tickets: nothing to divide.
	e, err := s.Stats(ctx, "initech", from, to, now)
	if err != nil {
		t.Fatal(err)
	}
	if e.Tickets != 0 || e.SLAMetPercent() != nil || e.ResolutionMedian != nil || e.ByPriority[3] == nil || e.ByPriority[3].WorstResponse != nil {
		t.Errorf("empty customer = %+v, percent %v; want zero figures and null percent", e, e.SLAMetPercent())
	}
}

// SPEC §9: 100 × met ÷ (met + breached), one decimal, null when both are 0.
func TestSLAMetPercent(t *testing.T) {
	t.Parallel()
	tests := []struct {
		met, breached int
		want          float64 // NaN: nil
	}{
		{0, 0, math.NaN()},
		{3, 0, 100},
		{0, 2, 0},
		{2, 1, 66.7},
		{1, 2, 33.3},
		{5, 2, 71.4},
		{11, 1, 91.7},
		{1, 7, 12.5},
		{999, 1, 99.9},
		{1999, 1, 100}, // 99.95 rounds up
	}
	for _, tc := range tests {
		got := Stats{Met: tc.met, Breached: tc.breached}.SLAMetPercent()
		switch {
		case math.IsNaN(tc.want) && got != nil:
			t.Errorf("%d met, %d breached: %v, want nil", tc.met, tc.breached, *got)
		case !math.IsNaN(tc.want) && (got == nil || *got != tc.want):
			t.Errorf("%d met, %d breached: %v, want %v", tc.met, tc.breached, got, tc.want)
		}
	}
}

// NotStarted reports the fraction of each new ticket's window used, in
// business time on its own calendar.
func TestNotStarted(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	mon10 := stockholm(t, 2026, 11, 30, 10, 0)
	p3 := stFile(t, s, "acme", "ekonomi", 3, mon10)                              // 6 of 8 h at 16:00
	p1 := stFile(t, s, "acme", "ekonomi", 1, stockholm(t, 2026, 11, 30, 15, 30)) // 30 of 120 min
	fri := stFile(t, s, "acme", "ekonomi", 3, stockholm(t, 2026, 11, 27, 16, 0)) // Fri 1 h + Mon 8 h = 9 of 8 h
	started := stFile(t, s, "acme", "ekonomi", 3, mon10)
	stDo(t, s, started, mon10.Add(time.Hour), Command{Kind: CmdStart})
	closed := stFile(t, s, "acme", "ekonomi", 3, mon10)
	stDo(t, s, closed, mon10.Add(time.Hour), Command{Kind: CmdClose})

	list, err := s.NotStarted(context.Background(), stockholm(t, 2026, 11, 30, 16, 0))
	if err != nil {
		t.Fatal(err)
	}
	want := map[ID]float64{p3: 0.75, p1: 0.25, fri: 9.0 / 8}
	got := map[ID]float64{}
	for _, p := range list {
		got[p.Ticket.ID] = p.Used
		if p.Ticket.Status != StatusNew {
			t.Errorf("%s is %s", p.Ticket.ID, p.Ticket.Status)
		}
	}
	if len(got) != len(want) {
		t.Errorf("NotStarted = %v, want %v", got, want)
	}
	for id, w := range want {
		if g, ok := got[id]; !ok || math.Abs(g-w) > 1e-9 {
			t.Errorf("%s Used = %v (listed %v), want %v", id, g, ok, w)
		}
	}

	// At the next opening nothing more is used than at closing time.
	a, err := s.NotStarted(context.Background(), stockholm(t, 2026, 11, 30, 17, 0))
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.NotStarted(context.Background(), stockholm(t, 2026, 12, 1, 8, 0))
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != 3 || len(b) != 3 || a[0].Used != b[0].Used || a[0].Used != 7.0/8 {
		t.Errorf("overnight: %v → %v, want 0.875 both", a, b)
	}
}

// The four-hour rule: logged work or business time since start reaches
// the threshold and no call is recorded.
func TestFourHourDue(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	cal := testPolicy(t).Calendar
	mon := func(hh, mm int) time.Time { return stockholm(t, 2026, 11, 30, hh, mm) }
	start := Command{Kind: CmdStart}
	// ticket files a ticket received at received and applies each list of
	// commands a minute after the one before.
	ticket := func(received time.Time, cmds ...[]Command) ID {
		id := stFile(t, s, "acme", "ekonomi", 3, received)
		for i, c := range cmds {
			stDo(t, s, id, received.Add(time.Duration(i)*time.Minute), c...)
		}
		return id
	}
	a := ticket(mon(8, 0), []Command{start})                                                       // 4 h since start at 12:00
	b := ticket(mon(9, 0), []Command{start}, []Command{{Kind: CmdTime, Work: 4 * time.Hour}})      // 4 h logged
	c := ticket(mon(11, 0), []Command{start}, []Command{{Kind: CmdTime, Work: 239 * time.Minute}}) // 3 h 59 m logged
	ticket(mon(8, 0), []Command{start}, []Command{{Kind: CmdCalled}})                              // called
	ticket(mon(8, 0), []Command{start}, []Command{{Kind: CmdTime, Work: 5 * time.Hour}, {Kind: CmdCalled}})
	ticket(mon(8, 0))                                                 // not started
	ticket(mon(8, 0), []Command{start}, []Command{{Kind: CmdClose}})  // closed
	g := ticket(stockholm(t, 2026, 11, 27, 16, 30), []Command{start}) // Fri 30 min, then Monday
	// Resolved a minute after the start: the clock stopped there, since a
	// ticket waiting for the customer's approval is not being worked on.
	ticket(mon(8, 0), []Command{start}, []Command{{Kind: CmdResolve}})

	tests := []struct {
		now  time.Time
		want []ID
	}{
		{mon(11, 0), []ID{b}},                               // g: 30 min + 3 h; 66 h 30 m on the clock
		{mon(11, 30), []ID{b, g}},                           // g: 30 min + 3 h 30 m
		{mon(12, 0), []ID{a, b, g}},                         // a: exactly 4 h
		{stockholm(t, 2026, 12, 1, 8, 0), []ID{a, b, c, g}}, // c: 11:00–17:00 is 6 h
	}
	for _, tc := range tests {
		list, err := s.FourHourDue(context.Background(), tc.now, cal, 4*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		var got []ID
		for _, tk := range list {
			got = append(got, tk.ID)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("FourHourDue at %v = %v, want %v", tc.now, got, tc.want)
		}
	}
}

// Notice sends once per subject and kind, also when asked again.
func TestNoticeOnce(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	ctx := context.Background()
	now := stockholm(t, 2026, 11, 30, 16, 0)
	id := fileOne(t, s, "n@acme.se", stockholm(t, 2026, 11, 30, 10, 0)).Ticket.ID
	calls := 0
	compose := func(subject string) func() ([]Outgoing, error) {
		return func() ([]Outgoing, error) {
			calls++
			mid := fmt.Sprintf("notice-%d@sos.example", lcSeq.Add(1))
			return []Outgoing{{Kind: "warning", MessageID: mid, From: "support@sos.example", To: []string{"jour@sos.example"},
				Subject: subject, Raw: []byte("Message-ID: <" + mid + ">\r\n\r\nx\r\n")}}, nil
		}
	}
	outbox := count(t, s, `SELECT COUNT(*) FROM outbox`)

	sent, err := s.Notice(ctx, id.String(), "warning", id, now, compose("warn"))
	if err != nil || !sent {
		t.Fatalf("first Notice = %v, %v; want sent", sent, err)
	}
	if n := count(t, s, `SELECT COUNT(*) FROM outbox`); n != outbox+1 {
		t.Errorf("outbox %d → %d, want +1", outbox, n)
	}
	if d := lcGet(t, s, id); rpLast(d) != "notice_warning" {
		t.Errorf("last event = %s, want notice_warning", rpLast(d))
	}

	sent, err = s.Notice(ctx, id.String(), "warning", id, now.Add(time.Minute), compose("warn again"))
	if err != nil || sent {
		t.Errorf("second Notice = %v, %v; want not sent", sent, err)
	}
	if n := count(t, s, `SELECT COUNT(*) FROM outbox`); n != outbox+1 {
		t.Errorf("second notice wrote outbox rows: %d → %d", outbox+1, n)
	}
	if calls != 1 {
		t.Errorf("compose called %d times, want 1", calls)
	}

	// Another kind for the same ticket, and a notice about no ticket.
	if sent, err := s.Notice(ctx, id.String(), "breach", id, now, compose("breach")); err != nil || !sent {
		t.Errorf("breach notice = %v, %v; want sent", sent, err)
	}
	if sent, err := s.Notice(ctx, "acme/2026Q4", "report", 0, now, compose("report")); err != nil || !sent {
		t.Errorf("report notice = %v, %v; want sent", sent, err)
	}
	if n := count(t, s, `SELECT COUNT(*) FROM outbox`); n != outbox+3 {
		t.Errorf("outbox %d → %d, want +3", outbox, n)
	}

	// A failing compose records nothing, so the notice can go out later.
	boom := errors.New("no template")
	if _, err := s.Notice(ctx, id.String(), "four_hour", id, now, func() ([]Outgoing, error) { return nil, boom }); !errors.Is(err, boom) {
		t.Errorf("Notice with a failing compose = %v", err)
	}
	if sent, err := s.Notice(ctx, id.String(), "four_hour", id, now, compose("four")); err != nil || !sent {
		t.Errorf("four_hour notice after a failure = %v, %v; want sent", sent, err)
	}
}
