package tickets

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
)

// Group commit. Every change to the database is a request to one writer
// goroutine. It takes every request waiting, runs them in one transaction,
// each inside a savepoint of its own, and commits once: one fsync for the
// whole batch instead of one per mail. A request is answered only after
// the commit that holds it is durable, so the SMTP session's 250 still
// follows the commit (SPEC §5). A request that fails is rolled back to its
// savepoint and answered with its error; the rest of its batch commits.
//
// Requests run in the order they arrived, one after another, so they see
// each other's writes: ids stay max+1 and gap-free, and the same
// Message-ID twice in one batch still files once.

// maxBatch bounds the requests in one transaction, so one commit never
// holds back answers for long.
const maxBatch = 256

// writeReq is one change waiting for the writer.
type writeReq struct {
	ctx  context.Context
	op   string
	fn   func(ctx context.Context, tx dbtx) error
	done chan error
}

// group is the writer goroutine's side of the Store.
type group struct {
	reqs    chan *writeReq // unbuffered: a request sent is a request taken
	quit    chan struct{}
	stopped chan struct{}
	once    sync.Once
	// stmts are the writer's prepared statements by query text; only the
	// writer goroutine touches them.
	stmts map[string]*sql.Stmt
}

// dbtx is what the package's SQL runs on: a read transaction (*sql.Tx) or
// the writer's transaction with its prepared statements (*writerTx).
type dbtx interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// writerTx runs statements through prepared statements of the writer
// connection: preparing costs more than running most of ours. A query
// seen for the first time runs unprepared and is prepared after the batch,
// when the one connection is free.
type writerTx struct {
	tx      *sql.Tx
	stmts   map[string]*sql.Stmt
	unknown []string
}

func (w *writerTx) stmt(ctx context.Context, q string) *sql.Stmt {
	if st, ok := w.stmts[q]; ok {
		return w.tx.StmtContext(ctx, st)
	}
	w.unknown = append(w.unknown, q)
	return nil
}

func (w *writerTx) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if st := w.stmt(ctx, q); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return w.tx.ExecContext(ctx, q, args...)
}

func (w *writerTx) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if st := w.stmt(ctx, q); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return w.tx.QueryContext(ctx, q, args...)
}

func (w *writerTx) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	if st := w.stmt(ctx, q); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return w.tx.QueryRowContext(ctx, q, args...)
}

// prepare prepares the queries the last batch ran unprepared.
func (s *Store) prepare(queries []string) {
	for _, q := range queries {
		if _, ok := s.stmts[q]; ok {
			continue
		}
		// Multi-statement scripts (migrations) cannot be prepared; they
		// just keep running unprepared.
		if st, err := s.w.Prepare(q); err == nil {
			s.stmts[q] = st
		}
	}
}

func (s *Store) startWriter() {
	s.stmts = make(map[string]*sql.Stmt)
	s.reqs = make(chan *writeReq)
	s.quit = make(chan struct{})
	s.stopped = make(chan struct{})
	go s.writer()
}

func (s *Store) stopWriter() {
	if s.reqs == nil {
		return
	}
	s.once.Do(func() { close(s.quit) })
	<-s.stopped
}

// write runs fn as one change, in the next batch, and returns once the
// batch is committed (nil) or fn failed or the commit failed (the error).
// fn gets a context that is not cancelled while it runs: cancelling a
// statement would abort the whole batch's transaction (sqlite3_interrupt).
func (s *Store) write(ctx context.Context, op string, fn func(ctx context.Context, tx dbtx) error) error {
	if s.reqs == nil {
		return s.writeOne(ctx, op, fn)
	}
	req := &writeReq{ctx: ctx, op: op, fn: fn, done: make(chan error, 1)}
	select {
	case s.reqs <- req:
	case <-s.quit:
		return fmt.Errorf("%s: %w", op, ErrClosed)
	case <-ctx.Done():
		return storageError(op, ctx.Err())
	}
	// Taken: the answer comes once the batch is decided, whatever ctx does.
	return <-req.done
}

// writer takes batches until the store closes.
func (s *Store) writer() {
	defer close(s.stopped)
	for {
		var first *writeReq
		select {
		case first = <-s.reqs:
		case <-s.quit:
			return
		}
		batch := []*writeReq{first}
	more:
		for len(batch) < maxBatch {
			select {
			case r := <-s.reqs:
				batch = append(batch, r)
			default:
				break more
			}
		}
		s.commitBatch(batch)
	}
}

// commitBatch runs a batch in one transaction and answers every request.
func (s *Store) commitBatch(batch []*writeReq) {
	errs := make([]error, len(batch))
	defer func() {
		for i, r := range batch {
			r.done <- errs[i]
		}
	}()
	failAll := func(err error) {
		for i, r := range batch {
			if errs[i] == nil {
				errs[i] = storageError(r.op, err)
			}
		}
	}
	sqltx, err := s.w.BeginTx(context.Background(), nil)
	if err != nil {
		failAll(err)
		return
	}
	tx := &writerTx{tx: sqltx, stmts: s.stmts}
	defer func() { s.prepare(tx.unknown) }()
	for i, r := range batch {
		if err := r.ctx.Err(); err != nil {
			errs[i] = storageError(r.op, err) // gave up before its turn
			continue
		}
		if _, err := sqltx.Exec("SAVEPOINT op"); err != nil {
			sqltx.Rollback()
			failAll(err)
			return
		}
		if err := runOp(r, tx); err != nil {
			errs[i] = storageError(r.op, err)
			if _, rerr := sqltx.Exec("ROLLBACK TO op"); rerr != nil {
				// SQLite rolled the whole transaction back (SQLITE_FULL
				// and some I/O errors do): nothing of the batch holds.
				// The batch-mates fail for the same cause, so they get
				// err (a full disk: 452), not the missing savepoint.
				sqltx.Rollback()
				failAll(errors.Join(err, rerr))
				return
			}
		}
		if _, err := sqltx.Exec("RELEASE op"); err != nil {
			sqltx.Rollback()
			failAll(err)
			return
		}
	}
	if err := sqltx.Commit(); err != nil {
		sqltx.Rollback()
		failAll(err)
	}
}

// runOp runs one request's change; a panic in it (a composer's bug) fails
// that request alone.
func runOp(r *writeReq, tx *writerTx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return r.fn(context.WithoutCancel(r.ctx), tx)
}
