package mail

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
)

// Session is one SMTP connection. Per-message state is reset by Reset.
type Session struct {
	srv    *Server
	ctx    context.Context
	cancel context.CancelFunc
	log    *slog.Logger
	remote string
	client string // clientKey of remote
	cid    int64

	// mu guards tx: with BDAT (RFC 3030) go-smtp runs Data in a goroutine
	// of its own, and an RSET, a chunk over the size limit or a closed
	// connection resets the session while that Data is still returning.
	mu sync.Mutex
	tx *transaction // the mail in progress; nil between mails
}

// transaction is one mail's envelope, from MAIL FROM to the end of DATA.
type transaction struct {
	from string
	rcpt []string
}

var _ smtp.Session = (*Session)(nil)

// Reset discards the message in progress (RSET, or after DATA).
func (s *Session) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tx = nil
}

// end discards tx if it is still the message in progress, so a Data that
// returns late cannot wipe the envelope of the next mail.
func (s *Session) end(tx *transaction) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tx == tx {
		s.tx = nil
	}
}

// Logout ends the session and cancels its context.
func (s *Session) Logout() error {
	s.cancel()
	s.srv.opts.Metrics.sessionClosed()
	return nil
}

// Mail records the reverse path; "" is the null path of bounces. A sender
// past its hourly limit is refused with a temporary 450 (limits.go), so a
// real sender's server retries later and nothing is lost.
func (s *Session) Mail(from string, _ *smtp.MailOptions) error {
	s.Reset()
	if ok, n := s.srv.senders.take(senderKey(from, s.client), s.srv.opts.Now()); !ok {
		s.log.Info("sender refused", "from", from, "reason", "too many mails from this sender within an hour",
			"mails", n, "limit", s.srv.senders.max.Load())
		s.srv.opts.Metrics.refuse("sender_rate")
		// 450: mailbox unavailable for now (RFC 5321 §4.2.2); X.7.1:
		// delivery not authorized, message refused (RFC 3463 §3.8).
		return &smtp.SMTPError{Code: 450, EnhancedCode: smtp.EnhancedCode{4, 7, 1}, Message: "Too many messages from this sender, try again later"}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tx = &transaction{from: from}
	return nil
}

// Rcpt accepts only the support address and its +token forms (SPEC §5).
func (s *Session) Rcpt(to string, _ *smtp.RcptOptions) error {
	dir := s.srv.rules.Load().Directory
	at := strings.LastIndexByte(dir.Support, '@')
	if _, ok := supportToken(to, dir.Support[:at], dir.Support[at+1:]); !ok {
		s.log.Info("recipient refused", "rcpt", to)
		s.srv.opts.Metrics.refuse("recipient")
		return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user here"}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tx == nil {
		// After a MAIL FROM we refused, go-smtp may still take RCPT.
		return &smtp.SMTPError{Code: 503, EnhancedCode: smtp.EnhancedCode{5, 5, 1}, Message: "MAIL FROM first"}
	}
	s.tx.rcpt = append(s.tx.rcpt, to)
	return nil
}

// Data reads the mail, then parses, classifies and files it; it returns nil
// (250) only after the filing committed. It never returns a plain error:
// go-smtp would turn it into a permanent 554 carrying our internal text.
func (s *Session) Data(r io.Reader) (err error) {
	s.mu.Lock()
	tx := s.tx
	s.mu.Unlock()
	if tx == nil || len(tx.rcpt) == 0 {
		// go-smtp counts MAIL and RCPT per connection, so after a MAIL
		// that we refused, or a second MAIL, it may take DATA for a mail
		// that has no envelope here (RFC 5321 §4.1.1.2: MAIL starts anew).
		s.log.Info("mail refused", "err", "DATA without MAIL FROM and RCPT TO")
		s.srv.opts.Metrics.refuse("sequence")
		return &smtp.SMTPError{Code: 503, EnhancedCode: smtp.EnhancedCode{5, 5, 1}, Message: "Bad sequence of commands: MAIL FROM and RCPT TO first"}
	}
	defer s.end(tx)
	// The parser is fuzzed and must not panic; should it all the same, the
	// sender gets a 451 and tries again rather than losing the session.
	defer func() {
		if p := recover(); p != nil {
			err = s.fail("panic", fmt.Errorf("%v", p))
		}
	}()
	start := time.Now()
	raw, rerr := io.ReadAll(r)
	read := time.Since(start)
	readDone := time.Now()
	if err := rerr; err != nil {
		var se *smtp.SMTPError
		if errors.As(err, &se) {
			s.log.Info("mail refused", "err", se.Message)
			s.srv.opts.Metrics.refuse("size")
			return se
		}
		if errors.Is(err, smtp.ErrTooLongLine) {
			// RFC 5321 §4.5.3.1.6; our limit is already four times its 1000.
			s.log.Info("mail refused", "err", err)
			s.srv.opts.Metrics.refuse("line_length")
			return &smtp.SMTPError{Code: 552, EnhancedCode: smtp.EnhancedCode{5, 3, 4}, Message: "Line too long"}
		}
		return s.fail("read", err)
	}
	rules := s.srv.rules.Load()
	env := Envelope{MailFrom: tx.from, RcptTo: append([]string(nil), tx.rcpt...), Remote: s.remote,
		Received: s.srv.opts.Now().Truncate(time.Second), Raw: raw}
	ctx, cancel := context.WithTimeout(s.ctx, s.srv.opts.FileTimeout)
	defer cancel()

	msg, err := Parse(raw, rules.Limits)
	if errors.Is(err, ErrHeaderTooBig) {
		// Simply too big, like a message over the size limit: refused
		// for good, not quarantined (limits.go).
		s.log.Info("mail refused", "err", err, "size", len(raw))
		s.srv.opts.Metrics.refuse("header_size")
		return &smtp.SMTPError{Code: 552, EnhancedCode: smtp.EnhancedCode{5, 3, 4}, Message: "Message header too big"}
	}
	if err != nil {
		reason := fmt.Sprintf("cannot parse: %v", err)
		if err := s.srv.filer.Quarantine(ctx, env, reason); err != nil {
			return s.fail("quarantine", err)
		}
		s.log.Warn("mail quarantined", "reason", reason, "size", len(raw))
		s.srv.opts.Metrics.mailIn("quarantined", time.Since(readDone))
		s.after()
		return nil
	}
	c := Classify(env, msg, rules.Directory, rules.Signer)
	log := s.log.With("msg_id", msg.MessageID, "from", c.Sender, "class", c.Class)
	if err := s.srv.filer.File(ctx, env, msg, c); err != nil {
		return s.fail("file", err)
	}
	s.srv.opts.Metrics.mailIn(c.Class, time.Since(readDone))
	log.Info("mail accepted", "reason", c.Reason, "ticket", c.Ticket, "size", len(raw), "read", read, "took", time.Since(start))
	s.after()
	return nil
}

func (s *Session) after() {
	if s.srv.After != nil {
		s.srv.After()
	}
}

// fail logs our own failure and answers with a temporary code, so the
// sender's server keeps the mail and tries again (STYLE L7). The reference
// lets an admin find the log line.
func (s *Session) fail(op string, err error) error {
	ref := fmt.Sprintf("ref %d-%d", s.cid, s.srv.opts.Now().Unix())
	s.log.Error("mail not accepted", "op", op, "err", err, "ref", ref)
	s.srv.opts.Metrics.fail(op)
	var full interface{ StorageFull() bool }
	if errors.As(err, &full) && full.StorageFull() {
		return &smtp.SMTPError{Code: 452, EnhancedCode: smtp.EnhancedCode{4, 3, 1}, Message: "Insufficient storage, try again later (" + ref + ")"}
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 4, 5}, Message: "Busy, try again later (" + ref + ")"}
	}
	return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Local error, try again later (" + ref + ")"}
}
