package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync/atomic"
	"time"

	"github.com/emersion/go-smtp"
)

// Filer stores what a mail causes. Each call is one transaction in package
// tickets; it returns only after the commit is durable, because the 250
// after DATA is sent when it returns nil (SPEC §5). Errors whose
// Temporary() or StorageFull() says so become 451/452; every other error is
// also answered 451, since our failure must never bounce a customer's mail.
type Filer interface {
	// File stores a parsed, classified mail and everything it causes.
	File(ctx context.Context, env Envelope, msg *Message, c Classification) error
	// Quarantine keeps a mail that could not be parsed, with the reason.
	Quarantine(ctx context.Context, env Envelope, reason string) error
}

// Rules is what a reload may change: who is who, reply-address signing and
// parsing limits. The server swaps it atomically.
type Rules struct {
	Directory *Directory
	Signer    *Signer
	Limits    Limits
}

// ServerOptions are the SMTP server's limits and identity.
type ServerOptions struct {
	// Hostname is announced in the greeting.
	Hostname string
	// MaxMessageBytes refuses bigger mail with 552 (RFC 1870).
	MaxMessageBytes int64
	// MaxRecipients refuses more RCPTs with 452 (RFC 5321 §4.5.3.1.8).
	MaxRecipients int
	// MaxLineLength bounds a line (RFC 5321 §4.5.3.1.6 says 1000 with CRLF;
	// real mail is sloppier).
	MaxLineLength int
	// ReadTimeout and WriteTimeout bound each command and reply.
	ReadTimeout, WriteTimeout time.Duration
	// FileTimeout bounds parsing, classifying and committing one mail.
	FileTimeout time.Duration
	// MaxConnectionsPerIP refuses more connections at once from one client
	// address (an IPv6 /64) with 421 at connect; 0: no limit (limits.go).
	MaxConnectionsPerIP int
	// MaxMessagesPerSenderPerHour refuses MAIL FROM with 450 once the
	// sender has started that many mails within the hour before; 0: no
	// limit (limits.go).
	MaxMessagesPerSenderPerHour int
	// TLS enables STARTTLS when set.
	TLS *tls.Config
	// Now is the clock stamping received mail and counting mails per
	// sender.
	Now func() time.Time
	// Metrics counts sessions, mails and refusals; nil counts nothing.
	Metrics *Metrics
}

// DefaultServerOptions are limits fit for a support address. The rate
// limits are off: the daemon sets them from its configuration, whose
// defaults are DefaultMaxConnectionsPerIP and
// DefaultMaxMessagesPerSenderPerHour.
func DefaultServerOptions() ServerOptions {
	return ServerOptions{
		Hostname:        "localhost",
		MaxMessageBytes: 25 << 20,
		MaxRecipients:   50,
		MaxLineLength:   4000,
		ReadTimeout:     5 * time.Minute,
		WriteTimeout:    time.Minute,
		FileTimeout:     time.Minute,
		Now:             time.Now,
	}
}

// Server is the inbound SMTP server. It implements smtp.Backend.
type Server struct {
	opts   ServerOptions
	filer  Filer
	rules  atomic.Pointer[Rules]
	log    *slog.Logger
	smtp   *smtp.Server
	base   context.Context
	cancel context.CancelFunc
	cid    atomic.Int64
	// The abuse limits (limits.go); refusing holds a place per connection
	// being refused.
	conns    connLimiter
	senders  senderLimiter
	refusing chan struct{}
	// After is called after each mail's 250, e.g. to wake the outbox.
	After func()
}

// NewServer returns a server that files mail through filer. ctx is the
// base of every session's context: cancelling it aborts sessions in flight.
func NewServer(ctx context.Context, opts ServerOptions, filer Filer, rules *Rules, log *slog.Logger) *Server {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	s := &Server{opts: opts, filer: filer, log: log, refusing: make(chan struct{}, refusingMax)}
	s.base, s.cancel = context.WithCancel(ctx)
	s.rules.Store(rules)
	s.SetRateLimits(opts.MaxConnectionsPerIP, opts.MaxMessagesPerSenderPerHour)
	srv := smtp.NewServer(s)
	srv.Domain = opts.Hostname
	srv.MaxMessageBytes = opts.MaxMessageBytes
	srv.MaxRecipients = opts.MaxRecipients
	srv.MaxLineLength = opts.MaxLineLength
	srv.ReadTimeout = opts.ReadTimeout
	srv.WriteTimeout = opts.WriteTimeout
	srv.TLSConfig = opts.TLS
	srv.ErrorLog = slogLogger{log}
	s.smtp = srv
	return s
}

// SetRules swaps the rules used by new mail (configuration reload).
func (s *Server) SetRules(r *Rules) { s.rules.Store(r) }

// Serve accepts connections on l until Shutdown or Close. l is a plain
// listener: TLS comes by STARTTLS. Connections over the per-client limit
// are refused here, before go-smtp sees them.
func (s *Server) Serve(l net.Listener) error {
	err := s.smtp.Serve(&limitListener{Listener: l, srv: s})
	if errors.Is(err, smtp.ErrServerClosed) {
		return nil
	}
	return err
}

// Shutdown stops accepting and waits for sessions in flight until ctx
// ends; then it aborts what is left (go-smtp's Shutdown leaves idle
// connections open, so Close follows).
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.smtp.Shutdown(ctx)
	s.cancel()
	if err != nil {
		return errors.Join(err, s.smtp.Close())
	}
	return nil
}

// NewSession starts a session with its own context and logger; go-smtp
// gives it neither.
func (s *Server) NewSession(c *smtp.Conn) (smtp.Session, error) {
	ctx, cancel := context.WithCancel(s.base)
	remote, client := "", ""
	if c.Conn() != nil {
		remote = c.Conn().RemoteAddr().String()
		client = clientKey(c.Conn().RemoteAddr())
	}
	cid := s.cid.Add(1)
	s.opts.Metrics.sessionOpened()
	return &Session{srv: s, ctx: ctx, cancel: cancel, remote: remote, client: client, cid: cid,
		log: s.log.With("cid", cid, "remote", remote)}, nil
}

// slogLogger adapts slog to go-smtp's Logger.
type slogLogger struct{ l *slog.Logger }

func (l slogLogger) Printf(format string, v ...any) {
	l.l.Error("smtp", "detail", fmt.Sprintf(format, v...))
}
func (l slogLogger) Println(v ...any) { l.l.Error("smtp", "detail", fmt.Sprint(v...)) }
