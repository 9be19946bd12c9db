package tickets

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

// Tests of Store.Apply (SPEC §5, §6): invalid commands, #priority,
// implied starts, #time and #onsite, the first reply to the customer,
// duplicates, unknown tickets and the composer's outbox and rollback. The
// lc helpers are in lifecycle_test.go.

// SPEC §6: a mail with any invalid command changes nothing, and the reply
// names each problem.
func TestApplyInvalidCommandChangesNothing(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	received := stockholm(t, 2026, 11, 30, 10, 0)
	at := received.Add(time.Hour)
	tests := []struct {
		name  string
		from  Status
		cmds  []Command
		index int
	}{
		{"valid then illegal", StatusStarted, []Command{{Kind: CmdApp, Application: "intranat"}, {Kind: CmdStart}}, 1},
		{"invalid then valid", StatusNew, []Command{{Kind: CmdTime, Work: 30 * time.Second}, {Kind: CmdAssign, Assignee: "bo@sos.example"}}, 0},
		{"second resolve", StatusStarted, []Command{{Kind: CmdResolve}, {Kind: CmdResolve}}, 1},
		{"priority out of range", StatusNew, []Command{{Kind: CmdCalled}, {Kind: CmdPriority, Priority: 4}}, 1},
		{"close then onsite", StatusStarted, []Command{{Kind: CmdClose}, {Kind: CmdOnsite, Onsite: at}}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := lcTicketIn(t, s, tc.from, received)
			d0 := lcGet(t, s, before.ID)
			works := count(t, s, `SELECT COUNT(*) FROM work_log WHERE ticket_id = ?`, int64(before.ID))
			res := lcApply(t, s, before.ID, lcReply(at, true, tc.cmds...), nil)
			if res.Outcome != OutcomeRejectedCommands {
				t.Fatalf("Outcome = %s, want %s", res.Outcome, OutcomeRejectedCommands)
			}
			if len(res.Problems) != 1 {
				t.Fatalf("Problems = %+v, want exactly the invalid one", res.Problems)
			}
			p := res.Problems[0]
			if p.Index != tc.index || p.Command.Kind != tc.cmds[tc.index].Kind || p.Err == nil {
				t.Errorf("Problems[0] = {Index %d, #%s, %v}, want index %d #%s", p.Index, p.Command.Kind, p.Err, tc.index, tc.cmds[tc.index].Kind)
			}
			if !strings.Contains(res.Problems.Error(), "#"+string(tc.cmds[tc.index].Kind)) {
				t.Errorf("Problems.Error() = %q does not name #%s", res.Problems.Error(), tc.cmds[tc.index].Kind)
			}
			if res.ToCustomer {
				t.Error("a rejected mail's text goes to the customer")
			}
			d1 := lcGet(t, s, before.ID)
			if !lcSame(t, before, d1.Ticket) {
				t.Errorf("ticket changed:\n%+v\n→ %+v", before, d1.Ticket)
			}
			if got := lcKinds(d1.Events[len(d0.Events):]); !slices.Equal(got, []string{"commands_rejected"}) {
				t.Errorf("new events = %v, want [commands_rejected]", got)
			}
			if n := count(t, s, `SELECT COUNT(*) FROM work_log WHERE ticket_id = ?`, int64(before.ID)); n != works {
				t.Errorf("work_log rows %d → %d", works, n)
			}
		})
	}
}

// #priority recomputes the deadline from the received time, not from the
// command's, and the history keeps both the old and the new values.
func TestApplyPriorityRecomputesDeadline(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	received := stockholm(t, 2026, 11, 30, 10, 0) // Monday
	tk := fileOne(t, s, "prio@acme.se", received).Ticket
	if want := stockholm(t, 2026, 12, 1, 9, 0); !tk.Deadline.Equal(want) {
		t.Fatalf("priority 3 deadline = %v, want %v", tk.Deadline, want)
	}
	steps := []struct {
		at        time.Time
		prio      int
		deadline  time.Time
		oldText   string
		newText   string
		wantEvent bool
	}{
		{stockholm(t, 2026, 11, 30, 11, 0), 1, stockholm(t, 2026, 11, 30, 12, 0),
			"2026-12-01T09:00:00+01:00", "2026-11-30T12:00:00+01:00", true},
		{stockholm(t, 2026, 11, 30, 11, 30), 2, stockholm(t, 2026, 11, 30, 14, 0),
			"2026-11-30T12:00:00+01:00", "2026-11-30T14:00:00+01:00", true},
		{stockholm(t, 2026, 11, 30, 11, 40), 2, stockholm(t, 2026, 11, 30, 14, 0), "", "", false},
		{stockholm(t, 2026, 11, 30, 15, 0), 3, stockholm(t, 2026, 12, 1, 9, 0),
			"2026-11-30T14:00:00+01:00", "2026-12-01T09:00:00+01:00", true},
	}
	old := tk.Priority
	for _, st := range steps {
		d0 := lcGet(t, s, tk.ID)
		res := lcApply(t, s, tk.ID, lcReply(st.at, false, Command{Kind: CmdPriority, Priority: st.prio}), nil)
		d1 := lcGet(t, s, tk.ID)
		got := d1.Ticket
		if res.Outcome != OutcomeApplied || got.Priority != st.prio || !got.Deadline.Equal(st.deadline) {
			t.Errorf("#priority %d at %v: outcome %s, priority %d, deadline %v; want %d, %v",
				st.prio, st.at, res.Outcome, got.Priority, got.Deadline, st.prio, st.deadline)
		}
		if got.Facts.Priority != st.prio || !got.Facts.FromInstant.Equal(received) {
			t.Errorf("#priority %d: facts priority %d from %v, want %d from %v", st.prio, got.Facts.Priority, got.Facts.FromInstant, st.prio, received)
		}
		added := d1.Events[len(d0.Events):]
		if !st.wantEvent {
			if len(added) != 0 {
				t.Errorf("#priority %d on a priority-%d ticket recorded %v", st.prio, old, lcKinds(added))
			}
			continue
		}
		if len(added) != 1 || added[0].Kind != "priority" {
			t.Fatalf("#priority %d: new events %v, want [priority]", st.prio, lcKinds(added))
		}
		detail := added[0].Detail
		for _, want := range []string{fmt.Sprint(old), fmt.Sprint(st.prio), st.oldText, st.newText} {
			if !strings.Contains(detail, want) {
				t.Errorf("priority event detail %q lacks %q", detail, want)
			}
		}
		if added[0].Actor != "anna@sos.example" || !added[0].At.Equal(st.at) {
			t.Errorf("priority event by %q at %v, want anna at %v", added[0].Actor, added[0].At, st.at)
		}
		old = st.prio
	}
}

// #resolve on a new ticket means troubleshooting started; #close on a
// ticket never started sets Started too, but keeps an earlier start.
func TestApplyResolveAndCloseSetStarted(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	received := stockholm(t, 2026, 11, 30, 10, 0)
	at := stockholm(t, 2026, 11, 30, 13, 15)

	resolved := fileOne(t, s, "res@acme.se", received).Ticket
	lcApply(t, s, resolved.ID, lcReply(at, false, Command{Kind: CmdResolve}), nil)
	got := lcGet(t, s, resolved.ID).Ticket
	if got.Status != StatusResolved || !got.Started.Equal(at) || !got.Resolved.Equal(at) {
		t.Errorf("#resolve on new: status %s started %v resolved %v; want resolved, both %v", got.Status, got.Started, got.Resolved, at)
	}

	closed := fileOne(t, s, "clo@acme.se", received).Ticket
	lcApply(t, s, closed.ID, lcReply(at, false, Command{Kind: CmdClose}), nil)
	got = lcGet(t, s, closed.ID).Ticket
	if got.Status != StatusClosed || !got.Started.Equal(at) || !got.Closed.Equal(at) {
		t.Errorf("#close on new: status %s started %v closed %v; want closed, both %v", got.Status, got.Started, got.Closed, at)
	}

	started := lcTicketIn(t, s, StatusStarted, received) // started at +10m
	lcApply(t, s, started.ID, lcReply(at, false, Command{Kind: CmdClose}), nil)
	got = lcGet(t, s, started.ID).Ticket
	if !got.Started.Equal(started.Started) || !got.Closed.Equal(at) {
		t.Errorf("#close on started: started %v closed %v; want started kept at %v, closed %v", got.Started, got.Closed, started.Started, at)
	}
}

// A start implied by #resolve or #close on a new ticket is a change like
// any other: it is in the history (SPEC §3) and in the receipt's changes
// (SPEC §6), as the start implied by the first reply to the customer is.
func TestApplyImplicitStartIsRecorded(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	received := stockholm(t, 2026, 11, 30, 10, 0)
	at := received.Add(time.Hour)
	for _, k := range []CommandKind{CmdResolve, CmdClose} {
		tk := lcTicketIn(t, s, StatusNew, received)
		res := lcApply(t, s, tk.ID, lcReply(at, false, Command{Kind: k}), nil)
		var changes []string
		for _, c := range res.Changes {
			changes = append(changes, c.Kind)
		}
		events := lcKinds(lcGet(t, s, tk.ID).Events)
		// Regression (close-start-unrecorded): #close recorded no
		// "started" event.
		if !slices.Contains(events, "started") {
			t.Errorf("#%s on a new ticket: events %v lack the implied start", k, events)
		}
		// Regression (implied-start-not-in-receipt): neither #resolve nor
		// #close on a new ticket listed the start among Result.Changes, so
		// the receipt did not tell the consultant the SLA clock stopped.
		if !slices.Contains(changes, "started") {
			t.Errorf("#%s on a new ticket: Changes %v lack the implied start", k, changes)
		}
	}
}

// #time logs work minutes; less than a minute is not a valid #time.
func TestApplyTimeAndOnsite(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	received := stockholm(t, 2026, 11, 30, 10, 0)
	tk := lcTicketIn(t, s, StatusStarted, received)

	res := lcApply(t, s, tk.ID, lcReply(received.Add(time.Hour), false, Command{Kind: CmdTime, Work: 90 * time.Minute}), nil)
	if res.Outcome != OutcomeApplied || res.Ticket.WorkMinutes != 90 || lcGet(t, s, tk.ID).Ticket.WorkMinutes != 90 {
		t.Errorf("#time 90m: outcome %s, WorkMinutes %d, want 90", res.Outcome, res.Ticket.WorkMinutes)
	}
	res = lcApply(t, s, tk.ID, lcReply(received.Add(2*time.Hour), false, Command{Kind: CmdTime, Work: time.Hour + 30*time.Minute}), nil)
	if res.Ticket.WorkMinutes != 180 {
		t.Errorf("#time 1h30m more: WorkMinutes %d, want 180", res.Ticket.WorkMinutes)
	}
	for _, w := range []time.Duration{59 * time.Second, 0, -time.Hour} {
		res = lcApply(t, s, tk.ID, lcReply(received.Add(3*time.Hour), false, Command{Kind: CmdTime, Work: w}), nil)
		if res.Outcome != OutcomeRejectedCommands || len(res.Problems) != 1 || res.Problems[0].Command.Kind != CmdTime {
			t.Errorf("#time %v: outcome %s problems %v, want rejected", w, res.Outcome, res.Problems)
		}
	}
	if got := lcGet(t, s, tk.ID).Ticket.WorkMinutes; got != 180 {
		t.Errorf("WorkMinutes after rejected #time = %d, want 180", got)
	}

	for i, want := range []int{1, 2} {
		visit := stockholm(t, 2026, 12, 2+i, 9, 0)
		res = lcApply(t, s, tk.ID, lcReply(received.Add(4*time.Hour), false, Command{Kind: CmdOnsite, Onsite: visit}), nil)
		if res.Ticket.Onsite != want || lcGet(t, s, tk.ID).Ticket.Onsite != want {
			t.Errorf("#onsite %d: Onsite = %d, want %d", i+1, res.Ticket.Onsite, want)
		}
	}
	res = lcApply(t, s, tk.ID, lcReply(received.Add(5*time.Hour), false, Command{Kind: CmdOnsite}), nil)
	if res.Outcome != OutcomeRejectedCommands || lcGet(t, s, tk.ID).Ticket.Onsite != 2 {
		t.Errorf("#onsite without a time: outcome %s, want rejected and Onsite still 2", res.Outcome)
	}
}

// SPEC §6: the first reply that goes to the customer counts as #start;
// #internal keeps the text from the customer and starts nothing.
func TestApplyFirstReplyToCustomerStarts(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	received := stockholm(t, 2026, 11, 30, 10, 0)
	at := stockholm(t, 2026, 11, 30, 10, 45)

	tk := fileOne(t, s, "text@acme.se", received).Ticket
	res := lcApply(t, s, tk.ID, lcReply(at, true), nil)
	got := lcGet(t, s, tk.ID)
	if !res.ToCustomer || got.Ticket.Status != StatusStarted || !got.Ticket.Started.Equal(at) {
		t.Errorf("text without #internal: ToCustomer %v, status %s, started %v; want true, started at %v",
			res.ToCustomer, got.Ticket.Status, got.Ticket.Started, at)
	}
	if kinds := lcKinds(got.Events); !slices.Equal(kinds, []string{"filed", "started", "reply_out"}) {
		t.Errorf("events = %v, want [filed started reply_out]", kinds)
	}
	// A later reply to the customer does not start it again.
	later := at.Add(time.Hour)
	res = lcApply(t, s, tk.ID, lcReply(later, true), nil)
	got = lcGet(t, s, tk.ID)
	if !res.ToCustomer || !got.Ticket.Started.Equal(at) || slices.Contains(lcKinds(got.Events[3:]), "started") {
		t.Errorf("second reply: ToCustomer %v, started %v, events %v; want started kept at %v", res.ToCustomer, got.Ticket.Started, lcKinds(got.Events), at)
	}

	internal := fileOne(t, s, "internal@acme.se", received).Ticket
	res = lcApply(t, s, internal.ID, lcReply(at, true, Command{Kind: CmdInternal}), nil)
	got = lcGet(t, s, internal.ID)
	if res.ToCustomer || got.Ticket.Status != StatusNew || !got.Ticket.Started.IsZero() {
		t.Errorf("text with #internal: ToCustomer %v, status %s, started %v; want false, new, not started",
			res.ToCustomer, got.Ticket.Status, got.Ticket.Started)
	}
	if kinds := lcKinds(got.Events); !slices.Equal(kinds, []string{"filed", "note"}) {
		t.Errorf("events = %v, want [filed note]", kinds)
	}
}

// SPEC §5: the same Message-ID again changes nothing.
func TestApplyDuplicateMessageID(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	received := stockholm(t, 2026, 11, 30, 10, 0)
	tk := lcTicketIn(t, s, StatusStarted, received)
	reply := lcReply(received.Add(time.Hour), false, Command{Kind: CmdTime, Work: 90 * time.Minute})
	comp := &lcComposer{n: 1}

	first := lcApply(t, s, tk.ID, reply, comp.compose)
	if first.Duplicate || first.Ticket.WorkMinutes != 90 {
		t.Fatalf("first: Duplicate %v WorkMinutes %d", first.Duplicate, first.Ticket.WorkMinutes)
	}
	d0 := lcGet(t, s, tk.ID)
	outbox := count(t, s, `SELECT COUNT(*) FROM outbox`)
	msgs := count(t, s, `SELECT COUNT(*) FROM messages`)

	reply.Mail.Received = reply.Mail.Received.Add(time.Minute) // redelivered later
	second := lcApply(t, s, tk.ID, reply, comp.compose)
	if !second.Duplicate || second.Ticket.ID != tk.ID {
		t.Errorf("second: Duplicate %v ticket %s, want true %s", second.Duplicate, second.Ticket.ID, tk.ID)
	}
	d1 := lcGet(t, s, tk.ID)
	if !lcSame(t, d0.Ticket, d1.Ticket) || d1.Ticket.WorkMinutes != 90 {
		t.Errorf("duplicate changed the ticket: WorkMinutes %d", d1.Ticket.WorkMinutes)
	}
	if len(d1.Events) != len(d0.Events) {
		t.Errorf("duplicate added events: %v", lcKinds(d1.Events[len(d0.Events):]))
	}
	if n := count(t, s, `SELECT COUNT(*) FROM outbox`); n != outbox {
		t.Errorf("duplicate queued mail: outbox %d → %d", outbox, n)
	}
	if n := count(t, s, `SELECT COUNT(*) FROM messages`); n != msgs {
		t.Errorf("duplicate stored mail: messages %d → %d", msgs, n)
	}
	if len(comp.calls) != 1 {
		t.Errorf("composer called %d times over two deliveries, want 1", len(comp.calls))
	}
}

func TestApplyUnknownTicket(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	fileOne(t, s, "one@acme.se", stockholm(t, 2026, 11, 30, 10, 0))
	reply := lcReply(stockholm(t, 2026, 11, 30, 11, 0), false, Command{Kind: CmdStart})
	_, err := s.Apply(context.Background(), 42, reply, (&lcComposer{n: 1}).compose)
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("Apply to SOS-42 = %v, want ErrNotFound", err)
	}
	if n := count(t, s, `SELECT COUNT(*) FROM messages WHERE message_id = ?`, reply.Mail.MessageID); n != 0 {
		t.Errorf("mail for an unknown ticket stored %d times", n)
	}
}

// The composer is called once per Apply, with the outcome, and every mail
// it renders is queued in the outbox with the change.
func TestApplyComposerOutbox(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	received := stockholm(t, 2026, 11, 30, 10, 0)
	tk := lcTicketIn(t, s, StatusNew, received)
	comp := &lcComposer{n: 2}
	outbox := count(t, s, `SELECT COUNT(*) FROM outbox`)

	res := lcApply(t, s, tk.ID, lcReply(received.Add(time.Hour), true, Command{Kind: CmdAssign, Assignee: "bo@sos.example"}), comp.compose)
	if len(comp.calls) != 1 {
		t.Fatalf("composer called %d times, want 1", len(comp.calls))
	}
	o := comp.calls[0]
	if o.Kind != OutcomeApplied || !o.ToCustomer || o.Ticket.Status != StatusStarted || o.Ticket.Assignee != "bo@sos.example" || o.Previous.Status != StatusNew {
		t.Errorf("composer got %+v; want applied, to the customer, the ticket as committed and the previous one", o)
	}
	var kinds []string
	for _, c := range o.Changes {
		kinds = append(kinds, c.Kind)
	}
	if !slices.Contains(kinds, "assigned") || !slices.Contains(kinds, "started") {
		t.Errorf("composer's changes = %v, want assigned and started", kinds)
	}
	if len(res.Outbox) != 2 || count(t, s, `SELECT COUNT(*) FROM outbox`) != outbox+2 {
		t.Errorf("Result.Outbox = %v, outbox rows %d → %d; want 2 new", res.Outbox, outbox, count(t, s, `SELECT COUNT(*) FROM outbox`))
	}
	if n := count(t, s, `SELECT COUNT(*) FROM messages WHERE direction = 'out' AND ticket_id = ? AND subject LIKE '%applied'`, int64(tk.ID)); n != 2 {
		t.Errorf("outgoing messages of the apply = %d, want 2", n)
	}

	res = lcApply(t, s, tk.ID, lcReply(received.Add(2*time.Hour), false, Command{Kind: CmdStart}), comp.compose)
	if res.Outcome != OutcomeRejectedCommands || len(comp.calls) != 2 || comp.calls[1].Kind != OutcomeRejectedCommands || len(comp.calls[1].Problems) != 1 {
		t.Errorf("rejected mail: outcome %s, composer calls %d; want the composer told of the problem once", res.Outcome, len(comp.calls))
	}
	if n := count(t, s, `SELECT COUNT(*) FROM outbox`); n != outbox+4 || len(res.Outbox) != 2 {
		t.Errorf("outbox rows after the rejection = %d, want %d", n, outbox+4)
	}
}

// A composer that fails rolls back everything: no event, no stored mail,
// no change; the same mail can be delivered again later.
func TestApplyComposerErrorRollsBack(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	received := stockholm(t, 2026, 11, 30, 10, 0)
	tk := lcTicketIn(t, s, StatusNew, received)
	d0 := lcGet(t, s, tk.ID)
	outbox := count(t, s, `SELECT COUNT(*) FROM outbox`)
	boom := errors.New("template broken")
	reply := lcReply(received.Add(time.Hour), true, Command{Kind: CmdTime, Work: time.Hour}, Command{Kind: CmdResolve})

	_, err := s.Apply(context.Background(), tk.ID, reply, (&lcComposer{err: boom}).compose)
	if !errors.Is(err, boom) {
		t.Fatalf("Apply with a failing composer = %v, want it to wrap the composer's error", err)
	}
	d1 := lcGet(t, s, tk.ID)
	if !lcSame(t, d0.Ticket, d1.Ticket) || d1.Ticket.Status != StatusNew {
		t.Errorf("ticket changed despite the rollback: %+v", d1.Ticket)
	}
	if len(d1.Events) != len(d0.Events) {
		t.Errorf("events after rollback: %v", lcKinds(d1.Events))
	}
	if n := count(t, s, `SELECT COUNT(*) FROM messages WHERE message_id = ?`, reply.Mail.MessageID); n != 0 {
		t.Errorf("the mail was kept despite the rollback (%d rows)", n)
	}
	if n := count(t, s, `SELECT COUNT(*) FROM work_log`); n != 0 {
		t.Errorf("work_log rows after rollback = %d", n)
	}
	if n := count(t, s, `SELECT COUNT(*) FROM outbox`); n != outbox {
		t.Errorf("outbox %d → %d after rollback", outbox, n)
	}

	res := lcApply(t, s, tk.ID, reply, (&lcComposer{n: 1}).compose)
	if res.Duplicate || res.Ticket.Status != StatusResolved || res.Ticket.WorkMinutes != 60 {
		t.Errorf("redelivery after rollback: Duplicate %v status %s work %d; want applied", res.Duplicate, res.Ticket.Status, res.Ticket.WorkMinutes)
	}
}
