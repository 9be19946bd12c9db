package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"sosd/sla"
	"sosd/tickets"
)

// /metrics of a running daemon counts a customer's mail, its ticket and
// its acknowledgement, and /healthz says ok.
func TestEndToEndMetricsAndHealth(t *testing.T) {
	t.Parallel()
	d := startDaemon(t)
	if d.http == "" {
		t.Fatal("listen.http is not serving")
	}
	get := func(path string) (int, string) {
		t.Helper()
		resp, err := http.Get("http://" + d.http + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, body := get("/healthz"); code != 200 || !strings.Contains(body, `"status":"ok"`) {
		t.Fatalf("/healthz %d %s", code, body)
	}
	raw := "From: eva@acme.se\r\nTo: support@sos.example\r\nSubject: Intranätet är nere\r\nMessage-ID: <metrics-1@acme.se>\r\n\r\nHjälp\r\n"
	if err := d.send("eva@acme.se", []string{"support@sos.example"}, []byte(raw)); err != nil {
		t.Fatal(err)
	}
	d.spooled(3) // the ack and a notice to each consultant
	wants := []string{
		`sosd_mails_in_total{class="customer"} 1`,
		"sosd_tickets_filed_total 1",
		"sosd_tickets_open 1",
		"sosd_acks_sent_total 1",
		"sosd_outbox_depth 0",
		"sosd_smtp_sessions_total 1",
		`sosd_delivery_attempts_total{kind="ack",result="sent"} 1`,
		"sosd_intake_seconds_count 1",
		"sosd_database_up 1",
		`sosd_escalations_total{level="breach"} 0`,
	}
	// The spool file exists a moment before its row is marked sent.
	var body string
	var missing []string
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		_, body = get("/metrics")
		missing = missing[:0]
		for _, want := range wants {
			if !strings.Contains(body, "\n"+want+"\n") {
				missing = append(missing, want)
			}
		}
		if len(missing) == 0 || time.Now().After(deadline) {
			break
		}
	}
	for _, m := range missing {
		t.Errorf("/metrics lacks %q", m)
	}
	if t.Failed() {
		t.Logf("/metrics:\n%s", regexp.MustCompile(`(?m)^(#|go_|process_).*\n`).ReplaceAllString(body, ""))
	}
}

// /healthz fails with 503 and says why when SMTP is not listening or a
// due outgoing mail waits longer than the worker would let it.
func TestHealthzFailing(t *testing.T) {
	t.Parallel()
	cal, err := sla.NewCalendar(sla.DefaultCalendarConfig())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	store, err := tickets.Open(ctx, filepath.Join(t.TempDir(), "sosd.db"), &tickets.Policy{Calendar: cal, Priorities: sla.DefaultPriorities()})
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	now := time.Date(2026, 11, 30, 10, 0, 0, 0, cal.Location())
	var listening atomic.Bool
	listening.Store(true)
	h := &healthCheck{store: store, listening: &listening, now: func() time.Time { return now }}
	check := func() (int, healthReport) {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/healthz", nil))
		var rep healthReport
		if err := json.Unmarshal(rec.Body.Bytes(), &rep); err != nil {
			t.Fatalf("%v: %s", err, rec.Body)
		}
		return rec.Code, rep
	}
	if code, rep := check(); code != 200 || rep.Status != "ok" {
		t.Fatalf("healthy store: %d %+v", code, rep)
	}

	// A mail due since 09:50 and never tried: the worker is stuck.
	mail := tickets.Outgoing{Kind: "ack", MessageID: "sos-0.ack.x@sos.example", From: "support@sos.example",
		To: []string{"eva@acme.se"}, Subject: "x", Raw: []byte("Subject: x\r\n\r\nx\r\n")}
	if err := store.Queue(ctx, now.Add(-10*time.Minute), []tickets.Outgoing{mail}); err != nil {
		t.Fatal(err)
	}
	if code, rep := check(); code != 503 || !strings.HasPrefix(rep.Outbox, "stuck") || rep.Database != "ok" {
		t.Errorf("stuck outbox: %d %+v", code, rep)
	}
	listening.Store(false)
	if code, rep := check(); code != 503 || rep.SMTP != "not listening" {
		t.Errorf("SMTP down: %d %+v", code, rep)
	}
	store.Close()
	if code, rep := check(); code != 503 || !strings.HasPrefix(rep.Database, "not writable") {
		t.Errorf("closed database: %d %+v", code, rep)
	}
}
