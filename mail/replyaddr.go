package mail

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"strconv"
	"strings"
)

// Signer makes and checks signed reply addresses: support+<n>-<mac>@domain,
// where mac is an HMAC-SHA256 over the ticket and the address the reply
// address was given to (SPEC §6: a command mail counts when it was sent to
// the ticket's signed reply address). Only someone who received sosd's mail
// for that ticket knows it, and it is worthless to anyone else.
type Signer struct {
	key     []byte
	local   string // the support address's local part
	domain  string
	macSize int
}

// macChars is the length of the mac in the address: 16 base32 characters
// are 80 bits, beyond guessing by mail.
const macChars = 16

// NewSigner returns a Signer for support address support with key.
func NewSigner(key []byte, support string) (*Signer, error) {
	at := strings.LastIndexByte(support, '@')
	if at <= 0 || len(key) < 16 {
		return nil, fmt.Errorf("signer: need a support address and a key of at least 16 bytes")
	}
	return &Signer{key: key, local: strings.ToLower(support[:at]), domain: strings.ToLower(support[at+1:]), macSize: macChars}, nil
}

func (s *Signer) mac(ticket int64, recipient string) string {
	h := hmac.New(sha256.New, s.key)
	fmt.Fprintf(h, "SOS-%d\x00%s", ticket, strings.ToLower(strings.TrimSpace(recipient)))
	sum := base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(h.Sum(nil))
	return strings.ToLower(sum[:s.macSize])
}

// Address returns the reply address of ticket for mail sent to recipient.
func (s *Signer) Address(ticket int64, recipient string) string {
	return fmt.Sprintf("%s+%d-%s@%s", s.local, ticket, s.mac(ticket, recipient), s.domain)
}

// Verify reports which ticket a recipient address names and whether its
// mac is valid for a reply from sender. It compares in constant time.
func (s *Signer) Verify(rcpt, sender string) (ticket int64, ok bool) {
	token, isSupport := s.Token(rcpt)
	if !isSupport || token == "" {
		return 0, false
	}
	num, mac, found := strings.Cut(token, "-")
	n, err := strconv.ParseInt(num, 10, 64)
	if !found || err != nil || n < 1 {
		return 0, false
	}
	return n, hmac.Equal([]byte(strings.ToLower(mac)), []byte(s.mac(n, sender)))
}

// Token splits a recipient: whether it is the support address or one of
// its +token forms, and the token ("" for the plain address). Local parts
// compare case-insensitively.
func (s *Signer) Token(rcpt string) (token string, isSupport bool) {
	return supportToken(rcpt, s.local, s.domain)
}

func supportToken(rcpt, local, domain string) (string, bool) {
	rcpt = strings.ToLower(strings.Trim(strings.TrimSpace(rcpt), "<>"))
	at := strings.LastIndexByte(rcpt, '@')
	if at < 0 || rcpt[at+1:] != domain {
		return "", false
	}
	lp := rcpt[:at]
	if lp == local {
		return "", true
	}
	if t, ok := strings.CutPrefix(lp, local+"+"); ok {
		return t, true
	}
	return "", false
}
