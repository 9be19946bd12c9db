package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

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

	cfg, _, err := a.loadConfig(*cfgPath)
	if err == nil {
		err = checkServeFiles(cfg, log)
	}
	if err != nil {
		a.printConfigErrors(err)
		return exitConfig
	}
	log.Info("configuration loaded", "config", cfg.Path, "customers", len(cfg.File.Customers), "timezone", cfg.Calendar.Location().String())

	if err := os.MkdirAll(filepath.Dir(cfg.File.Database), 0o750); err != nil {
		return a.errorf(exitError, "database folder: %v", err)
	}
	store, err := tickets.Open(a.ctx, cfg.File.Database, cfg.policy())
	if err != nil {
		return a.errorf(exitError, "%v", err)
	}
	defer store.Close()
	log.Info("database open", "path", store.Path(), "schema", tickets.SchemaVersion())

	// Later issues start the SMTP listener, the outbox worker and cron here.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	defer signal.Stop(sigs)
	log.Info("ready")
	for {
		select {
		case <-a.ctx.Done():
			log.Info("stopping", "reason", a.ctx.Err())
			return exitOK
		case s := <-sigs:
			if s != syscall.SIGHUP {
				log.Info("stopping", "signal", s.String())
				return exitOK
			}
			next, _, err := a.loadConfig(cfg.Path)
			if err == nil {
				err = checkServeFiles(next, log)
			}
			if err != nil {
				log.Error("reload failed; keeping the running configuration", "config", cfg.Path, "errors", err.Error())
				continue
			}
			for _, m := range restartOnly(cfg, next) {
				log.Warn("changed setting needs a restart to take effect", "key", m)
			}
			cfg = next
			store.SetPolicy(cfg.policy())
			log.Info("configuration reloaded", "config", cfg.Path)
		}
	}
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
