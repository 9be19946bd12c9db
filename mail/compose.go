package mail

import (
	"bytes"
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"io"
	"strings"
	"time"

	gomail "github.com/emersion/go-message/mail"
)

// Draft is an outgoing mail before it is rendered to bytes.
type Draft struct {
	MessageID  string // without <>; see NewMessageID
	Date       time.Time
	From       string // the support address
	FromName   string
	To         []string
	ReplyTo    string // the signed reply address
	Subject    string
	InReplyTo  string   // without <>
	References []string // without <>, oldest first
	// AutoSubmitted is "auto-replied" for answers to a mail and
	// "auto-generated" for notices; "" for mail a person wrote (a
	// consultant's reply passed on). RFC 3834 §5.
	AutoSubmitted string
	Text, HTML    string
	// Calendar is an iCalendar object (see Calendar) sent as a third
	// alternative, text/calendar with METHOD:PUBLISH, which calendars
	// offer to add; "" for none.
	Calendar    string
	Attachments []Attachment
}

// NewMessageID returns a fresh Message-ID in the support domain that
// names its ticket, so replies thread by In-Reply-To/References even when
// the subject tag is lost: sos-<n>.<kind>.<random>@domain. Ticket 0 is
// mail about no ticket.
func NewMessageID(ticket int64, kind, domain string) string {
	var b [10]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on Linux ≥ 3.17
	}
	r := strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
	return fmt.Sprintf("sos-%d.%s.%s@%s", ticket, kind, r, domain)
}

// Compose renders a draft as an RFC 5322 message: multipart/alternative
// text and HTML (SPEC §7), inside multipart/mixed when there are
// attachments, with threading headers and, for automatic mail,
// Auto-Submitted and X-Auto-Response-Suppress so that autoresponders do not
// answer it (RFC 3834 §5; the latter is Microsoft's).
func Compose(d Draft) ([]byte, error) {
	var h gomail.Header
	h.SetDate(d.Date)
	h.SetMessageID(d.MessageID)
	h.SetAddressList("From", []*gomail.Address{{Name: d.FromName, Address: d.From}})
	to := make([]*gomail.Address, len(d.To))
	for i, a := range d.To {
		to[i] = &gomail.Address{Address: a}
	}
	h.SetAddressList("To", to)
	if d.ReplyTo != "" {
		h.SetAddressList("Reply-To", []*gomail.Address{{Address: d.ReplyTo}})
	}
	h.SetSubject(oneLineHeader(d.Subject))
	if d.InReplyTo != "" {
		h.SetMsgIDList("In-Reply-To", []string{d.InReplyTo})
	}
	if len(d.References) > 0 {
		h.SetMsgIDList("References", d.References)
	}
	if d.AutoSubmitted != "" {
		h.Set("Auto-Submitted", d.AutoSubmitted)
		h.Set("X-Auto-Response-Suppress", "All")
	}
	h.Set("MIME-Version", "1.0")

	var buf bytes.Buffer
	if len(d.Attachments) == 0 {
		w, err := gomail.CreateInlineWriter(&buf, h)
		if err != nil {
			return nil, fmt.Errorf("compose %s: %w", d.MessageID, err)
		}
		if err := writeAlternatives(w, d); err != nil {
			return nil, fmt.Errorf("compose %s: %w", d.MessageID, err)
		}
		return buf.Bytes(), nil
	}
	w, err := gomail.CreateWriter(&buf, h)
	if err != nil {
		return nil, fmt.Errorf("compose %s: %w", d.MessageID, err)
	}
	iw, err := w.CreateInline()
	if err == nil {
		err = writeAlternatives(iw, d)
	}
	for _, a := range d.Attachments {
		if err != nil {
			break
		}
		var ah gomail.AttachmentHeader
		ah.SetFilename(a.Filename)
		ct := a.ContentType
		if ct == "" {
			ct = "application/octet-stream"
		}
		if ct == "message/rfc822" {
			// RFC 2046 §5.2.1: message/rfc822 takes only 7bit, 8bit or
			// binary; the raw mail goes as it came.
			ah.Set("Content-Type", ct)
			ah.Set("Content-Transfer-Encoding", "8bit")
		} else {
			ah.SetContentType(ct, nil)
		}
		var aw io.WriteCloser
		if aw, err = w.CreateAttachment(ah); err == nil {
			if _, err = aw.Write(a.Data); err == nil {
				err = aw.Close()
			}
		}
	}
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		return nil, fmt.Errorf("compose %s: %w", d.MessageID, err)
	}
	return buf.Bytes(), nil
}

func writeAlternatives(w *gomail.InlineWriter, d Draft) error {
	parts := []struct {
		ct, body string
		params   map[string]string
	}{
		{"text/plain", d.Text, map[string]string{"charset": "utf-8"}},
		{"text/html", d.HTML, map[string]string{"charset": "utf-8"}},
		{"text/calendar", d.Calendar, map[string]string{"charset": "utf-8", "method": "PUBLISH"}},
	}
	for _, p := range parts {
		if p.body == "" && p.ct != "text/plain" {
			continue
		}
		var ph gomail.InlineHeader
		ph.SetContentType(p.ct, p.params)
		ph.Set("Content-Transfer-Encoding", "quoted-printable")
		pw, err := w.CreatePart(ph)
		if err != nil {
			return err
		}
		if _, err := io.WriteString(pw, toCRLF(p.body)); err != nil {
			return err
		}
		if err := pw.Close(); err != nil {
			return err
		}
	}
	return w.Close()
}

func toCRLF(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\n", "\r\n")
}

// oneLineHeader keeps a header value on one line: a CR or LF from a
// customer's subject must never start a header of its own.
func oneLineHeader(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
