package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// STARTTLS policies for the relay (outbound.starttls).
const (
	// TLSRequired refuses to send in clear: a relay without STARTTLS is a
	// temporary failure, retried until it offers it again.
	TLSRequired = "required"
	// TLSOpportunistic uses STARTTLS when the relay offers it.
	TLSOpportunistic = "opportunistic"
	// TLSNone never uses STARTTLS.
	TLSNone = "none"
)

// Relay is the Transport that hands mail to the consultancy's relay with
// go-smtp's client (SPEC §7, §10).
type Relay struct {
	Addr     string // host:port
	StartTLS string // TLSRequired, TLSOpportunistic or TLSNone
	// Username and Password authenticate with AUTH PLAIN (RFC 4616) when
	// Username is set; never over a connection in clear unless StartTLS
	// is TLSNone.
	Username, Password string
	// TLS verifies the relay's certificate; nil verifies against the
	// system's roots for the host of Addr.
	TLS *tls.Config
	// Timeout bounds one delivery, connect to QUIT.
	Timeout time.Duration
}

// DefaultRelayTimeout bounds one delivery when Relay.Timeout is 0.
const DefaultRelayTimeout = 2 * time.Minute

// Deliver sends one mail. A 5xx answer to MAIL, RCPT or the data is a
// permanent failure; everything else that fails (4xx, refused or dropped
// connections, timeouts, TLS or AUTH trouble) is temporary and retried.
// It returns nil only after the relay answered 250 to the data.
func (r *Relay) Deliver(ctx context.Context, it OutboxItem) error {
	timeout := r.Timeout
	if timeout <= 0 {
		timeout = DefaultRelayTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	c, err := r.dial(ctx)
	if err != nil {
		return temporary(fmt.Errorf("relay %s: %w", r.Addr, err))
	}
	defer c.Close()
	// Until DATA, a cancelled or timed-out ctx (shutdown, a reload moving
	// delivery) drops the connection, and the mail stays queued. Once
	// DATA has begun the mail is let finish, so a relay that accepts it
	// is recorded as having it rather than sent it twice.
	abort := context.AfterFunc(ctx, func() { c.Close() })
	if r.Username != "" {
		if _, isTLS := c.TLSConnectionState(); !isTLS && r.StartTLS != TLSNone {
			return temporary(fmt.Errorf("relay %s: no TLS, so no AUTH in clear", r.Addr))
		}
		// A refused login is the configuration's fault, not the mail's:
		// retried, so nothing is lost while an admin fixes it.
		if err := c.Auth(sasl.NewPlainClient("", r.Username, r.Password)); err != nil {
			return temporary(fmt.Errorf("relay %s: AUTH: %w", r.Addr, err))
		}
	}
	if err := c.Mail(it.From, nil); err != nil {
		return relayError("MAIL FROM", err)
	}
	for _, to := range it.To {
		if err := c.Rcpt(to, nil); err != nil {
			return relayError("RCPT TO "+to, err)
		}
	}
	if !abort() {
		return temporary(fmt.Errorf("relay %s: %w", r.Addr, context.Cause(ctx)))
	}
	w, err := c.Data()
	if err != nil {
		return relayError("DATA", err)
	}
	if _, err := w.Write(it.Raw); err != nil {
		w.Close()
		return relayError("DATA", err)
	}
	if err := w.Close(); err != nil {
		return relayError("end of DATA", err)
	}
	// The relay has the mail; a failing QUIT changes nothing.
	_ = c.Quit()
	return nil
}

// dial connects and, as the policy says, starts TLS (RFC 3207).
func (r *Relay) dial(ctx context.Context) (*smtp.Client, error) {
	conn, err := r.connect(ctx)
	if err != nil {
		return nil, err
	}
	if r.StartTLS == TLSNone {
		return r.client(smtp.NewClient(conn), ctx), nil
	}
	c, err := smtp.NewClientStartTLS(conn, r.tlsConfig())
	if err == nil {
		return r.client(c, ctx), nil
	}
	if r.StartTLS == TLSRequired || !strings.Contains(err.Error(), "doesn't support STARTTLS") {
		return nil, fmt.Errorf("STARTTLS: %w", err)
	}
	// Opportunistic, and the relay offers no STARTTLS: again, in clear.
	if conn, err = r.connect(ctx); err != nil {
		return nil, err
	}
	return r.client(smtp.NewClient(conn), ctx), nil
}

func (r *Relay) connect(ctx context.Context) (net.Conn, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", r.Addr)
	if err != nil {
		return nil, err
	}
	if dl, ok := ctx.Deadline(); ok {
		conn.SetDeadline(dl)
	}
	return conn, nil
}

// client bounds the client's own timeouts by ctx's deadline.
func (r *Relay) client(c *smtp.Client, ctx context.Context) *smtp.Client {
	if dl, ok := ctx.Deadline(); ok {
		left := time.Until(dl)
		c.CommandTimeout, c.SubmissionTimeout = left, left
	}
	return c
}

func (r *Relay) tlsConfig() *tls.Config {
	if r.TLS != nil {
		return r.TLS
	}
	host, _, _ := net.SplitHostPort(r.Addr)
	return &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
}

// relayError makes a 5xx permanent and anything else temporary.
func relayError(step string, err error) error {
	var se *smtp.SMTPError
	if errors.As(err, &se) && se.Code >= 500 {
		return fmt.Errorf("%s: %d %d.%d.%d %s", step, se.Code, se.EnhancedCode[0], se.EnhancedCode[1], se.EnhancedCode[2], se.Message)
	}
	return temporary(fmt.Errorf("%s: %w", step, err))
}
