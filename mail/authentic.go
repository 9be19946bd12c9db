package mail

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	netmail "net/mail"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-message/textproto"
	"github.com/emersion/go-msgauth/authres"
	"github.com/emersion/go-msgauth/dkim"
	"github.com/emersion/go-msgauth/dmarc"
	"golang.org/x/net/publicsuffix"
)

// The values of Authentication.Method.
const (
	AuthMethodDKIM  = "dkim"                   // a verified, aligned DKIM signature
	AuthMethodRelay = "authentication-results" // a trusted relay's verdict
)

const (
	// authMaxSignatures bounds the DKIM signatures verified per message:
	// each costs a DNS query and a public-key operation (RFC 6376 §6.1
	// lets a verifier limit the signatures it checks).
	authMaxSignatures = 5
	// authTimeout bounds all DNS work of one Authenticate call, whatever
	// the caller's context allows.
	authTimeout = 15 * time.Second
)

// AuthOptions configures Authenticate.
type AuthOptions struct {
	// TrustedAuthServIDs are the authserv-ids of relays whose
	// Authentication-Results headers are believed. RFC 8601 §5: such a
	// relay removes any header carrying its own id from incoming mail, so
	// one that survives was written by it. Headers with other ids are
	// ignored. Compared case-insensitively.
	TrustedAuthServIDs []string
	// TrustedRelays are the addresses the trusted relays connect from:
	// an Authentication-Results header counts only on mail that came from
	// one of them, since anyone who reaches sosd directly can write the
	// header with any id.
	TrustedRelays []netip.Prefix
	// Remote is the SMTP client's address ("ip:port") of the mail being
	// checked; set per mail.
	Remote string
	// LookupTXT resolves DNS TXT records (DKIM keys, DMARC records). nil
	// means net.DefaultResolver.LookupTXT. A name that does not exist must
	// be reported as a *net.DNSError with IsNotFound set.
	LookupTXT func(ctx context.Context, domain string) ([]string, error)
}

// Authentication is the verdict of Authenticate.
type Authentication struct {
	// Pass is true when the mail provably comes from its From domain.
	Pass bool
	// Method says how: AuthMethodDKIM or AuthMethodRelay; "" without Pass.
	Method string
	// Reason explains the verdict in plain English for the log and the
	// ticket history: what passed, or why nothing did.
	Reason string
	// Temporary: no pass, but DNS failed or timed out on the way (RFC
	// 6376 §6.1.2: TEMPFAIL), so the mail may pass later; the sender's
	// server should try again rather than the mail be refused.
	Temporary bool
}

// Authenticate reports whether raw, a complete message, comes from the
// domain of fromAddr (SPEC §6): raw must have exactly one From header, with
// the single address fromAddr, and either a trusted relay's
// Authentication-Results header says it passed DMARC or aligned DKIM for
// that domain (RFC 8601), or one of its DKIM signatures (RFC 6376) verifies
// and its d= domain is aligned with the From domain as DMARC defines it
// (RFC 7489 §3.1.1). It never panics; a malformed message does not pass.
// DNS queries are bounded by ctx and by an internal timeout.
func Authenticate(ctx context.Context, raw []byte, fromAddr string, opt AuthOptions) Authentication {
	v := authenticate(ctx, raw, fromAddr, opt)
	v.Reason = authClean(v.Reason)
	return v
}

// authReasonMax bounds Reason, which quotes text from the message.
const authReasonMax = 600

// authClean makes a reason safe for a log line and a ticket history:
// valid UTF-8, no control characters, at most authReasonMax bytes.
func authClean(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return '?'
		}
		return r
	}, strings.ToValidUTF8(s, "?"))
	if len(s) > authReasonMax {
		s = strings.ToValidUTF8(s[:authReasonMax], "") + "…"
	}
	return s
}

func authenticate(ctx context.Context, raw []byte, fromAddr string, opt AuthOptions) Authentication {
	ctx, cancel := context.WithTimeout(ctx, authTimeout)
	defer cancel()

	h, err := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(raw)))
	if err != nil {
		return Authentication{Reason: "the message header cannot be read: " + err.Error()}
	}
	domain, why := authFromDomain(h, fromAddr)
	if why != "" {
		return Authentication{Reason: why}
	}
	lookup := opt.LookupTXT
	if lookup == nil {
		lookup = net.DefaultResolver.LookupTXT
	}
	a := &authCheck{ctx: ctx, lookup: lookup, from: domain}

	var reasons []string
	trusted := opt.TrustedAuthServIDs
	if len(trusted) > 0 && !fromTrustedRelay(opt.Remote, opt.TrustedRelays) {
		reasons = append(reasons, "Authentication-Results not read: the mail did not come from a trusted relay")
		trusted = nil
	}
	if ok, why := a.relay(h, trusted); ok {
		return Authentication{Pass: true, Method: AuthMethodRelay, Reason: why}
	} else if why != "" {
		reasons = append(reasons, why)
	}
	if ok, why := a.dkim(raw); ok {
		return Authentication{Pass: true, Method: AuthMethodDKIM, Reason: why}
	} else {
		reasons = append(reasons, why)
	}
	a.mu.Lock()
	temporary := a.dnsErr != nil || ctx.Err() != nil
	a.mu.Unlock()
	return Authentication{Reason: strings.Join(reasons, "; "), Temporary: temporary}
}

// fromTrustedRelay reports whether remote ("ip:port") is in one of
// relays.
func fromTrustedRelay(remote string, relays []netip.Prefix) bool {
	ap, err := netip.ParseAddrPort(remote)
	if err != nil {
		return false
	}
	ip := ap.Addr().Unmap()
	for _, p := range relays {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// authFromDomain returns the lower-case domain of the message's From
// address after checking that the header names exactly fromAddr. RFC 7489
// §6.6.1 lets a receiver refuse a message with several From fields or
// addresses; we must, or a second From could borrow another's signature.
func authFromDomain(h textproto.Header, fromAddr string) (domain, why string) {
	froms := h.Values("From")
	if len(froms) != 1 {
		return "", fmt.Sprintf("the message has %d From headers, not one", len(froms))
	}
	// The display name is irrelevant, so any charset may stay undecoded.
	p := netmail.AddressParser{WordDecoder: &mime.WordDecoder{
		CharsetReader: func(_ string, r io.Reader) (io.Reader, error) { return r, nil },
	}}
	list, err := p.ParseList(froms[0])
	if err != nil || len(list) != 1 {
		return "", "the From header does not hold exactly one address"
	}
	addr := list[0].Address
	if strings.TrimSpace(fromAddr) == "" {
		return "", "no sender address was given to check"
	}
	if !strings.EqualFold(addr, strings.TrimSpace(fromAddr)) {
		return "", fmt.Sprintf("the From header names %q, not %q", addr, fromAddr)
	}
	at := strings.LastIndexByte(addr, '@')
	domain = authDomain(addr[at+1:])
	if at < 1 || domain == "" {
		return "", fmt.Sprintf("the From address %q has no domain", addr)
	}
	return domain, ""
}

// authDomain normalizes a domain for comparison.
func authDomain(d string) string {
	return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(d)), ".")
}

// authOrgDomain is a domain's organizational domain (RFC 7489 §3.2): one
// label below its public suffix. A domain the public suffix list cannot
// place (say, a suffix itself) is its own organizational domain.
func authOrgDomain(d string) string {
	org, err := publicsuffix.EffectiveTLDPlusOne(d)
	if err != nil {
		return d
	}
	return org
}

// authCheck holds the state of one Authenticate call.
type authCheck struct {
	ctx    context.Context
	lookup func(ctx context.Context, domain string) ([]string, error)
	from   string // the From domain

	mu     sync.Mutex // the DKIM verifier looks keys up in parallel
	dnsErr error      // the first DNS failure other than "no such name"

	dmarcDone   bool
	dmarcStrict bool
	dmarcErr    error
}

// txt is the LookupTXT handed to go-msgauth, which knows no context.
func (a *authCheck) txt(domain string) ([]string, error) {
	if err := a.ctx.Err(); err != nil {
		return nil, err
	}
	txts, err := a.lookup(a.ctx, domain)
	var dnsErr *net.DNSError
	if err != nil && !(errors.As(err, &dnsErr) && dnsErr.IsNotFound) {
		a.mu.Lock()
		if a.dnsErr == nil {
			a.dnsErr = fmt.Errorf("DNS lookup of %s failed: %w", domain, err)
		}
		a.mu.Unlock()
	}
	return txts, err
}

// aligned reports whether a DKIM signing domain is aligned with the From
// domain (RFC 7489 §3.1.1). An identical domain is aligned in either mode
// and needs no DNS; a domain that only shares the organizational domain is
// aligned unless the From domain's DMARC record asks for strict mode.
func (a *authCheck) aligned(d string) (bool, string) {
	d = authDomain(d)
	if d == "" {
		return false, "it names no domain"
	}
	if d == a.from {
		return true, ""
	}
	if authOrgDomain(d) != authOrgDomain(a.from) {
		return false, fmt.Sprintf("d=%s is not aligned with the From domain %s", d, a.from)
	}
	strict, err := a.strict()
	if err != nil {
		return false, err.Error()
	}
	if strict {
		return false, fmt.Sprintf("d=%s is not strictly aligned with %s, which its DMARC record (adkim=s) requires", d, a.from)
	}
	return true, ""
}

// strict reports whether DMARC asks for strict DKIM alignment for the From
// domain. RFC 7489 §6.6.3: the record is looked up at _dmarc.<From domain>
// and, failing that, at _dmarc.<organizational domain>.
//
// A domain without a DMARC record gets relaxed alignment: RFC 7489 §6.3
// makes relaxed the default, and a domain that publishes no record has not
// asked for more. Its signature is still verified, so this admits only
// signers within the same organizational domain. A DNS failure or an
// unusable record, in contrast, is an error: we cannot tell what the domain
// asked for. The record's policy (p=, pct=) does not matter here: it says
// what to do with failing mail, and we only ask whether a mail passes.
func (a *authCheck) strict() (bool, error) {
	if a.dmarcDone {
		return a.dmarcStrict, a.dmarcErr
	}
	a.dmarcDone = true
	opts := &dmarc.LookupOptions{LookupTXT: a.txt}
	rec, err := dmarc.LookupWithOptions(a.from, opts)
	if org := authOrgDomain(a.from); errors.Is(err, dmarc.ErrNoPolicy) && org != a.from {
		rec, err = dmarc.LookupWithOptions(org, opts)
	}
	switch {
	case errors.Is(err, dmarc.ErrNoPolicy):
		// relaxed, see above
	case err != nil:
		a.dmarcErr = fmt.Errorf("the DMARC record of %s cannot be read: %s", a.from, authErrText(err))
	default:
		a.dmarcStrict = rec.DKIMAlignment == dmarc.AlignmentStrict
	}
	return a.dmarcStrict, a.dmarcErr
}

// dkim verifies the message's DKIM signatures (RFC 6376 §6) and passes on
// the first valid one whose domain is aligned with the From domain.
func (a *authCheck) dkim(raw []byte) (bool, string) {
	verifs, err := dkim.VerifyWithOptions(bytes.NewReader(raw), &dkim.VerifyOptions{
		LookupTXT:        a.txt,
		MaxVerifications: authMaxSignatures,
	})
	if err != nil && !errors.Is(err, dkim.ErrTooManySignatures) {
		return false, "DKIM: the message cannot be verified: " + authErrText(err)
	}
	if len(verifs) == 0 {
		return false, "DKIM: the message has no DKIM signature"
	}
	var why []string
	for _, v := range verifs {
		if v.Err != nil {
			why = append(why, fmt.Sprintf("the signature of d=%s does not verify: %s", authDomain(v.Domain), authErrText(v.Err)))
			continue
		}
		ok, no := a.aligned(v.Domain)
		if ok {
			return true, fmt.Sprintf("DKIM signature of d=%s verified and aligned with the From domain %s", authDomain(v.Domain), a.from)
		}
		why = append(why, "the signature of d="+authDomain(v.Domain)+" does not count: "+no)
	}
	if err := a.ctx.Err(); err != nil {
		why = append([]string{"DNS lookups were cut short: " + err.Error()}, why...)
	} else if a.dnsErr != nil {
		why = append([]string{a.dnsErr.Error()}, why...)
	}
	return false, "DKIM: " + strings.Join(why, "; ")
}

// authErrText drops go-msgauth's package prefix from an error's text.
func authErrText(err error) string {
	s := err.Error()
	for _, p := range []string{"dkim: ", "dmarc: "} {
		s = strings.TrimPrefix(s, p)
	}
	return s
}

// relay looks for a trusted Authentication-Results header (RFC 8601) that
// says the message passed DMARC for the From domain, or DKIM for an aligned
// domain. Headers of other authserv-ids are ignored: anyone can write them.
// A relay's dkim=pass for a subdomain is held to the From domain's DMARC
// alignment mode, as a signature we verify ourselves is. It returns no
// reason when no relay is trusted.
func (a *authCheck) relay(h textproto.Header, trusted []string) (bool, string) {
	if len(trusted) == 0 {
		return false, ""
	}
	found := false
	var why []string
	for _, v := range h.Values("Authentication-Results") {
		clean, ok := authresClean(v)
		if !ok {
			continue
		}
		id, results, err := authres.Parse(clean) // results before an error still count
		if !authTrusted(id, trusted) {
			continue
		}
		found = true
		if err != nil {
			why = append(why, fmt.Sprintf("a malformed header of %s (%v)", id, err))
		}
		for _, r := range results {
			switch r := r.(type) {
			case *authres.DMARCResult:
				// RFC 7489 §11.2: header.from is the From domain evaluated.
				if r.Value == authres.ResultPass && authDomain(r.From) == a.from {
					return true, fmt.Sprintf("the trusted relay %s reports dmarc=pass for %s", id, a.from)
				}
				why = append(why, fmt.Sprintf("dmarc=%s for %q", r.Value, authDomain(r.From)))
				if r.Value == authres.ResultPass {
					why[len(why)-1] += ", not the From domain " + a.from
				}
			case *authres.DKIMResult:
				d := r.Domain
				if d == "" {
					_, d, _ = strings.Cut(r.Identifier, "@") // RFC 6376 §3.5: i= is within d=
				}
				if r.Value != authres.ResultPass {
					why = append(why, fmt.Sprintf("dkim=%s for %q", r.Value, authDomain(d)))
					continue
				}
				if ok, no := a.aligned(d); ok {
					return true, fmt.Sprintf("the trusted relay %s reports dkim=pass for %s, aligned with the From domain %s", id, authDomain(d), a.from)
				} else {
					why = append(why, fmt.Sprintf("dkim=pass for %q does not count: %s", authDomain(d), no))
				}
			}
		}
	}
	if !found {
		return false, "Authentication-Results: none from a trusted relay"
	}
	if len(why) == 0 {
		return false, "Authentication-Results: the trusted relay reports neither DMARC nor DKIM"
	}
	return false, "Authentication-Results: " + strings.Join(why, ", ")
}

// authTrusted reports whether authserv-id id is in trusted.
func authTrusted(id string, trusted []string) bool {
	if id == "" {
		return false
	}
	for _, t := range trusted {
		if strings.EqualFold(id, strings.TrimSpace(t)) {
			return true
		}
	}
	return false
}

// authresClean rewrites an Authentication-Results value for authres.Parse,
// which splits at every ";" and space, regardless of RFC 8601 §2.2's
// comments and quoted strings. Comments become a space; a quoted string
// becomes its content when that is a plain token, and "?" otherwise, so
// that text a sender controls (a quoted local part such as
// "x; dmarc=pass header.from=victim") cannot pose as a result. An
// unterminated comment or quoted string makes the whole value unusable.
func authresClean(v string) (string, bool) {
	var b strings.Builder
	depth := 0 // comments nest
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case depth > 0:
			switch c {
			case '\\':
				i++
			case '(':
				depth++
			case ')':
				if depth--; depth == 0 {
					b.WriteByte(' ')
				}
			}
		case c == '(':
			depth = 1
		case c == '"':
			var q strings.Builder
			closed := false
			for i++; i < len(v); i++ {
				if v[i] == '\\' && i+1 < len(v) {
					i++
				} else if v[i] == '"' {
					closed = true
					break
				}
				q.WriteByte(v[i])
			}
			if !closed {
				return "", false
			}
			s := q.String()
			if s == "" || strings.ContainsAny(s, " \t\r\n;=()\"\\") {
				s = "?"
			}
			b.WriteString(s)
		default:
			b.WriteByte(c)
		}
	}
	if depth > 0 {
		return "", false
	}
	return b.String(), true
}
