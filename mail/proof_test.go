package mail_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-msgauth/dkim"
	"github.com/emersion/go-smtp"

	"sosd/mail"
	"sosd/tickets"
)

// Proof of who wrote (SPEC §6), over SMTP into the real intake and store:
// a command counts only from a consultant who wrote to the ticket's signed
// reply address, or whose domain's DKIM signature vouches for the mail.

// proofServer is a test server whose DNS knows the DKIM key of
// sel._domainkey.sos.example, and the key that signs with it.
func proofServer(t *testing.T) (*testServer, ed25519.PrivateKey) {
	t.Helper()
	pub, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	records := map[string][]string{
		"sel._domainkey.sos.example": {"v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(pub)},
		"_dmarc.sos.example":         {"v=DMARC1; p=reject"},
	}
	s := startServerWith(t, mail.DefaultServerOptions(), func(cfg *tickets.IntakeConfig) {
		cfg.Auth.LookupTXT = func(ctx context.Context, name string) ([]string, error) {
			if r, ok := records[strings.ToLower(strings.TrimSuffix(name, "."))]; ok {
				return r, nil
			}
			return nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
		}
	})
	return s, key
}

// fileTicket files SOS-1 from eva@acme.se.
func fileTicket(t *testing.T, s *testServer) {
	t.Helper()
	raw := "From: eva@acme.se\r\nTo: support@sos.example\r\nSubject: Servern svarar inte\r\nMessage-ID: <proof-1@acme.se>\r\n\r\nHjälp!\r\n"
	if err := sendTo(s.addr, "eva@acme.se", "support@sos.example", []byte(raw)); err != nil {
		t.Fatal(err)
	}
}

// sendTo sends one mail to one recipient on a fresh connection.
func sendTo(addr, from, rcpt string, raw []byte) error {
	c, err := smtp.Dial(addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Hello("client.example"); err != nil {
		return err
	}
	if err := c.Mail(from, nil); err != nil {
		return err
	}
	if err := c.Rcpt(rcpt, nil); err != nil {
		return err
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write(raw); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	return c.Quit()
}

// farFuture is a time every outbox row is due by.
func farFuture() time.Time { return time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC) }

func consultantMail(msgID, to, subject, body string) string {
	return fmt.Sprintf("From: Anna Berg <anna@sos.example>\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <%s>\r\n"+
		"Content-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n", to, subject, msgID, strings.ReplaceAll(body, "\n", "\r\n"))
}

func signDKIM(t *testing.T, key ed25519.PrivateKey, raw string) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := dkim.Sign(&b, strings.NewReader(raw), &dkim.SignOptions{Domain: "sos.example", Selector: "sel", Signer: key}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// outKinds lists the kinds of the mail sosd wrote about ticket 1 to addr
// (the kind is part of sosd's Message-IDs: sos-<n>.<kind>.<random>@).
func outKinds(t *testing.T, d tickets.Details, addr string) []string {
	t.Helper()
	var kinds []string
	for _, m := range d.Messages {
		if m.Direction == "out" && len(m.To) == 1 && m.To[0] == addr {
			kinds = append(kinds, strings.Split(m.MessageID, ".")[1])
		}
	}
	return kinds
}

func details(t *testing.T, s *testServer) tickets.Details {
	t.Helper()
	d, err := s.store.Get(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestProofOfWhoWrote(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		rcpt     string // "" is the ticket's signed reply address for anna
		from     string // envelope sender
		raw      func(s *testServer, key ed25519.PrivateKey, rcpt string) []byte
		status   tickets.Status
		event    string // the event the mail left
		toAnna   []string
		toEva    []string
		wantNoop bool
	}{
		{
			name: "signed reply address",
			raw: func(s *testServer, _ ed25519.PrivateKey, rcpt string) []byte {
				return []byte(consultantMail("p1@sos.example", rcpt, "Re: Servern svarar inte", "#start\n\nVi är på det."))
			},
			status: tickets.StatusStarted, event: "reply_out",
			toAnna: []string{"consultant_notice", "receipt"}, toEva: []string{"ack", "consultant_reply"},
		},
		{
			name: "invalid commands",
			raw: func(s *testServer, _ ed25519.PrivateKey, rcpt string) []byte {
				return []byte(consultantMail("p0@sos.example", rcpt, "Re: Servern svarar inte", "#start\n#prio 1\n#time 90\n\nVi är på det."))
			},
			status: tickets.StatusNew, event: "commands_rejected",
			toAnna: []string{"consultant_notice", "command_error"}, toEva: []string{"ack"},
		},
		{
			name: "plain support address without DKIM",
			rcpt: "support@sos.example",
			raw: func(s *testServer, _ ed25519.PrivateKey, rcpt string) []byte {
				return []byte(consultantMail("p2@sos.example", rcpt, "Re: [SOS-1] Servern svarar inte", "#close"))
			},
			status: tickets.StatusNew, event: "commands_refused",
			toAnna: []string{"consultant_notice", "command_refused"}, toEva: []string{"ack"},
		},
		{
			name: "tampered reply token",
			raw: func(s *testServer, _ ed25519.PrivateKey, rcpt string) []byte {
				return []byte(consultantMail("p3@sos.example", rcpt, "Re: [SOS-1] Servern svarar inte", "#resolve"))
			},
			status: tickets.StatusNew, event: "commands_refused",
			toAnna: []string{"consultant_notice", "command_refused"}, toEva: []string{"ack"},
		},
		{
			name: "DKIM-signed to the plain address",
			rcpt: "support@sos.example",
			raw: func(s *testServer, key ed25519.PrivateKey, rcpt string) []byte {
				return signDKIM(t, key, consultantMail("p4@sos.example", rcpt, "Re: [SOS-1] Servern svarar inte", "#start\n#internal\n\nKollar loggarna."))
			},
			status: tickets.StatusStarted, event: "note",
			toAnna: []string{"consultant_notice", "receipt"}, toEva: []string{"ack"},
		},
		{
			name: "DKIM-signed but changed on the way",
			rcpt: "support@sos.example",
			raw: func(s *testServer, key ed25519.PrivateKey, rcpt string) []byte {
				signed := signDKIM(t, key, consultantMail("p5@sos.example", rcpt, "Re: [SOS-1] Servern svarar inte", "#start"))
				return bytes.Replace(signed, []byte("#start"), []byte("#close"), 1)
			},
			status: tickets.StatusNew, event: "commands_refused",
			toAnna: []string{"consultant_notice", "command_refused"}, toEva: []string{"ack"},
		},
		{
			name: "a customer's #close",
			rcpt: "support@sos.example",
			from: "eva@acme.se",
			raw: func(s *testServer, _ ed25519.PrivateKey, rcpt string) []byte {
				return []byte("From: eva@acme.se\r\nTo: support@sos.example\r\nSubject: Re: [SOS-1] Servern svarar inte\r\n" +
					"Message-ID: <p6@acme.se>\r\n\r\n#close\r\n")
			},
			status: tickets.StatusNew, event: "reply_in",
			toAnna: []string{"consultant_notice", "reply_notice"}, toEva: []string{"ack"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, key := proofServer(t)
			fileTicket(t, s)
			rcpt := tc.rcpt
			if rcpt == "" {
				rcpt = s.signer.Address(1, "anna@sos.example")
			}
			if tc.name == "tampered reply token" {
				at := strings.IndexByte(rcpt, '@')
				last := rcpt[at-1]
				repl := byte('a')
				if last == 'a' {
					repl = 'b'
				}
				rcpt = rcpt[:at-1] + string(repl) + rcpt[at:]
			}
			from := tc.from
			if from == "" {
				from = "anna@sos.example"
			}
			if err := sendTo(s.addr, from, rcpt, tc.raw(s, key, rcpt)); err != nil {
				t.Fatal(err)
			}
			d := details(t, s)
			if d.Ticket.Status != tc.status {
				t.Errorf("status %s, want %s", d.Ticket.Status, tc.status)
			}
			last := d.Events[len(d.Events)-1]
			if last.Kind != tc.event {
				t.Errorf("last event %s (%s), want %s", last.Kind, last.Detail, tc.event)
			}
			if got := outKinds(t, d, "anna@sos.example"); strings.Join(got, ",") != strings.Join(tc.toAnna, ",") {
				t.Errorf("mail to anna: %v, want %v", got, tc.toAnna)
			}
			if got := outKinds(t, d, "eva@acme.se"); strings.Join(got, ",") != strings.Join(tc.toEva, ",") {
				t.Errorf("mail to eva: %v, want %v", got, tc.toEva)
			}
		})
	}
}

// A consultant's mail to the plain support address about no ticket opens
// nothing; the consultant is told how to reach a ticket.
func TestConsultantMailWithoutTicket(t *testing.T) {
	t.Parallel()
	s, _ := proofServer(t)
	raw := consultantMail("p7@sos.example", "support@sos.example", "Fråga", "#start\n\nHar vi något öppet för ACME?")
	if err := sendTo(s.addr, "anna@sos.example", "support@sos.example", []byte(raw)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.store.Get(context.Background(), 1); err == nil {
		t.Fatal("a consultant's mail about no ticket opened one")
	}
	items, err := s.store.Due(context.Background(), farFuture(), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 1 || items[0].Kind != "command_refused" || items[0].To[0] != "anna@sos.example" {
		t.Fatalf("outbox %+v, want one command_refused to anna", items)
	}
}

// The reply to a mail with invalid commands names each problem, and
// nothing of the mail went to the customer.
func TestCommandErrorNamesEachProblem(t *testing.T) {
	t.Parallel()
	s, _ := proofServer(t)
	fileTicket(t, s)
	rcpt := s.signer.Address(1, "anna@sos.example")
	raw := consultantMail("bad@sos.example", rcpt, "Re: Servern svarar inte", "#start\n#prio 1\n#time 90\n#app lön\n\nVi är på det.")
	if err := sendTo(s.addr, "anna@sos.example", rcpt, []byte(raw)); err != nil {
		t.Fatal(err)
	}
	items, err := s.store.Due(context.Background(), farFuture(), 100)
	if err != nil {
		t.Fatal(err)
	}
	var body string
	for _, it := range items {
		if it.Kind == "command_error" {
			m, err := mail.Parse(it.Raw, mail.DefaultLimits())
			if err != nil {
				t.Fatal(err)
			}
			body = m.Text
		}
		if it.To[0] == "eva@acme.se" && it.Kind != "ack" {
			t.Errorf("the customer got %s", it.Kind)
		}
	}
	for _, line := range []string{"#prio 1", "#time 90", "#app lön"} {
		if !strings.Contains(body, line) {
			t.Errorf("the error reply does not name %q:\n%s", line, body)
		}
	}
	if strings.Contains(body, "#start\n") {
		t.Errorf("the error reply names the valid #start:\n%s", body)
	}
}

// The loop breaker does not silence a busy consultant: past loop_limit
// replies in an hour, each still reaches its customer (and gets its
// receipt).
func TestBusyConsultantIsNotALoop(t *testing.T) {
	t.Parallel()
	s := startServer(t, mail.DefaultServerOptions()) // loop_limit 20
	const n = 22
	for i := 1; i <= n; i++ {
		from := fmt.Sprintf("user%d@acme.se", i)
		raw := fmt.Appendf(nil, "From: %s\r\nSubject: Fel %d\r\nMessage-ID: <busy-%d@acme.se>\r\n\r\nHjälp\r\n", from, i, i)
		if err := sendTo(s.addr, from, "support@sos.example", raw); err != nil {
			t.Fatal(err)
		}
	}
	for i := 1; i <= n; i++ {
		rcpt := s.signer.Address(int64(i), "anna@sos.example")
		raw := consultantMail(fmt.Sprintf("busy-reply-%d@sos.example", i), rcpt, "Re: Fel", "Vi tittar på det.")
		if err := sendTo(s.addr, "anna@sos.example", rcpt, []byte(raw)); err != nil {
			t.Fatal(err)
		}
	}
	for i := 1; i <= n; i++ {
		d, err := s.store.Get(context.Background(), tickets.ID(i))
		if err != nil {
			t.Fatal(err)
		}
		got := outKinds(t, d, fmt.Sprintf("user%d@acme.se", i))
		if len(got) != 2 || got[1] != "consultant_reply" {
			t.Errorf("SOS-%d: mail to the customer %v, want ack and consultant_reply", i, got)
		}
	}
}
