package mail_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"sosd/mail"
	"sosd/sla"
	"sosd/tickets"
)

// Environment of TestRelayCrashChild.
const (
	crashDBEnv    = "SOSD_RELAY_CRASH_DB"
	crashRelayEnv = "SOSD_RELAY_CRASH_RELAY"
)

// TestRelayCrashChild is the child of TestRelayCrashBeforeMark: one pass of
// the outbox worker over the database, to the relay.
func TestRelayCrashChild(t *testing.T) {
	path := os.Getenv(crashDBEnv)
	if path == "" {
		t.Skip("only run as the child of TestRelayCrashBeforeMark")
	}
	cal, _ := sla.NewCalendar(sla.DefaultCalendarConfig())
	store, err := tickets.Open(context.Background(), path, &tickets.Policy{Calendar: cal, Priorities: sla.DefaultPriorities()})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	w := mail.NewWorker(store, &mail.Relay{Addr: os.Getenv(crashRelayEnv), StartTLS: mail.TLSNone, Timeout: 5 * time.Second},
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	w.Concurrency = 1
	if _, err := w.RunOnce(context.Background(), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
}

// The process dies after the relay has a mail but before the row is
// marked sent. After a restart the mail goes once more, with the same
// Message-ID: at most one duplicate, and then the row is done.
func TestRelayCrashBeforeMark(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	t.Parallel()
	s := startServer(t, mail.DefaultServerOptions())
	fileMail(t, s, 0) // an ack and a notice to anna
	relay := startRelay(t, false, "", "")
	var child atomic.Pointer[exec.Cmd]
	relay.mu.Lock()
	relay.onData = func() { // runs under relay.mu
		// The relay has the first mail: kill the sender before it can
		// mark the row sent, then answer 250 to no one.
		relay.onData = nil
		child.Load().Process.Signal(syscall.SIGKILL)
		time.Sleep(100 * time.Millisecond) // the kill lands before the 250
	}
	relay.mu.Unlock()
	run := func() error {
		cmd := exec.Command(os.Args[0], "-test.run=^TestRelayCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashDBEnv+"="+s.store.Path(), crashRelayEnv+"="+relay.addr)
		if err := cmd.Start(); err != nil {
			return err
		}
		child.Store(cmd)
		return cmd.Wait()
	}
	if err := run(); err == nil {
		t.Fatal("the first child was not killed")
	}
	if err := run(); err != nil {
		t.Fatalf("second child: %v", err)
	}
	got := relay.accepted()
	byID := map[string]int{}
	for _, r := range got {
		byID[r.messageID]++
	}
	if len(byID) != 2 {
		t.Fatalf("relay got %d distinct mails (%+v), want the ack and the notice", len(byID), got)
	}
	dups := 0
	for id, n := range byID {
		if n > 2 {
			t.Errorf("%s delivered %d times", id, n)
		}
		if n == 2 {
			dups++
		}
	}
	if dups != 1 {
		t.Errorf("%d mails duplicated, want exactly the one in flight at the crash", dups)
	}
	if due, _ := s.store.Due(context.Background(), time.Now().Add(24*time.Hour), 10); len(due) != 0 {
		t.Errorf("%d rows still due after the restart", len(due))
	}
}
