package mail_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"sosd/mail"
	"sosd/tickets"
)

// refused reads sosd_smtp_refused_total{reason} from reg.
func refused(t *testing.T, reg *prometheus.Registry, reason string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "sosd_smtp_refused_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "reason" && l.GetValue() == reason {
					return m.GetCounter().GetValue()
				}
			}
		}
	}
	return 0
}

// waitFor polls cond for up to five seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); {
		if time.Now().After(deadline) {
			t.Fatalf("still not %s after 5 s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// connectRefused dials and expects the 421 of the connection limit in
// place of the greeting, then the close.
func connectRefused(t *testing.T, addr string) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(5 * time.Second))
	r := bufio.NewReader(conn)
	line, err := r.ReadString('\n')
	if line != "421 4.7.0 Too many connections from your address\r\n" {
		t.Fatalf("greeting %q (%v), want the 421 of the connection limit", line, err)
	}
	if rest, err := io.ReadAll(r); err != nil || len(rest) != 0 {
		t.Errorf("after the 421: %q, %v; want the connection closed", rest, err)
	}
}

// The eleventh connection at once from one address is refused with 421
// at connect; the ten keep working; once they close, whether they said
// QUIT, said nothing at all, or timed out, new ones are accepted.
func TestConnectionsPerIP(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	opts := mail.DefaultServerOptions()
	opts.MaxConnectionsPerIP = 10
	opts.ReadTimeout = 2 * time.Second
	opts.Metrics = mail.NewMetrics(reg)
	s := startServer(t, opts)

	// Five greet and stay; five never send a byte.
	var talking []*dialog
	for range 5 {
		talking = append(talking, dial(t, s.addr))
	}
	var silent []net.Conn
	for range 5 {
		c, err := net.Dial("tcp", s.addr)
		if err != nil {
			t.Fatal(err)
		}
		silent = append(silent, c)
	}
	waitFor(t, "ten connections counted", func() bool { return s.srv.LimitStats().Connections == 10 })
	if st := s.srv.LimitStats(); st.Clients != 1 {
		t.Errorf("stats %+v: want one client address", st)
	}
	connectRefused(t, s.addr)
	connectRefused(t, s.addr)
	if n := refused(t, reg, "connections_per_ip"); n != 2 {
		t.Errorf("refused{connections_per_ip} = %v, want 2", n)
	}

	// The ten keep working.
	d := talking[0]
	d.cmd(250, "MAIL FROM:<eva@acme.se>")
	d.cmd(250, "RCPT TO:<support@sos.example>")
	d.data("From: eva@acme.se\r\nSubject: under the limit\r\nMessage-ID: <limit1@acme.se>\r\n\r\nHej\r\n", 250)

	// Closing frees places: a QUIT, and a silent connection dropped.
	talking[1].cmd(221, "QUIT")
	silent[0].Close()
	waitFor(t, "two places free", func() bool { return s.srv.LimitStats().Connections == 8 })
	dial(t, s.addr)
	dial(t, s.addr)
	connectRefused(t, s.addr)

	// The server's read timeout closes the idle ones, silent or not.
	waitFor(t, "every connection timed out", func() bool { return s.srv.LimitStats().Connections == 0 })
	for range 10 {
		dial(t, s.addr)
	}
	if st := s.srv.LimitStats(); st.Connections != 10 {
		t.Errorf("stats %+v after the time-outs, want 10 connections", st)
	}
	connectRefused(t, s.addr)
}

// A reload may change the limit; 0 turns it off.
func TestConnectionsPerIPReload(t *testing.T) {
	t.Parallel()
	opts := mail.DefaultServerOptions()
	opts.MaxConnectionsPerIP = 1
	s := startServer(t, opts)
	dial(t, s.addr)
	connectRefused(t, s.addr)
	s.srv.SetRateLimits(0, 0)
	for range 3 {
		dial(t, s.addr)
	}
	s.srv.SetRateLimits(2, 0)
	connectRefused(t, s.addr)
}

// fakeClock is an injectable ServerOptions.Now.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Past the hourly limit a sender is refused with 450 at MAIL FROM, in any
// case of its address; other senders are not; an hour after its first
// mail it is accepted again. The null sender is counted per client address.
func TestMessagesPerSenderPerHour(t *testing.T) {
	t.Parallel()
	clock := &fakeClock{now: time.Date(2026, 11, 30, 15, 0, 0, 0, time.UTC)}
	reg := prometheus.NewRegistry()
	opts := mail.DefaultServerOptions()
	opts.MaxMessagesPerSenderPerHour = 3
	opts.Now = clock.Now
	opts.Metrics = mail.NewMetrics(reg)
	s := startServer(t, opts)
	d := dial(t, s.addr)
	send := func(from, id string) {
		t.Helper()
		d.cmd(250, "MAIL FROM:<%s>", from)
		d.cmd(250, "RCPT TO:<support@sos.example>")
		d.data(fmt.Sprintf("From: %s\r\nSubject: %s\r\nMessage-ID: <%s@acme.se>\r\n\r\nHej\r\n", from, id, id), 250)
	}
	send("eva@acme.se", "r1")
	clock.Add(10 * time.Minute)
	send("Eva@ACME.se", "r2")
	clock.Add(10 * time.Minute)
	send("eva@acme.se", "r3")
	// A refused MAIL, even within another mail, leaves no mail in
	// progress: RCPT and DATA are out of sequence, never a mail without
	// its sender.
	d.cmd(250, "MAIL FROM:<olle@acme.se>")
	d.cmd(250, "RCPT TO:<support@sos.example>")
	msg := d.cmd(450, "MAIL FROM:<EVA@acme.se>")
	if !strings.HasPrefix(msg, "4.7.1 ") {
		t.Errorf("450 text %q, want 4.7.1", msg)
	}
	d.cmd(503, "RCPT TO:<support@sos.example>")
	d.data("From: eva@acme.se\r\nSubject: over\r\nMessage-ID: <over@acme.se>\r\n\r\nHej\r\n", 503)
	if n := refused(t, reg, "sender_rate"); n != 1 {
		t.Errorf("refused{sender_rate} = %v, want 1", n)
	}
	if list, _ := s.store.List(context.Background(), tickets.Filter{}); len(list) != 3 {
		t.Errorf("%d tickets, want 3", len(list))
	}
	// Others are not affected.
	send("olle@acme.se", "o1")
	// 59 minutes after the first mail: still three within the hour.
	clock.Add(39 * time.Minute)
	d.cmd(450, "MAIL FROM:<eva@acme.se>")
	// An hour after the first: one place free, and only one.
	clock.Add(time.Minute)
	send("eva@acme.se", "r4")
	d.cmd(450, "MAIL FROM:<eva@acme.se>")
	// Another hour: all free.
	clock.Add(time.Hour)
	for i := range 3 {
		send("eva@acme.se", fmt.Sprintf("r%d", 5+i))
	}
	d.cmd(450, "MAIL FROM:<eva@acme.se>")
	d.cmd(250, "RSET")

	// Bounces: the null sender, counted per client address.
	for range 3 {
		d.cmd(250, "MAIL FROM:<>")
		d.cmd(250, "RSET")
	}
	d.cmd(450, "MAIL FROM:<>")
	if n := refused(t, reg, "sender_rate"); n != 5 {
		t.Errorf("refused{sender_rate} = %v, want 5", n)
	}
}

// A flood with a new sender on every mail cannot grow the per-sender
// counts without bound; an hour later they are gone.
func TestSenderCountsBounded(t *testing.T) {
	t.Parallel()
	clock := &fakeClock{now: time.Date(2026, 11, 30, 15, 0, 0, 0, time.UTC)}
	opts := mail.DefaultServerOptions()
	opts.MaxMessagesPerSenderPerHour = mail.DefaultMaxMessagesPerSenderPerHour
	opts.Now = clock.Now
	s := startServer(t, opts)
	conn, err := net.Dial("tcp", s.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(60 * time.Second))
	c := textproto.NewConn(conn)
	if _, _, err := c.ReadResponse(220); err != nil {
		t.Fatal(err)
	}
	const senders = 100_000
	// Pipelined (RFC 2920): the commands go out while the replies come in.
	go func() {
		w := bufio.NewWriter(conn)
		fmt.Fprintf(w, "EHLO client.example\r\n")
		for i := range senders {
			fmt.Fprintf(w, "MAIL FROM:<spam%d-%x@random%d.example>\r\n", i, i*7919, i%977)
		}
		w.Flush()
	}()
	if _, _, err := c.ReadResponse(250); err != nil {
		t.Fatal(err)
	}
	for i := range senders {
		if _, _, err := c.ReadResponse(250); err != nil {
			t.Fatalf("MAIL %d: %v", i, err)
		}
	}
	n := s.srv.LimitStats().TrackedSenders
	t.Logf("%d senders tracked after %d", n, senders)
	if n == 0 || n > 10_000 {
		t.Errorf("%d senders tracked after %d distinct ones, want at most 10,000", n, senders)
	}
	clock.Add(time.Hour)
	c.PrintfLine("MAIL FROM:<eva@acme.se>")
	if _, _, err := c.ReadResponse(250); err != nil {
		t.Fatal(err)
	}
	if n := s.srv.LimitStats().TrackedSenders; n != 1 {
		t.Errorf("%d senders tracked an hour later, want 1", n)
	}
}
