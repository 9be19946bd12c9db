package mail_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"sosd/mail"
)

// acceptOnCancel is a relay that takes the mail just as the worker is
// told to stop: its 250 arrives after the worker's context ended.
type acceptOnCancel struct{ started chan struct{} }

func (a acceptOnCancel) Deliver(ctx context.Context, _ mail.OutboxItem) error {
	close(a.started)
	<-ctx.Done()
	return nil
}

// A delivery the relay accepted while the worker was stopping is still
// marked sent, so the next worker (after a reload or a restart) does not
// send it again.
func TestStoppedWorkerRecordsAcceptedMail(t *testing.T) {
	t.Parallel()
	s := startServer(t, mail.DefaultServerOptions())
	raw := []byte("From: eva@acme.se\r\nSubject: Stopp\r\nMessage-ID: <stop@acme.se>\r\n\r\nHej\r\n")
	if err := sendPlain(s.addr, "eva@acme.se", raw); err != nil {
		t.Fatal(err)
	}
	tr := acceptOnCancel{started: make(chan struct{})}
	w := mail.NewWorker(s.store, tr, slog.New(slog.NewTextHandler(io.Discard, nil)))
	w.Batch, w.Concurrency = 1, 1
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		w.RunOnce(ctx, time.Now())
	}()
	<-tr.started
	cancel()
	<-done
	due, err := s.store.Due(context.Background(), time.Now().Add(24*time.Hour), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(due) != 1 { // the ack was sent; only the notice to anna waits
		t.Errorf("%d mails waiting after the relay accepted one during the stop, want 1", len(due))
	}
}
