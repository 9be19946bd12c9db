package tickets

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"
)

// rpWindow is the default reopen window (SPEC §7: 7 days).
const rpWindow = 7 * 24 * time.Hour

// rpMail is a mail from the customer's reporter with a fresh Message-ID.
func rpMail(at time.Time) Inbound {
	return inbound(fmt.Sprintf("rp-%d@acme.se", lcSeq.Add(1)), "eva@acme.se", at)
}

// rpReply adds r to ticket id and fails the test on an error.
func rpReply(t testing.TB, s *Store, id ID, r CustomerReply, compose Composer) Result {
	t.Helper()
	res, err := s.CustomerReply(context.Background(), id, r, rpWindow, compose)
	if err != nil {
		t.Fatalf("CustomerReply to %s: %v", id, err)
	}
	return res
}

// rpLast is the kind of a ticket's newest event.
func rpLast(d Details) string {
	if len(d.Events) == 0 {
		return ""
	}
	return d.Events[len(d.Events)-1].Kind
}

func TestCustomerApprovesResolved(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	received := stockholm(t, 2026, 11, 30, 10, 0)
	tk := lcTicketIn(t, s, StatusResolved, received)
	at := stockholm(t, 2026, 12, 1, 9, 0)
	comp := &lcComposer{n: 1}

	res := rpReply(t, s, tk.ID, CustomerReply{Mail: rpMail(at), Approves: true}, comp.compose)
	d := lcGet(t, s, tk.ID)
	if res.Outcome != OutcomeApproved || d.Ticket.Status != StatusClosed || !d.Ticket.Closed.Equal(at) {
		t.Errorf("approval: outcome %s, status %s, closed %v; want approved, closed at %v", res.Outcome, d.Ticket.Status, d.Ticket.Closed, at)
	}
	if !d.Ticket.Resolved.Equal(tk.Resolved) || !d.Ticket.Started.Equal(tk.Started) || d.Ticket.Reopened != 0 {
		t.Errorf("approval moved resolved %v→%v started %v→%v or reopened (%d)", tk.Resolved, d.Ticket.Resolved, tk.Started, d.Ticket.Started, d.Ticket.Reopened)
	}
	if kinds := lcKinds(d.Events[len(d.Events)-2:]); !slices.Equal(kinds, []string{"reply_in", "approved"}) {
		t.Errorf("last events = %v, want [reply_in approved]", kinds)
	}
	if len(comp.calls) != 1 || comp.calls[0].Kind != OutcomeApproved || comp.calls[0].Ticket.Status != StatusClosed {
		t.Errorf("composer calls = %+v, want one approved with the closed ticket", comp.calls)
	}
}

func TestCustomerRejectsResolution(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	received := stockholm(t, 2026, 11, 30, 10, 0)
	at := stockholm(t, 2026, 12, 1, 9, 0)
	tk := lcTicketIn(t, s, StatusResolved, received)

	// Anything but an approval reopens a resolved ticket, a thank-you too:
	// it does not approve the fix.
	for i, r := range []CustomerReply{{}, {OnlyThanks: true}} {
		r.Mail = rpMail(at.Add(time.Duration(i) * time.Hour))
		res := rpReply(t, s, tk.ID, r, nil)
		d := lcGet(t, s, tk.ID)
		got := d.Ticket
		if res.Outcome != OutcomeReopened || got.Status != StatusStarted || got.Reopened != i+1 || !got.Resolved.IsZero() || !got.Closed.IsZero() {
			t.Errorf("reply %d to resolved: outcome %s status %s reopened %d resolved %v; want reopened, started, %d, resolved cleared",
				i, res.Outcome, got.Status, got.Reopened, got.Resolved, i+1)
		}
		if !got.Started.Equal(tk.Started) {
			t.Errorf("reopening moved Started %v → %v", tk.Started, got.Started)
		}
		if rpLast(d) != "rejected" {
			t.Errorf("last event = %s, want rejected", rpLast(d))
		}
		// Resolve again for the next round.
		lcApply(t, s, tk.ID, lcReply(r.Mail.Received.Add(30*time.Minute), false, Command{Kind: CmdResolve}), nil)
	}
}

func TestCustomerReplyToClosed(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	received := stockholm(t, 2026, 11, 30, 10, 0) // closed at 10:30
	tests := []struct {
		name    string
		after   time.Duration // since closing
		thanks  bool
		outcome OutcomeKind
		status  Status
	}{
		{"reply within the window reopens", 3 * 24 * time.Hour, false, OutcomeReopened, StatusStarted},
		{"reply at the end of the window reopens", rpWindow, false, OutcomeReopened, StatusStarted},
		{"thank-you within the window is appended", 24 * time.Hour, true, OutcomeAppended, StatusClosed},
		{"thank-you after the window is appended", rpWindow + 24*time.Hour, true, OutcomeAppended, StatusClosed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tk := lcTicketIn(t, s, StatusClosed, received)
			tickets := count(t, s, `SELECT COUNT(*) FROM tickets`)
			r := CustomerReply{Mail: rpMail(tk.Closed.Add(tc.after)), OnlyThanks: tc.thanks}
			res := rpReply(t, s, tk.ID, r, nil)
			d := lcGet(t, s, tk.ID)
			if res.Outcome != tc.outcome || d.Ticket.Status != tc.status || res.Ticket.ID != tk.ID {
				t.Errorf("outcome %s status %s ticket %s; want %s %s %s", res.Outcome, d.Ticket.Status, res.Ticket.ID, tc.outcome, tc.status, tk.ID)
			}
			if n := count(t, s, `SELECT COUNT(*) FROM tickets`); n != tickets {
				t.Errorf("tickets %d → %d; want no new ticket", tickets, n)
			}
			if n := count(t, s, `SELECT COUNT(*) FROM messages WHERE message_id = ? AND ticket_id = ?`, r.Mail.MessageID, int64(tk.ID)); n != 1 {
				t.Errorf("the reply is stored %d times on %s, want 1", n, tk.ID)
			}
			if tc.status == StatusStarted {
				if d.Ticket.Reopened != 1 || !d.Ticket.Closed.IsZero() || !d.Ticket.Resolved.IsZero() || rpLast(d) != "reopened" {
					t.Errorf("reopened: Reopened %d closed %v resolved %v last event %s", d.Ticket.Reopened, d.Ticket.Closed, d.Ticket.Resolved, rpLast(d))
				}
			} else {
				if !lcSame(t, tk, d.Ticket) || rpLast(d) != "reply_in" {
					t.Errorf("a thank-you changed the ticket or was not recorded: %+v, last event %s", d.Ticket, rpLast(d))
				}
			}
		})
	}
}

// SPEC §7: a reply to a ticket closed more than the window ago opens a new
// ticket that refers to the old one.
func TestCustomerReplyAfterWindowOpensNewTicket(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	old := lcTicketIn(t, s, StatusClosed, stockholm(t, 2026, 11, 30, 10, 0)) // closed Mon 30 Nov 10:30
	at := stockholm(t, 2026, 12, 8, 13, 0)                                   // Tuesday, 8 days later
	mail := rpMail(at)
	mail.From = "olle@acme.se"
	comp := &lcComposer{n: 1}

	res := rpReply(t, s, old.ID, CustomerReply{Mail: mail, Priority: 2}, comp.compose)
	if res.Outcome != OutcomeNewFromClosed {
		t.Fatalf("outcome %s, want %s", res.Outcome, OutcomeNewFromClosed)
	}
	nt := lcGet(t, s, res.Ticket.ID)
	want := stockholm(t, 2026, 12, 8, 17, 0) // 4 business hours from 13:00
	if nt.Ticket.ID != old.ID+1 || nt.Ticket.RefersTo != old.ID || nt.Ticket.Status != StatusNew ||
		nt.Ticket.Customer != old.Customer || nt.Ticket.Application != old.Application || nt.Ticket.Priority != 2 ||
		nt.Ticket.Reporter != "olle@acme.se" || !nt.Ticket.Received.Equal(at) || !nt.Ticket.Deadline.Equal(want) {
		t.Errorf("new ticket = %+v; want %s, refers to %s, new, acme/%s, priority 2, reporter olle, received %v, deadline %v",
			nt.Ticket, old.ID+1, old.ID, old.Application, at, want)
	}
	if kinds := lcKinds(nt.Events); !slices.Equal(kinds, []string{"filed"}) {
		t.Errorf("new ticket's events = %v, want [filed]", kinds)
	}
	if len(nt.Messages) == 0 || nt.Messages[0].MessageID != mail.MessageID || nt.Messages[0].Direction != "in" {
		t.Errorf("new ticket's messages = %+v, want the reply first", nt.Messages)
	}
	od := lcGet(t, s, old.ID)
	if !lcSame(t, old, od.Ticket) {
		t.Errorf("the old ticket changed: %+v → %+v", old, od.Ticket)
	}
	if rpLast(od) != "followed_up" {
		t.Errorf("old ticket's last event = %s, want followed_up", rpLast(od))
	}
	if len(comp.calls) != 1 || comp.calls[0].Ticket.ID != nt.Ticket.ID || len(res.Outbox) != 1 {
		t.Errorf("composer calls %d (ticket %v), outbox %v; want one for the new ticket", len(comp.calls), comp.calls, res.Outbox)
	}
}

// Automatic replies are kept but never change a status, whatever else the
// mail seemed to say.
func TestCustomerAutomaticReplyChangesNothing(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	received := stockholm(t, 2026, 11, 30, 10, 0)
	tests := []struct {
		name  string
		from  Status
		after time.Duration // after the last setup step
		r     CustomerReply
	}{
		{"new", StatusNew, time.Hour, CustomerReply{Automatic: true}},
		{"resolved", StatusResolved, time.Hour, CustomerReply{Automatic: true}},
		{"resolved, reads as approval", StatusResolved, time.Hour, CustomerReply{Automatic: true, Approves: true}},
		{"closed within the window", StatusClosed, time.Hour, CustomerReply{Automatic: true}},
		{"closed after the window", StatusClosed, rpWindow + time.Hour, CustomerReply{Automatic: true}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := lcTicketIn(t, s, tc.from, received)
			tickets := count(t, s, `SELECT COUNT(*) FROM tickets`)
			r := tc.r
			r.Mail = rpMail(received.Add(30*time.Minute + tc.after))
			res := rpReply(t, s, before.ID, r, nil)
			d := lcGet(t, s, before.ID)
			if res.Outcome != OutcomeAppended || !lcSame(t, before, d.Ticket) {
				t.Errorf("outcome %s, ticket %+v → %+v; want appended, unchanged", res.Outcome, before, d.Ticket)
			}
			if rpLast(d) != "automatic_reply" {
				t.Errorf("last event = %s, want automatic_reply", rpLast(d))
			}
			if n := count(t, s, `SELECT COUNT(*) FROM tickets`); n != tickets {
				t.Errorf("an automatic reply opened a ticket (%d → %d)", tickets, n)
			}
		})
	}
}

// SPEC §7: a request for a higher priority is recorded and passed on; it
// does not change the deadline by itself.
func TestCustomerPriorityRequest(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	received := stockholm(t, 2026, 11, 30, 10, 0)
	tk := fileOne(t, s, "p@acme.se", received).Ticket // priority 3
	at := received.Add(time.Hour)

	res := rpReply(t, s, tk.ID, CustomerReply{Mail: rpMail(at), PriorityRequest: 1}, nil)
	d := lcGet(t, s, tk.ID)
	if d.Ticket.Priority != 3 || !d.Ticket.Deadline.Equal(tk.Deadline) || d.Ticket.Status != StatusNew {
		t.Errorf("after the request: priority %d deadline %v status %s; want 3, %v, new", d.Ticket.Priority, d.Ticket.Deadline, d.Ticket.Status, tk.Deadline)
	}
	if rpLast(d) != "priority_requested" || !d.Events[len(d.Events)-1].At.Equal(at) {
		t.Errorf("events = %v, want priority_requested last", lcKinds(d.Events))
	}
	if len(res.Changes) != 1 || res.Changes[0].Kind != "priority_requested" {
		t.Errorf("Changes = %+v, want the request passed on", res.Changes)
	}

	// Lower or equal priorities record nothing.
	p2 := fileOne(t, s, "p2@acme.se", received).Ticket
	if _, err := s.Apply(context.Background(), p2.ID, lcReply(at, false, Command{Kind: CmdPriority, Priority: 2}), nil); err != nil {
		t.Fatal(err)
	}
	for _, req := range []int{2, 3} {
		res := rpReply(t, s, p2.ID, CustomerReply{Mail: rpMail(at.Add(time.Minute)), PriorityRequest: req}, nil)
		d := lcGet(t, s, p2.ID)
		if slices.Contains(lcKinds(d.Events), "priority_requested") || len(res.Changes) != 0 || d.Ticket.Priority != 2 {
			t.Errorf("request for %d on a priority-2 ticket: events %v changes %v priority %d; want nothing recorded", req, lcKinds(d.Events), res.Changes, d.Ticket.Priority)
		}
	}
}

// Regression (reopen-drops-priority-request): a reply that reopens a
// closed ticket and asks for a higher priority used to lose the request,
// because CustomerReply checked t.Open() on the ticket as it was before the
// reply reopened it. SPEC §7: a later request for a higher priority is
// recorded and passed on.
func TestCustomerReopeningReplyKeepsPriorityRequest(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	tk := lcTicketIn(t, s, StatusClosed, stockholm(t, 2026, 11, 30, 10, 0))
	res := rpReply(t, s, tk.ID, CustomerReply{Mail: rpMail(tk.Closed.Add(24 * time.Hour)), PriorityRequest: 1}, nil)
	d := lcGet(t, s, tk.ID)
	if res.Outcome != OutcomeReopened || d.Ticket.Status != StatusStarted {
		t.Fatalf("outcome %s status %s, want reopened", res.Outcome, d.Ticket.Status)
	}
	if !slices.Contains(lcKinds(d.Events), "priority_requested") || len(res.Changes) == 0 {
		t.Errorf("reopening reply asking for priority 1: events %v, changes %v; want the request recorded", lcKinds(d.Events), res.Changes)
	}
	if d.Ticket.Priority != 3 || !d.Ticket.Deadline.Equal(tk.Deadline) {
		t.Errorf("the request changed priority %d or deadline %v", d.Ticket.Priority, d.Ticket.Deadline)
	}
}

func TestCustomerReplyDuplicate(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	tk := lcTicketIn(t, s, StatusResolved, stockholm(t, 2026, 11, 30, 10, 0))
	r := CustomerReply{Mail: rpMail(stockholm(t, 2026, 12, 1, 9, 0))}
	comp := &lcComposer{n: 1}
	first := rpReply(t, s, tk.ID, r, comp.compose)
	if first.Duplicate || first.Outcome != OutcomeReopened {
		t.Fatalf("first: Duplicate %v outcome %s", first.Duplicate, first.Outcome)
	}
	d0 := lcGet(t, s, tk.ID)
	msgs, outbox := count(t, s, `SELECT COUNT(*) FROM messages`), count(t, s, `SELECT COUNT(*) FROM outbox`)

	second := rpReply(t, s, tk.ID, r, comp.compose)
	d1 := lcGet(t, s, tk.ID)
	if !second.Duplicate || second.Ticket.ID != tk.ID {
		t.Errorf("second: Duplicate %v ticket %s", second.Duplicate, second.Ticket.ID)
	}
	if !lcSame(t, d0.Ticket, d1.Ticket) || d1.Ticket.Reopened != 1 || len(d1.Events) != len(d0.Events) {
		t.Errorf("duplicate changed the ticket: reopened %d, events %v", d1.Ticket.Reopened, lcKinds(d1.Events))
	}
	if count(t, s, `SELECT COUNT(*) FROM messages`) != msgs || count(t, s, `SELECT COUNT(*) FROM outbox`) != outbox || len(comp.calls) != 1 {
		t.Errorf("duplicate stored or queued mail (composer calls %d)", len(comp.calls))
	}

	// A redelivered late reply opens its new ticket once.
	closed := lcTicketIn(t, s, StatusClosed, stockholm(t, 2026, 11, 30, 10, 0))
	late := CustomerReply{Mail: rpMail(closed.Closed.Add(rpWindow + time.Hour))}
	a := rpReply(t, s, closed.ID, late, nil)
	tickets := count(t, s, `SELECT COUNT(*) FROM tickets`)
	b := rpReply(t, s, closed.ID, late, nil)
	if a.Outcome != OutcomeNewFromClosed || !b.Duplicate || b.Ticket.ID != a.Ticket.ID || count(t, s, `SELECT COUNT(*) FROM tickets`) != tickets {
		t.Errorf("late reply twice: %s %s, then Duplicate %v %s; want one new ticket", a.Outcome, a.Ticket.ID, b.Duplicate, b.Ticket.ID)
	}
}

func TestUnknownTicketReply(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	_, err := s.CustomerReply(context.Background(), 7, CustomerReply{Mail: rpMail(stockholm(t, 2026, 11, 30, 10, 0))}, rpWindow, nil)
	if !errors.Is(err, ErrNotFound) {
		t.Errorf("reply to SOS-7 in an empty store = %v, want ErrNotFound", err)
	}
}

// Get returns the history oldest first and every mail with its direction.
func TestGetHistoryAndMessages(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	received := stockholm(t, 2026, 11, 30, 10, 0)
	tk := fileOne(t, s, "report@acme.se", received).Ticket
	reply := rpMail(received.Add(20 * time.Minute))
	rpReply(t, s, tk.ID, CustomerReply{Mail: reply}, nil)
	cmd := lcReply(received.Add(time.Hour), true)
	lcApply(t, s, tk.ID, cmd, (&lcComposer{n: 1}).compose)

	d := lcGet(t, s, tk.ID)
	if kinds := lcKinds(d.Events); !slices.Equal(kinds, []string{"filed", "reply_in", "started", "reply_out"}) {
		t.Errorf("events = %v, want [filed reply_in started reply_out]", kinds)
	}
	for i := 1; i < len(d.Events); i++ {
		if d.Events[i].At.Before(d.Events[i-1].At) {
			t.Errorf("event %d (%s at %v) is before event %d (%v)", i, d.Events[i].Kind, d.Events[i].At, i-1, d.Events[i-1].At)
		}
	}
	if e := d.Events[0]; !e.At.Equal(received) || e.Actor != "eva@acme.se" {
		t.Errorf("filed event = %+v, want at %v by eva", e, received)
	}

	type msg struct{ dir, from, to, id string }
	var got []msg
	for _, m := range d.Messages {
		got = append(got, msg{m.Direction, m.From, fmt.Sprint(m.To), m.MessageID})
	}
	want := []msg{
		{"in", "eva@acme.se", "[support@sos.example]", "report@acme.se"},
		{"out", "support@sos.example", "[eva@acme.se]", "SOS-1.ack.0@sos.example"},
		{"out", "support@sos.example", "[anna@sos.example]", "SOS-1.consultant_notice.0@sos.example"},
		{"in", "eva@acme.se", "[support@sos.example]", reply.MessageID},
		{"in", "anna@sos.example", "[support@sos.example]", cmd.Mail.MessageID},
	}
	if len(got) != len(want)+1 || !slices.Equal(got[:len(want)], want) || got[len(want)].dir != "out" {
		t.Errorf("messages =\n%v\nwant\n%v\nand then the reply out", got, want)
	}
	if d.Messages[1].Subject != "[SOS-1] Servern svarar inte" {
		t.Errorf("ack subject = %q", d.Messages[1].Subject)
	}
}
