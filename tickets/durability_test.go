package tickets

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// 8 goroutines filing 1,000 tickets: ids unique and gap-free, nothing lost.
func TestConcurrentFilingGapFree(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	at := stockholm(t, 2026, 11, 30, 10, 0)
	const workers, each = 8, 125
	ids := make(chan ID, workers*each)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				res, err := s.File(context.Background(), inbound(fmt.Sprintf("w%d-%d@acme.se", w, i), "eva@acme.se", at),
					NewTicket{Customer: "acme", Priority: 3, Reporter: "eva@acme.se", Subject: "x"}, ackAndNotice)
				if err != nil {
					t.Error(err)
					return
				}
				ids <- res.Ticket.ID
			}
		}()
	}
	wg.Wait()
	close(ids)
	seen := make(map[ID]bool)
	for id := range ids {
		if seen[id] {
			t.Errorf("%s filed twice", id)
		}
		seen[id] = true
	}
	for n := 1; n <= workers*each; n++ {
		if !seen[ID(n)] {
			t.Errorf("SOS-%d missing: ids are not gap-free", n)
		}
	}
	if n := count(t, s, "SELECT COUNT(*) FROM tickets"); n != workers*each {
		t.Errorf("%d tickets stored, want %d", n, workers*each)
	}
	if n := count(t, s, "SELECT COUNT(*) FROM outbox"); n != 2*workers*each {
		t.Errorf("%d outbox rows, want %d", n, 2*workers*each)
	}
}

// The same Message-ID filed twice: one ticket, and the second call says so.
func TestSameMessageIDFilesOnce(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	at := stockholm(t, 2026, 11, 30, 10, 0)
	first := fileOne(t, s, "same@acme.se", at)
	second := fileOne(t, s, "same@acme.se", at.Add(3600e9))
	if first.Duplicate || !second.Duplicate || second.Ticket.ID != first.Ticket.ID {
		t.Fatalf("first %+v / second %+v", first.Ticket.ID, second)
	}
	if n := count(t, s, "SELECT COUNT(*) FROM tickets"); n != 1 {
		t.Errorf("%d tickets, want 1", n)
	}
	if n := count(t, s, "SELECT COUNT(*) FROM outbox"); n != 2 || len(second.Outbox) != 0 {
		t.Errorf("%d outbox rows (second call queued %d), want 2 and 0", n, len(second.Outbox))
	}
	// A mail without a Message-ID is deduplicated by its bytes.
	in := inbound("", "eva@acme.se", at)
	nt := NewTicket{Customer: "acme", Priority: 3, Reporter: "eva@acme.se", Subject: "x"}
	a, err := s.File(context.Background(), in, nt, ackAndNotice)
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.File(context.Background(), in, nt, ackAndNotice)
	if err != nil || !b.Duplicate || b.Ticket.ID != a.Ticket.ID {
		t.Errorf("no Message-ID twice: %v, %+v", err, b)
	}
}

// A composer that fails rolls the whole filing back.
func TestComposeFailureFilesNothing(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	_, err := s.File(context.Background(), inbound("x@acme.se", "eva@acme.se", stockholm(t, 2026, 11, 30, 10, 0)),
		NewTicket{Customer: "acme", Priority: 3, Reporter: "eva@acme.se", Subject: "x"},
		func(Outcome) ([]Outgoing, error) { return nil, fmt.Errorf("template broken") })
	if err == nil || !strings.Contains(err.Error(), "template broken") {
		t.Fatalf("err = %v", err)
	}
	for _, table := range []string{"tickets", "messages", "events", "outbox"} {
		if n := count(t, s, "SELECT COUNT(*) FROM "+table); n != 0 {
			t.Errorf("%s has %d rows after a failed filing", table, n)
		}
	}
}

// crashChildEnv names the database a child process files into until it is
// killed.
const crashChildEnv = "SOSD_TICKETS_CRASH_DB"

// TestCrashChild is the child of TestCrashSafety: it files tickets as fast
// as it can and prints each id after its commit returned.
func TestCrashChild(t *testing.T) {
	path := os.Getenv(crashChildEnv)
	if path == "" {
		t.Skip("only run as the child of TestCrashSafety")
	}
	s, err := Open(context.Background(), path, testPolicy(t))
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(3)
	}
	at := stockholm(t, 2026, 11, 30, 10, 0)
	w := bufio.NewWriter(os.Stdout)
	for i := 0; ; i++ {
		res, err := s.File(context.Background(), inbound(fmt.Sprintf("p%d-%d@acme.se", os.Getpid(), i), "eva@acme.se", at),
			NewTicket{Customer: "acme", Priority: 3, Reporter: "eva@acme.se", Subject: "x"}, ackAndNotice)
		if err != nil {
			fmt.Println("file:", err)
			os.Exit(4)
		}
		fmt.Fprintln(w, int64(res.Ticket.ID))
		w.Flush()
	}
}

// A child process is killed with SIGKILL in the middle of filing, many
// times at random moments. Afterwards the database opens cleanly, every
// ticket the child saw committed is there, and every ticket is whole:
// ticket, inbound message, event and both outbox rows, or none of them.
func TestCrashSafety(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns processes")
	}
	t.Parallel()
	path := filepath.Join(t.TempDir(), "sosd.db")
	rng := rand.New(rand.NewPCG(1, 2))
	committed := map[int64]bool{}
	const runs = 15
	for run := range runs {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashChildEnv+"="+path)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(out)
		// Kill after a random number of commits; the child is by then in
		// the middle of the next filing at some random point.
		want := 1 + rng.IntN(40)
		for got := 0; got < want && sc.Scan(); got++ {
			n, err := strconv.ParseInt(sc.Text(), 10, 64)
			if err != nil {
				t.Fatalf("run %d: child said %q", run, sc.Text())
			}
			committed[n] = true
		}
		cmd.Process.Signal(syscall.SIGKILL)
		// Ids printed before the kill landed are committed too.
		for sc.Scan() {
			if n, err := strconv.ParseInt(sc.Text(), 10, 64); err == nil {
				committed[n] = true
			}
		}
		cmd.Wait()
		checkWhole(t, path, committed)
	}
}

// checkWhole opens the database after a crash and checks every ticket.
func checkWhole(t *testing.T, path string, committed map[int64]bool) {
	t.Helper()
	s, err := Open(context.Background(), path, testPolicy(t))
	if err != nil {
		t.Fatalf("open after crash: %v", err)
	}
	defer s.Close()
	var ok string
	if err := s.w.QueryRow("PRAGMA integrity_check").Scan(&ok); err != nil || ok != "ok" {
		t.Fatalf("integrity_check = %q, %v", ok, err)
	}
	for id := range committed {
		if count(t, s, "SELECT COUNT(*) FROM tickets WHERE id = ?", id) != 1 {
			t.Errorf("SOS-%d was committed before the crash but is gone", id)
		}
	}
	broken := count(t, s, `SELECT COUNT(*) FROM tickets t WHERE
		(SELECT COUNT(*) FROM messages m WHERE m.ticket_id = t.id AND m.direction = 'in') != 1 OR
		(SELECT COUNT(*) FROM messages m WHERE m.ticket_id = t.id AND m.direction = 'out') != 2 OR
		(SELECT COUNT(*) FROM events e WHERE e.ticket_id = t.id) != 1 OR
		(SELECT COUNT(*) FROM outbox o JOIN messages m ON m.id = o.message_id WHERE m.ticket_id = t.id) != 2`)
	if broken != 0 {
		t.Errorf("%d tickets are not whole after a crash", broken)
	}
	if n := count(t, s, "SELECT COUNT(*) FROM messages WHERE ticket_id IS NULL"); n != 0 {
		t.Errorf("%d messages without a ticket", n)
	}
	max := count(t, s, "SELECT COALESCE(MAX(id), 0) FROM tickets")
	if n := count(t, s, "SELECT COUNT(*) FROM tickets"); n != max {
		t.Errorf("%d tickets but the highest id is %d: a gap", n, max)
	}
}
