package tickets

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"
	"time"
)

func TestMigrationsFromEmptyFile(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	var v int
	if err := s.w.QueryRow("PRAGMA user_version").Scan(&v); err != nil {
		t.Fatal(err)
	}
	if v != SchemaVersion() || v < 1 {
		t.Fatalf("user_version = %d, want %d", v, SchemaVersion())
	}
	for _, table := range []string{"tickets", "events", "messages", "attachments", "outbox", "notices", "work_log", "onsite_visits", "quarantine"} {
		if n := count(t, s, "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ?", table); n != 1 {
			t.Errorf("table %s missing", table)
		}
	}
}

// The DSN's pragmas hold on every connection of both pools.
func TestPragmasOnEveryConnection(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	for name, db := range map[string]*sql.DB{"writer": s.w, "reader": s.r} {
		var journal string
		var sync, fk, busy int
		if err := db.QueryRow("PRAGMA journal_mode").Scan(&journal); err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRow("PRAGMA synchronous").Scan(&sync); err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRow("PRAGMA foreign_keys").Scan(&fk); err != nil {
			t.Fatal(err)
		}
		if err := db.QueryRow("PRAGMA busy_timeout").Scan(&busy); err != nil {
			t.Fatal(err)
		}
		if journal != "wal" || sync != 2 || fk != 1 || busy != 5000 {
			t.Errorf("%s: journal_mode=%s synchronous=%d foreign_keys=%d busy_timeout=%d; want wal 2 (FULL) 1 5000", name, journal, sync, fk, busy)
		}
	}
	if _, err := s.r.Exec("DELETE FROM tickets"); err == nil {
		t.Error("the read pool accepted a write")
	}
}

func TestMigrationsRerunIsNoop(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "sosd.db")
	ctx := context.Background()
	s, err := Open(ctx, path, testPolicy(t))
	if err != nil {
		t.Fatal(err)
	}
	fileOne(t, s, "a@acme.se", stockholm(t, 2026, 11, 30, 10, 0))
	s.Close()
	s, err = Open(ctx, path, testPolicy(t))
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer s.Close()
	if n := count(t, s, "SELECT COUNT(*) FROM tickets"); n != 1 {
		t.Errorf("tickets after reopening = %d, want 1", n)
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "sosd.db")
	ctx := context.Background()
	s, err := Open(ctx, path, testPolicy(t))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.w.Exec("PRAGMA user_version = 999"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	_, err = Open(ctx, path, testPolicy(t))
	if !errors.Is(err, ErrSchemaNewer) {
		t.Fatalf("Open = %v, want ErrSchemaNewer", err)
	}
}

// A migration that fails leaves neither its tables nor its version.
func TestFailedMigrationRollsBack(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	ctx := context.Background()
	err := s.write(ctx, "bad migration", func(ctx context.Context, tx dbtx) error {
		if _, err := tx.ExecContext(ctx, "CREATE TABLE half (x)"); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "PRAGMA user_version = 2"); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, "THIS IS NOT SQL")
		return err
	})
	if err == nil {
		t.Fatal("bad SQL succeeded")
	}
	var v int
	s.w.QueryRow("PRAGMA user_version").Scan(&v)
	if v != SchemaVersion() || count(t, s, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'half'") != 0 {
		t.Errorf("after a failed migration: user_version %d, table half present %d", v, count(t, s, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'half'"))
	}
}

func TestMigrationFilesNumbered(t *testing.T) {
	t.Parallel()
	ms, err := migrations()
	if err != nil || len(ms) == 0 {
		t.Fatalf("migrations: %v (%d)", err, len(ms))
	}
	for i, m := range ms {
		if m.version != i+1 {
			t.Errorf("%s has version %d, want %d", m.name, m.version, i+1)
		}
	}
}

// Migration 0003 fills window_ns and calendar_id of tickets filed before
// it from their stored facts, to what filing writes today.
func TestMigration0003Backfill(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := openTestStore(t)
	fileOne(t, now, "m3@acme.se", stockholm(t, 2026, 11, 27, 16, 0))
	var want struct {
		window int64
		config string
	}
	if err := now.w.QueryRow(`SELECT t.window_ns, c.config FROM tickets t JOIN calendars c ON c.id = t.calendar_id`).Scan(&want.window, &want.config); err != nil {
		t.Fatal(err)
	}

	// A database of schema 2 holding the same ticket.
	path := filepath.Join(t.TempDir(), "old.db")
	old, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := migrations()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range ms[:2] {
		if _, err := old.Exec(m.sql); err != nil {
			t.Fatalf("%s: %v", m.name, err)
		}
	}
	var cols []any
	row := now.w.QueryRow(`SELECT id, status, customer, application, priority, reporter, subject, language, received, deadline, deadline_facts FROM tickets`)
	vals := make([]any, 11)
	for i := range vals {
		cols = append(cols, &vals[i])
	}
	if err := row.Scan(cols...); err != nil {
		t.Fatal(err)
	}
	if _, err := old.Exec(`INSERT INTO tickets (id, status, customer, application, priority, reporter, subject, language, received, deadline, deadline_facts)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, vals...); err != nil {
		t.Fatal(err)
	}
	if _, err := old.Exec(`PRAGMA user_version = 2`); err != nil {
		t.Fatal(err)
	}
	old.Close()

	s, err := Open(ctx, path, testPolicy(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var window int64
	var config string
	if err := s.w.QueryRow(`SELECT t.window_ns, c.config FROM tickets t JOIN calendars c ON c.id = t.calendar_id`).Scan(&window, &config); err != nil {
		t.Fatal(err)
	}
	// julianday keeps milliseconds.
	if d := window - want.window; d < -int64(time.Millisecond) || d > int64(time.Millisecond) {
		t.Errorf("window_ns %d after the migration, filing writes %d", window, want.window)
	}
	if config != want.config {
		t.Errorf("calendar after the migration\n%s\nfiling writes\n%s", config, want.config)
	}
}
