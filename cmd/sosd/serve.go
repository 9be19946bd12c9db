package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"sosd/mail"
	"sosd/templates"
	"sosd/tickets"
)

func serveCommand() *command {
	return &command{
		name: "serve",
		args: "[--config F] [--log-format text|json]",
		help: "run the daemon until SIGTERM; SIGHUP reloads the configuration",
		run:  (*app).serve,
	}
}

// minSecretLen is the shortest key accepted for signed reply addresses:
// 128 bits, the HMAC key length RFC 2104 §3 calls the minimum for strength.
const minSecretLen = 16

func (a *app) serve(c *command, args []string) int {
	fs := c.flagSet()
	cfgPath := fs.String("config", "", "configuration file (default ./config.yaml, then /etc/sosd/config.yaml)")
	logFormat := fs.String("log-format", "text", "log format on stderr: text or json")
	if code, done := a.parse(c, fs, args); done {
		return code
	}
	var handler slog.Handler
	switch *logFormat {
	case "text":
		handler = slog.NewTextHandler(a.stderr, nil)
	case "json":
		handler = slog.NewJSONHandler(a.stderr, nil)
	default:
		return a.usageError(c, "--log-format %q is not text or json", *logFormat)
	}
	log := slog.New(handler)

	tmpl, err := templates.New()
	if err != nil {
		return a.errorf(exitError, "templates: %v", err)
	}
	cfg, _, err := a.loadConfig(*cfgPath)
	if err == nil {
		err = checkServeFiles(cfg, log)
	}
	var rt *runtime
	if err == nil {
		rt, err = buildRuntime(cfg, tmpl)
	}
	if err != nil {
		a.printConfigErrors(err)
		return exitConfig
	}
	log.Info("configuration loaded", "config", cfg.Path, "customers", len(cfg.File.Customers), "timezone", cfg.Calendar.Location().String())

	if err := os.MkdirAll(filepath.Dir(cfg.File.Database), 0o750); err != nil {
		return a.errorf(exitError, "database folder: %v", err)
	}
	store, err := tickets.Open(a.ctx, cfg.File.Database, rt.policy)
	if err != nil {
		return a.errorf(exitError, "%v", err)
	}
	defer store.Close()
	log.Info("database open", "path", store.Path(), "schema", tickets.SchemaVersion())

	intake := tickets.NewIntake(store, rt.intake, log)
	reg := newRegistry(store, a.now)
	metrics := mail.NewMetrics(reg)
	opts := mail.DefaultServerOptions()
	opts.Metrics = metrics
	if h, err := os.Hostname(); err == nil {
		opts.Hostname = h
	}
	opts.MaxMessageBytes = cfg.MaxMessage
	opts.MaxConnectionsPerIP = cfg.File.Listen.MaxConnectionsPerIP
	opts.MaxMessagesPerSenderPerHour = cfg.File.Listen.MaxMessagesPerSenderPerHour
	opts.TLS = rt.tls
	// Sessions get their own base context: SIGTERM lets them finish
	// (Shutdown), it does not cut them off.
	srv := mail.NewServer(context.Background(), opts, intake, rt.rules, log)

	worker, err := a.startWorker(cfg, store, intake, metrics, log)
	if err != nil {
		return a.errorf(exitConfig, "%v", err)
	}
	// The worker is replaced when a reload changes outbound.*; sessions
	// kick whichever runs.
	var current atomic.Pointer[runningWorker]
	current.Store(worker)
	srv.After = func() { current.Load().Kick() }
	l, err := net.Listen("tcp", cfg.File.Listen.SMTP)
	if err != nil {
		worker.stop()
		return a.errorf(exitError, "listen.smtp: %v", err)
	}
	var listening atomic.Bool
	listening.Store(true)
	serveErr := make(chan error, 1)
	go func() {
		err := srv.Serve(l)
		listening.Store(false)
		serveErr <- err
	}()
	var web *http.Server
	if cfg.File.Listen.HTTP != "" {
		var addr net.Addr
		web, addr, err = startHTTP(cfg.File.Listen.HTTP, reg, &healthCheck{store: store, listening: &listening, now: a.now}, log)
		if err != nil {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			srv.Shutdown(ctx)
			cancel()
			worker.stop()
			return a.errorf(exitError, "listen.http: %v", err)
		}
		log.Info("http listening", "http", addr.String())
	}
	jobs := startJobs(cfg, intake, a.now, log)

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	defer signal.Stop(sigs)
	log.Info("ready", "smtp", l.Addr().String())
	notify := newNotifier(os.Getenv)
	if err := notify.ready(); err != nil {
		log.Warn("telling systemd we are ready failed", "err", err)
	}
	for {
		var reason string
		select {
		case <-a.ctx.Done():
			reason = a.ctx.Err().Error()
		case err := <-serveErr:
			log.Error("smtp server stopped", "err", err)
			jobs.stop()
			worker.stop()
			return exitError
		case s := <-sigs:
			if s == syscall.SIGHUP {
				if err := notify.reloading(); err != nil {
					log.Warn("telling systemd of the reload failed", "err", err)
				}
				if next := a.reload(cfg, tmpl, log); next != nil {
					old := cfg
					cfg, rt = next.cfg, next
					srv.SetRules(rt.rules)
					srv.SetRateLimits(cfg.File.Listen.MaxConnectionsPerIP, cfg.File.Listen.MaxMessagesPerSenderPerHour)
					intake.SetConfig(rt.intake)
					store.SetPolicy(rt.policy)
					jobs.reschedule(cfg)
					if outboundChanged(old, cfg) {
						worker = a.replaceWorker(worker, cfg, store, intake, metrics, log)
						current.Store(worker)
					}
					// Only now: mail after this line is handled on the new
					// configuration.
					log.Info("configuration reloaded", "config", cfg.Path)
				}
				// Ready again, on the new configuration or the old one.
				if err := notify.ready(); err != nil {
					log.Warn("telling systemd we are ready failed", "err", err)
				}
				continue
			}
			reason = s.String()
		}
		// Shut down in phases: stop accepting and let sessions in flight
		// finish (bounded), then let the worker finish its delivery, then
		// close the database (deferred).
		log.Info("stopping", "reason", reason)
		if err := notify.stopping(); err != nil {
			log.Warn("telling systemd we are stopping failed", "err", err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
		if err := srv.Shutdown(ctx); err != nil {
			log.Warn("sessions cut off at shutdown", "err", err)
		}
		cancel()
		jobs.stop()
		worker.stop()
		if web != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			web.Shutdown(ctx)
			cancel()
		}
		log.Info("stopped")
		return exitOK
	}
}

// shutdownGrace bounds how long SIGTERM waits for SMTP sessions in flight.
const shutdownGrace = 30 * time.Second

// reload builds a new runtime from the configuration file; on any error it
// logs why and returns nil, and the running configuration stays.
func (a *app) reload(cfg *config, tmpl *templates.Set, log *slog.Logger) *runtime {
	next, _, err := a.loadConfig(cfg.Path)
	if err == nil {
		err = checkServeFiles(next, log)
	}
	var rt *runtime
	if err == nil {
		rt, err = buildRuntime(next, tmpl)
	}
	if err != nil {
		log.Error("reload failed; keeping the running configuration", "config", cfg.Path, "errors", err.Error())
		return nil
	}
	for _, m := range restartOnly(cfg, next) {
		log.Warn("changed setting needs a restart to take effect", "key", m)
	}
	return rt
}

// outboundChanged reports whether a reload changed how mail leaves.
func outboundChanged(old, next *config) bool {
	return old.File.Outbound != next.File.Outbound
}

// replaceWorker moves delivery to a reloaded outbound configuration: the
// old worker finishes the delivery in hand first, so no row is sent by
// both. If the new one cannot start (the password file went away since
// the reload checked it), the old settings stay, and the log says so.
func (a *app) replaceWorker(w *runningWorker, cfg *config, store *tickets.Store, intake *tickets.Intake, metrics *mail.Metrics, log *slog.Logger) *runningWorker {
	transport, err := newTransport(cfg)
	if err != nil {
		log.Error("outbound settings not applied; delivering with the previous ones", "err", err)
		return w
	}
	w.stop()
	log.Info("outbound settings applied", "relay", cfg.File.Outbound.Relay, "spool_dir", cfg.File.Outbound.SpoolDir)
	return startWorkerWith(transport, store, intake, metrics, log)
}

// runningWorker is the outbox worker and how to stop it.
type runningWorker struct {
	*mail.Worker
	cancel context.CancelFunc
	done   chan struct{}
}

// stop lets the worker finish the delivery in hand and waits for it.
func (w *runningWorker) stop() {
	if w == nil {
		return
	}
	w.cancel()
	<-w.done
}

// startWorker starts outbox delivery: to the relay, or into spool_dir
// when no relay is set. Permanent failures are reported through intake.
func (a *app) startWorker(cfg *config, store *tickets.Store, intake *tickets.Intake, metrics *mail.Metrics, log *slog.Logger) (*runningWorker, error) {
	transport, err := newTransport(cfg)
	if err != nil {
		return nil, err
	}
	return startWorkerWith(transport, store, intake, metrics, log), nil
}

// newTransport is the relay of outbound.relay, or the spool folder when
// none is set.
func newTransport(cfg *config) (mail.Transport, error) {
	out := cfg.File.Outbound
	if out.Relay == "" {
		return mail.Spool{Dir: out.SpoolDir}, nil
	}
	relay := &mail.Relay{Addr: out.Relay, StartTLS: out.StartTLS, Username: out.Username}
	if out.PasswordFile != "" {
		pw, err := os.ReadFile(out.PasswordFile)
		if err != nil {
			return nil, fmt.Errorf("outbound.password_file: %w", err)
		}
		relay.Password = strings.TrimRight(string(pw), "\r\n")
	}
	return relay, nil
}

// startWorkerWith starts the outbox worker on transport.
func startWorkerWith(transport mail.Transport, store *tickets.Store, intake *tickets.Intake, metrics *mail.Metrics, log *slog.Logger) *runningWorker {
	w := mail.NewWorker(store, transport, log)
	w.Metrics = metrics
	w.OnFailed = func(ctx context.Context, it mail.OutboxItem, reason string) {
		if err := intake.ReportFailure(ctx, it, reason); err != nil {
			log.Error("reporting a delivery failure failed", "outbox", it.ID, "err", err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	rw := &runningWorker{Worker: w, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(rw.done)
		w.Run(ctx)
	}()
	return rw
}

// restartOnly lists the keys that changed but cannot change in a running
// daemon: listeners and the database.
func restartOnly(old, next *config) []string {
	var keys []string
	if old.File.Database != next.File.Database {
		keys = append(keys, "database")
	}
	if old.File.Listen.SMTP != next.File.Listen.SMTP {
		keys = append(keys, "listen.smtp")
	}
	if old.File.Listen.HTTP != next.File.Listen.HTTP {
		keys = append(keys, "listen.http")
	}
	if old.File.Listen.MaxMessageSize != next.File.Listen.MaxMessageSize {
		keys = append(keys, "listen.max_message_size")
	}
	if old.File.Listen.TLSCert != next.File.Listen.TLSCert || old.File.Listen.TLSKey != next.File.Listen.TLSKey {
		keys = append(keys, "listen.tls_cert/tls_key")
	}
	if old.Calendar.Location().String() != next.Calendar.Location().String() {
		keys = append(keys, "calendar.timezone (the jobs' schedule)")
	}
	return keys
}

// checkServeFiles checks the files the daemon reads: the reply-address
// secret (created with a fresh random key on first start, mode 0600) and
// the relay password. Errors are placed at the key that names the file.
func checkServeFiles(cfg *config, log *slog.Logger) error {
	loc := cfg.loc
	var errs configErrors
	secret := cfg.File.Support.SecretFile
	created, err := ensureSecret(secret)
	switch {
	case err != nil:
		errs = append(errs, loc.at("support.secret_file", "%v", err))
	case created:
		log.Info("created a new secret for signed reply addresses", "file", secret)
	}
	if p := cfg.File.Outbound.PasswordFile; p != "" {
		if _, err := os.ReadFile(p); err != nil {
			errs = append(errs, loc.at("outbound.password_file", "%v", err))
		}
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// ensureSecret reads the secret file, creating it when it does not exist.
func ensureSecret(path string) (created bool, err error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return false, fmt.Errorf("create folder for secret: %w", err)
		}
		key := make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return false, fmt.Errorf("generate secret: %w", err)
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return false, fmt.Errorf("create secret: %w", err)
		}
		_, werr := f.WriteString(hex.EncodeToString(key) + "\n")
		serr := f.Sync()
		if cerr := f.Close(); werr == nil && serr == nil {
			werr = cerr
		}
		if err := errors.Join(werr, serr); err != nil {
			return false, fmt.Errorf("write secret: %w", err)
		}
		return true, nil
	}
	if err != nil {
		return false, err
	}
	if len(strings.TrimSpace(string(data))) < minSecretLen {
		return false, fmt.Errorf("%s holds fewer than %d characters: too short to sign reply addresses", path, minSecretLen)
	}
	return false, nil
}
