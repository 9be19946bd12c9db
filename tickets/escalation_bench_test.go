package tickets

import (
	"context"
	"testing"
	"time"
)

// cloneTickets copies ticket 1 into n-1 more rows in one statement, with
// receptions spread over the hours before: a large open backlog without
// filing each.
func cloneTickets(tb testing.TB, s *Store, n, spreadMinutes int) {
	tb.Helper()
	_, err := s.w.Exec(`WITH RECURSIVE seq(k) AS (SELECT 2 UNION ALL SELECT k + 1 FROM seq WHERE k < ?1)
		INSERT INTO tickets (id, status, customer, application, priority, reporter, subject, language, received, deadline, deadline_facts, window_ns, calendar_id)
		SELECT k, status, customer, application, priority, reporter, subject, language,
			received - (k % ?2) * 60000000000, deadline - (k % ?2) * 60000000000, deadline_facts, window_ns, calendar_id
		FROM tickets, seq WHERE id = 1`, n, spreadMinutes)
	if err != nil {
		tb.Fatal(err)
	}
}

// BenchmarkEscalationScan is the every-minute scan over 100,000 tickets
// not started, none of them due: "young" were all reported in the last
// ten hours before now, so SQL skips them by wall time; "weekend" were
// reported on Friday afternoon and it is Monday morning, so every one
// needs its business time computed (the worst case).
func BenchmarkEscalationScan(b *testing.B) {
	for _, tc := range []struct {
		name     string
		reported time.Time
		spread   int // minutes before reported
		now      time.Time
	}{
		{"young", stockholm(b, 2026, 11, 30, 16, 0), 600, stockholm(b, 2026, 11, 30, 16, 0).Add(-24 * time.Hour)},
		{"weekend", stockholm(b, 2026, 11, 27, 16, 0), 60, stockholm(b, 2026, 11, 30, 7, 30)},
	} {
		b.Run(tc.name, func(b *testing.B) {
			s := openTestStore(b)
			fileOne(b, s, "e1@acme.se", tc.reported)
			cloneTickets(b, s, 100_000, tc.spread)
			ctx := context.Background()
			for b.Loop() {
				due, err := s.DueEscalations(ctx, tc.now, 0.75)
				if err != nil {
					b.Fatal(err)
				}
				if len(due) != 0 {
					b.Fatalf("%d due", len(due))
				}
			}
		})
	}
}
