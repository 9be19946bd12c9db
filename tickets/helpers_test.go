package tickets

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"sosd/sla"
)

// testPolicy is the agreement's default calendar and priorities.
func testPolicy(t testing.TB) *Policy {
	t.Helper()
	cal, err := sla.NewCalendar(sla.DefaultCalendarConfig())
	if err != nil {
		t.Fatal(err)
	}
	return &Policy{Calendar: cal, Priorities: sla.DefaultPriorities()}
}

// openTestStore opens a fresh database file in a temp dir.
func openTestStore(t testing.TB) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "sosd.db"), testPolicy(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// stockholm returns a wall-clock instant in the calendar's zone.
func stockholm(t testing.TB, y int, m time.Month, d, hh, mm int) time.Time {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		t.Fatal(err)
	}
	return time.Date(y, m, d, hh, mm, 0, 0, loc)
}

// inbound builds an inbound mail with the given Message-ID.
func inbound(id, from string, at time.Time) Inbound {
	return Inbound{
		MessageID: id,
		From:      from,
		To:        []string{"support@sos.example"},
		Subject:   "Servern svarar inte " + id,
		Received:  at,
		Raw:       []byte(fmt.Sprintf("Message-ID: <%s>\r\nFrom: %s\r\nSubject: test\r\n\r\nHej!\r\n", id, from)),
	}
}

// ackAndNotice renders what filing queues in the product: an
// acknowledgement to the reporter and a notice to the consultants. The
// real templates live in the mail package; this composer only has to
// produce well-formed rows whose Message-IDs derive from the outcome.
func ackAndNotice(o Outcome) ([]Outgoing, error) {
	t := o.Ticket
	mk := func(kind string, to ...string) Outgoing {
		id := fmt.Sprintf("%s.%s.%d@sos.example", t.ID, kind, len(o.Changes))
		return Outgoing{Kind: kind, MessageID: id, From: "support@sos.example", To: to,
			Subject: fmt.Sprintf("[%s] %s", t.ID, t.Subject),
			Raw:     []byte("Message-ID: <" + id + ">\r\nSubject: [" + t.ID.String() + "]\r\n\r\n" + string(o.Kind) + "\r\n")}
	}
	switch o.Kind {
	case OutcomeFiled, OutcomeNewFromClosed:
		return []Outgoing{mk("ack", t.Reporter), mk("consultant_notice", "anna@sos.example")}, nil
	default:
		return []Outgoing{mk(string(o.Kind), "anna@sos.example")}, nil
	}
}

// fileOne files a priority-3 ticket for acme from reporter at at.
func fileOne(t testing.TB, s *Store, msgID string, at time.Time) Result {
	t.Helper()
	res, err := s.File(context.Background(), inbound(msgID, "eva@acme.se", at),
		NewTicket{Customer: "acme", Application: "ekonomi", Priority: 3, Language: "sv", Reporter: "eva@acme.se", Subject: "Servern svarar inte"},
		ackAndNotice)
	if err != nil {
		t.Fatalf("File %s: %v", msgID, err)
	}
	return res
}

// count returns SELECT COUNT(*) of a query on the writer.
func count(t testing.TB, s *Store, q string, args ...any) int {
	t.Helper()
	var n int
	if err := s.w.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}
