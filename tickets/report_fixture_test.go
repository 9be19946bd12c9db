package tickets

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// The fixture of the quarterly report's tests (SPEC §8, §9; issue 7):
// acme's 2026Q4 and the tickets around it, every deadline, response and
// resolution worked out by hand on the SPEC §2 calendar, and rqBuild,
// which files them through the Store's API.

// rqStockholm is the calendar's zone.
var rqStockholm = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		panic(err)
	}
	return loc
}()

// rqAt is a wall-clock instant in Stockholm.
func rqAt(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, rqStockholm)
}

// rqNow is when the fixture quarter is reported on: Monday 4 January 2027
// 07:00, when cron runs on the first open day of 2027Q1 (1 January is
// Nyårsdagen, 2–3 January a weekend).
var rqNow = rqAt(2027, 1, 4, 7, 0)

// rqStep is one mail about a ticket: a consultant's commands, or, when
// cmds is nil, the customer's reply, which must have outcome want.
type rqStep struct {
	at       time.Time
	cmds     []Command
	approves bool
	want     OutcomeKind
}

// rqCon is a consultant's mail with commands.
func rqCon(at time.Time, cmds ...Command) rqStep { return rqStep{at: at, cmds: cmds} }

// rqCust is a customer's reply.
func rqCust(at time.Time, approves bool, want OutcomeKind) rqStep {
	return rqStep{at: at, approves: approves, want: want}
}

// rqTicket is one ticket of the fixture with the figures worked out by
// hand on the SPEC §2 calendar (Mon–Fri 08:00–17:00, eves 08:30–14:00,
// Swedish holidays; windows 2 h, 4 h, 8 h).
type rqTicket struct {
	name     string
	customer string
	app      string // at filing; "" unknown
	prio     int
	received time.Time
	steps    []rqStep

	deadline   time.Time
	response   int    // business minutes received → started; -1: never started
	resolution int    // business minutes received → closed; -1: not closed
	verdict    string // at rqNow: "met", "breached" or "open" (neither)
}

// Commands used by the fixture.
var (
	rqStart   = Command{Kind: CmdStart}
	rqResolve = Command{Kind: CmdResolve}
	rqClose   = Command{Kind: CmdClose}
	rqCalled  = Command{Kind: CmdCalled}
)

func rqWork(d time.Duration) Command             { return Command{Kind: CmdTime, Work: d} }
func rqOnsite(at time.Time) Command              { return Command{Kind: CmdOnsite, Onsite: at} }
func rqApp(app string) Command                   { return Command{Kind: CmdApp, Application: app} }
func rqQ4(m time.Month, d, hh, mm int) time.Time { return rqAt(2026, m, d, hh, mm) }

// rqQ4Tickets is acme's 2026Q4: 32 tickets, A01–A32, worked out by hand.
//
// The quarter's calendar: Thu 1 Oct 2026 is a normal day; summer time
// ends Sun 25 Oct (a weekend, so no business hour moves); Fri 30 Oct is
// an eve (Sat 31 Oct Alla helgons dag); Wed 23 Dec is an eve, Thu 24
// (Julafton, a closed eve), Fri 25 and Sat 26 Dec are closed; Mon 28 and
// Tue 29 Dec are normal; Wed 30 Dec is an eve, Thu 31 Dec (Nyårsafton) and
// Fri 1 Jan 2027 closed; Mon 4 Jan 2027 is normal.
func rqQ4Tickets() []rqTicket {
	d := rqQ4
	return []rqTicket{
		// ---- Priority 1: 2 h ----
		// Thu 1 Oct 09:00 → deadline 11:00. Started 09:20: 20, met.
		// Resolved 10:00, approved 10:30: resolution 90.
		{name: "A01", app: "ekonomi", prio: 1, received: d(10, 1, 9, 0), steps: []rqStep{
			rqCon(d(10, 1, 9, 20), rqStart), rqCon(d(10, 1, 10, 0), rqResolve), rqCust(d(10, 1, 10, 30), true, OutcomeApproved)},
			deadline: d(10, 1, 11, 0), response: 20, resolution: 90, verdict: "met"},
		// Mon 5 Oct 16:30: 30 min Monday + 90 Tuesday → Tue 09:30.
		// Started Tue 08:10: 30 + 10 = 40, met. 1 h 30 m logged. Closed
		// Tue 12:00: 30 + 240 = 270.
		{name: "A02", app: "ekonomi", prio: 1, received: d(10, 5, 16, 30), steps: []rqStep{
			rqCon(d(10, 6, 8, 10), rqStart, rqWork(90*time.Minute)), rqCon(d(10, 6, 12, 0), rqClose)},
			deadline: d(10, 6, 9, 30), response: 40, resolution: 270, verdict: "met"},
		// Wed 14 Oct 10:00 → 12:00. Started late, 12:30: 150, breached.
		// Closed 15:00: 300.
		{name: "A03", app: "crm", prio: 1, received: d(10, 14, 10, 0), steps: []rqStep{
			rqCon(d(10, 14, 12, 30), rqStart), rqCon(d(10, 14, 15, 0), rqClose)},
			deadline: d(10, 14, 12, 0), response: 150, resolution: 300, verdict: "breached"},
		// Fri 30 Oct 13:00, an eve open until 14:00: 60 min Friday; Sat
		// 31 Oct holiday, Sunday; Mon 2 Nov 08:00 + 60 → 09:00 (CET).
		// Started Mon 08:30: 60 + 30 = 90, met.
		{name: "A04", app: "intranat", prio: 1, received: d(10, 30, 13, 0), steps: []rqStep{
			rqCon(d(11, 2, 8, 30), rqStart)},
			deadline: d(11, 2, 9, 0), response: 90, resolution: -1, verdict: "met"},
		// Mon 9 Nov 10:00, no application → 12:00. Never started:
		// breached.
		{name: "A05", app: "", prio: 1, received: d(11, 9, 10, 0),
			deadline: d(11, 9, 12, 0), response: -1, resolution: -1, verdict: "breached"},
		// Tue 24 Nov 07:00, before opening: counting starts 08:00 →
		// 10:00. Started at 08:00 sharp: 0, met. 5 h logged, the call
		// made. Resolved Wed 16:00, approved Thu 26 Nov 09:00: Tue 540 +
		// Wed 540 + Thu 60 = 1140.
		{name: "A06", app: "ekonomi", prio: 1, received: d(11, 24, 7, 0), steps: []rqStep{
			rqCon(d(11, 24, 8, 0), rqStart), rqCon(d(11, 24, 12, 0), rqWork(5*time.Hour), rqCalled),
			rqCon(d(11, 25, 16, 0), rqResolve), rqCust(d(11, 26, 9, 0), true, OutcomeApproved)},
			deadline: d(11, 24, 10, 0), response: 0, resolution: 1140, verdict: "met"},

		// ---- Priority 2: 4 h ----
		// Thu 1 Oct 14:00: 180 Thursday + 60 Friday → Fri 2 Oct 09:00.
		// Started Thu 15:00: 60, met. A visit booked. Closed Fri 16:00:
		// 180 + 480 = 660.
		{name: "A07", app: "ekonomi", prio: 2, received: d(10, 1, 14, 0), steps: []rqStep{
			rqCon(d(10, 1, 15, 0), rqStart), rqCon(d(10, 1, 15, 30), rqOnsite(d(10, 2, 10, 0))), rqCon(d(10, 2, 16, 0), rqClose)},
			deadline: d(10, 2, 9, 0), response: 60, resolution: 660, verdict: "met"},
		// Tue 20 Oct 09:00 → 13:00. Started at 13:00 exactly: 240, met
		// (not later than the deadline).
		{name: "A08", app: "intranat", prio: 2, received: d(10, 20, 9, 0), steps: []rqStep{
			rqCon(d(10, 20, 13, 0), rqStart)},
			deadline: d(10, 20, 13, 0), response: 240, resolution: -1, verdict: "met"},
		// Fri 23 Oct 15:00 (CEST): 120 Friday + 120 Monday → Mon 26 Oct
		// 10:00 (CET; the clocks went back on Sunday). Started Mon 11:00:
		// 120 + 180 = 300, breached (69 h on the clock).
		{name: "A09", app: "crm", prio: 2, received: d(10, 23, 15, 0), steps: []rqStep{
			rqCon(d(10, 26, 11, 0), rqStart)},
			deadline: d(10, 26, 10, 0), response: 300, resolution: -1, verdict: "breached"},
		// Wed 4 Nov 10:00 → 14:00. Started 10:45: 45, met. Resolved
		// 15:00, rejected by the customer Thu 09:00 (reopened once),
		// resolved 11:00, approved 13:00: Wed 420 + Thu 300 = 720.
		{name: "A10", app: "crm", prio: 2, received: d(11, 4, 10, 0), steps: []rqStep{
			rqCon(d(11, 4, 10, 45), rqStart), rqCon(d(11, 4, 15, 0), rqResolve),
			rqCust(d(11, 5, 9, 0), false, OutcomeReopened), rqCon(d(11, 5, 11, 0), rqResolve),
			rqCust(d(11, 5, 13, 0), true, OutcomeApproved)},
			deadline: d(11, 4, 14, 0), response: 45, resolution: 720, verdict: "met"},
		// Mon 16 Nov 08:30, no application → 12:30. Started 09:30: 60,
		// met. 4 h 30 m logged, the call made. Resolved Tue 10:00 and
		// not yet approved: awaiting approval.
		{name: "A11", app: "", prio: 2, received: d(11, 16, 8, 30), steps: []rqStep{
			rqCon(d(11, 16, 9, 30), rqStart), rqCon(d(11, 16, 16, 0), rqWork(270*time.Minute), rqCalled),
			rqCon(d(11, 17, 10, 0), rqResolve)},
			deadline: d(11, 16, 12, 30), response: 60, resolution: -1, verdict: "met"},
		// Wed 23 Dec 10:00, an eve: 10:00–14:00 is exactly 240, so the
		// deadline is the closing time, 14:00. Never started: breached.
		{name: "A12", app: "ekonomi", prio: 2, received: d(12, 23, 10, 0),
			deadline: d(12, 23, 14, 0), response: -1, resolution: -1, verdict: "breached"},
		// Wed 30 Dec 13:00, an eve: 60 Wednesday; 31 Dec, 1 Jan and the
		// weekend closed; Mon 4 Jan 2027 08:00 + 180 → 11:00. Not due at
		// rqNow: neither met nor breached.
		{name: "A13", app: "intranat", prio: 2, received: d(12, 30, 13, 0),
			deadline: rqAt(2027, 1, 4, 11, 0), response: -1, resolution: -1, verdict: "open"},

		// ---- Priority 3: 8 h ----
		// Thu 1 Oct 00:00, the quarter's first instant: counting starts
		// 08:00 → 16:00. Started 08:30: 30, met. Closed 12:00: 240.
		{name: "A14", app: "ekonomi", prio: 3, received: d(10, 1, 0, 0), steps: []rqStep{
			rqCon(d(10, 1, 8, 30), rqStart), rqCon(d(10, 1, 12, 0), rqClose)},
			deadline: d(10, 1, 16, 0), response: 30, resolution: 240, verdict: "met"},
		// Mon 5 Oct 10:00: 420 Monday + 60 → Tue 09:00. Started Mon
		// 14:00: 240, met.
		{name: "A15", app: "ekonomi", prio: 3, received: d(10, 5, 10, 0), steps: []rqStep{
			rqCon(d(10, 5, 14, 0), rqStart)},
			deadline: d(10, 6, 9, 0), response: 240, resolution: -1, verdict: "met"},
		// Fri 9 Oct 16:00: 60 + 420 → Mon 12 Oct 15:00. Started Mon
		// 09:00: 60 + 60 = 120, met.
		{name: "A16", app: "intranat", prio: 3, received: d(10, 9, 16, 0), steps: []rqStep{
			rqCon(d(10, 12, 9, 0), rqStart)},
			deadline: d(10, 12, 15, 0), response: 120, resolution: -1, verdict: "met"},
		// Thu 15 Oct 11:00: 360 + 120 → Fri 16 Oct 10:00. Started Fri
		// 12:00: 360 + 240 = 600, breached.
		{name: "A17", app: "crm", prio: 3, received: d(10, 15, 11, 0), steps: []rqStep{
			rqCon(d(10, 16, 12, 0), rqStart)},
			deadline: d(10, 16, 10, 0), response: 600, resolution: -1, verdict: "breached"},
		// Mon 19 Oct 08:00 → 16:00. Started 08:05: 5, met. Closed 09:00,
		// reopened by the customer Wed 21 Oct 10:00 (within 7 days),
		// closed again Wed 11:00: 540 + 540 + 180 = 1260.
		{name: "A18", app: "", prio: 3, received: d(10, 19, 8, 0), steps: []rqStep{
			rqCon(d(10, 19, 8, 5), rqStart), rqCon(d(10, 19, 9, 0), rqClose),
			rqCust(d(10, 21, 10, 0), false, OutcomeReopened), rqCon(d(10, 21, 11, 0), rqClose)},
			deadline: d(10, 19, 16, 0), response: 5, resolution: 1260, verdict: "met"},
		// Thu 22 Oct 13:00: 240 + 240 → Fri 23 Oct 12:00. Started Thu
		// 16:00: 180, met. Two visits booked, 2 h logged.
		{name: "A19", app: "ekonomi", prio: 3, received: d(10, 22, 13, 0), steps: []rqStep{
			rqCon(d(10, 22, 16, 0), rqStart, rqOnsite(d(10, 23, 9, 0)), rqOnsite(d(10, 26, 9, 0)), rqWork(2*time.Hour))},
			deadline: d(10, 23, 12, 0), response: 180, resolution: -1, verdict: "met"},
		// Tue 27 Oct 09:00 → 17:00, the closing time. Never started:
		// breached.
		{name: "A20", app: "intranat", prio: 3, received: d(10, 27, 9, 0),
			deadline: d(10, 27, 17, 0), response: -1, resolution: -1, verdict: "breached"},
		// Mon 2 Nov 12:00, filed without an application: 300 + 180 → Tue
		// 3 Nov 11:00. #app crm, started 12:15: 15, met; 45 min logged.
		{name: "A21", app: "", prio: 3, received: d(11, 2, 12, 0), steps: []rqStep{
			rqCon(d(11, 2, 12, 15), rqApp("crm"), rqStart, rqWork(45*time.Minute))},
			deadline: d(11, 3, 11, 0), response: 15, resolution: -1, verdict: "met"},
		// Tue 10 Nov 09:00 → 17:00. Started 10:00: 60, met. Resolved and
		// rejected twice (reopened 2), resolved a third time Thu 10:00:
		// awaiting approval.
		{name: "A22", app: "ekonomi", prio: 3, received: d(11, 10, 9, 0), steps: []rqStep{
			rqCon(d(11, 10, 10, 0), rqStart), rqCon(d(11, 10, 11, 0), rqResolve),
			rqCust(d(11, 11, 9, 0), false, OutcomeReopened), rqCon(d(11, 11, 14, 0), rqResolve),
			rqCust(d(11, 12, 9, 0), false, OutcomeReopened), rqCon(d(11, 12, 10, 0), rqResolve)},
			deadline: d(11, 10, 17, 0), response: 60, resolution: -1, verdict: "met"},
		// Wed 18 Nov 15:00: 120 + 360 → Thu 19 Nov 14:00. Started at
		// 14:00 exactly: 480, met.
		{name: "A23", app: "intranat", prio: 3, received: d(11, 18, 15, 0), steps: []rqStep{
			rqCon(d(11, 19, 14, 0), rqStart)},
			deadline: d(11, 19, 14, 0), response: 480, resolution: -1, verdict: "met"},
		// Fri 27 Nov 10:00: 420 + 60 → Mon 30 Nov 09:00. Started Fri
		// 11:00: 60, met; 1 h logged. Closed Mon 10:00: 420 + 120 = 540.
		{name: "A24", app: "ekonomi", prio: 3, received: d(11, 27, 10, 0), steps: []rqStep{
			rqCon(d(11, 27, 11, 0), rqStart, rqWork(time.Hour)), rqCon(d(11, 30, 10, 0), rqClose)},
			deadline: d(11, 30, 9, 0), response: 60, resolution: 540, verdict: "met"},
		// Tue 1 Dec 08:00 → 16:00. Started 09:00: 60, met. Resolved
		// 16:00, approved Wed 08:30: 540 + 30 = 570.
		{name: "A25", app: "crm", prio: 3, received: d(12, 1, 8, 0), steps: []rqStep{
			rqCon(d(12, 1, 9, 0), rqStart), rqCon(d(12, 1, 16, 0), rqResolve), rqCust(d(12, 2, 8, 30), true, OutcomeApproved)},
			deadline: d(12, 1, 16, 0), response: 60, resolution: 570, verdict: "met"},
		// Mon 7 Dec 13:00, no application: 240 + 240 → Tue 8 Dec 12:00.
		// Started Tue 13:00: 240 + 300 = 540, breached.
		{name: "A26", app: "", prio: 3, received: d(12, 7, 13, 0), steps: []rqStep{
			rqCon(d(12, 8, 13, 0), rqStart)},
			deadline: d(12, 8, 12, 0), response: 540, resolution: -1, verdict: "breached"},
		// Fri 11 Dec 09:00 → 17:00. Started 09:10: 10, met; a visit.
		{name: "A27", app: "ekonomi", prio: 3, received: d(12, 11, 9, 0), steps: []rqStep{
			rqCon(d(12, 11, 9, 10), rqStart, rqOnsite(d(12, 14, 9, 0)))},
			deadline: d(12, 11, 17, 0), response: 10, resolution: -1, verdict: "met"},
		// Tue 15 Dec 16:00: 60 + 420 → Wed 16 Dec 15:00. Never started:
		// breached.
		{name: "A28", app: "intranat", prio: 3, received: d(12, 15, 16, 0),
			deadline: d(12, 16, 15, 0), response: -1, resolution: -1, verdict: "breached"},
		// Mon 21 Dec 12:00: 300 + 180 → Tue 22 Dec 11:00 (a normal day:
		// 23 Dec is an eve, not a holiday). Started Tue 08:30: 300 + 30 =
		// 330, met.
		{name: "A29", app: "crm", prio: 3, received: d(12, 21, 12, 0), steps: []rqStep{
			rqCon(d(12, 22, 8, 30), rqStart)},
			deadline: d(12, 22, 11, 0), response: 330, resolution: -1, verdict: "met"},
		// Wed 23 Dec 13:00, an eve: 60; 24–27 Dec closed; Mon 28 Dec
		// 08:00 + 420 → 15:00. Started Mon 08:00: 60, met.
		{name: "A30", app: "ekonomi", prio: 3, received: d(12, 23, 13, 0), steps: []rqStep{
			rqCon(d(12, 28, 8, 0), rqStart)},
			deadline: d(12, 28, 15, 0), response: 60, resolution: -1, verdict: "met"},
		// Wed 30 Dec 12:00, an eve: 120; Mon 4 Jan 2027 08:00 + 360 →
		// 14:00. Not due at rqNow.
		{name: "A31", app: "intranat", prio: 3, received: d(12, 30, 12, 0),
			deadline: rqAt(2027, 1, 4, 14, 0), response: -1, resolution: -1, verdict: "open"},
		// Thu 31 Dec 23:59 CET (22:59 UTC), the quarter's last minute,
		// on a closed day: counting starts Mon 4 Jan 08:00 → 16:00. Not
		// due at rqNow.
		{name: "A32", app: "ekonomi", prio: 3, received: time.Date(2026, 12, 31, 22, 59, 0, 0, time.UTC),
			deadline: rqAt(2027, 1, 4, 16, 0), response: -1, resolution: -1, verdict: "open"},
	}
}

// rqOtherTickets are the fixture's tickets outside acme's 2026Q4: the
// earlier quarters of the trend, another customer, and the next quarter.
func rqOtherTickets() []rqTicket {
	return []rqTicket{
		// 2026Q1: B1 met, B2 breached → 1 of 2, 50.0 %.
		// Mon 12 Jan 09:00 → 17:00; started 10:00: 60.
		{name: "B1", app: "ekonomi", prio: 3, received: rqAt(2026, 1, 12, 9, 0), steps: []rqStep{
			rqCon(rqAt(2026, 1, 12, 10, 0), rqStart)},
			deadline: rqAt(2026, 1, 12, 17, 0), response: 60, resolution: -1, verdict: "met"},
		// Tue 3 Mar 10:00 → 12:00; never started.
		{name: "B2", app: "intranat", prio: 1, received: rqAt(2026, 3, 3, 10, 0),
			deadline: rqAt(2026, 3, 3, 12, 0), response: -1, resolution: -1, verdict: "breached"},
		// 2026Q2: B3, B4 met, B5 breached → 2 of 3, 66.7 %.
		// 31 Mar 23:30 UTC = Wed 1 Apr 01:30 CEST: in Q2. Counting from
		// 08:00 → 16:00; started 09:00: 60.
		{name: "B3", app: "crm", prio: 3, received: time.Date(2026, 3, 31, 23, 30, 0, 0, time.UTC), steps: []rqStep{
			rqCon(rqAt(2026, 4, 1, 9, 0), rqStart)},
			deadline: rqAt(2026, 4, 1, 16, 0), response: 60, resolution: -1, verdict: "met"},
		// Thu 2 Apr 09:00, Skärtorsdagen, an eve open 08:30–14:00: 240 →
		// 13:00; started 12:00: 180.
		{name: "B4", app: "ekonomi", prio: 2, received: rqAt(2026, 4, 2, 9, 0), steps: []rqStep{
			rqCon(rqAt(2026, 4, 2, 12, 0), rqStart)},
			deadline: rqAt(2026, 4, 2, 13, 0), response: 180, resolution: -1, verdict: "met"},
		// Mon 15 Jun 09:00 → 17:00; started Tue 08:01: 481, breached.
		{name: "B5", app: "intranat", prio: 3, received: rqAt(2026, 6, 15, 9, 0), steps: []rqStep{
			rqCon(rqAt(2026, 6, 16, 8, 1), rqStart)},
			deadline: rqAt(2026, 6, 15, 17, 0), response: 481, resolution: -1, verdict: "breached"},
		// 2026Q3: no acme ticket at all.
		// nordlog, Q3: Mon 7 Sep 10:00 → 14:00, never started.
		{name: "N1", customer: "nordlog", app: "wms", prio: 2, received: rqAt(2026, 9, 7, 10, 0),
			deadline: rqAt(2026, 9, 7, 14, 0), response: -1, resolution: -1, verdict: "breached"},
		// nordlog, Q4: Mon 5 Oct 09:00 → 11:00; started 09:10 with an
		// hour logged, the call made and a visit: none of it is acme's.
		{name: "N2", customer: "nordlog", app: "wms", prio: 1, received: rqAt(2026, 10, 5, 9, 0), steps: []rqStep{
			rqCon(rqAt(2026, 10, 5, 9, 10), rqStart, rqWork(time.Hour), rqCalled, rqOnsite(rqAt(2026, 10, 6, 9, 0)))},
			deadline: rqAt(2026, 10, 5, 11, 0), response: 10, resolution: -1, verdict: "met"},
		// 31 Dec 23:00 UTC = Fri 1 Jan 2027 00:00 CET: 2027Q1, not Q4.
		// Counting from Mon 4 Jan 08:00 → 16:00; not due at rqNow.
		{name: "X1", app: "ekonomi", prio: 3, received: time.Date(2026, 12, 31, 23, 0, 0, 0, time.UTC),
			deadline: rqAt(2027, 1, 4, 16, 0), response: -1, resolution: -1, verdict: "open"},
	}
}

// rqBuild files the tickets and plays their steps through the Store's
// API, and checks each deadline against the hand-computed one. It
// returns the ids by name.
func rqBuild(t testing.TB, s *Store, list []rqTicket) map[string]ID {
	t.Helper()
	ctx := context.Background()
	ids := map[string]ID{}
	for _, tk := range list {
		customer, lang, reporter := tk.customer, "sv", "eva@acme.se"
		if customer == "" {
			customer = "acme"
		}
		if customer == "nordlog" {
			lang, reporter = "en", "sam.hill@nordlog.example"
		}
		mid := fmt.Sprintf("rq-%d@%s.example", lcSeq.Add(1), customer)
		res, err := s.File(ctx, inbound(mid, reporter, tk.received),
			NewTicket{Customer: customer, Application: tk.app, Priority: tk.prio, Language: lang, Reporter: reporter,
				Subject: tk.name + " Servern svarar inte"}, nil)
		if err != nil {
			t.Fatalf("File %s: %v", tk.name, err)
		}
		id := res.Ticket.ID
		ids[tk.name] = id
		if !res.Ticket.Deadline.Equal(tk.deadline) {
			t.Errorf("%s deadline = %v, worked out by hand %v", tk.name, res.Ticket.Deadline.In(rqStockholm), tk.deadline.In(rqStockholm))
		}
		for _, st := range tk.steps {
			if st.cmds != nil {
				if res := lcApply(t, s, id, lcReply(st.at, false, st.cmds...), nil); res.Outcome != OutcomeApplied {
					t.Fatalf("%s: %v at %v: %s %v", tk.name, st.cmds, st.at, res.Outcome, res.Problems)
				}
				continue
			}
			if res := rpReply(t, s, id, CustomerReply{Mail: rpMail(st.at), Approves: st.approves}, nil); res.Outcome != st.want {
				t.Fatalf("%s: customer reply at %v: %s, want %s", tk.name, st.at, res.Outcome, st.want)
			}
		}
	}
	return ids
}
