package main

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"sosd/tickets"
)

// /healthz and /metrics on listen.http (SPEC §10); off when it is empty.

// stuckAfter: an outbox row due this long without an attempt means the
// worker is not delivering (it polls every few seconds). Rows waiting in
// backoff for a dead relay are not stuck: they are counted in /metrics.
const stuckAfter = 5 * time.Minute

// healthCheck is what /healthz looks at.
type healthCheck struct {
	store     *tickets.Store
	listening *atomic.Bool // the SMTP server is serving
	now       func() time.Time
}

// healthReport is /healthz's body.
type healthReport struct {
	Status   string `json:"status"` // "ok" or "failing"
	Database string `json:"database"`
	SMTP     string `json:"smtp"`
	Outbox   string `json:"outbox"`
}

func (h *healthCheck) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
	defer cancel()
	now := h.now()
	rep := healthReport{Status: "ok", Database: "ok", SMTP: "ok", Outbox: "ok"}
	failing := func(field *string, why string) {
		*field, rep.Status = why, "failing"
	}
	if err := h.store.Writable(ctx, now); err != nil {
		failing(&rep.Database, "not writable: "+err.Error())
	}
	if !h.listening.Load() {
		failing(&rep.SMTP, "not listening")
	}
	if c, err := h.store.Counts(ctx, now); err != nil {
		failing(&rep.Outbox, "cannot read: "+err.Error())
	} else if !c.OldestDue.IsZero() && now.Sub(c.OldestDue) > stuckAfter {
		failing(&rep.Outbox, "stuck: a mail due since "+c.OldestDue.UTC().Format(time.RFC3339)+" was not tried")
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	if rep.Status != "ok" {
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	json.NewEncoder(w).Encode(rep)
}

// storeCollector turns the database's own counts into metrics at scrape
// time: exact, and unchanged by restarts.
type storeCollector struct {
	store *tickets.Store
	now   func() time.Time
	descs map[string]*prometheus.Desc
}

func newStoreCollector(store *tickets.Store, now func() time.Time) *storeCollector {
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc(name, help, labels, nil)
	}
	return &storeCollector{store: store, now: now, descs: map[string]*prometheus.Desc{
		"up":       d("sosd_database_up", "1 when the database could be read for these figures."),
		"filed":    d("sosd_tickets_filed_total", "Tickets filed."),
		"open":     d("sosd_tickets_open", "Tickets not closed."),
		"acks":     d("sosd_acks_sent_total", "Acknowledgements delivered to the relay or spool."),
		"failed":   d("sosd_delivery_failures_total", "Outgoing mails given up after a permanent failure."),
		"depth":    d("sosd_outbox_depth", "Outgoing mails waiting, due or in backoff."),
		"oldest":   d("sosd_outbox_oldest_age_seconds", "Age of the oldest outgoing mail waiting; 0 when none."),
		"notices":  d("sosd_escalations_total", "Escalation notices sent, by level.", "level"),
		"fourhour": d("sosd_four_hour_reminders_total", "Four-hour-rule reminders sent."),
	}}
}

func (c *storeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range c.descs {
		ch <- d
	}
}

func (c *storeCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	now := c.now()
	n, err := c.store.Counts(ctx, now)
	if err != nil {
		ch <- prometheus.MustNewConstMetric(c.descs["up"], prometheus.GaugeValue, 0)
		return
	}
	oldest := 0.0
	if !n.OldestQueued.IsZero() {
		oldest = now.Sub(n.OldestQueued).Seconds()
	}
	ch <- prometheus.MustNewConstMetric(c.descs["up"], prometheus.GaugeValue, 1)
	ch <- prometheus.MustNewConstMetric(c.descs["filed"], prometheus.CounterValue, float64(n.Tickets))
	ch <- prometheus.MustNewConstMetric(c.descs["open"], prometheus.GaugeValue, float64(n.Open))
	ch <- prometheus.MustNewConstMetric(c.descs["acks"], prometheus.CounterValue, float64(n.AcksSent))
	ch <- prometheus.MustNewConstMetric(c.descs["failed"], prometheus.CounterValue, float64(n.Failed))
	ch <- prometheus.MustNewConstMetric(c.descs["depth"], prometheus.GaugeValue, float64(n.Pending))
	ch <- prometheus.MustNewConstMetric(c.descs["oldest"], prometheus.GaugeValue, oldest)
	ch <- prometheus.MustNewConstMetric(c.descs["notices"], prometheus.CounterValue, float64(n.Warnings), "warning")
	ch <- prometheus.MustNewConstMetric(c.descs["notices"], prometheus.CounterValue, float64(n.Breaches), "breach")
	ch <- prometheus.MustNewConstMetric(c.descs["fourhour"], prometheus.CounterValue, float64(n.FourHour))
}

// newRegistry is the daemon's own registry (no global state): the Go
// runtime's and the process's collectors, the database's counts, and
// what mail.Metrics registers on it.
func newRegistry(store *tickets.Store, now func() time.Time) *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		newStoreCollector(store, now))
	return reg
}

// startHTTP serves /healthz and /metrics on addr until shutdown.
func startHTTP(addr string, reg *prometheus.Registry, h *healthCheck, log *slog.Logger) (*http.Server, net.Addr, error) {
	mux := http.NewServeMux()
	mux.Handle("GET /healthz", h)
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelError)}))
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, nil, err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, WriteTimeout: 30 * time.Second}
	go func() {
		if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("http server stopped", "err", err)
		}
	}()
	return srv, l.Addr(), nil
}
