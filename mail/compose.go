package mail

import (
	"bytes"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/emersion/go-message"
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
	// alternative, text/calendar with its METHOD (RFC 6047 §2.4: the
	// part's method parameter repeats it), which calendars offer to add
	// or answer; "" for none.
	Calendar    string
	Attachments []Attachment
	// Inline are images the HTML shows, each referenced from it as
	// cid:<ContentID> (RFC 2392), e.g. a report's charts (ContentType
	// "image/png"). They go with the HTML in a multipart/related (RFC
	// 2387), so clients show them in place and not as attachments. Each
	// needs a ContentID unique in the mail; Filename is optional.
	Inline []Attachment
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
// text and HTML (SPEC §7), the HTML in a multipart/related with its
// images when there are Inline ones (see composeTree), inside
// multipart/mixed when there are attachments, with threading headers
// and, for automatic mail, Auto-Submitted and X-Auto-Response-Suppress
// so that autoresponders do not answer it (RFC 3834 §5; the latter is
// Microsoft's).
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
	if err := composeTree(&buf, h, d); err != nil {
		return nil, fmt.Errorf("compose %s: %w", d.MessageID, err)
	}
	return buf.Bytes(), nil
}

// attachmentHeader is the part header of attachment a. The writer adds
// Content-Disposition (set here with the filename) and base64 unless a
// transfer encoding is set.
func attachmentHeader(a Attachment) gomail.AttachmentHeader {
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
	return ah
}

// textPart is one alternative rendering of the body.
type textPart struct {
	ct, body string
	params   map[string]string
}

// alternatives are the draft's renderings, plainest first (RFC 2046
// §5.1.4: the last one a client can show is the one it shows). The
// text part is always there; the others only when the draft has them.
func alternatives(d Draft) []textPart {
	parts := []textPart{
		{"text/plain", d.Text, map[string]string{"charset": "utf-8"}},
		{"text/html", d.HTML, map[string]string{"charset": "utf-8"}},
		{"text/calendar", d.Calendar, map[string]string{"charset": "utf-8", "method": calendarMethod(d.Calendar)}},
	}
	return slices.DeleteFunc(parts, func(p textPart) bool { return p.body == "" && p.ct != "text/plain" })
}

// header is the part header of p: quoted-printable, so that long
// lines and non-ASCII text survive any relay (RFC 2045 §6.7).
func (p textPart) header() gomail.InlineHeader {
	var ph gomail.InlineHeader
	ph.SetContentType(p.ct, p.params)
	ph.Set("Content-Transfer-Encoding", "quoted-printable")
	return ph
}

// composeTree writes a draft's body parts under header h:
//
//	multipart/mixed                 (only with attachments)
//	├─ multipart/alternative
//	│  ├─ text/plain
//	│  ├─ text/html, or with inline images:
//	│  │  multipart/related; type="text/html"
//	│  │  ├─ text/html              (the root: first, RFC 2387 §3.2)
//	│  │  └─ image/png …            (Content-ID, inline)
//	│  └─ text/calendar             (if any)
//	└─ attachments …
//
// The related part is the HTML alternative itself, so a client that
// shows only text never sees the images, and one that shows HTML finds
// each cid: reference among the HTML's siblings (RFC 2387 §3, RFC 2392).
// go-message's mail writer cannot nest a multipart in an alternative,
// so this builds the tree with its generic entity writer, setting the
// same part headers the mail writer would: one way for every mail.
func composeTree(w io.Writer, h gomail.Header, d Draft) error {
	if d.HTML == "" && len(d.Inline) > 0 {
		return errors.New("inline images need an HTML part to show them")
	}
	seen := map[string]bool{}
	for _, img := range d.Inline {
		if !validContentID(img.ContentID) {
			return fmt.Errorf("inline %q: Content-ID %q is not an addr-spec of dot-atoms (RFC 2392)", img.Filename, img.ContentID)
		}
		if seen[img.ContentID] {
			return fmt.Errorf("inline %q: Content-ID %q used twice", img.Filename, img.ContentID)
		}
		seen[img.ContentID] = true
	}

	root := h.Header.Copy()
	var mixed, alt *message.Writer
	var err error
	if len(d.Attachments) > 0 {
		root.SetContentType("multipart/mixed", nil)
		if mixed, err = message.CreateWriter(w, root); err != nil {
			return err
		}
		var ah message.Header
		ah.SetContentType("multipart/alternative", nil)
		if alt, err = mixed.CreatePart(ah); err != nil {
			return err
		}
	} else {
		root.SetContentType("multipart/alternative", nil)
		if alt, err = message.CreateWriter(w, root); err != nil {
			return err
		}
	}

	for _, p := range alternatives(d) {
		ph := p.header()
		ph.Set("Content-Disposition", "inline")
		if p.ct != "text/html" || len(d.Inline) == 0 {
			if err := writePart(alt, ph.Header, []byte(toCRLF(p.body))); err != nil {
				return err
			}
			continue
		}
		// RFC 2387 §3.1: type names the root's media type.
		var rh message.Header
		rh.SetContentType("multipart/related", map[string]string{"type": "text/html"})
		rel, err := alt.CreatePart(rh)
		if err != nil {
			return err
		}
		if err := writePart(rel, ph.Header, []byte(toCRLF(p.body))); err != nil {
			return err
		}
		for _, img := range d.Inline {
			var ih message.Header
			ct := img.ContentType
			if ct == "" {
				ct = "application/octet-stream"
			}
			ih.SetContentType(ct, nil)
			ih.Set("Content-Transfer-Encoding", "base64")
			// RFC 2392 §2: Content-ID is a msg-id, the cid: URL without
			// its scheme, in angle brackets.
			ih.Set("Content-ID", "<"+img.ContentID+">")
			// RFC 2183 §2.1: inline, shown in place; the filename is what
			// a client offers when the reader saves the image.
			disp := map[string]string{}
			if img.Filename != "" {
				disp["filename"] = img.Filename
			}
			ih.SetContentDisposition("inline", disp)
			if err := writePart(rel, ih, img.Data); err != nil {
				return err
			}
		}
		if err := rel.Close(); err != nil {
			return err
		}
	}
	if err := alt.Close(); err != nil {
		return err
	}
	if mixed == nil {
		return nil
	}
	for _, a := range d.Attachments {
		ah := attachmentHeader(a)
		if !ah.Has("Content-Transfer-Encoding") {
			ah.Set("Content-Transfer-Encoding", "base64")
		}
		if err := writePart(mixed, ah.Header, a.Data); err != nil {
			return err
		}
	}
	return mixed.Close()
}

// writePart writes one leaf part with header h and body b into the
// multipart w.
func writePart(w *message.Writer, h message.Header, b []byte) error {
	pw, err := w.CreatePart(h)
	if err != nil {
		return err
	}
	if _, err := pw.Write(b); err != nil {
		return err
	}
	return pw.Close()
}

// validContentID reports whether id can stand unchanged in a Content-ID
// header and in a cid: URL: local@domain, each side a dot-atom (RFC
// 5322 §3.2.3, §3.6.4) of letters, digits and "-_+=" only, so that no
// character needs %-escaping in the URL (RFC 2392 §2) or HTML escaping
// in an attribute. This also keeps a CR, LF or ">" from ending the
// header early.
func validContentID(id string) bool {
	local, domain, ok := strings.Cut(id, "@")
	return ok && dotAtom(local) && dotAtom(domain)
}

func dotAtom(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for _, c := range []byte(s) {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case c == '-', c == '_', c == '+', c == '=', c == '.':
		default:
			return false
		}
	}
	return true
}

func toCRLF(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\n", "\r\n")
}

// oneLineHeader keeps a header value on one line: a CR or LF from a
// customer's subject must never start a header of its own.
func oneLineHeader(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// calendarMethod is the METHOD property of an iCalendar object,
// PUBLISH when it has none.
func calendarMethod(ics string) string {
	for _, line := range strings.Split(ics, "\r\n") {
		if m, ok := strings.CutPrefix(line, "METHOD:"); ok {
			return m
		}
	}
	return "PUBLISH"
}
