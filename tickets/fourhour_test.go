package tickets

import (
	"slices"
	"strings"
	"testing"
	"time"

	"sosd/mail"
)

// Issue 7: the four-hour rule (SPEC §8) reminds the consultants to call
// the customer, once per ticket, after four hours of logged work or of
// business time since the start. The harness, newJobsIntake, is in
// intake_jobs_helpers_test.go.

// The four-hour rule by logged work: 3 h logged is not yet 4 h; one more
// hour is, and the consultants (not escalation.notify) are reminded once,
// with the number to call.
func TestFourHourByLoggedWork(t *testing.T) {
	t.Parallel()
	e := newJobsIntake(t)
	eva := e.file(3, "eva@acme.se", stockholm(t, 2026, 11, 30, 9, 0))
	olle := e.file(3, "olle@acme.se", stockholm(t, 2026, 11, 30, 9, 0))
	for _, id := range []ID{eva, olle} {
		e.apply(id, stockholm(t, 2026, 11, 30, 9, 30), Command{Kind: CmdStart})
		e.apply(id, stockholm(t, 2026, 11, 30, 10, 0), Command{Kind: CmdTime, Work: 3 * time.Hour})
	}
	e.fourHour(stockholm(t, 2026, 11, 30, 10, 0), 0)
	e.apply(eva, stockholm(t, 2026, 11, 30, 10, 5), Command{Kind: CmdTime, Work: time.Hour})
	e.apply(olle, stockholm(t, 2026, 11, 30, 10, 5), Command{Kind: CmdTime, Work: time.Hour})
	e.fourHour(stockholm(t, 2026, 11, 30, 10, 5), 2) // 35 min since the start; 4 h logged
	e.fourHour(stockholm(t, 2026, 11, 30, 10, 5), 0)
	e.fourHour(stockholm(t, 2026, 11, 30, 14, 0), 0)
	e.wantRows("call_reminder SOS-1 anna@sos.example", "call_reminder SOS-1 johan@sos.example",
		"call_reminder SOS-2 anna@sos.example", "call_reminder SOS-2 johan@sos.example")
	e.wantNotices(eva, "notice_four_hour@2026-11-30 10:05")
	e.wantNotices(olle, "notice_four_hour@2026-11-30 10:05")

	for _, tc := range []struct {
		id           ID
		name, phone  string
		notThisPhone string
	}{
		{eva, "Eva Svensson", ijEvaPhone, ijPerPhone}, // the reporter is a contact
		{olle, "Per Persson", ijPerPhone, ijEvaPhone}, // not a contact: the first contact with a number
	} {
		var msg *mail.Message
		for _, it := range e.rows() {
			if it.Ticket == int64(tc.id) && it.To[0] == "anna@sos.example" {
				msg, _ = mail.Parse(it.Raw, mail.DefaultLimits())
			}
		}
		if msg == nil {
			t.Fatalf("no reminder of %s to anna", tc.id)
		}
		if !strings.HasPrefix(msg.Subject, "["+tc.id.String()+"] ") {
			t.Errorf("reminder subject %q", msg.Subject)
		}
		if !strings.Contains(msg.Text, tc.phone) || !strings.Contains(msg.Text, tc.name) || strings.Contains(msg.Text, tc.notThisPhone) {
			t.Errorf("reminder of %s should name %s, %s:\n%s", tc.id, tc.name, tc.phone, msg.Text)
		}
		if !strings.Contains(msg.Text, "#called") {
			t.Errorf("reminder of %s does not say how to record the call:\n%s", tc.id, msg.Text)
		}
	}
}

// The four-hour rule by business time since the start, with no work
// logged.
func TestFourHourByBusinessTime(t *testing.T) {
	t.Parallel()
	sthlm := func(m time.Month, d, hh, mm int) time.Time { return stockholm(t, 2026, m, d, hh, mm) }
	for _, tc := range []struct {
		name    string
		started time.Time
		quiet   []time.Time
		due     time.Time
	}{
		// 09:00 + 4 h = 13:00.
		{"same day", sthlm(11, 30, 9, 0), []time.Time{sthlm(11, 30, 12, 0), sthlm(11, 30, 12, 59)}, sthlm(11, 30, 13, 0)},
		// 15:00–17:00 is 2 h; Tuesday 08:00 + 2 h = 10:00.
		{"across a night", sthlm(11, 30, 15, 0), []time.Time{sthlm(11, 30, 17, 0), sthlm(11, 30, 23, 0), sthlm(12, 1, 8, 0), sthlm(12, 1, 9, 59)}, sthlm(12, 1, 10, 0)},
		// The eve 23 December closes at 14:00: 2 h; closed until Monday
		// 28 December, 08:00 + 2 h = 10:00.
		{"across christmas", sthlm(12, 23, 12, 0), []time.Time{sthlm(12, 23, 16, 0), sthlm(12, 24, 12, 0), sthlm(12, 28, 9, 59)}, sthlm(12, 28, 10, 0)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newJobsIntake(t)
			id := e.file(3, "eva@acme.se", tc.started.Add(-30*time.Minute))
			e.apply(id, tc.started, Command{Kind: CmdStart})
			for _, at := range tc.quiet {
				e.fourHour(at, 0)
			}
			e.fourHour(tc.due.Add(-time.Second), 0)
			e.fourHour(tc.due, 1)
			e.fourHour(tc.due.Add(time.Hour), 0)
			e.wantRows("call_reminder SOS-1 anna@sos.example", "call_reminder SOS-1 johan@sos.example")
			e.wantNotices(id, "notice_four_hour@"+tc.due.Format("2006-01-02 15:04"))
		})
	}
}

// No reminder once the call is recorded, for a closed ticket, or for one
// not started; an assigned ticket's reminder goes to its consultant only.
func TestFourHourSkipsAndAssignee(t *testing.T) {
	t.Parallel()
	e := newJobsIntake(t)
	mon := func(h, m int) time.Time { return stockholm(t, 2026, 11, 30, h, m) }
	called := e.file(3, "eva@acme.se", mon(8, 0))
	e.apply(called, mon(8, 30), Command{Kind: CmdStart}, Command{Kind: CmdCalled}, Command{Kind: CmdTime, Work: 5 * time.Hour})
	closed := e.file(3, "eva@acme.se", mon(8, 0))
	e.apply(closed, mon(8, 30), Command{Kind: CmdStart}, Command{Kind: CmdTime, Work: 5 * time.Hour})
	e.apply(closed, mon(8, 40), Command{Kind: CmdClose})
	fresh := e.file(3, "eva@acme.se", mon(8, 0)) // never started
	assigned := e.file(3, "eva@acme.se", mon(8, 0))
	e.apply(assigned, mon(8, 30), Command{Kind: CmdAssign, Assignee: "johan@sos.example"}, Command{Kind: CmdStart})

	e.fourHour(mon(12, 29), 0)
	e.fourHour(mon(12, 30), 1) // assigned: 08:30 + 4 h
	e.fourHour(stockholm(t, 2026, 12, 2, 12, 0), 0)
	e.wantNotices(called)
	e.wantNotices(closed)
	e.wantNotices(assigned, "notice_four_hour@2026-11-30 12:30")
	rows := e.summary()
	var reminders []string
	for _, r := range rows {
		if strings.HasPrefix(r, "call_reminder ") {
			reminders = append(reminders, r)
		}
	}
	if want := []string{"call_reminder SOS-4 johan@sos.example"}; !slices.Equal(reminders, want) {
		t.Errorf("reminders %q, want %q", reminders, want)
	}
	// The ticket never started is left to escalation.
	if d, _ := e.s.Get(t.Context(), fresh); d.Ticket.Status != StatusNew {
		t.Errorf("%s is %s", fresh, d.Ticket.Status)
	}
}

// The reminder is sent once, also across a restart.
func TestFourHourOnceAcrossRestart(t *testing.T) {
	t.Parallel()
	e := newJobsIntake(t)
	id := e.file(3, "eva@acme.se", stockholm(t, 2026, 11, 30, 8, 30))
	e.apply(id, stockholm(t, 2026, 11, 30, 9, 0), Command{Kind: CmdStart})
	e.fourHour(stockholm(t, 2026, 11, 30, 13, 0), 1)
	e.restart()
	e.fourHour(stockholm(t, 2026, 11, 30, 13, 0), 0)
	e.apply(id, stockholm(t, 2026, 11, 30, 13, 30), Command{Kind: CmdTime, Work: 6 * time.Hour})
	e.fourHour(stockholm(t, 2026, 12, 1, 13, 0), 0)
	e.wantRows("call_reminder SOS-1 anna@sos.example", "call_reminder SOS-1 johan@sos.example")
	e.wantNotices(id, "notice_four_hour@2026-11-30 13:00")
}
