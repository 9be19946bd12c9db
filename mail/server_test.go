package mail_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/textproto"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sosd/mail"
	"sosd/sla"
	"sosd/templates"
	"sosd/tickets"
)

// testServer is the SMTP server over a real store and the real intake,
// listening on 127.0.0.1 at a port the kernel chose.
type testServer struct {
	addr   string
	store  *tickets.Store
	srv    *mail.Server
	signer *mail.Signer
}

func startServer(t testing.TB, opts mail.ServerOptions) *testServer {
	t.Helper()
	return startServerWith(t, opts, nil)
}

// startServerWith is startServer with the intake configuration changed
// by change first.
func startServerWith(t testing.TB, opts mail.ServerOptions, change func(*tickets.IntakeConfig)) *testServer {
	t.Helper()
	cal, err := sla.NewCalendar(sla.DefaultCalendarConfig())
	if err != nil {
		t.Fatal(err)
	}
	policy := &tickets.Policy{Calendar: cal, Priorities: sla.DefaultPriorities()}
	store, err := tickets.Open(context.Background(), filepath.Join(t.TempDir(), "sosd.db"), policy)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	tmpl, err := templates.New()
	if err != nil {
		t.Fatal(err)
	}
	signer, err := mail.NewSigner([]byte("0123456789abcdef0123456789abcdef"), "support@sos.example")
	if err != nil {
		t.Fatal(err)
	}
	dir := &mail.Directory{Support: "support@sos.example", Consultants: []string{"anna@sos.example"},
		Customers: []mail.Customer{{ID: "acme", Name: "ACME AB", Language: "sv", Domains: []string{"acme.se"}}}}
	log := slog.New(slog.NewTextHandler(testLogWriter(t), nil))
	cfg := &tickets.IntakeConfig{
		Directory: dir, Signer: signer, Templates: tmpl, Priorities: sla.DefaultPriorities(),
		Hours: templates.Hours{Days: []time.Weekday{1, 2, 3, 4, 5}, Open: "08:00", Close: "17:00"}, Consultants: []string{"anna@sos.example"},
		LoopLimit: 20, ReopenWithin: 7 * 24 * time.Hour, Location: cal.Location(),
	}
	if change != nil {
		change(cfg)
	}
	intake := tickets.NewIntake(store, cfg, log)
	srv := mail.NewServer(context.Background(), opts, intake, &mail.Rules{Directory: dir, Signer: signer, Limits: mail.DefaultLimits()}, log)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	return &testServer{addr: l.Addr().String(), store: store, srv: srv, signer: signer}
}

// dialog is a raw SMTP conversation, for the reply codes themselves.
type dialog struct {
	t *testing.T
	c *textproto.Conn
}

func dial(t *testing.T, addr string) *dialog {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	d := &dialog{t: t, c: textproto.NewConn(conn)}
	t.Cleanup(func() { d.c.Close() })
	d.expect(220)
	d.cmd(250, "EHLO client.example")
	return d
}

// cmd sends a line and checks the reply code; it returns the reply text.
func (d *dialog) cmd(code int, format string, args ...any) string {
	d.t.Helper()
	if err := d.c.PrintfLine(format, args...); err != nil {
		d.t.Fatal(err)
	}
	return d.expect(code)
}

func (d *dialog) expect(code int) string {
	d.t.Helper()
	got, msg, err := d.c.ReadResponse(0)
	if got != code {
		d.t.Fatalf("reply %d %q (%v), want %d", got, msg, err, code)
	}
	return msg
}

// data sends a message body after DATA and returns the final reply.
func (d *dialog) data(body string, code int) string {
	d.t.Helper()
	d.cmd(354, "DATA")
	w := d.c.DotWriter()
	io.WriteString(w, body)
	w.Close()
	return d.expect(code)
}

func TestRcptOnlySupportAddress(t *testing.T) {
	t.Parallel()
	s := startServer(t, mail.DefaultServerOptions())
	d := dial(t, s.addr)
	d.cmd(250, "MAIL FROM:<eva@acme.se>")
	if msg := d.cmd(550, "RCPT TO:<sales@sos.example>"); !strings.Contains(msg, "5.1.1") {
		t.Errorf("550 without 5.1.1: %q", msg)
	}
	d.cmd(550, "RCPT TO:<support@other.example>")
	d.cmd(250, "RCPT TO:<Support@SOS.example>")
	d.cmd(250, "RCPT TO:<support+12-abc@sos.example>")
}

// A new customer mail gets its 250 only with the ticket committed.
func TestDataFilesBefore250(t *testing.T) {
	t.Parallel()
	s := startServer(t, mail.DefaultServerOptions())
	d := dial(t, s.addr)
	d.cmd(250, "MAIL FROM:<eva@acme.se>")
	d.cmd(250, "RCPT TO:<support@sos.example>")
	d.data("From: eva@acme.se\r\nSubject: Servern nere\r\nMessage-ID: <t1@acme.se>\r\n\r\nHej\r\n", 250)
	list, err := s.store.List(context.Background(), tickets.Filter{})
	if err != nil || len(list) != 1 || list[0].Reporter != "eva@acme.se" {
		t.Fatalf("after 250: %v, %v", list, err)
	}
	// Again in the same session: the same Message-ID files nothing new.
	d.cmd(250, "MAIL FROM:<eva@acme.se>")
	d.cmd(250, "RCPT TO:<support@sos.example>")
	d.data("From: eva@acme.se\r\nSubject: Servern nere\r\nMessage-ID: <t1@acme.se>\r\n\r\nHej\r\n", 250)
	if list, _ := s.store.List(context.Background(), tickets.Filter{}); len(list) != 1 {
		t.Errorf("%d tickets after a duplicate", len(list))
	}
}

// Mail that cannot be parsed at all is kept and accepted, never bounced.
func TestUnparseableMailIsKept(t *testing.T) {
	t.Parallel()
	s := startServer(t, mail.DefaultServerOptions())
	d := dial(t, s.addr)
	d.cmd(250, "MAIL FROM:<x@elsewhere.example>")
	d.cmd(250, "RCPT TO:<support@sos.example>")
	d.data("\x00\x01 not a mail at all\r\n", 250)
	kept, err := s.store.Kept(context.Background())
	if err != nil || len(kept) != 1 || !strings.Contains(kept[0].Reason, "cannot parse") {
		t.Fatalf("kept = %+v, %v", kept, err)
	}
	// The consultants were told, with the raw mail attached.
	due, _ := s.store.Due(context.Background(), time.Now().Add(time.Minute), 10)
	if len(due) != 1 || due[0].Kind != "quarantine" || !strings.Contains(string(due[0].Raw), "not a mail at all") {
		t.Errorf("quarantine notice: %+v", due)
	}
}

func TestTooBigIs552(t *testing.T) {
	t.Parallel()
	opts := mail.DefaultServerOptions()
	opts.MaxMessageBytes = 2048
	s := startServer(t, opts)
	d := dial(t, s.addr)
	d.cmd(250, "MAIL FROM:<eva@acme.se>")
	d.cmd(250, "RCPT TO:<support@sos.example>")
	d.data("From: eva@acme.se\r\nSubject: big\r\n\r\n"+strings.Repeat(strings.Repeat("x", 70)+"\r\n", 60), 552)
	if list, _ := s.store.List(context.Background(), tickets.Filter{}); len(list) != 0 {
		t.Errorf("a refused mail filed %d tickets", len(list))
	}
	// A line beyond the line limit is refused too, not a 451.
	opts.MaxMessageBytes, opts.MaxLineLength = 1<<20, 1000
	s = startServer(t, opts)
	d = dial(t, s.addr)
	d.cmd(250, "MAIL FROM:<eva@acme.se>")
	d.cmd(250, "RCPT TO:<support@sos.example>")
	d.data("From: eva@acme.se\r\nSubject: long\r\n\r\n"+strings.Repeat("x", 2000)+"\r\n", 552)
}

// Our own failure is a temporary 451 with a reference, never a 5xx: the
// sender's server keeps the mail and tries again.
func TestStoreFailureIs451(t *testing.T) {
	t.Parallel()
	s := startServer(t, mail.DefaultServerOptions())
	s.store.Close()
	d := dial(t, s.addr)
	d.cmd(250, "MAIL FROM:<eva@acme.se>")
	d.cmd(250, "RCPT TO:<support@sos.example>")
	msg := d.data("From: eva@acme.se\r\nSubject: x\r\nMessage-ID: <t2@acme.se>\r\n\r\nHej\r\n", 451)
	if !strings.Contains(msg, "4.3.0") || !strings.Contains(msg, "ref ") || strings.Contains(msg, "sql") {
		t.Errorf("451 text %q: want 4.3.0, a reference and no internals", msg)
	}
}

// Many sessions at once all get their mail filed.
func TestConcurrentSessions(t *testing.T) {
	t.Parallel()
	s := startServer(t, mail.DefaultServerOptions())
	const n = 16
	errs := make(chan error, n)
	for i := range n {
		go func() {
			conn, err := net.Dial("tcp", s.addr)
			if err != nil {
				errs <- err
				return
			}
			defer conn.Close()
			c := textproto.NewConn(conn)
			steps := []struct {
				line string
				code int
			}{{"", 220}, {"HELO c", 250}, {"MAIL FROM:<eva@acme.se>", 250}, {"RCPT TO:<support@sos.example>", 250}, {"DATA", 354}}
			for _, st := range steps {
				if st.line != "" {
					c.PrintfLine("%s", st.line)
				}
				if _, _, err := c.ReadResponse(st.code); err != nil {
					errs <- fmt.Errorf("%s: %w", st.line, err)
					return
				}
			}
			w := c.DotWriter()
			fmt.Fprintf(w, "From: eva@acme.se\r\nSubject: s%d\r\nMessage-ID: <c%d@acme.se>\r\n\r\nHej\r\n", i, i)
			w.Close()
			_, _, err = c.ReadResponse(250)
			errs <- err
		}()
	}
	for range n {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
	if list, _ := s.store.List(context.Background(), tickets.Filter{}); len(list) != n {
		t.Errorf("%d tickets, want %d", len(list), n)
	}
}

// testLogWriter sends the server's log to the test's log.
func testLogWriter(t testing.TB) io.Writer {
	if _, ok := t.(*testing.B); ok {
		return io.Discard
	}
	return logWriter{t}
}

type logWriter struct{ t testing.TB }

func (w logWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}
