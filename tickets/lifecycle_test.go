package tickets

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync/atomic"
	"testing"
	"time"
)

// The lifecycle of a ticket under consultants' commands (SPEC §3, §6):
// the lc helpers that make up the mails and walk a ticket to a status, and
// every command from every status. The other tests of Store.Apply are in
// apply_test.go.

// lcSeq numbers the Message-IDs of the mails these tests make up, so every
// mail is fresh unless a test reuses one on purpose.
var lcSeq atomic.Int64

// lcReply is a consultant's mail from anna with a fresh Message-ID.
func lcReply(at time.Time, hasText bool, cmds ...Command) ConsultantReply {
	id := fmt.Sprintf("lc-%d@sos.example", lcSeq.Add(1))
	return ConsultantReply{Consultant: "anna@sos.example", Mail: inbound(id, "anna@sos.example", at), Commands: cmds, HasText: hasText}
}

// lcComposer records every call and renders n mails per call, each with a
// fresh Message-ID; with err set it fails instead.
type lcComposer struct {
	calls []Outcome
	n     int
	err   error
}

func (c *lcComposer) compose(o Outcome) ([]Outgoing, error) {
	c.calls = append(c.calls, o)
	if c.err != nil {
		return nil, c.err
	}
	var out []Outgoing
	for range c.n {
		id := fmt.Sprintf("lc-out-%d@sos.example", lcSeq.Add(1))
		out = append(out, Outgoing{Kind: string(o.Kind), MessageID: id, From: "support@sos.example",
			To: []string{"anna@sos.example"}, Subject: "[" + o.Ticket.ID.String() + "] " + string(o.Kind),
			Raw: []byte("Message-ID: <" + id + ">\r\nSubject: x\r\n\r\n" + string(o.Kind) + "\r\n")})
	}
	return out, nil
}

// lcApply applies r to ticket id and fails the test on an error.
func lcApply(t testing.TB, s *Store, id ID, r ConsultantReply, compose Composer) Result {
	t.Helper()
	res, err := s.Apply(context.Background(), id, r, compose)
	if err != nil {
		t.Fatalf("Apply %v to %s: %v", r.Commands, id, err)
	}
	return res
}

// lcGet returns a ticket with its history.
func lcGet(t testing.TB, s *Store, id ID) Details {
	t.Helper()
	d, err := s.Get(context.Background(), id)
	if err != nil {
		t.Fatalf("Get %s: %v", id, err)
	}
	return d
}

// lcKinds lists the kinds of events.
func lcKinds(evs []Event) []string {
	kinds := make([]string, 0, len(evs))
	for _, e := range evs {
		kinds = append(kinds, e.Kind)
	}
	return kinds
}

// lcSame reports whether two tickets are equal in every field, the
// deadline facts compared as stored (JSON).
func lcSame(t testing.TB, a, b Ticket) bool {
	t.Helper()
	fa, err := json.Marshal(a.Facts)
	if err != nil {
		t.Fatal(err)
	}
	fb, err := json.Marshal(b.Facts)
	if err != nil {
		t.Fatal(err)
	}
	a.Facts, b.Facts = DeadlineFacts{}, DeadlineFacts{}
	return string(fa) == string(fb) && reflect.DeepEqual(a, b)
}

// lcTicketIn files a priority-3 ekonomi ticket for acme at at and walks it
// to status through the API: #start at +10m, #resolve at +20m, #close at
// +30m, as far as needed.
func lcTicketIn(t testing.TB, s *Store, status Status, at time.Time) Ticket {
	t.Helper()
	id := fileOne(t, s, fmt.Sprintf("lc-file-%d@acme.se", lcSeq.Add(1)), at).Ticket.ID
	steps := map[Status][]CommandKind{
		StatusNew:      nil,
		StatusStarted:  {CmdStart},
		StatusResolved: {CmdStart, CmdResolve},
		StatusClosed:   {CmdStart, CmdResolve, CmdClose},
	}[status]
	for i, k := range steps {
		res := lcApply(t, s, id, lcReply(at.Add(time.Duration(i+1)*10*time.Minute), false, Command{Kind: k}), nil)
		if res.Outcome != OutcomeApplied {
			t.Fatalf("setup #%s on %s: outcome %s, problems %v", k, id, res.Outcome, res.Problems)
		}
	}
	tk := lcGet(t, s, id).Ticket
	if tk.Status != status {
		t.Fatalf("setup: %s is %s, want %s", id, tk.Status, status)
	}
	return tk
}

// Every command from every status: legal ones change the status as the
// lifecycle says and record their event; illegal ones change nothing of
// the ticket but keep the mail and record the rejection.
func TestLifecycleTransitions(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	ctx := context.Background()
	received := stockholm(t, 2026, 11, 30, 10, 0) // Monday
	at := received.Add(time.Hour)                 // when the command under test arrives
	visit := stockholm(t, 2026, 12, 2, 9, 0)

	commands := map[CommandKind]Command{
		CmdStart:    {Kind: CmdStart},
		CmdPriority: {Kind: CmdPriority, Priority: 1},
		CmdApp:      {Kind: CmdApp, Application: "intranat"},
		CmdAssign:   {Kind: CmdAssign, Assignee: "bo@sos.example"},
		CmdTime:     {Kind: CmdTime, Work: 30 * time.Minute},
		CmdCalled:   {Kind: CmdCalled},
		CmdOnsite:   {Kind: CmdOnsite, Onsite: visit},
		CmdResolve:  {Kind: CmdResolve},
		CmdClose:    {Kind: CmdClose},
		CmdInternal: {Kind: CmdInternal},
	}
	// effect checks what a legal command did to the ticket besides its
	// status.
	effect := map[CommandKind]func(before, after Ticket) string{
		CmdStart: func(b, a Ticket) string {
			if !a.Started.Equal(at) {
				return fmt.Sprintf("Started = %v, want %v", a.Started, at)
			}
			return ""
		},
		CmdPriority: func(b, a Ticket) string {
			if want := stockholm(t, 2026, 11, 30, 12, 0); a.Priority != 1 || !a.Deadline.Equal(want) {
				return fmt.Sprintf("priority %d deadline %v, want 1 and %v", a.Priority, a.Deadline, want)
			}
			return ""
		},
		CmdApp: func(b, a Ticket) string {
			if a.Application != "intranat" {
				return fmt.Sprintf("Application = %q, want intranat", a.Application)
			}
			return ""
		},
		CmdAssign: func(b, a Ticket) string {
			if a.Assignee != "bo@sos.example" {
				return fmt.Sprintf("Assignee = %q", a.Assignee)
			}
			return ""
		},
		CmdTime: func(b, a Ticket) string {
			if a.WorkMinutes != b.WorkMinutes+30 {
				return fmt.Sprintf("WorkMinutes %d → %d, want +30", b.WorkMinutes, a.WorkMinutes)
			}
			return ""
		},
		CmdCalled: func(b, a Ticket) string {
			if !a.Called {
				return "Called not set"
			}
			return ""
		},
		CmdOnsite: func(b, a Ticket) string {
			if a.Onsite != b.Onsite+1 {
				return fmt.Sprintf("Onsite %d → %d, want +1", b.Onsite, a.Onsite)
			}
			return ""
		},
		CmdResolve: func(b, a Ticket) string {
			if !a.Resolved.Equal(at) || a.Started.IsZero() {
				return fmt.Sprintf("Resolved = %v (want %v), Started = %v (want set)", a.Resolved, at, a.Started)
			}
			return ""
		},
		CmdClose: func(b, a Ticket) string {
			if !a.Closed.Equal(at) || a.Started.IsZero() {
				return fmt.Sprintf("Closed = %v (want %v), Started = %v (want set)", a.Closed, at, a.Started)
			}
			return ""
		},
		CmdInternal: func(b, a Ticket) string {
			if !lcSame(t, b, a) {
				return fmt.Sprintf("#internal alone changed the ticket:\n%+v\n→ %+v", b, a)
			}
			return ""
		},
	}

	const illegal Status = "" // the command is rejected
	tests := []struct {
		from   Status
		cmd    CommandKind
		want   Status   // illegal: rejected, nothing changes
		events []string // events a legal command adds
	}{
		{StatusNew, CmdStart, StatusStarted, []string{"started"}},
		{StatusNew, CmdPriority, StatusNew, []string{"priority"}},
		{StatusNew, CmdApp, StatusNew, []string{"application"}},
		{StatusNew, CmdAssign, StatusNew, []string{"assigned"}},
		{StatusNew, CmdTime, StatusNew, []string{"work"}},
		{StatusNew, CmdCalled, StatusNew, []string{"called"}},
		{StatusNew, CmdOnsite, StatusNew, []string{"onsite"}},
		{StatusNew, CmdResolve, StatusResolved, []string{"started", "resolved"}},
		// Regression (close-start-unrecorded): #close on a ticket never
		// started used to set Started without a "started" event (SPEC §3:
		// every change is an event), unlike #resolve on a new ticket.
		{StatusNew, CmdClose, StatusClosed, []string{"started", "closed"}},
		{StatusNew, CmdInternal, StatusNew, nil},

		{StatusStarted, CmdStart, illegal, nil},
		{StatusStarted, CmdPriority, StatusStarted, []string{"priority"}},
		{StatusStarted, CmdApp, StatusStarted, []string{"application"}},
		{StatusStarted, CmdAssign, StatusStarted, []string{"assigned"}},
		{StatusStarted, CmdTime, StatusStarted, []string{"work"}},
		{StatusStarted, CmdCalled, StatusStarted, []string{"called"}},
		{StatusStarted, CmdOnsite, StatusStarted, []string{"onsite"}},
		{StatusStarted, CmdResolve, StatusResolved, []string{"resolved"}},
		{StatusStarted, CmdClose, StatusClosed, []string{"closed"}},
		{StatusStarted, CmdInternal, StatusStarted, nil},

		{StatusResolved, CmdStart, illegal, nil},
		{StatusResolved, CmdPriority, StatusResolved, []string{"priority"}},
		{StatusResolved, CmdApp, StatusResolved, []string{"application"}},
		{StatusResolved, CmdAssign, StatusResolved, []string{"assigned"}},
		{StatusResolved, CmdTime, StatusResolved, []string{"work"}},
		{StatusResolved, CmdCalled, StatusResolved, []string{"called"}},
		{StatusResolved, CmdOnsite, StatusResolved, []string{"onsite"}},
		{StatusResolved, CmdResolve, illegal, nil},
		{StatusResolved, CmdClose, StatusClosed, []string{"closed"}},
		{StatusResolved, CmdInternal, StatusResolved, nil},

		{StatusClosed, CmdStart, illegal, nil},
		{StatusClosed, CmdPriority, illegal, nil},
		{StatusClosed, CmdApp, StatusClosed, []string{"application"}},
		{StatusClosed, CmdAssign, StatusClosed, []string{"assigned"}},
		{StatusClosed, CmdTime, StatusClosed, []string{"work"}},
		{StatusClosed, CmdCalled, StatusClosed, []string{"called"}},
		{StatusClosed, CmdOnsite, illegal, nil},
		{StatusClosed, CmdResolve, illegal, nil},
		{StatusClosed, CmdClose, illegal, nil},
		{StatusClosed, CmdInternal, StatusClosed, nil},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s/%s", tc.from, tc.cmd), func(t *testing.T) {
			before := lcTicketIn(t, s, tc.from, received)
			id := before.ID
			d0 := lcGet(t, s, id)
			reply := lcReply(at, false, commands[tc.cmd])
			comp := &lcComposer{n: 1}
			res, err := s.Apply(ctx, id, reply, comp.compose)
			if err != nil {
				t.Fatalf("Apply: %v", err)
			}
			d1 := lcGet(t, s, id)
			after := d1.Ticket
			newEvents := lcKinds(d1.Events[len(d0.Events):])
			if n := count(t, s, `SELECT COUNT(*) FROM messages WHERE direction = 'in' AND message_id = ? AND ticket_id = ?`, reply.Mail.MessageID, int64(id)); n != 1 {
				t.Errorf("the command mail is stored %d times on %s, want 1", n, id)
			}
			if len(comp.calls) != 1 {
				t.Errorf("composer called %d times, want 1", len(comp.calls))
			}

			if tc.want == illegal {
				if res.Outcome != OutcomeRejectedCommands {
					t.Fatalf("Outcome = %s, want %s", res.Outcome, OutcomeRejectedCommands)
				}
				if len(res.Problems) != 1 || res.Problems[0].Index != 0 || res.Problems[0].Command.Kind != tc.cmd {
					t.Fatalf("Problems = %+v, want one, index 0, #%s", res.Problems, tc.cmd)
				}
				var te *TransitionError
				if !errors.As(res.Problems[0].Err, &te) {
					t.Fatalf("Problems[0].Err = %T %v, want a *TransitionError", res.Problems[0].Err, res.Problems[0].Err)
				}
				if te.Ticket != id || te.Status != tc.from {
					t.Errorf("TransitionError = %+v, want ticket %s status %s", te, id, tc.from)
				}
				if !lcSame(t, before, after) {
					t.Errorf("a rejected #%s changed the ticket:\n%+v\n→ %+v", tc.cmd, before, after)
				}
				if !lcSame(t, before, res.Ticket) {
					t.Errorf("Result.Ticket of a rejected mail is not the unchanged ticket: %+v", res.Ticket)
				}
				if !slices.Equal(newEvents, []string{"commands_rejected"}) {
					t.Errorf("new events = %v, want [commands_rejected]", newEvents)
				}
				if len(comp.calls) == 1 && comp.calls[0].Kind != OutcomeRejectedCommands {
					t.Errorf("composer got %s, want %s", comp.calls[0].Kind, OutcomeRejectedCommands)
				}
				return
			}
			if res.Outcome != OutcomeApplied || len(res.Problems) != 0 {
				t.Fatalf("Outcome = %s, Problems = %v; want applied, none", res.Outcome, res.Problems)
			}
			if after.Status != tc.want {
				t.Errorf("status %s → %s, want %s", tc.from, after.Status, tc.want)
			}
			if !lcSame(t, after, res.Ticket) {
				t.Errorf("Result.Ticket differs from the stored ticket:\n%+v\n%+v", res.Ticket, after)
			}
			if !slices.Equal(newEvents, tc.events) {
				t.Errorf("new events = %v, want %v", newEvents, tc.events)
			}
			if msg := effect[tc.cmd](before, after); msg != "" {
				t.Error(msg)
			}
		})
	}
}
