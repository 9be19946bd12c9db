package tickets

import (
	"slices"
	"strings"
	"testing"
	"time"

	"sosd/sla"
)

// Issue 7: the escalation job (SPEC §8) warns of a ticket not started and
// notices its breach, once each, at business instants worked out by hand.
// The harness, newJobsIntake, is in intake_jobs_helpers_test.go.

// A priority-3 ticket (8 h) filed Monday 30 November 2026 10:00:
// Monday 10:00–17:00 gives 7 h, Tuesday 08:00–09:00 the eighth, so the
// deadline is Tuesday 09:00. warn_at 0.75 is 6 h: Monday 16:00.
func TestEscalateWarningThenBreach(t *testing.T) {
	t.Parallel()
	e := newJobsIntake(t)
	mon := func(h, m int) time.Time { return stockholm(t, 2026, 11, 30, h, m) }
	tue := func(h, m int) time.Time { return stockholm(t, 2026, 12, 1, h, m) }
	id := e.file(3, "eva@acme.se", mon(10, 0))
	if d, _ := e.s.Get(t.Context(), id); !d.Ticket.Deadline.Equal(tue(9, 0)) {
		t.Fatalf("deadline %s, want Tuesday 09:00", d.Ticket.Deadline)
	}

	for _, at := range []time.Time{mon(10, 0), mon(15, 0), mon(15, 59), mon(15, 59).Add(59 * time.Second)} {
		e.escalate(at, 0)
	}
	e.wantRows()
	e.escalate(mon(16, 0), 1)
	all := []string{"anna@sos.example", "johan@sos.example", "jour@sos.example"}
	var warned []string
	for _, to := range all {
		warned = append(warned, "warning "+id.String()+" "+to)
	}
	e.wantRows(warned...)
	e.wantNotices(id, "notice_warning@2026-11-30 16:00")

	// Between the warning and the deadline: nothing more, overnight
	// included.
	for _, at := range []time.Time{mon(16, 0), mon(16, 30), mon(16, 59), mon(23, 0), tue(7, 59), tue(8, 59), tue(9, 0).Add(-time.Second)} {
		e.escalate(at, 0)
	}
	e.wantRows(warned...)

	e.escalate(tue(9, 0), 1)
	breached := slices.Clone(warned)
	for _, to := range all {
		breached = append(breached, "breach "+id.String()+" "+to)
	}
	e.wantRows(breached...)
	for _, at := range []time.Time{tue(9, 0), tue(9, 1), tue(11, 0), stockholm(t, 2026, 12, 7, 9, 0)} {
		e.escalate(at, 0)
	}
	e.wantRows(breached...)
	e.wantNotices(id, "notice_warning@2026-11-30 16:00", "notice_breach@2026-12-01 09:00")
}

// Notices are rows: a new store and Intake on the same file at the same
// instant send nothing again.
func TestEscalateOnceAcrossRestart(t *testing.T) {
	t.Parallel()
	e := newJobsIntake(t)
	id := e.file(3, "eva@acme.se", stockholm(t, 2026, 11, 30, 10, 0))
	e.escalate(stockholm(t, 2026, 11, 30, 16, 0), 1)
	before := e.summary()
	e.restart()
	e.escalate(stockholm(t, 2026, 11, 30, 16, 0), 0)
	e.escalate(stockholm(t, 2026, 11, 30, 16, 30), 0)
	if got := e.summary(); !slices.Equal(got, before) {
		t.Errorf("after a restart the outbox is %q, was %q", got, before)
	}
	e.escalate(stockholm(t, 2026, 12, 1, 9, 0), 1)
	before = e.summary()
	e.restart()
	e.escalate(stockholm(t, 2026, 12, 1, 9, 0), 0)
	e.escalate(stockholm(t, 2026, 12, 1, 12, 0), 0)
	if got := e.summary(); !slices.Equal(got, before) || len(got) != 6 {
		t.Errorf("after a second restart the outbox is %q, was %q", got, before)
	}
	if n := count(t, e.s, `SELECT COUNT(*) FROM notices WHERE subject = ?`, id.String()); n != 2 {
		t.Errorf("%d notice rows, want 2", n)
	}
	e.wantNotices(id, "notice_warning@2026-11-30 16:00", "notice_breach@2026-12-01 09:00")
}

// A ticket started before its warning gets no notice; one started after
// its warning but before the deadline gets the warning only.
func TestEscalateStartedTickets(t *testing.T) {
	t.Parallel()
	e := newJobsIntake(t)
	inTime := e.file(3, "eva@acme.se", stockholm(t, 2026, 11, 30, 10, 0))
	late := e.file(3, "eva@acme.se", stockholm(t, 2026, 11, 30, 10, 0))
	e.apply(inTime, stockholm(t, 2026, 11, 30, 15, 0), Command{Kind: CmdStart})
	e.escalate(stockholm(t, 2026, 11, 30, 16, 0), 1) // late's warning only
	e.apply(late, stockholm(t, 2026, 11, 30, 16, 10), Command{Kind: CmdStart})
	for _, at := range []time.Time{stockholm(t, 2026, 11, 30, 16, 30), stockholm(t, 2026, 12, 1, 9, 0), stockholm(t, 2026, 12, 1, 11, 0), stockholm(t, 2026, 12, 8, 11, 0)} {
		e.escalate(at, 0)
	}
	e.wantNotices(inTime)
	e.wantNotices(late, "notice_warning@2026-11-30 16:00")
	e.wantRows("warning SOS-2 anna@sos.example", "warning SOS-2 johan@sos.example", "warning SOS-2 jour@sos.example")
}

// Windows across nights, weekends, holidays and eves: the warning and the
// breach fall at business instants, and nothing is sent in between, even
// at noon on a closed day.
func TestEscalateAcrossClosedTime(t *testing.T) {
	t.Parallel()
	sthlm := func(m time.Month, d, hh, mm int) time.Time { return stockholm(t, 2026, m, d, hh, mm) }
	for _, tc := range []struct {
		name         string
		prio         int
		filed        time.Time
		quiet        []time.Time // no notice at these (before the warning, or between)
		warn, breach time.Time
	}{
		{
			// escalation.go's example: filed at 16:00, 1 h that day;
			// Tuesday 08:00 + 5 h = 13:00 (6 h; the comment there says
			// 14:00), + 7 h = 15:00 (8 h).
			name: "filed at 16:00", prio: 3, filed: sthlm(11, 30, 16, 0),
			quiet: []time.Time{sthlm(11, 30, 17, 0), sthlm(12, 1, 12, 59), sthlm(12, 1, 14, 0)},
			warn:  sthlm(12, 1, 13, 0), breach: sthlm(12, 1, 15, 0),
		},
		{
			// Friday 15:00–17:00 is 2 h; Monday 7 December 08:00 + 4 h
			// = 12:00 reaches 6 h (warning), + 6 h = 14:00 reaches 8 h.
			name: "weekend", prio: 3, filed: sthlm(12, 4, 15, 0),
			quiet: []time.Time{sthlm(12, 4, 16, 59), sthlm(12, 5, 12, 0), sthlm(12, 6, 12, 0), sthlm(12, 7, 8, 0), sthlm(12, 7, 11, 59)},
			warn:  sthlm(12, 7, 12, 0), breach: sthlm(12, 7, 14, 0),
		},
		{
			// Wednesday 23 December is an eve (Julafton is closed like a
			// holiday) open 08:30–14:00, so at 16:00 it has closed. 24
			// Julafton, 25 Juldagen, 26 Annandag jul (Saturday) and 27
			// Sunday are closed; Monday 28 December is a normal day:
			// warning 08:00 + 6 h = 14:00, deadline 16:00.
			name: "christmas, filed after the eve closed", prio: 3, filed: sthlm(12, 23, 16, 0),
			quiet: []time.Time{sthlm(12, 23, 17, 0), sthlm(12, 24, 12, 0), sthlm(12, 25, 12, 0), sthlm(12, 26, 12, 0), sthlm(12, 27, 23, 0), sthlm(12, 28, 13, 59)},
			warn:  sthlm(12, 28, 14, 0), breach: sthlm(12, 28, 16, 0),
		},
		{
			// Filed on the eve at 10:00: 10:00–14:00 is 4 h; then 28
			// December 08:00 + 2 h = 10:00 (6 h), + 4 h = 12:00 (8 h). At
			// 17:00 on the eve a normal day would have used 7 h.
			name: "christmas, filed on the eve", prio: 3, filed: sthlm(12, 23, 10, 0),
			quiet: []time.Time{sthlm(12, 23, 13, 59), sthlm(12, 23, 17, 0), sthlm(12, 24, 12, 0), sthlm(12, 28, 9, 59)},
			warn:  sthlm(12, 28, 10, 0), breach: sthlm(12, 28, 12, 0),
		},
		{
			// Thursday 30 April is Valborgsmässoafton, an eve before
			// Första maj (Friday): 12:00–14:00 is 2 h. 1 May and the
			// weekend are closed; Monday 4 May 08:00 + 4 h = 12:00
			// (6 h), + 6 h = 14:00 (8 h).
			name: "valborg", prio: 3, filed: sthlm(4, 30, 12, 0),
			quiet: []time.Time{sthlm(4, 30, 13, 59), sthlm(4, 30, 16, 0), sthlm(5, 1, 12, 0), sthlm(5, 4, 11, 59)},
			warn:  sthlm(5, 4, 12, 0), breach: sthlm(5, 4, 14, 0),
		},
		{
			// Wednesday 30 December is an eve (Nyårsafton is closed):
			// 13:00–14:00 is 1 h. 31 December, Nyårsdagen and the weekend
			// are closed; Monday 4 January 2027 is a normal day (5
			// January, before Trettondedag jul, is the eve): 08:00 + 5 h
			// = 13:00 (6 h), + 7 h = 15:00 (8 h).
			name: "new year", prio: 3, filed: sthlm(12, 30, 13, 0),
			quiet: []time.Time{sthlm(12, 30, 16, 0), sthlm(12, 31, 12, 0), stockholm(t, 2027, 1, 1, 12, 0), stockholm(t, 2027, 1, 4, 12, 59), stockholm(t, 2027, 1, 4, 14, 59)},
			warn:  stockholm(t, 2027, 1, 4, 13, 0), breach: stockholm(t, 2027, 1, 4, 15, 0),
		},
		{
			// Monday 4 January 2027 12:00: 5 h; Tuesday 5 January is an
			// eve opening 08:30: + 1 h = 09:30 (6 h), + 3 h = 11:30.
			name: "into an eve", prio: 3, filed: stockholm(t, 2027, 1, 4, 12, 0),
			quiet: []time.Time{stockholm(t, 2027, 1, 4, 17, 0), stockholm(t, 2027, 1, 5, 8, 30), stockholm(t, 2027, 1, 5, 9, 29), stockholm(t, 2027, 1, 5, 11, 29)},
			warn:  stockholm(t, 2027, 1, 5, 9, 30), breach: stockholm(t, 2027, 1, 5, 11, 30),
		},
		{
			// Priority 1 (2 h) at 16:30: 30 min on Monday, then Tuesday
			// 08:00 + 1 h = 09:00 (1 h 30 min, the warning), + 1 h 30
			// min = 09:30 (the deadline).
			name: "priority 1 late in the day", prio: 1, filed: sthlm(11, 30, 16, 30),
			quiet: []time.Time{sthlm(11, 30, 17, 0), sthlm(12, 1, 8, 0), sthlm(12, 1, 8, 59), sthlm(12, 1, 9, 29)},
			warn:  sthlm(12, 1, 9, 0), breach: sthlm(12, 1, 9, 30),
		},
		{
			// Priority 1 reported before an eve opens: counting starts
			// at 08:30, not 08:00; warning 10:00, deadline 10:30.
			name: "priority 1 before an eve opens", prio: 1, filed: sthlm(4, 30, 7, 0),
			quiet: []time.Time{sthlm(4, 30, 8, 30), sthlm(4, 30, 9, 59), sthlm(4, 30, 10, 29)},
			warn:  sthlm(4, 30, 10, 0), breach: sthlm(4, 30, 10, 30),
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newJobsIntake(t)
			id := e.file(tc.prio, "eva@acme.se", tc.filed)
			if d, _ := e.s.Get(t.Context(), id); !d.Ticket.Deadline.Equal(tc.breach) {
				t.Fatalf("deadline %s, want %s", d.Ticket.Deadline.In(e.cfg.Location), tc.breach)
			}
			var after []time.Time // the quiet instants between warning and breach
			for _, at := range tc.quiet {
				if at.Before(tc.warn) {
					e.escalate(at, 0)
				} else {
					after = append(after, at)
				}
			}
			e.escalate(tc.warn.Add(-time.Second), 0)
			e.escalate(tc.warn, 1)
			for _, at := range after {
				e.escalate(at, 0)
			}
			e.escalate(tc.breach.Add(-time.Second), 0)
			e.escalate(tc.breach, 1)
			e.escalate(tc.breach.Add(time.Hour), 0)
			f := "2006-01-02 15:04"
			e.wantNotices(id, "notice_warning@"+tc.warn.Format(f), "notice_breach@"+tc.breach.Format(f))
		})
	}
}

// One run sends every notice due, counting each ticket's notice once
// however many recipients it has.
func TestEscalateSeveralInOneRun(t *testing.T) {
	t.Parallel()
	e := newJobsIntake(t)
	mon := func(h, m int) time.Time { return stockholm(t, 2026, 11, 30, h, m) }
	e.file(3, "eva@acme.se", mon(10, 0)) // warning at 16:00
	e.file(3, "eva@acme.se", mon(9, 30)) // warning at 15:30
	e.file(1, "eva@acme.se", mon(13, 0)) // deadline at 15:00
	e.file(2, "eva@acme.se", mon(14, 0)) // 4 h: 14:00–17:00 is 3 h, the warning at 17:00
	e.escalate(mon(16, 0), 3)
	e.escalate(mon(16, 0), 0)
	e.wantRows(
		"warning SOS-1 anna@sos.example", "warning SOS-1 johan@sos.example", "warning SOS-1 jour@sos.example",
		"warning SOS-2 anna@sos.example", "warning SOS-2 johan@sos.example", "warning SOS-2 jour@sos.example",
		"breach SOS-3 anna@sos.example", "breach SOS-3 johan@sos.example", "breach SOS-3 jour@sos.example")
	e.wantNotices(3, "notice_breach@2026-11-30 16:00")
	e.escalate(mon(16, 59), 0)
	e.escalate(mon(17, 0), 1) // SOS-4: 14:00–17:00 is 3 h of 4
	e.wantNotices(4, "notice_warning@2026-11-30 17:00")
}

// A configuration edit after filing moves no warning: the job measures
// with the calendar the deadline was computed with (SPEC §2).
func TestEscalateKeepsStoredCalendar(t *testing.T) {
	t.Parallel()
	e := newJobsIntake(t)
	id := e.file(3, "eva@acme.se", stockholm(t, 2026, 12, 4, 15, 0)) // warning Monday 12:00
	cc := sla.DefaultCalendarConfig()
	cc.Days = []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
	cc.Hours = "00:00-24:00"
	allHours, err := sla.NewCalendar(cc)
	if err != nil {
		t.Fatal(err)
	}
	e.s.SetPolicy(&Policy{Calendar: allHours, Priorities: sla.DefaultPriorities()})
	cfg := *e.cfg
	cfg.Jobs.Calendar = allHours
	e.in.SetConfig(&cfg)
	// Round the clock, 6 h would be used by Friday 21:00.
	e.escalate(stockholm(t, 2026, 12, 4, 21, 0), 0)
	e.escalate(stockholm(t, 2026, 12, 5, 12, 0), 0)
	e.escalate(stockholm(t, 2026, 12, 7, 11, 59), 0)
	e.escalate(stockholm(t, 2026, 12, 7, 12, 0), 1)
	e.wantNotices(id, "notice_warning@2026-12-07 12:00")
}

// The daemon was down from before the warning until after the deadline:
// only the breach goes out, and no warning ever follows.
func TestEscalateLateOnlyBreach(t *testing.T) {
	t.Parallel()
	e := newJobsIntake(t)
	id := e.file(3, "eva@acme.se", stockholm(t, 2026, 11, 30, 10, 0))
	e.escalate(stockholm(t, 2026, 12, 1, 9, 30), 1)
	for _, at := range []time.Time{stockholm(t, 2026, 12, 1, 9, 31), stockholm(t, 2026, 12, 2, 9, 0)} {
		e.escalate(at, 0)
	}
	e.wantRows("breach SOS-1 anna@sos.example", "breach SOS-1 johan@sos.example", "breach SOS-1 jour@sos.example")
	e.wantNotices(id, "notice_breach@2026-12-01 09:30")
}

// An assigned ticket's notices go to its consultant and
// escalation.notify, not to everyone, and name the consultant.
func TestEscalateAssigned(t *testing.T) {
	t.Parallel()
	e := newJobsIntake(t)
	id := e.file(3, "eva@acme.se", stockholm(t, 2026, 11, 30, 10, 0))
	e.apply(id, stockholm(t, 2026, 11, 30, 11, 0), Command{Kind: CmdAssign, Assignee: "johan@sos.example"})
	e.escalate(stockholm(t, 2026, 11, 30, 16, 0), 1)
	e.escalate(stockholm(t, 2026, 12, 1, 9, 0), 1)
	e.wantRows("warning SOS-1 johan@sos.example", "warning SOS-1 jour@sos.example",
		"breach SOS-1 johan@sos.example", "breach SOS-1 jour@sos.example")
	for _, kind := range []string{"warning", "breach"} {
		msg, _ := e.parsed(kind, "jour@sos.example")
		if !strings.Contains(msg.Text, "Johan Ek") {
			t.Errorf("the %s does not name the assignee:\n%s", kind, msg.Text)
		}
	}
}

// The warning and the breach notice are in Swedish, the consultants'
// language, carry [SOS-n] and name the ticket and its deadline.
func TestEscalateMailsInSwedish(t *testing.T) {
	t.Parallel()
	e := newJobsIntake(t)
	e.file(3, "eva@acme.se", stockholm(t, 2026, 11, 30, 10, 0))
	e.escalate(stockholm(t, 2026, 11, 30, 16, 0), 1)
	e.escalate(stockholm(t, 2026, 12, 1, 9, 0), 1)
	for _, tc := range []struct {
		kind string
		want []string // in the subject, then in the text
	}{
		{"warning", []string{"Varning", "75 %"}},
		{"breach", []string{"Svarstiden har överskridits"}},
	} {
		msg, raw := e.parsed(tc.kind, "anna@sos.example")
		if !strings.HasPrefix(msg.Subject, "[SOS-1] ") || !strings.Contains(msg.Subject, "Servern svarar inte") {
			t.Errorf("%s subject %q", tc.kind, msg.Subject)
		}
		if !strings.Contains(msg.Subject, tc.want[0]) {
			t.Errorf("%s subject %q lacks %q", tc.kind, msg.Subject, tc.want[0])
		}
		for _, w := range append(tc.want[1:], "SOS-1", "ACME AB", "tisdag 1 december 2026 kl. 09:00", "#start") {
			if !strings.Contains(msg.Text, w) {
				t.Errorf("%s text lacks %q:\n%s", tc.kind, w, msg.Text)
			}
		}
		if msg.From != "support@sos.example" {
			t.Errorf("%s from %q", tc.kind, msg.From)
		}
		for _, w := range []string{"Auto-Submitted: auto-generated", "Reply-To: <support+1-"} {
			if !strings.Contains(string(raw), w) {
				t.Errorf("%s lacks %q", tc.kind, w)
			}
		}
		if msg.HTML == "" {
			t.Errorf("%s has no HTML part", tc.kind)
		}
	}
}
