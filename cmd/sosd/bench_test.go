package main

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"
)

// BenchmarkSLADeadlineProcess measures `sosd sla deadline` as a whole
// process, start to exit (target: under 20 ms wall). It builds the binary
// once, outside the timed loop.
func BenchmarkSLADeadlineProcess(b *testing.B) {
	bin := filepath.Join(b.TempDir(), "sosd")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	for b.Loop() {
		cmd := exec.Command(bin, "sla", "deadline", "--priority", "3", "--reported", "2026-11-30T15:00:00+01:00")
		cmd.Dir = b.TempDir() // no ./config.yaml: the built-in calendar
		out, err := cmd.Output()
		if err != nil || string(out) != "2026-12-01T14:00:00+01:00\n" {
			b.Fatalf("sosd sla deadline = %q, %v", out, err)
		}
	}
}

// BenchmarkTicketsListJSON runs `tickets list --json` over 100,000 tickets
// (target: under 1 s). The fixture files one ticket through the store's
// API, then copies its rows with SQL: filing 100,000 durable tickets one by
// one would take over a minute.
func BenchmarkTicketsListJSON(b *testing.B) {
	f := newTicketsFixture(b)
	mon := time.Date(2026, 11, 30, 15, 0, 0, 0, f.loc)
	f.file(b, "acme", "ekonomi", 3, mon)
	db, err := sql.Open("sqlite3", f.store.Path())
	if err != nil {
		b.Fatal(err)
	}
	_, err = db.Exec(`WITH RECURSIVE n(i) AS (SELECT 2 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)
		INSERT INTO tickets (id, status, customer, application, priority, reporter, subject, language, received, deadline, deadline_facts)
		SELECT n.i, t.status, t.customer, t.application, 1 + n.i % 3, t.reporter, t.subject || ' ' || n.i, t.language,
			t.received + n.i * 1000000000, t.deadline + n.i * 1000000000, t.deadline_facts
		FROM n, tickets t WHERE t.id = 1`)
	db.Close()
	if err != nil {
		b.Fatal(err)
	}
	// Output goes to a file, as with `sosd tickets list --json > x.json`.
	outPath := filepath.Join(b.TempDir(), "list.json")
	b.ResetTimer()
	for b.Loop() {
		out, err := os.Create(outPath)
		if err != nil {
			b.Fatal(err)
		}
		var errOut bytes.Buffer
		a := &app{ctx: context.Background(), stdout: out, stderr: &errOut, now: func() time.Time { return mon }}
		code := a.run([]string{"tickets", "list", "--json", "--config", f.config})
		out.Close()
		if code != 0 {
			b.Fatalf("exit %d: %s", code, errOut.String())
		}
	}
	b.StopTimer()
	data, err := os.ReadFile(outPath)
	if err != nil {
		b.Fatal(err)
	}
	if n := bytes.Count(data, []byte(`"id":"SOS-`)); n != 100000 {
		b.Fatalf("%d tickets listed", n)
	}
}
