package mail

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"
)

// OutboxItem is one outgoing mail due for delivery.
type OutboxItem struct {
	ID        int64
	Ticket    int64 // the ticket the mail is about, 0 if none
	Kind      string
	MessageID string
	From      string
	To        []string
	Subject   string // as stored beside the mail, decoded
	Raw       []byte
	Attempts  int
}

// Outbox is where outgoing mail waits; package tickets implements it.
type Outbox interface {
	// Due returns up to limit rows whose next attempt is at or before now.
	Due(ctx context.Context, now time.Time, limit int) ([]OutboxItem, error)
	// MarkSent records delivery; only after it is a row sent.
	MarkSent(ctx context.Context, id int64, now time.Time) error
	// MarkRetry records a temporary failure and when to try again.
	MarkRetry(ctx context.Context, id int64, next time.Time, reason string) error
	// MarkFailed records a permanent failure.
	MarkFailed(ctx context.Context, id int64, now time.Time, reason string) error
}

// Transport delivers one mail. An error that has Temporary() true is
// retried; any other error is permanent.
type Transport interface {
	Deliver(ctx context.Context, it OutboxItem) error
}

// Spool is the Transport used when no relay is configured: each mail is
// written as <id>.eml into a folder, atomically (write a temporary file,
// fsync, rename, fsync the folder), so a reader never sees half a mail and
// a crash after the rename leaves the whole one. Writing the same id again
// replaces the file: re-delivery after a crash is harmless.
type Spool struct {
	Dir string
}

// Deliver writes the mail into the spool folder.
func (s Spool) Deliver(ctx context.Context, it OutboxItem) error {
	if err := os.MkdirAll(s.Dir, 0o750); err != nil {
		return temporary(fmt.Errorf("spool: %w", err))
	}
	name := filepath.Join(s.Dir, strconv.FormatInt(it.ID, 10)+".eml")
	tmp, err := os.CreateTemp(s.Dir, ".tmp-*.eml")
	if err != nil {
		return temporary(fmt.Errorf("spool: %w", err))
	}
	defer os.Remove(tmp.Name())
	_, werr := tmp.Write(it.Raw)
	serr := tmp.Sync()
	cerr := tmp.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		return temporary(fmt.Errorf("spool %s: %w", name, err))
	}
	if err := os.Rename(tmp.Name(), name); err != nil {
		return temporary(fmt.Errorf("spool %s: %w", name, err))
	}
	dir, err := os.Open(s.Dir)
	if err != nil {
		return temporary(fmt.Errorf("spool: %w", err))
	}
	defer dir.Close()
	if err := dir.Sync(); err != nil {
		return temporary(fmt.Errorf("spool: sync folder: %w", err))
	}
	return nil
}

// temporaryError marks a failure worth retrying.
type temporaryError struct{ error }

func (e temporaryError) Temporary() bool { return true }
func (e temporaryError) Unwrap() error   { return e.error }

func temporary(err error) error { return temporaryError{err} }

// isTemporary reports whether err says it is temporary.
func isTemporary(err error) bool {
	var t interface{ Temporary() bool }
	return errors.As(err, &t) && t.Temporary()
}

// Backoff is the retry schedule: base × 2^(attempts-1), at most max.
type Backoff struct {
	Base, Max time.Duration
}

// DefaultBackoff retries after 1, 2, 4, … minutes, at most every 2 hours.
func DefaultBackoff() Backoff { return Backoff{Base: time.Minute, Max: 2 * time.Hour} }

// After returns the wait after the given number of failed attempts (≥ 1).
func (b Backoff) After(attempts int) time.Duration {
	d := b.Base
	for i := 1; i < attempts && d < b.Max; i++ {
		d *= 2
	}
	return min(d, b.Max)
}

// Worker delivers due outbox rows through a Transport, a few at a time.
// Run loops until its context ends; RunOnce does one pass at a given
// instant, for tests and for Run.
type Worker struct {
	Outbox    Outbox
	Transport Transport
	Backoff   Backoff
	Log       *slog.Logger
	// Now is the clock; Batch is how many rows one pass takes;
	// Concurrency how many are delivered at once.
	Now         func() time.Time
	Batch       int
	Concurrency int
	// OnFailed, if set, is told of each permanent failure after it was
	// recorded, to report it (SPEC §10: to escalation.notify).
	OnFailed func(ctx context.Context, it OutboxItem, reason string)
	// Metrics counts attempts by result; nil counts nothing.
	Metrics *Metrics
	kick    chan struct{}
}

// NewWorker returns a worker with the default backoff, batch and
// concurrency.
func NewWorker(o Outbox, t Transport, log *slog.Logger) *Worker {
	return &Worker{Outbox: o, Transport: t, Backoff: DefaultBackoff(), Log: log, Now: time.Now,
		Batch: 50, Concurrency: 4, kick: make(chan struct{}, 1)}
}

// Kick wakes the worker after a commit queued mail; it never blocks.
func (w *Worker) Kick() {
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

// RunOnce delivers every row due at now, Concurrency at a time, and
// returns how many were sent. A row is marked sent only after the
// transport accepted it; a crash in between sends it once more, with the
// same Message-ID.
func (w *Worker) RunOnce(ctx context.Context, now time.Time) (int, error) {
	_, sent, err := w.pass(ctx, now)
	return sent, err
}

// pass is RunOnce, also saying how many rows it took: a full batch means
// more may be due at once.
func (w *Worker) pass(ctx context.Context, now time.Time) (taken, sent int, err error) {
	items, err := w.Outbox.Due(ctx, now, w.Batch)
	if err != nil {
		return 0, 0, fmt.Errorf("outbox: %w", err)
	}
	var (
		mu    sync.Mutex
		first error
		wg    sync.WaitGroup
	)
	sem := make(chan struct{}, max(1, w.Concurrency))
	for _, it := range items {
		if ctx.Err() != nil {
			break
		}
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			ok, err := w.deliver(ctx, now, it)
			mu.Lock()
			defer mu.Unlock()
			if ok {
				sent++
			}
			if err != nil && first == nil {
				first = err
			}
		}()
	}
	wg.Wait()
	if first == nil {
		first = ctx.Err()
	}
	return len(items), sent, first
}

// recordTimeout bounds writing a delivery's outcome.
const recordTimeout = 30 * time.Second

// deliver tries one row and records the outcome. The outcome is recorded
// even when ctx was cancelled meanwhile (shutdown, reload): a mail the
// relay accepted and not marked sent would go out again.
func (w *Worker) deliver(ctx context.Context, now time.Time, it OutboxItem) (bool, error) {
	err := w.Transport.Deliver(ctx, it)
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordTimeout)
	defer cancel()
	switch {
	case err == nil:
		if err := w.Outbox.MarkSent(ctx, it.ID, w.Now()); err != nil {
			return false, fmt.Errorf("outbox %d: %w", it.ID, err)
		}
		w.Metrics.delivery(it.Kind, "sent")
		w.Log.Info("mail delivered", "outbox", it.ID, "kind", it.Kind, "msg_id", it.MessageID, "ticket", it.Ticket)
		return true, nil
	case isTemporary(err):
		w.Metrics.delivery(it.Kind, "temporary")
		next := now.Add(w.Backoff.After(it.Attempts + 1))
		w.Log.Warn("delivery failed, will retry", "outbox", it.ID, "msg_id", it.MessageID, "attempt", it.Attempts+1, "next", next, "err", err)
		if err := w.Outbox.MarkRetry(ctx, it.ID, next, err.Error()); err != nil {
			return false, fmt.Errorf("outbox %d: %w", it.ID, err)
		}
	default:
		w.Metrics.delivery(it.Kind, "permanent")
		w.Log.Error("delivery failed permanently", "outbox", it.ID, "msg_id", it.MessageID, "ticket", it.Ticket, "err", err)
		if err := w.Outbox.MarkFailed(ctx, it.ID, w.Now(), err.Error()); err != nil {
			return false, fmt.Errorf("outbox %d: %w", it.ID, err)
		}
		if w.OnFailed != nil {
			w.OnFailed(ctx, it, err.Error())
		}
	}
	return false, nil
}

// pollEvery is how often the worker looks for due retries without a kick.
const pollEvery = 5 * time.Second

// Run delivers until ctx ends, after each kick and every few seconds for
// retries that have come due. It finishes the delivery in hand before it
// returns.
func (w *Worker) Run(ctx context.Context) {
	t := time.NewTicker(pollEvery)
	defer t.Stop()
	for {
		taken, _, err := w.pass(ctx, w.Now())
		if err != nil && ctx.Err() == nil {
			w.Log.Error("outbox pass failed", "err", err)
		}
		if err == nil && taken == w.Batch {
			// A full batch: more is due now (a backlog after a storm or
			// an outage). Rows that failed wait in backoff, so this
			// does not spin.
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-w.kick:
		case <-t.C:
		}
	}
}
