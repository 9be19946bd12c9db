package mail_test

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-smtp"

	"sosd/mail"
	"sosd/tickets"
)

// Concurrent sessions share commits; a mail whose filing fails (here a
// trigger refuses its subject) gets 451 while every other session gets 250
// and its ticket.
func TestGroupCommitSessions(t *testing.T) {
	t.Parallel()
	s := startServer(t, mail.DefaultServerOptions())
	db, err := sql.Open("sqlite3", s.store.Path())
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.Exec(`CREATE TRIGGER refuse BEFORE INSERT ON messages WHEN NEW.subject = 'REFUSE ME'
		BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`)
	db.Close()
	if err != nil {
		t.Fatal(err)
	}
	const n = 24
	codes := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			subject := fmt.Sprintf("Larm %d", i)
			if i == 5 {
				subject = "REFUSE ME"
			}
			from := fmt.Sprintf("user%d@acme.se", i)
			raw := fmt.Appendf(nil, "From: %s\r\nSubject: %s\r\nMessage-ID: <gc%d@acme.se>\r\n\r\nHej\r\n", from, subject, i)
			err := sendPlain(s.addr, from, raw)
			if se, ok := err.(*smtp.SMTPError); ok {
				codes[i] = se.Code
			} else if err != nil {
				t.Errorf("session %d: %v", i, err)
			} else {
				codes[i] = 250
			}
		}()
	}
	wg.Wait()
	for i, c := range codes {
		want := 250
		if i == 5 {
			want = 451
		}
		if c != want {
			t.Errorf("session %d got %d, want %d", i, c, want)
		}
	}
	list, err := s.store.List(context.Background(), tickets.Filter{})
	if err != nil || len(list) != n-1 {
		t.Fatalf("%d tickets (%v), want %d", len(list), err, n-1)
	}
	for _, tk := range list {
		if strings.Contains(tk.Subject, "REFUSE") {
			t.Error("the refused mail was filed")
		}
	}
}
