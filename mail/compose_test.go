package mail

import (
	"bytes"
	"strings"
	"testing"
	"time"

	gomail "github.com/emersion/go-message/mail"
)

func TestComposeHeadersAndParts(t *testing.T) {
	t.Parallel()
	d := Draft{
		MessageID: "sos-12.ack.abc@sos.example", Date: time.Date(2026, 11, 30, 15, 0, 5, 0, time.UTC),
		From: "support@sos.example", To: []string{"eva@acme.se"}, ReplyTo: "support+12-x@sos.example",
		Subject:   "[SOS-12] Vi har tagit emot ditt ärende: Servern\r\nBcc: evil@example.com",
		InReplyTo: "orig@acme.se", References: []string{"older@acme.se", "orig@acme.se"},
		AutoSubmitted: "auto-replied", Text: "Hej!\nÅÄÖ åäö", HTML: "<p>Hej! ÅÄÖ</p>",
	}
	raw, err := Compose(d)
	if err != nil {
		t.Fatal(err)
	}
	r, err := gomail.CreateReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	h := r.Header
	if id, _ := h.MessageID(); id != d.MessageID {
		t.Errorf("Message-ID = %q", id)
	}
	if s, _ := h.Subject(); s != "[SOS-12] Vi har tagit emot ditt ärende: Servern Bcc: evil@example.com" {
		t.Errorf("Subject = %q (must stay one line)", s)
	}
	if h.Get("Bcc") != "" {
		t.Error("a subject injected a Bcc header")
	}
	if ids, _ := h.MsgIDList("References"); len(ids) != 2 || ids[1] != "orig@acme.se" {
		t.Errorf("References = %v", ids)
	}
	if ids, _ := h.MsgIDList("In-Reply-To"); len(ids) != 1 || ids[0] != "orig@acme.se" {
		t.Errorf("In-Reply-To = %v", ids)
	}
	if rt, _ := h.AddressList("Reply-To"); len(rt) != 1 || rt[0].Address != "support+12-x@sos.example" {
		t.Errorf("Reply-To = %v", rt)
	}
	if h.Get("Auto-Submitted") != "auto-replied" || h.Get("X-Auto-Response-Suppress") != "All" {
		t.Errorf("Auto-Submitted = %q, X-Auto-Response-Suppress = %q", h.Get("Auto-Submitted"), h.Get("X-Auto-Response-Suppress"))
	}
	if mt, _, _ := h.ContentType(); mt != "multipart/alternative" {
		t.Errorf("Content-Type = %q", mt)
	}
	var types []string
	for {
		p, err := r.NextPart()
		if err != nil {
			break
		}
		ct := p.Header.Get("Content-Type")
		types = append(types, ct)
		var body bytes.Buffer
		body.ReadFrom(p.Body)
		if strings.HasPrefix(ct, "text/plain") && body.String() != "Hej!\r\nÅÄÖ åäö" {
			t.Errorf("text part = %q", body.String())
		}
	}
	if len(types) != 2 || !strings.HasPrefix(types[0], "text/plain") || !strings.HasPrefix(types[1], "text/html") {
		t.Errorf("parts = %v", types)
	}
	for _, line := range strings.Split(string(raw), "\r\n") {
		if len(line) > 998 {
			t.Errorf("line longer than RFC 5322 allows: %d", len(line))
		}
	}
}

func TestComposeAttachmentAndPersonMail(t *testing.T) {
	t.Parallel()
	original := []byte("From: x@y.example\r\nSubject: broken\r\n\r\nbody\r\n")
	raw, err := Compose(Draft{MessageID: "sos-0.quarantine.a@sos.example", Date: time.Now(), From: "support@sos.example",
		To: []string{"anna@sos.example"}, Subject: "Karantän", Text: "Se bilagan.",
		Attachments: []Attachment{{Filename: "mail.eml", ContentType: "message/rfc822", Data: original}}})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(raw, original) {
		t.Error("the attached mail is not kept byte for byte")
	}
	if !bytes.Contains(raw, []byte("multipart/mixed")) || bytes.Contains(raw, []byte("Auto-Submitted")) {
		t.Errorf("want multipart/mixed and no Auto-Submitted:\n%s", raw)
	}
}
