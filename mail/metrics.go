package mail

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are what the SMTP server and the outbox worker count for
// Prometheus (SPEC §10). Figures the database holds exactly (tickets,
// acknowledgements sent, outbox depth) are read from it at scrape time
// instead (cmd/sosd). A nil *Metrics counts nothing, for tests.
type Metrics struct {
	sessions       prometheus.Counter
	sessionsActive prometheus.Gauge
	mailsIn        *prometheus.CounterVec
	refused        *prometheus.CounterVec
	failed         *prometheus.CounterVec
	intake         prometheus.Histogram
	deliveries     *prometheus.CounterVec
}

// NewMetrics creates the collectors and registers them with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		sessions: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "sosd_smtp_sessions_total", Help: "SMTP connections accepted.",
		}),
		sessionsActive: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "sosd_smtp_sessions_active", Help: "SMTP connections open now.",
		}),
		mailsIn: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sosd_mails_in_total", Help: "Mails accepted with 250, by class (SPEC §5; quarantined: could not be parsed).",
		}, []string{"class"}),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sosd_smtp_refused_total", Help: "Commands refused with a 5xx or a limit's 4xx, by reason.",
		}, []string{"reason"}),
		failed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sosd_smtp_temporary_failures_total", Help: "Mails answered 451/452 because of our own failure, by step.",
		}, []string{"op"}),
		intake: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "sosd_intake_seconds",
			Help:    "From the end of DATA to the 250: parse, classify, durable commit.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}),
		deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "sosd_delivery_attempts_total", Help: "Outgoing delivery attempts, by mail kind and result (sent, temporary, permanent).",
		}, []string{"kind", "result"}),
	}
	reg.MustRegister(m.sessions, m.sessionsActive, m.mailsIn, m.refused, m.failed, m.intake, m.deliveries)
	return m
}

func (m *Metrics) sessionOpened() {
	if m != nil {
		m.sessions.Inc()
		m.sessionsActive.Inc()
	}
}

func (m *Metrics) sessionClosed() {
	if m != nil {
		m.sessionsActive.Dec()
	}
}

func (m *Metrics) mailIn(class Class, took time.Duration) {
	if m != nil {
		m.mailsIn.WithLabelValues(string(class)).Inc()
		m.intake.Observe(took.Seconds())
	}
}

func (m *Metrics) refuse(reason string) {
	if m != nil {
		m.refused.WithLabelValues(reason).Inc()
	}
}

func (m *Metrics) fail(op string) {
	if m != nil {
		m.failed.WithLabelValues(op).Inc()
	}
}

func (m *Metrics) delivery(kind, result string) {
	if m != nil {
		m.deliveries.WithLabelValues(kind, result).Inc()
	}
}
