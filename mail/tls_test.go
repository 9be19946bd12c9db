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
	"math/big"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"sosd/mail"
	"sosd/tickets"
)

// selfSigned makes a certificate for 127.0.0.1 and a pool trusting it.
func selfSigned(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "sosd test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), DNSNames: []string{"localhost"},
		IPAddresses: nil, KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pool
}

// With a certificate configured the server offers STARTTLS (RFC 3207) and
// files mail sent over it.
func TestStartTLS(t *testing.T) {
	t.Parallel()
	cert, pool := selfSigned(t)
	opts := mail.DefaultServerOptions()
	opts.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	s := startServer(t, opts)
	c, err := smtp.DialStartTLS(s.addr, &tls.Config{RootCAs: pool, ServerName: "localhost"})
	if err != nil {
		t.Fatalf("STARTTLS: %v", err)
	}
	defer c.Close()
	raw := []byte("From: eva@acme.se\r\nSubject: över TLS\r\nMessage-ID: <tls1@acme.se>\r\n\r\nHej\r\n")
	if err := c.SendMail("eva@acme.se", []string{"support@sos.example"}, bytes.NewReader(raw)); err != nil {
		t.Fatal(err)
	}
	if state, ok := c.TLSConnectionState(); !ok || !state.HandshakeComplete {
		t.Fatal("the mail did not go over TLS")
	}
	if list, _ := s.store.List(context.Background(), tickets.Filter{}); len(list) != 1 {
		t.Errorf("%d tickets filed over TLS", len(list))
	}
	// Without a certificate there is no STARTTLS to offer.
	plain := startServer(t, mail.DefaultServerOptions())
	c2, err := smtp.Dial(plain.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	c2.Hello("client.example")
	if ok, _ := c2.Extension("STARTTLS"); ok {
		t.Error("STARTTLS offered without a certificate")
	}
}
