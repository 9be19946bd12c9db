package mail_test

import (
	"bytes"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"sosd/mail"
)

// BenchmarkIntake sends customer mail over SMTP, one connection per mail,
// each filed with one durable commit (a ticket, its mail, an ack and a
// consultant notice), at 1 and 32 concurrent senders.
func BenchmarkIntake(b *testing.B) {
	for _, senders := range []int{1, 32} {
		b.Run(fmt.Sprintf("senders=%d", senders), func(b *testing.B) {
			s := startServer(b, mail.DefaultServerOptions())
			body := bytes.Repeat([]byte("Servern svarar inte sedan i morse.\r\n"), 50) // ~2 KB
			var next atomic.Int64
			work := make(chan struct{})
			var wg sync.WaitGroup
			var failed atomic.Int64
			for range senders {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for range work {
						n := next.Add(1)
						// A sender per mail: one sender's flood would trip the
						// loop breaker, which is measured elsewhere.
						from := fmt.Sprintf("user%d@acme.se", n)
						raw := fmt.Appendf(nil, "From: %s\r\nSubject: Larm %d\r\nMessage-ID: <b%d@acme.se>\r\n\r\n%s", from, n, n, body)
						if err := sendPlain(s.addr, from, raw); err != nil {
							if failed.Add(1) == 1 {
								b.Log(err)
							}
						}
					}
				}()
			}
			b.ResetTimer()
			for b.Loop() {
				work <- struct{}{}
			}
			close(work)
			wg.Wait()
			b.StopTimer()
			if failed.Load() > 0 {
				b.Fatalf("%d mails failed", failed.Load())
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "mails/s")
		})
	}
}

// sendPlain sends one mail to the support address on a fresh
// connection, step by step: go-smtp's SendMail insists on STARTTLS, which
// the test server does not offer.
func sendPlain(addr, from string, raw []byte) error {
	return sendTo(addr, from, "support@sos.example", raw)
}
