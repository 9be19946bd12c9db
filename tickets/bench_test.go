package tickets

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkFile files one ticket per transaction (synchronous=FULL) with a
// 4 KB raw message and its two outbox rows.
func BenchmarkFile(b *testing.B) {
	s := openTestStore(b)
	at := stockholm(b, 2026, 11, 30, 10, 0)
	raw := bytes.Repeat([]byte("x"), 4096)
	ctx := context.Background()
	b.SetBytes(int64(len(raw)))
	i := 0
	for b.Loop() {
		i++
		in := inbound(fmt.Sprintf("bench-%d@acme.se", i), "eva@acme.se", at)
		in.Raw = raw
		if _, err := s.File(ctx, in, NewTicket{Customer: "acme", Priority: 3, Reporter: "eva@acme.se", Subject: "x"}, ackAndNotice); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tickets/s")
}

// BenchmarkFsync is the ceiling beside BenchmarkFile: one write and fsync
// of a 4 KB block, what a durable commit cannot beat on this disk (a WAL
// commit needs at least one).
func BenchmarkFsync(b *testing.B) {
	f, err := os.Create(filepath.Join(b.TempDir(), "f"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	block := bytes.Repeat([]byte("x"), 4096)
	for b.Loop() {
		if _, err := f.WriteAt(block, 0); err != nil {
			b.Fatal(err)
		}
		if err := f.Sync(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "fsyncs/s")
}
