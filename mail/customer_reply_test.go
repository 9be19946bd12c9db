package mail_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"sosd/mail"
	"sosd/tickets"
)

// Customers by email (SPEC §7), over SMTP into the real intake: what a
// reply to a resolved or closed ticket does, and what each side is told.

// customerReply is eva's reply to ticket 1 with body as its new text,
// above a quoted history, with extra headers (e.g. Auto-Submitted).
func customerReply(msgID, extra, body string) []byte {
	return fmt.Appendf(nil, "From: Eva Ek <eva@acme.se>\r\nTo: support@sos.example\r\nSubject: Re: [SOS-1] Servern svarar inte\r\n"+
		"Message-ID: <%s>\r\n%sContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n\r\nDen 1 dec. 2026 kl. 10:00 skrev support@sos.example:\r\n> Svara Godkänd om lösningen fungerar.\r\n",
		msgID, extra, strings.ReplaceAll(body, "\n", "\r\n"))
}

// consultantDoes sends anna's command mail to the ticket's signed address.
func consultantDoes(t *testing.T, s *testServer, msgID, body string) {
	t.Helper()
	rcpt := s.signer.Address(1, "anna@sos.example")
	if err := sendTo(s.addr, "anna@sos.example", rcpt, []byte(consultantMail(msgID, rcpt, "Re: Servern svarar inte", body))); err != nil {
		t.Fatal(err)
	}
	d := details(t, s)
	if k := d.Events[len(d.Events)-1].Kind; k == "commands_rejected" || k == "commands_refused" {
		t.Fatalf("%q: %s", body, k)
	}
}

func TestCustomerReplies(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		setup  string // anna's commands first
		window time.Duration
		extra  string // headers of the customer's mail
		body   string
		status tickets.Status
		toEva  string // the kind of the last mail to eva
		toAnna string // the kind of the last mail to anna
	}{
		{name: "approval", setup: "#resolve\n\nOmstartad.", body: "Godkänd, tack!", status: tickets.StatusClosed, toEva: "approved", toAnna: "reply_notice"},
		{name: "OK approves", setup: "#resolve", body: "OK", status: tickets.StatusClosed, toEva: "approved", toAnna: "reply_notice"},
		{name: "okänt does not approve", setup: "#resolve", body: "Okänt fel kvarstår.", status: tickets.StatusStarted, toEva: "reopened", toAnna: "reply_notice"},
		{name: "rejection", setup: "#resolve", body: "Det fungerar fortfarande inte.", status: tickets.StatusStarted, toEva: "reopened", toAnna: "reply_notice"},
		{name: "out-of-office on a resolved ticket", setup: "#resolve", extra: "Auto-Submitted: auto-replied\r\n",
			body: "Jag är på semester till den 7 december.", status: tickets.StatusResolved, toEva: "resolved", toAnna: "receipt"},
		{name: "thank-you after close", setup: "#close", body: "Tack så mycket för hjälpen!", status: tickets.StatusClosed, toEva: "ack", toAnna: "reply_notice"},
		{name: "reply after close reopens", setup: "#close", body: "Nu krånglar det igen.", status: tickets.StatusStarted, toEva: "reopened", toAnna: "reply_notice"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := startServer(t, mail.DefaultServerOptions())
			fileTicket(t, s)
			consultantDoes(t, s, "setup@sos.example", tc.setup)
			if err := sendTo(s.addr, "eva@acme.se", "support@sos.example", customerReply("r1@acme.se", tc.extra, tc.body)); err != nil {
				t.Fatal(err)
			}
			d := details(t, s)
			if d.Ticket.Status != tc.status {
				t.Errorf("status %s, want %s", d.Ticket.Status, tc.status)
			}
			if got := outKinds(t, d, "eva@acme.se"); got[len(got)-1] != tc.toEva {
				t.Errorf("mail to eva %v, want the last %s", got, tc.toEva)
			}
			if got := outKinds(t, d, "anna@sos.example"); got[len(got)-1] != tc.toAnna {
				t.Errorf("mail to anna %v, want the last %s", got, tc.toAnna)
			}
		})
	}
}

// A reply to a ticket closed longer ago than support.reopen_within opens
// a new ticket that refers to the old one; its acknowledgement says so.
func TestLateReplyOpensLinkedTicket(t *testing.T) {
	t.Parallel()
	// Every reply after the close is late: a negative window, since mail
	// times are whole seconds and the test does not wait.
	s := startServerWith(t, mail.DefaultServerOptions(), func(cfg *tickets.IntakeConfig) { cfg.ReopenWithin = -time.Second })
	fileTicket(t, s)
	consultantDoes(t, s, "close@sos.example", "#close")
	if err := sendTo(s.addr, "eva@acme.se", "support@sos.example", customerReply("late@acme.se", "", "Samma fel igen.")); err != nil {
		t.Fatal(err)
	}
	old := details(t, s)
	if old.Ticket.Status != tickets.StatusClosed || old.Events[len(old.Events)-1].Kind != "followed_up" {
		t.Errorf("old ticket: %s, last event %s", old.Ticket.Status, old.Events[len(old.Events)-1].Kind)
	}
	nt, err := s.store.Get(context.Background(), 2)
	if err != nil {
		t.Fatal(err)
	}
	if nt.Ticket.RefersTo != 1 || nt.Ticket.Status != tickets.StatusNew {
		t.Errorf("new ticket refers to %s, status %s", nt.Ticket.RefersTo, nt.Ticket.Status)
	}
	items, err := s.store.Due(context.Background(), farFuture(), 100)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, it := range items {
		if it.Ticket == 2 && it.Kind == "ack" {
			found = true
			if !strings.Contains(string(it.Raw), "SOS-1") {
				t.Errorf("the new ticket's acknowledgement does not name SOS-1:\n%s", it.Raw)
			}
		}
	}
	if !found {
		t.Error("no acknowledgement of the new ticket")
	}
}
