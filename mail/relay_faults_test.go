package mail_test

import (
	"context"
	"fmt"
	"net"
	"testing"
	"time"

	"sosd/mail"
)

// The relay misbehaves in every way at once for a while — down
// (connection refused), 451s, connections dropped in the middle of DATA,
// a hang that times out, and a 550 for one customer's address — while 30
// customers' mails wait in the outbox. Once the faults clear, every
// acknowledgement and notice is delivered exactly once, and the one
// permanent failure is reported exactly once (issue 8, "Relay faults").
func TestRelayFaultsTogether(t *testing.T) {
	t.Parallel()
	s := startServer(t, mail.DefaultServerOptions())
	relay := startRelay(t, false, "", "")
	const customers = 30
	for n := range customers {
		from := fmt.Sprintf("user%d@acme.se", n)
		raw := fmt.Appendf(nil, "From: %s\r\nSubject: Fel %d\r\nMessage-ID: <faults-%d@acme.se>\r\n\r\nHej\r\n", from, n, n)
		if err := sendPlain(s.addr, from, raw); err != nil {
			t.Fatal(err)
		}
	}
	relay.fail5xx["user7@acme.se"] = true
	dead, _ := net.Listen("tcp", "127.0.0.1:0")
	deadAddr := dead.Addr().String()
	dead.Close()

	t0 := time.Date(2026, 11, 30, 15, 0, 0, 0, time.UTC)
	now := t0
	w, failed := relayWorker(t, s, trustingRelay(t, deadAddr, mail.TLSNone, "", ""), &now)
	ctx := context.Background()
	pass := func(label string) {
		t.Helper()
		if _, err := w.RunOnce(ctx, now); err != nil {
			t.Fatalf("%s: %v", label, err)
		}
	}

	// The relay is down: every mail is refused a connection.
	pass("down")
	// It comes up but hangs in DATA: those deliveries time out (a few,
	// to keep the test fast).
	tr := trustingRelay(t, relay.addr, mail.TLSNone, "", "")
	tr.Timeout = 200 * time.Millisecond
	w.Transport, w.Batch = tr, 4
	relay.mu.Lock()
	relay.hang = make(chan struct{})
	relay.mu.Unlock()
	now = t0.Add(2 * time.Hour)
	pass("hang")
	relay.mu.Lock()
	close(relay.hang)
	relay.hang = nil
	// Then it answers 451 to twenty mails and drops ten connections in
	// the middle of DATA.
	relay.fail4xx, relay.dropData = 20, 10
	relay.mu.Unlock()
	tr.Timeout, w.Batch = 5*time.Second, 50
	for i := 2; i <= 12; i++ {
		now = t0.Add(time.Duration(i) * 2 * time.Hour) // past every backoff (2 h at most)
		pass(fmt.Sprintf("pass %d", i))
	}
	due, err := s.store.Due(ctx, now.Add(24*time.Hour), 1000)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	acks, notices, dups := 0, 0, 0
	for _, r := range relay.accepted() {
		seen[r.messageID]++
		if seen[r.messageID] > 1 {
			dups++
		}
		if r.to == "anna@sos.example" {
			notices++
		} else {
			acks++
		}
	}
	t.Logf("mails %d, outbox rows %d; relay accepted %d (acks %d, notices %d), duplicates %d, undelivered %d, reported %d",
		customers, 2*customers, len(relay.accepted()), acks, notices, dups, len(due), len(*failed))
	if acks != customers-1 || notices != customers || dups != 0 {
		t.Errorf("acks %d (want %d), notices %d (want %d), duplicates %d (want 0)", acks, customers-1, notices, customers, dups)
	}
	if len(due) != 0 {
		t.Errorf("%d mails still waiting after the faults cleared", len(due))
	}
	if len(*failed) != 1 {
		t.Errorf("permanent failures reported %v, want user7's ack once", *failed)
	}
}
