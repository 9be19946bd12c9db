package mail_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log/slog"
	"math/big"
	"net"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"sosd/mail"
	"sosd/sla"
	"sosd/templates"
	"sosd/tickets"
)

// FuzzSMTPSession fuzzes the SMTP session as a whole (STYLE L19, after mox's
// smtpserver fuzzing): the fuzzer's bytes are a client's side of a loopback
// TCP connection to a server with the real store and intake, written at
// once, then the client's side is closed. The properties: the server never
// panics, answers only in well-formed replies, each beginning with a
// 3-digit code, answers each command line once when the input holds
// neither mail data nor a TLS or SASL exchange, never leaks an internal
// error as go-smtp's 554, and closes the connection, giving its place under
// the connection limit back.
//
//	go test -run XXX -fuzz FuzzSMTPSession -fuzztime 60s ./mail/
func FuzzSMTPSession(f *testing.F) {
	const (
		valid = "EHLO client.example\r\nMAIL FROM:<eva@acme.se>\r\nRCPT TO:<support@sos.example>\r\nDATA\r\n" +
			"From: eva@acme.se\r\nSubject: Servern\r\nMessage-ID: <fz1@acme.se>\r\n\r\nHej\r\n..prick\r\n.\r\nQUIT\r\n"
		bdat = "EHLO c\r\nMAIL FROM:<eva@acme.se>\r\nRCPT TO:<support+1-abc@sos.example>\r\nBDAT 24\r\nFrom: eva@acme.se\r\n\r\nHej\r\nBDAT 4 LAST\r\nhej\nQUIT\r\n"
	)
	for _, s := range []string{
		valid,
		// Pipelined (RFC 2920): a bad recipient, RSET, a second mail, a bounce.
		"EHLO c\r\nMAIL FROM:<x@y.example>\r\nRCPT TO:<sales@sos.example>\r\nRCPT TO:<support@sos.example>\r\nRSET\r\n" +
			"MAIL FROM:<>\r\nRCPT TO:<support@sos.example>\r\nDATA\r\nFrom: MAILER-DAEMON@y.example\r\nSubject: Undeliverable\r\n\r\nx\r\n.\r\nNOOP\r\nQUIT\r\n",
		bdat,
		// BDAT aborted by RSET; BDAT over the size limit; BDAT without a mail.
		"EHLO c\r\nMAIL FROM:<eva@acme.se>\r\nRCPT TO:<support@sos.example>\r\nBDAT 5\r\nFrom:RSET\r\nMAIL FROM:<a@b.c>\r\nRCPT TO:<support@sos.example>\r\nDATA\r\nx\r\n.\r\n",
		"EHLO c\r\nMAIL FROM:<eva@acme.se>\r\nRCPT TO:<support@sos.example>\r\nBDAT 999999 LAST\r\nxx",
		"EHLO c\r\nBDAT 3\r\nabcBDAT x\r\nBDAT 1 LAST LAST\r\n",
		"EHLO c\r\nMAIL FROM:<eva@acme.se> BODY=BINARYMIME\r\nMAIL FROM:<eva@acme.se> SIZE=99999999999\r\nMAIL FROM:<eva@acme.se> SMTPUTF8\r\n",
		// STARTTLS followed by plain text instead of a TLS handshake.
		"EHLO c\r\nSTARTTLS\r\nEHLO c\r\nMAIL FROM:<a@b.c>\r\n",
		"STARTTLS\r\n\x16\x03\x01\x00\x05hello",
		"EHLO c\r\nAUTH PLAIN AGFAYg==\r\nAUTH LOGIN\r\n*\r\n",
		// Huge lines, as command and inside DATA.
		"EHLO " + strings.Repeat("x", 5000) + "\r\nQUIT\r\n",
		"EHLO c\r\nMAIL FROM:<eva@acme.se>\r\nRCPT TO:<support@sos.example>\r\nDATA\r\nSubject: " + strings.Repeat("y", 3000) + "\r\n.\r\nNOOP\r\n",
		// Out of order, malformed, binary.
		"DATA\r\nRCPT TO:<support@sos.example>\r\nMAIL FROM:<>\r\nHELO\r\nMAIL FROM:eva\r\nVRFY x\r\nEXPN y\r\nTURN\r\n\r\n",
		"HELO c\nMAIL FROM:<eva@acme.se>\nRCPT TO:<support@sos.example>\nDATA\nFrom: eva@acme.se\n\nbare LF\n.\n",
		"EHLO c\r\nMAIL FROM:<eva@acme.se>\r\nRCPT TO:<support@sos.example>\r\nDATA\r\nFrom: eva@acme.se\r\rhej\r\r\n.\r\n",
		"\x00\xff\xfe EHLO\r\n\x00\r\nQUIT\x00\r\n",
		"EHLO c\r\nMAIL FROM:<eva@acme.se>\r\nMAIL FROM:<olle@acme.se>\r\nRCPT TO:<support@sos.example>\r\nRCPT TO:<support@sos.example>\r\n" +
			"RCPT TO:<support@sos.example>\r\nRCPT TO:<support@sos.example>\r\nRCPT TO:<support@sos.example>\r\nRCPT TO:<support@sos.example>\r\nDATA\r\nx\r\n.\r\n",
		"QUIT\r\nEHLO c\r\n",
		"",
	} {
		f.Add([]byte(s))
	}
	fz := newFuzzServer(f)
	f.Fuzz(func(t *testing.T, in []byte) {
		panics := fz.panics.Load()
		out, err := fz.session(in)
		if fz.panics.Load() != panics {
			t.Fatalf("the server panicked: %v\ninput %q\noutput %q", fz.lastPanic.Load(), in, out)
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			t.Fatalf("the server did not close within %v\ninput %q\noutput %q", fuzzSessionTimeout, in, out)
		}
		// The place under the connection limit is given back before the
		// socket closes, so it is free now.
		if n := fz.srv.LimitStats().Connections; n != 0 {
			t.Fatalf("%d connections still counted after the close\ninput %q", n, in)
		}
		reset := errors.Is(err, syscall.ECONNRESET)
		if err != nil && !reset {
			t.Fatalf("reading the replies: %v", err)
		}
		if reset {
			// Closing a socket with input unread resets it and may cut
			// the replies short: check the complete lines.
			out = out[:bytes.LastIndex(out, []byte("\r\n"))+2]
		} else if len(out) > 0 && !bytes.HasSuffix(out, []byte("\r\n")) {
			t.Fatalf("reply cut short: %q", out)
		}
		if !reset && !bytes.HasPrefix(out, []byte("220 ")) {
			t.Fatalf("no greeting: %q", out)
		}
		lines := strings.Split(strings.TrimSuffix(string(out), "\r\n"), "\r\n")
		finals := 0
		for _, l := range lines {
			if l == "" && len(out) == 0 {
				break
			}
			if !fuzzReplyRE.MatchString(l) {
				t.Fatalf("malformed reply line %q\ninput %q", l, in)
			}
			if l[3] == ' ' {
				finals++
			}
			if strings.HasPrefix(l, "554 5.0.0 Error: transaction failed") || strings.HasPrefix(l, "421 4.0.0 Internal server error") {
				t.Fatalf("internal error leaked: %q\ninput %q", l, in)
			}
		}
		// Without mail data, TLS or SASL, every line read is a command
		// with exactly one reply, unless the server stopped reading early
		// (QUIT, too many errors, a line too long).
		upper := bytes.ToUpper(in)
		if reset || bytes.Contains(upper, []byte("DATA")) || bytes.Contains(upper, []byte("BDAT")) ||
			bytes.Contains(upper, []byte("STARTTLS")) || bytes.Contains(upper, []byte("AUTH")) {
			return
		}
		cmds := bytes.Count(in, []byte("\n"))
		if len(in) > 0 && in[len(in)-1] != '\n' {
			cmds++
		}
		last := lines[len(lines)-1]
		early := strings.HasPrefix(last, "221 ") || strings.Contains(last, "Too many errors") || strings.Contains(last, "Too long line")
		if early && finals > cmds+2 || !early && finals != cmds+1 {
			t.Fatalf("%d replies to %d command lines (and the greeting)\ninput %q\noutput %q", finals, cmds, in, out)
		}
	})
}

// fuzzReplyRE is a reply line (RFC 5321 §4.2): a code, then space or hyphen.
var fuzzReplyRE = regexp.MustCompile(`^[2-5][0-9][0-9][ -]`)

const fuzzSessionTimeout = 10 * time.Second

// fuzzServer is one server per fuzzing process, over a store in a temporary
// folder; its log is not written anywhere, only watched for panics.
type fuzzServer struct {
	addr      string
	srv       *mail.Server
	panics    atomic.Int64
	lastPanic atomic.Value
	bdatRaces atomic.Int64 // go-smtp's own, see goSMTPBDATRace
}

func newFuzzServer(f *testing.F) *fuzzServer {
	f.Helper()
	fz := &fuzzServer{}
	cal, err := sla.NewCalendar(sla.DefaultCalendarConfig())
	if err != nil {
		f.Fatal(err)
	}
	store, err := tickets.Open(context.Background(), filepath.Join(f.TempDir(), "sosd.db"), &tickets.Policy{Calendar: cal, Priorities: sla.DefaultPriorities()})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { store.Close() })
	tmpl, err := templates.New()
	if err != nil {
		f.Fatal(err)
	}
	signer, err := mail.NewSigner([]byte("0123456789abcdef0123456789abcdef"), "support@sos.example")
	if err != nil {
		f.Fatal(err)
	}
	dir := &mail.Directory{Support: "support@sos.example", Consultants: []string{"anna@sos.example"},
		Customers: []mail.Customer{{ID: "acme", Name: "ACME AB", Language: "sv", Domains: []string{"acme.se"}}}}
	log := slog.New(panicWatch{fz})
	intake := tickets.NewIntake(store, &tickets.IntakeConfig{
		Directory: dir, Signer: signer, Templates: tmpl, Priorities: sla.DefaultPriorities(),
		Hours: templates.Hours{Days: []time.Weekday{1, 2, 3, 4, 5}, Open: "08:00", Close: "17:00"}, Consultants: []string{"anna@sos.example"},
		LoopLimit: 20, ReopenWithin: 7 * 24 * time.Hour, Location: cal.Location(),
	}, log)
	opts := mail.DefaultServerOptions()
	opts.MaxMessageBytes = 64 << 10
	opts.MaxLineLength = 1000
	opts.MaxRecipients = 5
	opts.ReadTimeout = 5 * time.Second
	opts.WriteTimeout = 5 * time.Second
	// Sessions run one at a time, so a place not given back shows as a
	// 421 in place of the greeting within a few inputs.
	opts.MaxConnectionsPerIP = 4
	opts.MaxMessagesPerSenderPerHour = 1 << 30 // on, but never reached: the same input, the same replies
	opts.TLS = &tls.Config{Certificates: []tls.Certificate{fuzzCert(f)}, MinVersion: tls.VersionTLS12}
	fz.srv = mail.NewServer(context.Background(), opts, intake, &mail.Rules{Directory: dir, Signer: signer, Limits: mail.DefaultLimits()}, log)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		f.Fatal(err)
	}
	go fz.srv.Serve(l)
	f.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		fz.srv.Shutdown(ctx)
	})
	fz.addr = l.Addr().String()
	return fz
}

// session writes in as a client, closes the client's sending side and
// returns everything the server sent until it closed the connection. It
// returns only once the writing is over: the fuzzer reuses in.
func (fz *fuzzServer) session(in []byte) ([]byte, error) {
	conn, err := net.DialTimeout("tcp", fz.addr, 2*time.Second)
	if err != nil {
		return nil, err
	}
	conn.SetDeadline(time.Now().Add(fuzzSessionTimeout))
	written := make(chan struct{})
	go func() {
		defer close(written)
		conn.Write(in)
		conn.(*net.TCPConn).CloseWrite()
	}()
	out, err := io.ReadAll(conn)
	conn.Close()
	<-written
	return out, err
}

// panicWatch is a slog handler that only counts the records of a recovered
// panic: go-smtp's "panic serving …" and our Data's op=panic.
type panicWatch struct{ fz *fuzzServer }

func (h panicWatch) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelError }
func (h panicWatch) WithAttrs([]slog.Attr) slog.Handler           { return h }
func (h panicWatch) WithGroup(string) slog.Handler                { return h }

func (h panicWatch) Handle(_ context.Context, r slog.Record) error {
	r.Attrs(func(a slog.Attr) bool {
		v := a.Value.String()
		switch {
		case r.Message == "smtp" && a.Key == "detail" && goSMTPBDATRace(v):
			h.fz.bdatRaces.Add(1)
		case a.Key == "op" && v == "panic" || r.Message == "smtp" && a.Key == "detail" && strings.HasPrefix(v, "panic serving"):
			h.fz.panics.Add(1)
			h.fz.lastPanic.Store(r.Message + ": " + v)
		}
		return true
	})
	return nil
}

// goSMTPBDATRace tells go-smtp v0.25.1's own recovered panic, found by this
// fuzzer (testdata/fuzz/FuzzSMTPSession/6fc9a1f66da6716c): after "BDAT 0"
// or a chunk cut short by the end of input, the connection closes, and
// Conn.Close sets the session to nil before the goroutine handleBdat
// started gets to call c.Session().Data. go-smtp recovers it and logs the
// stack; the client has gone and nothing was accepted. It is not ours to
// fix (no sosd code runs before the nil call) and is still in go-smtp's
// latest release; until it is fixed there it is tolerated here, while every
// other panic fails the fuzz.
func goSMTPBDATRace(detail string) bool {
	return strings.HasPrefix(detail, "panic serving") && strings.Contains(detail, "nil pointer dereference") &&
		strings.Contains(detail, "go-smtp.(*Conn).handleBdat.func1()")
}

// fuzzCert is a throwaway self-signed certificate, so STARTTLS is offered.
func fuzzCert(f *testing.F) tls.Certificate {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		f.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "sosd fuzz"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour), DNSNames: []string{"localhost"}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		f.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}
