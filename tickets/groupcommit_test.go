package tickets

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
)

// Concurrent filings share commits; one whose composer fails is answered
// with its error and leaves nothing, while its batch-mates are filed, with
// gap-free ids.
func TestGroupCommitOneFailureAlone(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	at := stockholm(t, 2026, 11, 30, 10, 0)
	const n = 64
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			compose := ackAndNotice
			if i == 17 {
				compose = func(Outcome) ([]Outgoing, error) { return nil, errors.New("template broken") }
			}
			_, errs[i] = s.File(context.Background(), inbound(fmt.Sprintf("g%d@acme.se", i), "eva@acme.se", at),
				NewTicket{Customer: "acme", Priority: 3, Reporter: "eva@acme.se", Subject: "x"}, compose)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if (i == 17) != (err != nil) {
			t.Errorf("filing %d: %v", i, err)
		}
	}
	if err := errs[17]; err == nil || !strings.Contains(err.Error(), "template broken") {
		t.Errorf("the failing filing got %v", err)
	}
	if got := count(t, s, "SELECT COUNT(*) FROM tickets"); got != n-1 {
		t.Errorf("%d tickets, want %d", got, n-1)
	}
	if max := count(t, s, "SELECT MAX(id) FROM tickets"); max != n-1 {
		t.Errorf("highest id %d with %d tickets: a gap", max, n-1)
	}
	if got := count(t, s, "SELECT COUNT(*) FROM messages WHERE message_id = 'g17@acme.se'"); got != 0 {
		t.Errorf("the failed filing left its mail")
	}
	// The batch ran again without the failing filing, so the ids after it
	// moved: every mail must have been rendered for its ticket's final id.
	if got := count(t, s, `SELECT COUNT(*) FROM messages m JOIN tickets t ON t.id = m.ticket_id
		WHERE m.direction = 'out' AND instr(CAST(m.raw AS TEXT), '[SOS-' || t.id || ']') > 0`); got != 2*(n-1) {
		t.Errorf("%d outgoing mails name their own ticket, want %d", got, 2*(n-1))
	}
	if got := count(t, s, "SELECT COUNT(*) FROM outbox"); got != 2*(n-1) {
		t.Errorf("%d outbox rows, want %d", got, 2*(n-1))
	}
}

// A panic in a composer fails that filing only.
func TestGroupCommitPanicAlone(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	at := stockholm(t, 2026, 11, 30, 10, 0)
	_, err := s.File(context.Background(), inbound("p@acme.se", "eva@acme.se", at),
		NewTicket{Customer: "acme", Priority: 3, Reporter: "eva@acme.se", Subject: "x"},
		func(Outcome) ([]Outgoing, error) { panic("boom") })
	if err == nil || !strings.Contains(err.Error(), "panic: boom") {
		t.Fatalf("err = %v", err)
	}
	fileOne(t, s, "after@acme.se", at)
	if got := count(t, s, "SELECT COUNT(*) FROM tickets"); got != 1 {
		t.Errorf("%d tickets after a panic and a filing, want 1", got)
	}
}

// After Close, writes fail with ErrClosed instead of hanging.
func TestWriteAfterClose(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	s.Close()
	_, err := s.File(context.Background(), inbound("c@acme.se", "eva@acme.se", stockholm(t, 2026, 11, 30, 10, 0)),
		NewTicket{Customer: "acme", Priority: 3, Reporter: "eva@acme.se", Subject: "x"}, nil)
	if !errors.Is(err, ErrClosed) {
		t.Errorf("err = %v, want ErrClosed", err)
	}
}
