package mail

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestSpoolWritesAtomically(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "outbox")
	sp := Spool{Dir: dir}
	it := OutboxItem{ID: 7, Raw: []byte("Subject: x\r\n\r\nhej\r\n")}
	if err := sp.Deliver(context.Background(), it); err != nil {
		t.Fatal(err)
	}
	// Delivering the same row again (a crash before MarkSent) replaces it.
	if err := sp.Deliver(context.Background(), it); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || entries[0].Name() != "7.eml" {
		t.Fatalf("spool holds %v, want only 7.eml", entries)
	}
	data, _ := os.ReadFile(filepath.Join(dir, "7.eml"))
	if string(data) != string(it.Raw) {
		t.Errorf("7.eml = %q", data)
	}
	// A spool that cannot be written is a temporary failure.
	blocker := filepath.Join(t.TempDir(), "file")
	os.WriteFile(blocker, nil, 0o600)
	if err := (Spool{Dir: filepath.Join(blocker, "x")}).Deliver(context.Background(), it); !isTemporary(err) {
		t.Errorf("unwritable spool: %v, want a temporary error", err)
	}
}

func TestBackoff(t *testing.T) {
	t.Parallel()
	b := Backoff{Base: time.Minute, Max: time.Hour}
	want := []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute, 16 * time.Minute, 32 * time.Minute, time.Hour, time.Hour}
	for i, w := range want {
		if got := b.After(i + 1); got != w {
			t.Errorf("After(%d) = %v, want %v", i+1, got, w)
		}
	}
	if got := b.After(1000); got != time.Hour {
		t.Errorf("After(1000) = %v", got)
	}
}
