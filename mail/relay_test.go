package mail_test

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"sosd/mail"
)

// testRelay is the consultancy's relay as the tests play it: a go-smtp
// server on 127.0.0.1 that records what it accepts and fails on demand.
type testRelay struct {
	addr string
	mu   sync.Mutex
	got  []recorded // accepted mails
	// Faults, read per DATA: fail4xx answers 451 that many times; fail5xx
	// answers 550 for these recipients; dropData closes the connection in
	// the middle of DATA that many times; hang blocks DATA until it is
	// closed, and then refuses the mail.
	fail4xx  int
	fail5xx  map[string]bool
	dropData int
	hang     chan struct{}
	// onData, if set, runs when a mail has been received in full, before
	// the 250 (under the relay's lock).
	onData func()
	// Require AUTH PLAIN with this user and password.
	user, pass string
	tls        bool
}

type recorded struct {
	from, to, messageID string
	tls, authed         bool
}

func startRelay(t *testing.T, withTLS bool, user, pass string) *testRelay {
	t.Helper()
	r := &testRelay{fail5xx: map[string]bool{}, user: user, pass: pass, tls: withTLS}
	srv := smtp.NewServer(r)
	srv.Domain = "relay.test"
	srv.AllowInsecureAuth = false
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	if withTLS {
		cert, _ := selfSigned(t)
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r.addr = l.Addr().String()
	go srv.Serve(l)
	t.Cleanup(func() {
		if r.hang != nil {
			close(r.hang)
		}
		srv.Close()
	})
	return r
}

func (r *testRelay) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &relaySession{r: r, c: c}, nil
}

func (r *testRelay) accepted() []recorded {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]recorded(nil), r.got...)
}

type relaySession struct {
	r      *testRelay
	c      *smtp.Conn
	from   string
	to     []string
	authed bool
}

func (s *relaySession) AuthMechanisms() []string { return []string{sasl.Plain} }
func (s *relaySession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != s.r.user || pass != s.r.pass {
			return errors.New("bad credentials")
		}
		s.authed = true
		return nil
	}), nil
}
func (s *relaySession) Mail(from string, _ *smtp.MailOptions) error {
	if s.r.user != "" && !s.authed {
		return smtp.ErrAuthRequired
	}
	s.from = from
	return nil
}
func (s *relaySession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if s.r.fail5xx[to] {
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "no such user"}
	}
	s.to = append(s.to, to)
	return nil
}
func (s *relaySession) Data(r io.Reader) error {
	s.r.mu.Lock()
	hang, drop := s.r.hang, s.r.dropData > 0
	if drop {
		s.r.dropData--
	}
	fail := s.r.fail4xx > 0
	if fail {
		s.r.fail4xx--
	}
	s.r.mu.Unlock()
	if drop {
		s.c.Conn().Close()
		return errors.New("dropped")
	}
	if hang != nil {
		// A hung relay that comes back never delivers the mail it hung
		// on: the client timed out and will send it again. (One that
		// delivers it anyway is a duplicate only the relay can prevent.)
		<-hang
		return errors.New("hung")
	}
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if fail {
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	_, isTLS := s.c.TLSConnectionState()
	s.r.mu.Lock()
	defer s.r.mu.Unlock()
	for _, to := range s.to {
		s.r.got = append(s.r.got, recorded{from: s.from, to: to, messageID: messageIDOf(raw), tls: isTLS, authed: s.authed})
	}
	if s.r.onData != nil {
		s.r.onData()
	}
	return nil
}
func (s *relaySession) Reset()        { s.from, s.to = "", nil }
func (s *relaySession) Logout() error { return nil }

func messageIDOf(raw []byte) string {
	for _, line := range strings.Split(string(raw), "\r\n") {
		if v, ok := strings.CutPrefix(strings.ToLower(line), "message-id: "); ok {
			return v
		}
	}
	return ""
}

// relayWorker is the outbox worker over the test server's store, sending
// to relay r at an injected clock.
func relayWorker(t *testing.T, s *testServer, relay *mail.Relay, now *time.Time) (*mail.Worker, *[]string) {
	t.Helper()
	var mu sync.Mutex
	failed := &[]string{}
	w := mail.NewWorker(s.store, relay, slog.New(slog.NewTextHandler(io.Discard, nil)))
	w.Now = func() time.Time { return *now }
	w.OnFailed = func(_ context.Context, it mail.OutboxItem, reason string) {
		mu.Lock()
		defer mu.Unlock()
		*failed = append(*failed, it.To[0]+": "+reason)
	}
	return w, failed
}

// fileMail files one customer mail through SMTP: an ack to the reporter
// and a notice to anna are queued.
func fileMail(t *testing.T, s *testServer, n int) {
	t.Helper()
	raw := []byte("From: eva@acme.se\r\nSubject: Servern\r\nMessage-ID: <relay" + string(rune('a'+n)) + "@acme.se>\r\n\r\nHej\r\n")
	if err := sendPlain(s.addr, "eva@acme.se", raw); err != nil {
		t.Fatal(err)
	}
}

// trustingRelay is a Relay for the test relay, whose certificate is made
// per test and so not verified.
func trustingRelay(t *testing.T, addr, policy, user, pass string) *mail.Relay {
	t.Helper()
	return &mail.Relay{Addr: addr, StartTLS: policy, Username: user, Password: pass, Timeout: 5 * time.Second,
		TLS: &tls.Config{InsecureSkipVerify: true}}
}

// STARTTLS required and AUTH PLAIN: every mail arrives once, over TLS,
// authenticated, with its Message-ID.
func TestRelayTLSAndAuth(t *testing.T) {
	t.Parallel()
	s := startServer(t, mail.DefaultServerOptions())
	relay := startRelay(t, true, "sosd", "s3cret")
	fileMail(t, s, 0)
	now := time.Now()
	w, failed := relayWorker(t, s, trustingRelay(t, relay.addr, mail.TLSRequired, "sosd", "s3cret"), &now)
	if n, err := w.RunOnce(context.Background(), now); err != nil || n != 2 {
		t.Fatalf("RunOnce = %d, %v", n, err)
	}
	got := relay.accepted()
	if len(got) != 2 || len(*failed) != 0 {
		t.Fatalf("relay got %+v, failed %v", got, *failed)
	}
	for _, r := range got {
		if !r.tls || !r.authed || r.from != "support@sos.example" || !strings.HasPrefix(r.messageID, "<sos-1.") {
			t.Errorf("delivery %+v", r)
		}
	}
	// Nothing is sent again.
	if n, _ := w.RunOnce(context.Background(), now.Add(time.Hour)); n != 0 || len(relay.accepted()) != 2 {
		t.Errorf("sent again: %d", n)
	}
}

// A relay without STARTTLS gets nothing in clear when TLS is required; the
// mail waits and goes once the relay offers TLS (here: opportunistic).
func TestRelayRequiredTLSRefusesClear(t *testing.T) {
	t.Parallel()
	s := startServer(t, mail.DefaultServerOptions())
	plain := startRelay(t, false, "", "")
	fileMail(t, s, 0)
	now := time.Now()
	w, failed := relayWorker(t, s, trustingRelay(t, plain.addr, mail.TLSRequired, "", ""), &now)
	if n, _ := w.RunOnce(context.Background(), now); n != 0 || len(plain.accepted()) != 0 || len(*failed) != 0 {
		t.Fatalf("sent %d in clear (relay got %d, failed %v)", n, len(plain.accepted()), *failed)
	}
	w.Transport = trustingRelay(t, plain.addr, mail.TLSOpportunistic, "", "")
	if n, _ := w.RunOnce(context.Background(), now.Add(time.Hour)); n != 2 || len(plain.accepted()) != 2 {
		t.Errorf("opportunistic: sent %d", n)
	}
}

// 4xx twice, then a dropped connection mid-DATA, then a refused
// connection: retried with backoff at the injected clock, and every mail
// delivered exactly once after the faults clear.
func TestRelayTemporaryFaults(t *testing.T) {
	t.Parallel()
	s := startServer(t, mail.DefaultServerOptions())
	relay := startRelay(t, false, "", "")
	relay.fail4xx, relay.dropData = 2, 1
	fileMail(t, s, 0)
	t0 := time.Date(2026, 11, 30, 15, 0, 0, 0, time.UTC)
	now := t0
	w, failed := relayWorker(t, s, trustingRelay(t, relay.addr, mail.TLSNone, "", ""), &now)
	w.Concurrency = 1
	ctx := context.Background()
	// Pass 1 (t0): the two mails meet 451, 451.
	// Pass 2 (t0+1m): one meets the dropped connection, the other gets in.
	// Pass 3 (t0+3m): the last gets in.
	for _, at := range []time.Duration{0, 30 * time.Second, time.Minute, 2 * time.Minute, 3 * time.Minute, time.Hour} {
		now = t0.Add(at)
		w.RunOnce(ctx, now)
	}
	got := relay.accepted()
	ids := map[string]int{}
	for _, r := range got {
		ids[r.messageID]++
	}
	if len(got) != 2 || len(ids) != 2 || len(*failed) != 0 {
		t.Errorf("relay got %+v (failed %v): want each of the 2 mails once", got, *failed)
	}
	// A relay that is down: connection refused is temporary too.
	dead, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := dead.Addr().String()
	dead.Close()
	fileMail(t, s, 1)
	w.Transport = trustingRelay(t, addr, mail.TLSNone, "", "")
	if n, err := w.RunOnce(ctx, now.Add(2*time.Hour)); n != 0 || err != nil || len(*failed) != 0 {
		t.Errorf("relay down: sent %d, err %v, failed %v", n, err, *failed)
	}
}

// A permanent refusal is recorded once and reported once; the other mail
// of the same filing goes through.
func TestRelayPermanentFailure(t *testing.T) {
	t.Parallel()
	s := startServer(t, mail.DefaultServerOptions())
	relay := startRelay(t, false, "", "")
	relay.fail5xx["eva@acme.se"] = true
	fileMail(t, s, 0)
	now := time.Now()
	w, failed := relayWorker(t, s, trustingRelay(t, relay.addr, mail.TLSNone, "", ""), &now)
	for i := range 3 {
		w.RunOnce(context.Background(), now.Add(time.Duration(i)*time.Hour))
	}
	if len(*failed) != 1 || !strings.Contains((*failed)[0], "eva@acme.se: RCPT TO eva@acme.se: 550 5.1.1") {
		t.Errorf("reported %v, want the ack's 550 once", *failed)
	}
	if got := relay.accepted(); len(got) != 1 || got[0].to != "anna@sos.example" {
		t.Errorf("relay got %+v", got)
	}
}

// A relay that never answers the data times out: temporary, retried.
func TestRelayTimeout(t *testing.T) {
	t.Parallel()
	s := startServer(t, mail.DefaultServerOptions())
	relay := startRelay(t, false, "", "")
	relay.hang = make(chan struct{})
	fileMail(t, s, 0)
	now := time.Now()
	tr := trustingRelay(t, relay.addr, mail.TLSNone, "", "")
	tr.Timeout = 300 * time.Millisecond
	w, failed := relayWorker(t, s, tr, &now)
	start := time.Now()
	if n, _ := w.RunOnce(context.Background(), now); n != 0 || len(*failed) != 0 {
		t.Errorf("sent %d, failed %v", n, *failed)
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("a hanging relay held the worker %v", time.Since(start))
	}
	due, _ := s.store.Due(context.Background(), now.Add(time.Minute), 10)
	if len(due) != 2 || due[0].Attempts != 1 {
		t.Errorf("after a timeout: %d due, attempts %d", len(due), due[0].Attempts)
	}
}
