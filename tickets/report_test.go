package tickets

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"image/png"
	"io"
	"log/slog"
	"maps"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-message"
	gomail "github.com/emersion/go-message/mail"

	"sosd/mail"
	"sosd/sla"
	"sosd/templates"
)

// Tests of the quarterly status report (SPEC §8, §9; issue 7): quarters,
// the first open day, the figures of a quarter worked out by hand, the
// once-only job and the report mail.

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
// table above (rqQ4Tickets).
//
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

// rqIntake is an intake over s with three customers: acme (sv, two
// contacts and an account manager), nordlog (en, a contact and an
// account manager) and initech (sv, one contact, no account manager).
func rqIntake(t testing.TB, s *Store) *Intake {
	t.Helper()
	tmpl, err := templates.New()
	if err != nil {
		t.Fatal(err)
	}
	cal := testPolicy(t).Calendar
	dir := &mail.Directory{Support: "support@sos.example", Consultants: []string{"anna@sos.example", "johan@sos.example"},
		Customers: []mail.Customer{
			{ID: "acme", Name: "ACME AB", Language: "sv", Domains: []string{"acme.se"}, Applications: []mail.Application{
				{ID: "ekonomi", Name: "Ekonomisystemet"}, {ID: "intranat", Name: "Intranätet"}, {ID: "crm", Name: "Kundregistret"}}},
			{ID: "nordlog", Name: "Nordic Logistics Ltd", Language: "en", Domains: []string{"nordlog.example"},
				Applications: []mail.Application{{ID: "wms", Name: "Warehouse system"}}},
			{ID: "initech", Name: "Initech AB", Language: "sv", Domains: []string{"initech.se"}},
		}}
	cfg := &IntakeConfig{Directory: dir, Templates: tmpl, Priorities: sla.DefaultPriorities(),
		Hours: templates.Hours{Days: []time.Weekday{1, 2, 3, 4, 5}, Open: "08:00", Close: "17:00", EveOpen: "08:30", EveClose: "14:00", Holidays: true},
		Phone: "+46 8 000 00 00", Consultants: dir.Consultants, Notify: []string{"jour@sos.example"},
		LoopLimit: 20, ReopenWithin: DefaultReopenWithin, Location: cal.Location(),
		ConsultantNames: map[string]string{"anna@sos.example": "Anna Berg", "johan@sos.example": "Johan Lind"},
		Jobs: JobsConfig{WarnAt: 0.75, FourHourRule: 4 * time.Hour, Calendar: cal, Customers: map[string]CustomerInfo{
			"acme": {Contacts: []Contact{{Name: "Eva Ek", Email: "eva@acme.se", Phone: "+46 70 000 00 00"}, {Name: "Olle Ek", Email: "olle@acme.se"}},
				AccountManager: "anna@sos.example"},
			"nordlog": {Contacts: []Contact{{Name: "Sam Hill", Email: "sam.hill@nordlog.example"}}, AccountManager: "johan@sos.example"},
			"initech": {Contacts: []Contact{{Name: "Bill Lumbergh", Email: "bill@initech.se"}}},
		}}}
	return NewIntake(s, cfg, slog.New(slog.DiscardHandler))
}

// rqReports returns the recipient of every report row in the outbox,
// sorted, with each row's raw mail by recipient.
func rqReports(t testing.TB, s *Store) ([]string, map[string][]byte) {
	t.Helper()
	due, err := s.Due(context.Background(), rqAt(2100, 1, 1, 0, 0), 1000)
	if err != nil {
		t.Fatal(err)
	}
	var to []string
	raw := map[string][]byte{}
	for _, it := range due {
		if it.Kind != "report" {
			continue
		}
		if len(it.To) != 1 || it.Ticket != 0 {
			t.Errorf("report row %d: to %v, ticket %d; want one recipient, no ticket", it.ID, it.To, it.Ticket)
		}
		to = append(to, it.To...)
		raw[it.To[0]] = it.Raw
	}
	slices.Sort(to)
	return to, raw
}

// rqAllRecipients are the report rows of one run for the three customers
// of rqIntake.
var rqAllRecipients = []string{"anna@sos.example", "bill@initech.se", "eva@acme.se", "johan@sos.example", "olle@acme.se", "sam.hill@nordlog.example"}

// The job sends each customer's report of the quarter before, once, on
// the first open day of the quarter, also across restarts.
func TestQuarterlyReportsOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "sosd.db")
	s, err := Open(ctx, path, testPolicy(t))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { s.Close() }()
	stFile(t, s, "acme", "ekonomi", 3, rqAt(2026, 11, 30, 10, 0))
	in := rqIntake(t, s)

	// 2027Q1's first open day is Mon 4 Jan: nothing on the holiday, the
	// weekend, or the last second before it.
	for _, now := range []time.Time{rqAt(2027, 1, 1, 7, 0), rqAt(2027, 1, 3, 7, 0), rqAt(2027, 1, 4, 0, 0).Add(-time.Second)} {
		n, err := in.QuarterlyReports(ctx, now)
		if err != nil || n != 0 {
			t.Errorf("at %v: %d reports, %v; want none before the first open day", now, n, err)
		}
	}
	if to, _ := rqReports(t, s); len(to) != 0 {
		t.Fatalf("queued before the first open day: %v", to)
	}

	// On it: one report per customer, the one without tickets too, to
	// every contact and the account manager.
	n, err := in.QuarterlyReports(ctx, rqAt(2027, 1, 4, 7, 0))
	if err != nil || n != 3 {
		t.Fatalf("on the first open day: %d reports, %v; want 3", n, err)
	}
	to, raw := rqReports(t, s)
	if !slices.Equal(to, rqAllRecipients) {
		t.Errorf("report rows to %v, want %v", to, rqAllRecipients)
	}
	for addr, wantSubject := range map[string]string{
		"eva@acme.se": "ACME AB", "anna@sos.example": "ACME AB", "sam.hill@nordlog.example": "Nordic Logistics Ltd", "bill@initech.se": "Initech AB",
	} {
		if subj := rqSubject(t, raw[addr]); !strings.Contains(subj, wantSubject) || !strings.Contains(subj, "2026") {
			t.Errorf("report to %s: subject %q, want %s's 2026Q4", addr, subj, wantSubject)
		}
	}
	if n := count(t, s, `SELECT COUNT(*) FROM notices WHERE kind = 'report'`); n != 3 {
		t.Errorf("%d report notices, want 3", n)
	}
	if n := count(t, s, `SELECT COUNT(*) FROM notices WHERE kind = 'report' AND subject IN ('acme/2026Q4', 'nordlog/2026Q4', 'initech/2026Q4')`); n != 3 {
		t.Errorf("notices are not per customer and quarter: %d of 3", n)
	}

	// Again the same day and the next: nothing new.
	for _, now := range []time.Time{rqAt(2027, 1, 4, 7, 0), rqAt(2027, 1, 5, 7, 0)} {
		if n, err := in.QuarterlyReports(ctx, now); err != nil || n != 0 {
			t.Errorf("run again at %v: %d reports, %v; want none", now, n, err)
		}
	}
	// After a restart: nothing new either.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(ctx, path, testPolicy(t))
	if err != nil {
		t.Fatal(err)
	}
	in = rqIntake(t, s)
	if n, err := in.QuarterlyReports(ctx, rqAt(2027, 1, 6, 7, 0)); err != nil || n != 0 {
		t.Errorf("after a restart: %d reports, %v; want none", n, err)
	}
	if to, _ := rqReports(t, s); !slices.Equal(to, rqAllRecipients) {
		t.Errorf("after more runs and a restart the report rows are %v, want still %v", to, rqAllRecipients)
	}
}

// A missed report still goes out for 14 days into the quarter; later it
// would surprise more than help.
func TestQuarterlyReportsCatchUp(t *testing.T) {
	t.Parallel()
	day := 24 * time.Hour
	jan4 := rqAt(2027, 1, 4, 0, 0)
	// 2026Q2's first open day, Wed 1 Apr 2026, begins at 22:00 UTC on
	// 31 March: a minute before, it is still Q1 locally, long past
	// 2026Q1's own first open day (Fri 2 Jan).
	apr1 := time.Date(2026, 3, 31, 22, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		now     time.Time
		quarter string // the reports' quarter; "" for none
	}{
		{"on the first open day at 00:00", jan4, "2026Q4"},
		{"13 days after", jan4.Add(13 * day), "2026Q4"},
		{"14 days after", jan4.Add(14 * day), "2026Q4"},
		{"14 days and a second after", jan4.Add(14*day + time.Second), ""},
		{"15 days after", jan4.Add(15 * day), ""},
		{"a minute before 1 Apr locally", apr1.Add(-time.Minute), ""},
		{"1 Apr 00:00 CEST", apr1, "2026Q1"},
		{"1 Apr 01:30 CEST", apr1.Add(90 * time.Minute), "2026Q1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := openTestStore(t)
			in := rqIntake(t, s)
			n, err := in.QuarterlyReports(context.Background(), tc.now)
			want := 0
			if tc.quarter != "" {
				want = 3
			}
			if err != nil || n != want {
				t.Fatalf("%d reports, %v; want %d", n, err, want)
			}
			to, _ := rqReports(t, s)
			if want == 0 && len(to) != 0 || want > 0 && !slices.Equal(to, rqAllRecipients) {
				t.Errorf("report rows to %v", to)
			}
			if want > 0 {
				if n := count(t, s, `SELECT COUNT(*) FROM notices WHERE kind = 'report' AND subject = ?`, "acme/"+tc.quarter); n != 1 {
					t.Errorf("no report notice for acme/%s", tc.quarter)
				}
			}
		})
	}
}

// rqPart is one MIME entity of a parsed mail, its body decoded.
type rqPart struct {
	ct     string
	params map[string]string
	header message.Header
	body   []byte
	kids   []*rqPart
}

// rqParse parses raw with go-message into its tree of parts.
func rqParse(t testing.TB, raw []byte) *rqPart {
	t.Helper()
	e, err := message.Read(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("parse mail: %v", err)
	}
	return rqEntity(t, e)
}

func rqEntity(t testing.TB, e *message.Entity) *rqPart {
	t.Helper()
	ct, params, err := e.Header.ContentType()
	if err != nil {
		t.Fatalf("Content-Type: %v", err)
	}
	p := &rqPart{ct: ct, params: params, header: e.Header}
	if mr := e.MultipartReader(); mr != nil {
		for {
			part, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", ct, err)
			}
			p.kids = append(p.kids, rqEntity(t, part))
		}
		return p
	}
	if p.body, err = io.ReadAll(e.Body); err != nil {
		t.Fatalf("%s body: %v", ct, err)
	}
	return p
}

// shape writes the tree of content types, e.g. "multipart/alternative[text/plain,text/html]".
func (p *rqPart) shape() string {
	if len(p.kids) == 0 {
		return p.ct
	}
	var kids []string
	for _, k := range p.kids {
		kids = append(kids, k.shape())
	}
	return p.ct + "[" + strings.Join(kids, ",") + "]"
}

// find returns the parts of content type ct, depth first.
func (p *rqPart) find(ct string) []*rqPart {
	var out []*rqPart
	if p.ct == ct {
		out = append(out, p)
	}
	for _, k := range p.kids {
		out = append(out, k.find(ct)...)
	}
	return out
}

// rqSubject is a mail's decoded Subject.
func rqSubject(t testing.TB, raw []byte) string {
	t.Helper()
	p := rqParse(t, raw)
	h := gomail.Header{Header: p.header}
	s, err := h.Subject()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var rqCIDRef = regexp.MustCompile(`cid:([^"'\s>)]+)`)

// rqCheckMail checks a report mail's structure (SPEC §7, §8), that its
// HTML shows exactly its images, that they are 640×320 PNGs, and
// returns the parsed tree.
func rqCheckMail(t *testing.T, raw []byte, wantCSV bool) *rqPart {
	t.Helper()
	root := rqParse(t, raw)
	alt := "multipart/alternative[text/plain,multipart/related[text/html,image/png,image/png,image/png]]"
	want := alt
	if wantCSV {
		want = "multipart/mixed[" + alt + ",text/csv]"
	}
	if got := root.shape(); got != want {
		t.Fatalf("mail is %s, want %s", got, want)
	}
	h := gomail.Header{Header: root.header}
	if got := h.Get("Auto-Submitted"); got != "auto-generated" {
		t.Errorf("Auto-Submitted: %q, want auto-generated", got)
	}
	if rel := root.find("multipart/related")[0]; rel.params["type"] != "text/html" {
		t.Errorf("multipart/related type=%q, want text/html (RFC 2387)", rel.params["type"])
	}
	html := string(root.find("text/html")[0].body)
	var refs []string
	for _, m := range rqCIDRef.FindAllStringSubmatch(html, -1) {
		refs = append(refs, m[1])
	}
	var cids []string
	for _, img := range root.find("image/png") {
		cid := img.header.Get("Content-Id")
		if !strings.HasPrefix(cid, "<") || !strings.HasSuffix(cid, ">") {
			t.Errorf("image Content-ID %q is not in angle brackets", cid)
		}
		cids = append(cids, strings.Trim(cid, "<>"))
		if disp, _, _ := img.header.ContentDisposition(); disp != "inline" {
			t.Errorf("image %s: disposition %q, want inline", cid, disp)
		}
		pic, err := png.Decode(bytes.NewReader(img.body))
		if err != nil {
			t.Errorf("image %s: %v", cid, err)
			continue
		}
		if b := pic.Bounds(); b.Dx() != 640 || b.Dy() != 320 {
			t.Errorf("image %s is %d×%d, want 640×320", cid, b.Dx(), b.Dy())
		}
	}
	slices.Sort(refs)
	slices.Sort(cids)
	if len(refs) != 3 || !slices.Equal(refs, slices.Compact(slices.Clone(refs))) || !slices.Equal(refs, cids) {
		t.Errorf("HTML references cid %v, images are %v; want the same three", refs, cids)
	}
	if len(root.find("text/plain")[0].body) == 0 {
		t.Error("empty text part")
	}
	return root
}

// ComposeReport's mail: multipart/mixed → alternative → [text/plain,
// related [text/html, 3 × image/png]] + the quarter's tickets as CSV, in
// the customer's language.
func TestComposeReportMail(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	q4 := rqQ4Tickets()
	ids := rqBuild(t, s, append(slices.Clone(q4), rqOtherTickets()...))
	in := rqIntake(t, s)
	ctx := context.Background()

	mails, r, err := in.ComposeReport(ctx, "acme", Quarter{2026, 4}, rqNow)
	if err != nil {
		t.Fatal(err)
	}
	if r.Tickets != 32 || r.Met != 21 || r.Breached != 8 {
		t.Errorf("report %d/%d/%d, want the fixture's 32/21/8", r.Tickets, r.Met, r.Breached)
	}
	var to []string
	for _, m := range mails {
		to = append(to, m.To...)
		if m.Kind != "report" || m.From != "support@sos.example" || !strings.Contains(string(m.Raw), m.MessageID) {
			t.Errorf("mail %+v", m.Kind)
		}
	}
	if !slices.Equal(to, []string{"eva@acme.se", "olle@acme.se", "anna@sos.example"}) {
		t.Errorf("acme's report goes to %v, want the contacts, then the account manager", to)
	}
	if len(mails) == 0 {
		t.FailNow()
	}
	root := rqCheckMail(t, mails[0].Raw, true)
	if subj := rqSubject(t, mails[0].Raw); subj != mails[0].Subject || !strings.HasPrefix(subj, "Statusrapport för ACME AB") || !strings.Contains(subj, "fjärde kvartalet 2026") {
		t.Errorf("acme (sv) subject %q", subj)
	}
	text := string(root.find("text/plain")[0].body)
	if !strings.Contains(text, "ACME AB") || !strings.Contains(text, "Hej") {
		t.Errorf("acme's text is not the Swedish report:\n%s", text)
	}

	// The CSV: a header and one row per ticket of the quarter, with the
	// hand-computed figures of each.
	att := root.kids[1]
	if disp, dp, _ := att.header.ContentDisposition(); disp != "attachment" || dp["filename"] != "acme-2026Q4.csv" {
		t.Errorf("CSV part: %s %v", disp, dp)
	}
	rows, err := csv.NewReader(bytes.NewReader(att.body)).ReadAll()
	if err != nil {
		t.Fatalf("CSV: %v", err)
	}
	if len(rows) != 1+32 {
		t.Fatalf("CSV has %d rows, want a header and 32", len(rows))
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	byID := map[string]rqTicket{}
	for _, tk := range q4 {
		byID[ids[tk.name].String()] = tk
	}
	seen := map[string]bool{}
	for _, row := range rows[1:] {
		tk, ok := byID[row[col["id"]]]
		if !ok || seen[row[col["id"]]] {
			t.Errorf("CSV row %v: not one of acme's 2026Q4 tickets, or twice", row)
			continue
		}
		seen[row[col["id"]]] = true
		minutes := func(n int) string {
			if n < 0 {
				return ""
			}
			return strconv.Itoa(n)
		}
		if row[col["response_minutes"]] != minutes(tk.response) || row[col["resolution_minutes"]] != minutes(tk.resolution) ||
			row[col["breached"]] != strconv.FormatBool(tk.verdict == "breached") || row[col["priority"]] != strconv.Itoa(tk.prio) ||
			row[col["deadline"]] != tk.deadline.In(rqStockholm).Format(time.RFC3339) {
			t.Errorf("CSV row of %s: %v; by hand response %d resolution %d %s deadline %v", tk.name, row, tk.response, tk.resolution, tk.verdict, tk.deadline)
		}
	}

	// nordlog is an English customer: English subject and text; its one
	// Q4 ticket in the CSV.
	mails, _, err = in.ComposeReport(ctx, "nordlog", Quarter{2026, 4}, rqNow)
	if err != nil {
		t.Fatal(err)
	}
	if len(mails) != 2 || mails[0].To[0] != "sam.hill@nordlog.example" || mails[1].To[0] != "johan@sos.example" {
		t.Fatalf("nordlog's report mails: %v", mails)
	}
	root = rqCheckMail(t, mails[0].Raw, true)
	if subj := rqSubject(t, mails[0].Raw); !strings.HasPrefix(subj, "Status report for Nordic Logistics Ltd") || !strings.Contains(subj, "fourth quarter of 2026") {
		t.Errorf("nordlog (en) subject %q", subj)
	}
	if text := string(root.find("text/plain")[0].body); strings.Contains(text, "Hej") || strings.Contains(text, "kvartal") {
		t.Errorf("nordlog's text has Swedish in it:\n%s", text)
	}
	rows, err = csv.NewReader(bytes.NewReader(root.find("text/csv")[0].body)).ReadAll()
	if err != nil || len(rows) != 2 || rows[1][0] != ids["N2"].String() {
		t.Errorf("nordlog's CSV: %v, %v; want N2 alone", rows, err)
	}

	// initech had no tickets: still a report, with its charts, and no
	// CSV attachment.
	mails, r, err = in.ComposeReport(ctx, "initech", Quarter{2026, 4}, rqNow)
	if err != nil {
		t.Fatal(err)
	}
	if r.Tickets != 0 || len(mails) != 1 || mails[0].To[0] != "bill@initech.se" {
		t.Fatalf("initech: %d tickets, mails %v", r.Tickets, mails)
	}
	rqCheckMail(t, mails[0].Raw, false)
	if subj := rqSubject(t, mails[0].Raw); !strings.HasPrefix(subj, "Statusrapport för Initech AB") {
		t.Errorf("initech (sv) subject %q", subj)
	}

	// An unknown customer is an error that says so.
	if _, _, err := in.ComposeReport(ctx, "nobody", Quarter{2026, 4}, rqNow); err == nil || !strings.Contains(err.Error(), "nobody") || !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown customer: %v", err)
	}
}
