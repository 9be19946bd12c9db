package tickets

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"sync/atomic"
	"time"

	"github.com/mattn/go-sqlite3"
)

// Store is the database. Open it once per process; it is safe for
// concurrent use.
type Store struct {
	path string
	group
	// w is the one writer connection: SQLite allows one writer at a time
	// anyway, and one connection makes "max+1" ticket ids gap-free.
	w *sql.DB
	// r serves queries from a read-only pool; in WAL mode readers see a
	// consistent snapshot and never block the writer.
	r      *sql.DB
	policy atomic.Pointer[Policy]
}

// readers is the size of the read pool; all of its connections stay open,
// since opening one costs a file open and a schema read.
const readers = 4

// dsn builds the connection string. The pragmas are DSN parameters so that
// every connection of the pool gets them, not only the first (STYLE L10):
// WAL, synchronous=FULL so a commit survives power loss before the 250,
// foreign keys, a busy timeout, and BEGIN IMMEDIATE so a writer takes the
// write lock at the start of its transaction instead of failing midway.
func dsn(path string, readOnly bool) string {
	q := url.Values{}
	if !readOnly {
		// WAL is a property of the file, set by the writer; a reader that
		// asked for it would need a lock at every connect.
		q.Set("_journal_mode", "WAL")
	}
	q.Set("_synchronous", "FULL")
	q.Set("_busy_timeout", "5000")
	q.Set("_foreign_keys", "on")
	if readOnly {
		q.Set("_query_only", "true")
		q.Set("_txlock", "deferred")
	} else {
		q.Set("_txlock", "immediate")
	}
	return "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + q.Encode()
}

// Open opens (creating if needed) the database at path and applies any
// pending migrations. A database whose schema is newer than this binary is
// refused with ErrSchemaNewer.
func Open(ctx context.Context, path string, policy *Policy) (*Store, error) {
	w, err := sql.Open("sqlite3", dsn(path, false))
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	s := &Store{path: path, w: w}
	if err := s.migrate(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	r, err := sql.Open("sqlite3", dsn(path, true))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	r.SetMaxOpenConns(readers)
	r.SetMaxIdleConns(readers)
	s.r = r
	if policy != nil {
		s.SetPolicy(policy)
	}
	s.startWriter()
	return s, nil
}

// Close stops the writer after the batch in hand and closes both pools.
// Writes after Close fail with ErrClosed.
func (s *Store) Close() error {
	s.stopWriter()
	rerr := s.r.Close()
	if s.w == nil {
		return rerr
	}
	if err := s.w.Close(); err != nil {
		return fmt.Errorf("close %s: %w", s.path, err)
	}
	return rerr
}

// Path is the database file.
func (s *Store) Path() string { return s.path }

// SetPolicy swaps the calendar and priorities used for new deadlines, e.g.
// after a configuration reload. Stored deadlines never change.
func (s *Store) SetPolicy(p *Policy) { s.policy.Store(p) }

// Policy returns the calendar and priorities in force.
func (s *Store) Policy() *Policy { return s.policy.Load() }

// writeOne runs fn in a transaction of its own and commits it; any error
// rolls everything back. Migrations use it, before the group committer
// runs.
func (s *Store) writeOne(ctx context.Context, op string, fn func(ctx context.Context, tx dbtx) error) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return storageError(op, err)
	}
	// Rolled back unless committed (mox's idiom: tx = nil after Commit).
	defer func() {
		if tx != nil {
			_ = tx.Rollback()
		}
	}()
	if err := fn(ctx, tx); err != nil {
		return storageError(op, err)
	}
	if err := tx.Commit(); err != nil {
		return storageError(op, err)
	}
	tx = nil
	return nil
}

// read runs fn in one read transaction: a consistent snapshot.
func (s *Store) read(ctx context.Context, op string, fn func(tx *sql.Tx) error) error {
	tx, err := s.r.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return storageError(op, err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return storageError(op, err)
	}
	return nil
}

// nanos and fromNanos convert between time.Time and the stored form.
func nanos(t time.Time) int64 { return t.UnixNano() }

func fromNanos(n int64) time.Time { return time.Unix(0, n) }

func nullNanos(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixNano(), Valid: true}
}

func fromNullNanos(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.Unix(0, n.Int64)
}

// isUnique reports a UNIQUE constraint violation.
func isUnique(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintUnique
}

// OpenReader opens an existing database for queries only, as the CLI does
// beside a running daemon: it creates nothing and migrates nothing, and
// refuses a schema other than this binary's.
func OpenReader(ctx context.Context, path string) (*Store, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	r, err := sql.Open("sqlite3", dsn(path, true))
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	r.SetMaxOpenConns(readers)
	r.SetMaxIdleConns(readers)
	var v int
	if err := r.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		r.Close()
		return nil, fmt.Errorf("open %s: %w", path, storageError("read schema version", err))
	}
	switch want := SchemaVersion(); {
	case v > want:
		r.Close()
		return nil, fmt.Errorf("open %s: %w: version %d, this sosd knows up to %d", path, ErrSchemaNewer, v, want)
	case v < want:
		r.Close()
		return nil, fmt.Errorf("open %s: schema version %d is older than this sosd's %d: start sosd serve once to migrate it", path, v, want)
	}
	return &Store{path: path, r: r}, nil
}
