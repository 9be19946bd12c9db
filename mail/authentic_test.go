package mail

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"net"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/emersion/go-msgauth/dkim"
)

// Tests of Authenticate (SPEC §6). Keys are made per test run; DNS is a map.
// No test touches the network.
//
//	go test -run XXX -fuzz FuzzAuthenticate -fuzztime 45s ./mail/

// authKeys are the test's signing keys, made once.
var authKeys = sync.OnceValues(func() (ed25519.PrivateKey, *rsa.PrivateKey) {
	_, ed, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		panic(err)
	}
	rk, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return ed, rk
})

// authKeyRecord is the DKIM key record (RFC 6376 §3.6.1) for signer's key.
func authKeyRecord(t testing.TB, signer crypto.Signer) string {
	t.Helper()
	switch pub := signer.Public().(type) {
	case ed25519.PublicKey:
		return "v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(pub)
	case *rsa.PublicKey:
		der, err := x509.MarshalPKIXPublicKey(pub)
		if err != nil {
			t.Fatal(err)
		}
		return "v=DKIM1; k=rsa; p=" + base64.StdEncoding.EncodeToString(der)
	}
	t.Fatalf("unknown key %T", signer)
	return ""
}

// authDNS is a fake resolver: names not in the map do not exist; fail
// makes every lookup fail as a broken resolver would. It counts lookups.
type authDNS struct {
	records map[string][]string
	fail    bool
	n       atomic.Int32
}

func (d *authDNS) LookupTXT(ctx context.Context, name string) ([]string, error) {
	d.n.Add(1)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if d.fail {
		return nil, &net.DNSError{Err: "server misbehaving", Name: name, IsTemporary: true}
	}
	if txts, ok := d.records[strings.ToLower(name)]; ok {
		return txts, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
}

const authMail = "From: Anna Konsult <anna@sos.example>\r\n" +
	"To: support+12-abcdefghijklmnop@support.example\r\n" +
	"Subject: Re: [SOS-12] Servern svarar inte\r\n" +
	"Date: Mon, 30 Nov 2026 15:00:00 +0100\r\n" +
	"Message-ID: <abc@sos.example>\r\n" +
	"\r\n" +
	"#start\r\n" +
	"#priority 1\r\n" +
	"Vi tittar på det nu.\r\n"

// authSign returns msg with a DKIM signature by domain (selector "sel")
// prepended, as dkim.Sign does.
func authSign(t testing.TB, msg, domain string, signer crypto.Signer) string {
	t.Helper()
	var b bytes.Buffer
	err := dkim.Sign(&b, strings.NewReader(msg), &dkim.SignOptions{Domain: domain, Selector: "sel", Signer: signer})
	if err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// authZone is DNS with the ed25519 key for d=sos.example, d=mail.sos.example
// and d=evil.example, and the RSA key for rsa._domainkey.sos.example.
func authZone(t testing.TB) map[string][]string {
	ed, rk := authKeys()
	return map[string][]string{
		"sel._domainkey.sos.example":      {authKeyRecord(t, ed)},
		"sel._domainkey.mail.sos.example": {authKeyRecord(t, ed)},
		"sel._domainkey.evil.example":     {authKeyRecord(t, ed)},
		"rsa._domainkey.sos.example":      {authKeyRecord(t, rk)},
	}
}

func TestAuthenticateDKIM(t *testing.T) {
	t.Parallel()
	ed, rk := authKeys()
	signed := authSign(t, authMail, "sos.example", ed)

	var rsaSigned bytes.Buffer
	if err := dkim.Sign(&rsaSigned, strings.NewReader(authMail), &dkim.SignOptions{Domain: "sos.example", Selector: "rsa", Signer: rk}); err != nil {
		t.Fatal(err)
	}
	fromBob := strings.Replace(authMail, "anna@sos.example", "bob@sos.example", 1)
	eu := strings.Replace(authMail, "anna@sos.example", "anna@eu.sos.example", 1)

	tests := []struct {
		name   string
		raw    string
		from   string
		dmarc  map[string]string // DMARC records to add
		fail   bool              // every DNS lookup fails
		pass   bool
		reason string // a part of Reason
	}{
		{name: "valid ed25519", raw: signed, pass: true, reason: "d=sos.example verified"},
		{name: "valid rsa", raw: rsaSigned.String(), pass: true},
		{name: "from address case", raw: signed, from: "Anna@SOS.example", pass: true},
		{name: "body tampered", raw: strings.Replace(signed, "Vi tittar", "Vi struntar", 1), reason: "body hash did not verify"},
		{name: "command changed", raw: strings.Replace(signed, "#priority 1", "#priority 3", 1), reason: "body hash"},
		{name: "subject tampered", raw: strings.Replace(signed, "Servern svarar", "Allt fungerar", 1), reason: "signature did not verify"},
		{name: "not aligned", raw: authSign(t, authMail, "evil.example", ed), reason: "d=evil.example is not aligned with the From domain sos.example"},
		{name: "subdomain, no DMARC record", raw: authSign(t, authMail, "mail.sos.example", ed), pass: true},
		{name: "subdomain, relaxed", raw: authSign(t, authMail, "mail.sos.example", ed),
			dmarc: map[string]string{"sos.example": "v=DMARC1; p=reject"}, pass: true},
		{name: "subdomain, strict", raw: authSign(t, authMail, "mail.sos.example", ed),
			dmarc: map[string]string{"sos.example": "v=DMARC1; p=reject; adkim=s"}, reason: "adkim=s"},
		{name: "strict, identical domain", raw: signed,
			dmarc: map[string]string{"sos.example": "v=DMARC1; p=reject; adkim=s"}, pass: true},
		// RFC 7489 §6.6.3: no record at the From domain, so the organizational domain's counts.
		{name: "strict at organizational domain", raw: authSign(t, eu, "sos.example", ed), from: "anna@eu.sos.example",
			dmarc: map[string]string{"sos.example": "v=DMARC1; p=none; adkim=s"}, reason: "adkim=s"},
		{name: "relaxed at organizational domain", raw: authSign(t, eu, "sos.example", ed), from: "anna@eu.sos.example",
			dmarc: map[string]string{"sos.example": "v=DMARC1; p=none"}, pass: true},
		{name: "malformed DMARC record", raw: authSign(t, authMail, "mail.sos.example", ed),
			dmarc: map[string]string{"sos.example": "v=DMARC1; p=sometimes"}, reason: "DMARC record of sos.example cannot be read"},
		{name: "no signature", raw: authMail, reason: "no DKIM signature"},
		{name: "DNS failure", raw: signed, fail: true, reason: "DNS lookup of sel._domainkey.sos.example failed"},
		{name: "unknown selector", raw: strings.Replace(signed, "s=sel", "s=nokey", 1), reason: "no key"},
		{name: "From not the given address", raw: signed, from: "boss@sos.example", reason: `names "anna@sos.example", not "boss@sos.example"`},
		{name: "no from address", raw: signed, from: "", reason: "no sender address"},
		// A second From above a genuine signed mail from bob must not borrow bob's signature.
		{name: "second From header", raw: "From: anna@sos.example\r\n" + authSign(t, fromBob, "sos.example", ed), reason: "2 From headers"},
		{name: "two addresses in From", raw: strings.Replace(signed, "<anna@sos.example>", "<anna@sos.example>, bob@sos.example", 1), reason: "exactly one address"},
		{name: "bare LF", raw: strings.ReplaceAll(signed, "\r\n", "\n"), pass: true},
		{name: "garbage", raw: "\x00\x01 not a mail", reason: "header cannot be read"},
		{name: "empty", raw: "", reason: "0 From headers"},
		{name: "control characters in Reason", raw: "From: <anna@sos.example>\r\nDKIM-Signature: v=1; d=\x1b[2J" + strings.Repeat("x", 2000) + "\r\n\r\n", reason: "d=?[2jxxx"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dns := &authDNS{records: authZone(t), fail: tc.fail}
			for d, rec := range tc.dmarc {
				dns.records["_dmarc."+d] = []string{rec}
			}
			from := tc.from
			if from == "" && !strings.HasPrefix(tc.name, "no from") {
				from = "anna@sos.example"
			}
			got := Authenticate(t.Context(), []byte(tc.raw), from, AuthOptions{LookupTXT: dns.LookupTXT})
			t.Logf("%+v", got)
			if got.Pass != tc.pass {
				t.Fatalf("Pass = %v, want %v (%+v)", got.Pass, tc.pass, got)
			}
			if tc.pass && got.Method != AuthMethodDKIM {
				t.Errorf("Method = %q, want %q", got.Method, AuthMethodDKIM)
			}
			if !tc.pass && got.Method != "" {
				t.Errorf("Method = %q without Pass", got.Method)
			}
			if got.Reason == "" || !strings.Contains(got.Reason, tc.reason) {
				t.Errorf("Reason = %q, want it to contain %q", got.Reason, tc.reason)
			}
			if len(got.Reason) > authReasonMax+len("…") || strings.ContainsFunc(got.Reason, func(r rune) bool { return r < ' ' }) {
				t.Errorf("Reason is not a clean log line: %q", got.Reason)
			}
		})
	}
}

func TestAuthenticateRelay(t *testing.T) {
	t.Parallel()
	trusted := []string{"mx.sos.example"}
	tests := []struct {
		name    string
		ar      []string // Authentication-Results values
		trusted []string // nil means trusted above
		pass    bool
		reason  string
	}{
		{name: "dmarc pass", ar: []string{"mx.sos.example; dmarc=pass header.from=sos.example"}, pass: true, reason: "dmarc=pass"},
		{name: "id is case-insensitive", ar: []string{"MX.SOS.example; dmarc=pass (p=reject) header.from=SOS.example"}, pass: true},
		{name: "with version and others", ar: []string{"mx.sos.example 1; spf=pass smtp.mailfrom=sos.example; dkim=pass header.d=sos.example header.s=sel; dmarc=pass header.from=sos.example"}, pass: true},
		{name: "quoted header.from", ar: []string{`mx.sos.example; dmarc=pass header.from="sos.example"`}, pass: true},
		{name: "untrusted id", ar: []string{"evil.example; dmarc=pass header.from=sos.example"}, reason: "none from a trusted relay"},
		{name: "no relay trusted", ar: []string{"mx.sos.example; dmarc=pass header.from=sos.example"}, trusted: []string{}, reason: "no DKIM signature"},
		{name: "dmarc fail", ar: []string{"mx.sos.example; dmarc=fail header.from=sos.example"}, reason: "dmarc=fail"},
		{name: "dmarc pass, other domain", ar: []string{"mx.sos.example; dmarc=pass header.from=evil.example"}, reason: `dmarc=pass for "evil.example", not the From domain sos.example`},
		{name: "dmarc pass, no header.from", ar: []string{"mx.sos.example; dmarc=pass"}},
		{name: "dkim pass", ar: []string{"mx.sos.example; dkim=pass header.d=sos.example"}, pass: true, reason: "dkim=pass"},
		{name: "dkim pass, subdomain", ar: []string{"mx.sos.example; dkim=pass header.i=@mail.sos.example"}, pass: true},
		{name: "dkim pass, not aligned", ar: []string{"mx.sos.example; dkim=pass header.d=evil.example"}, reason: "not aligned"},
		{name: "dkim fail", ar: []string{"mx.sos.example; dkim=fail header.d=sos.example"}, reason: "dkim=fail"},
		{name: "garbage", ar: []string{"\x00;;==; (((dmarc=pass"}},
		{name: "garbage, trusted id", ar: []string{"mx.sos.example; dmarc pass; =; header.from=sos.example"}, reason: "malformed"},
		{name: "bad version", ar: []string{"mx.sos.example 2; dmarc=pass header.from=sos.example"}},
		{name: "none", ar: []string{"mx.sos.example; none"}, reason: "neither DMARC nor DKIM"},
		{name: "untrusted then trusted fail", ar: []string{"evil.example; dmarc=pass header.from=sos.example", "mx.sos.example; dmarc=fail header.from=sos.example"}},
		// RFC 8601 §2.2: comments and quoted strings are not results, even though
		// a sender controls their text (here, a quoted local part of its address).
		{name: "result in a quoted string", ar: []string{`mx.sos.example; spf=pass smtp.mailfrom="x; dmarc=pass header.from=sos.example y"@evil.example`}},
		{name: "param in a quoted string", ar: []string{`mx.sos.example; dkim=pass header.d=evil.example header.i="x header.d=sos.example y"@evil.example`}, reason: "not aligned"},
		{name: "result in a comment", ar: []string{"mx.sos.example; dmarc=fail (was: dmarc=pass header.from=sos.example ) header.from=evil.example"}},
		{name: "unterminated quote", ar: []string{`mx.sos.example; dmarc=pass header.from=sos.example x="`}, reason: "none from a trusted relay"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var hdr strings.Builder
			for _, v := range tc.ar {
				hdr.WriteString("Authentication-Results: " + v + "\r\n")
			}
			raw := hdr.String() + authMail // unsigned: only the relay can vouch
			dns := &authDNS{}              // no records: relaxed alignment, no keys
			opt := AuthOptions{TrustedRelays: authTestRelays, Remote: authTestRemote, TrustedAuthServIDs: trusted, LookupTXT: dns.LookupTXT}
			if tc.trusted != nil {
				opt.TrustedAuthServIDs = tc.trusted
			}
			got := Authenticate(t.Context(), []byte(raw), "anna@sos.example", opt)
			t.Logf("%+v", got)
			if got.Pass != tc.pass {
				t.Fatalf("Pass = %v, want %v (%+v)", got.Pass, tc.pass, got)
			}
			if tc.pass && got.Method != AuthMethodRelay {
				t.Errorf("Method = %q, want %q", got.Method, AuthMethodRelay)
			}
			if got.Reason == "" || !strings.Contains(got.Reason, tc.reason) {
				t.Errorf("Reason = %q, want it to contain %q", got.Reason, tc.reason)
			}
			if n := dns.n.Load(); strings.Contains(got.Reason, "dmarc=pass for sos.example") && n != 0 {
				t.Errorf("%d DNS lookups for a relay's dmarc=pass", n)
			}
		})
	}
}

// TestAuthenticateRelayStrict: a relay's dkim=pass for a subdomain is held to
// the From domain's DMARC alignment mode like a signature we verify.
func TestAuthenticateRelayStrict(t *testing.T) {
	t.Parallel()
	dns := &authDNS{records: map[string][]string{"_dmarc.sos.example": {"v=DMARC1; p=reject; adkim=s"}}}
	raw := "Authentication-Results: mx.sos.example; dkim=pass header.d=mail.sos.example\r\n" + authMail
	got := Authenticate(t.Context(), []byte(raw), "anna@sos.example", AuthOptions{TrustedRelays: authTestRelays, Remote: authTestRemote, TrustedAuthServIDs: []string{"mx.sos.example"}, LookupTXT: dns.LookupTXT})
	if got.Pass || !strings.Contains(got.Reason, "adkim=s") {
		t.Fatalf("got %+v, want no pass for adkim=s", got)
	}
}

// TestAuthenticateBounded: only the first few signatures cost a lookup.
func TestAuthenticateBounded(t *testing.T) {
	t.Parallel()
	ed, _ := authKeys()
	raw := authMail
	for range 3 * authMaxSignatures {
		raw = authSign(t, raw, "evil.example", ed)
	}
	dns := &authDNS{records: authZone(t)}
	got := Authenticate(t.Context(), []byte(raw), "anna@sos.example", AuthOptions{LookupTXT: dns.LookupTXT})
	if got.Pass {
		t.Fatalf("got %+v", got)
	}
	if n := dns.n.Load(); n > authMaxSignatures {
		t.Errorf("%d DNS lookups for %d signatures, want at most %d", n, 3*authMaxSignatures, authMaxSignatures)
	}
}

// TestAuthenticateCanceled: a canceled context means no DNS and no pass.
func TestAuthenticateCanceled(t *testing.T) {
	t.Parallel()
	ed, _ := authKeys()
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	dns := &authDNS{records: authZone(t)}
	got := Authenticate(ctx, []byte(authSign(t, authMail, "sos.example", ed)), "anna@sos.example", AuthOptions{LookupTXT: dns.LookupTXT})
	if got.Pass || !strings.Contains(got.Reason, "cut short") {
		t.Fatalf("got %+v, want no pass, cut short", got)
	}
	if n := dns.n.Load(); n != 0 {
		t.Errorf("%d lookups after cancel", n)
	}
}

func TestAuthOrgDomain(t *testing.T) {
	t.Parallel()
	for d, want := range map[string]string{
		"sos.example":           "sos.example",
		"mail.sos.example":      "sos.example",
		"a.b.example.co.uk":     "example.co.uk",
		"co.uk":                 "co.uk", // a public suffix is its own
		"user.github.io":        "user.github.io",
		"x.user.github.io":      "user.github.io",
		"localhost":             "localhost",
		"":                      "",
		"sos.example.":          "sos.example.", // callers trim the dot first
		"xn--bcher-kva.se":      "xn--bcher-kva.se",
		"mail.xn--bcher-kva.se": "xn--bcher-kva.se",
	} {
		if got := authOrgDomain(d); got != want {
			t.Errorf("authOrgDomain(%q) = %q, want %q", d, got, want)
		}
	}
}

func TestAuthresClean(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"mx; dmarc=pass header.from=a.example", "mx; dmarc=pass header.from=a.example"},
		{"mx (Postfix); dkim=pass (2048-bit key; unprotected) header.d=a", "mx  ; dkim=pass   header.d=a"},
		{"mx; x=1 (a (nested ) comment) y=2", "mx; x=1   y=2"},
		{`mx; x=1 (a \) escaped) y=2`, "mx; x=1   y=2"},
		{`mx; header.from="a.example"`, "mx; header.from=a.example"},
		{`mx; smtp.mailfrom="x; dmarc=pass"@e`, "mx; smtp.mailfrom=?@e"},
		{`mx; smtp.mailfrom="a\"b"@e`, "mx; smtp.mailfrom=?@e"},
		{`mx; x=""`, "mx; x=?"},
	}
	for _, tc := range tests {
		got, ok := authresClean(tc.in)
		if !ok || got != tc.want {
			t.Errorf("authresClean(%q) = %q, %v; want %q", tc.in, got, ok, tc.want)
		}
	}
	for _, bad := range []string{`mx; x="open`, "mx; x=(open", `mx; x="a\"`, `mx; (a\)`} {
		if got, ok := authresClean(bad); ok {
			t.Errorf("authresClean(%q) = %q, want not ok", bad, got)
		}
	}
}

// FuzzAuthenticate feeds arbitrary messages to Authenticate with DNS that
// knows the test keys and fails for everything else: it must not panic, and
// it must never pass a message whose From is not the given address.
func FuzzAuthenticate(f *testing.F) {
	ed, _ := authKeys()
	signed := authSign(f, authMail, "sos.example", ed)
	f.Add([]byte(signed), "anna@sos.example")
	f.Add([]byte(authSign(f, authMail, "mail.sos.example", ed)), "anna@sos.example")
	f.Add([]byte(authSign(f, authMail, "evil.example", ed)), "anna@sos.example")
	f.Add([]byte(strings.Replace(signed, "Vi tittar", "Vi struntar", 1)), "anna@sos.example")
	f.Add([]byte("Authentication-Results: mx.sos.example; dmarc=pass header.from=sos.example\r\n"+authMail), "anna@sos.example")
	f.Add([]byte("Authentication-Results: mx.sos.example; dkim=pass header.i=\"x y\"@mail.sos.example (c)\r\n"+authMail), "anna@sos.example")
	f.Add([]byte("From: a@b\r\nDKIM-Signature: v=1; a=rsa-sha256; d=b; s=s; h=from; bh=; b=\r\n\r\n"), "a@b")
	f.Add([]byte("\x00"), "")
	zone := authZone(f)
	zone["_dmarc.sos.example"] = []string{"v=DMARC1; p=reject; adkim=r"}
	errDNS := errors.New("fuzz: no network")
	lookup := func(ctx context.Context, name string) ([]string, error) {
		if txts, ok := zone[strings.ToLower(name)]; ok {
			return txts, nil
		}
		return nil, errDNS
	}
	f.Fuzz(func(t *testing.T, raw []byte, from string) {
		got := Authenticate(context.Background(), raw, from, AuthOptions{
			TrustedAuthServIDs: []string{"mx.sos.example"}, TrustedRelays: authTestRelays, Remote: authTestRemote,
			LookupTXT: lookup,
		})
		if got.Reason == "" {
			t.Fatalf("no reason: %+v", got)
		}
		if got.Pass != (got.Method != "") {
			t.Fatalf("Pass and Method disagree: %+v", got)
		}
		if got.Pass && !strings.Contains(string(raw), from[strings.LastIndexByte(from, '@')+1:]) {
			t.Fatalf("pass for a From domain the message does not name: %+v", got)
		}
	})
}

// The trusted relay of these tests connects from 10.0.0.25.
var (
	authTestRelays = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/24")}
	authTestRemote = "10.0.0.25:41234"
)

// A trusted authserv-id's header counts only on mail that came from a
// trusted relay: anyone who reaches sosd directly can write one.
func TestAuthenticateRelayOnlyFromTrustedAddress(t *testing.T) {
	raw := "Authentication-Results: mx.sos.example; dmarc=pass header.from=sos.example\r\nFrom: anna@sos.example\r\nSubject: x\r\n\r\n#close\r\n"
	for remote, want := range map[string]bool{"10.0.0.25:41234": true, "[::ffff:10.0.0.25]:41234": true, "192.0.2.7:25": false, "": false} {
		got := Authenticate(t.Context(), []byte(raw), "anna@sos.example", AuthOptions{TrustedAuthServIDs: []string{"mx.sos.example"},
			TrustedRelays: authTestRelays, Remote: remote,
			LookupTXT: func(context.Context, string) ([]string, error) { return nil, &net.DNSError{IsNotFound: true} }})
		if got.Pass != want {
			t.Errorf("from %q: %+v, want pass %v", remote, got, want)
		}
	}
}

// A DNS failure on the way makes the verdict temporary: the sender's
// server tries again rather than the consultant's commands being refused.
func TestAuthenticateTemporaryDNS(t *testing.T) {
	raw := "From: anna@sos.example\r\nDKIM-Signature: v=1; a=rsa-sha256; d=sos.example; s=sel; h=from; bh=x; b=x\r\nSubject: x\r\n\r\n#close\r\n"
	got := Authenticate(t.Context(), []byte(raw), "anna@sos.example", AuthOptions{
		LookupTXT: func(context.Context, string) ([]string, error) {
			return nil, &net.DNSError{Err: "server misbehaving", IsTemporary: true}
		}})
	if got.Pass || !got.Temporary {
		t.Errorf("%+v, want a temporary failure", got)
	}
	got = Authenticate(t.Context(), []byte(raw), "anna@sos.example", AuthOptions{
		LookupTXT: func(context.Context, string) ([]string, error) { return nil, &net.DNSError{IsNotFound: true} }})
	if got.Pass || got.Temporary {
		t.Errorf("no such key: %+v, want a final no", got)
	}
}
