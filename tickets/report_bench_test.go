package tickets

import (
	"context"
	"testing"
)

// BenchmarkQuarterlyReport makes the whole report mail of a customer with
// 20,000 tickets in the quarter: the read snapshot, the figures on each
// ticket's calendar, three charts, the CSV, both alternatives and the
// MIME, for each of the customer's three contacts.
func BenchmarkQuarterlyReport(b *testing.B) {
	e := newJobsIntake(b)
	at := stockholm(b, 2026, 12, 30, 12, 0)
	e.file(3, "eva@acme.se", at)
	// 20,000 tickets spread over the 90 days before: one every
	// 6.5 minutes or so.
	cloneTickets(b, e.s, 20_000, 90*24*60)
	// A plausible quarter: 49 of 50 started half an hour after the report
	// and closed the same day, the rest breached; all three priorities;
	// four applications and unknown.
	if _, err := e.s.w.Exec(`UPDATE tickets SET
		priority = 1 + id % 3,
		application = CASE id % 5 WHEN 0 THEN NULL WHEN 1 THEN 'ekonomi' WHEN 2 THEN 'intranat' WHEN 3 THEN 'crm' ELSE 'lon' END,
		status = CASE WHEN id % 50 = 0 THEN 'new' ELSE 'closed' END,
		started = CASE WHEN id % 50 = 0 THEN NULL ELSE received + 1800000000000 END,
		resolved = CASE WHEN id % 50 = 0 THEN NULL ELSE received + 14400000000000 END,
		closed = CASE WHEN id % 50 = 0 THEN NULL ELSE received + 18000000000000 END`); err != nil {
		b.Fatal(err)
	}
	now := stockholm(b, 2027, 1, 4, 7, 0)
	q := QuarterOf(at, at.Location())
	ctx := context.Background()
	for b.Loop() {
		mails, r, err := e.in.ComposeReport(ctx, "acme", q, now)
		if err != nil {
			b.Fatal(err)
		}
		if r.Tickets < 19_000 || len(mails) != 3 {
			b.Fatalf("%d tickets, %d mails", r.Tickets, len(mails))
		}
	}
}
