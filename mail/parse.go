package mail

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/emersion/go-message/textproto"
)

// Limits bound the work a single message may cause. RFC 2046 puts no bound on nesting or on
// the number of body parts, and RFC 5322 none on the header, so a hostile or broken mail could
// otherwise exhaust stack or memory. A zero or negative field takes its default.
//
// Beyond MaxDepth or MaxParts, Parse goes on with what it has read and notes the limit in
// Problems: the text comes first, and the caller keeps the raw mail whole. A header beyond
// MaxHeaderFields or MaxHeaderBytes is simply too big: Parse returns ErrHeaderTooBig and the
// SMTP server refuses the mail with 552 (limits.go has the table of every limit).
type Limits struct {
	MaxDepth           int   // MIME nesting, default 20
	MaxParts           int   // body parts of any kind, default 500
	MaxAttachmentBytes int64 // total decoded attachment bytes, default 50 MiB
	MaxHeaderFields    int   // fields of the message's own header, default 1,000
	MaxHeaderBytes     int   // bytes of the message's own header, default 1 MiB
}

// DefaultLimits returns the limits sosd uses: depth 20, 500 parts, 50 MiB of attachments, and
// a header of at most 1,000 fields and 1 MiB. Real mail stays far below the header limits:
// Postfix keeps at most 100 KB of header (header_size_limit) and 50 Received hops
// (hopcount_limit).
func DefaultLimits() Limits {
	return Limits{MaxDepth: 20, MaxParts: 500, MaxAttachmentBytes: 50 << 20, MaxHeaderFields: 1000, MaxHeaderBytes: 1 << 20}
}

func (l Limits) parseWithDefaults() Limits {
	d := DefaultLimits()
	if l.MaxDepth <= 0 {
		l.MaxDepth = d.MaxDepth
	}
	if l.MaxParts <= 0 {
		l.MaxParts = d.MaxParts
	}
	if l.MaxAttachmentBytes <= 0 {
		l.MaxAttachmentBytes = d.MaxAttachmentBytes
	}
	if l.MaxHeaderFields <= 0 {
		l.MaxHeaderFields = d.MaxHeaderFields
	}
	if l.MaxHeaderBytes <= 0 {
		l.MaxHeaderBytes = d.MaxHeaderBytes
	}
	return l
}

// ErrHeaderTooBig is returned, wrapped, by Parse for a message whose own header has more
// fields or bytes than its Limits allow.
var ErrHeaderTooBig = errors.New("mail: header too big")

// Header is the top-level header of a message (RFC 5322 §2.2), in its original field order.
// Field names are case-insensitive.
type Header struct {
	h textproto.Header
}

// Get returns the first value of the field key with RFC 2047 encoded-words decoded and any
// invalid UTF-8 read as Windows-1252; "" if the field is absent.
func (h Header) Get(key string) string {
	v := h.h.Get(key)
	if v == "" {
		return ""
	}
	return parseDecodeHeader(v)
}

// Values returns every value of the field key in message order, unfolded (RFC 5322 §2.2.3)
// but otherwise raw: encoded-words and 8-bit bytes are left as they came.
func (h Header) Values(key string) []string {
	return h.h.Values(key)
}

// Count returns how many times the field key occurs, e.g. the number of Received hops.
func (h Header) Count(key string) int {
	return len(h.h.Values(key))
}

// Attachment is a non-body part of a message: a file, an inline image, an embedded message,
// a TNEF blob or a report part.
type Attachment struct {
	Filename    string // safe to store and show: see SafeFilename
	ContentType string // lower-case media type, e.g. "application/pdf"
	Data        []byte // decoded content
	Inline      bool   // Content-Disposition inline (RFC 2183), or a cid: resource of multipart/related
	ContentID   string // Content-ID without <> (RFC 2392), "" if none
}

// Message is a parsed mail: the envelope fields sosd files tickets by, the readable body and
// the attachments. The raw mail is not kept here; the caller stores it.
type Message struct {
	Header      Header
	MessageID   string    // Message-ID without <>; "" when missing or unparseable
	InReplyTo   []string  // ids without <>
	References  []string  // ids without <>, oldest first
	From        string    // the From address, lower-case; "" when missing/unparseable
	FromName    string    // display name, decoded
	ReplyTo     string    // first Reply-To address, lower-case
	To, Cc      []string  // addresses, lower-case
	Subject     string    // decoded (RFC 2047), white space folded
	Date        time.Time // zero if missing/unparseable
	Text        string    // the readable body in UTF-8: text/plain, else the HTML rendered; LF line ends
	HTML        string    // the HTML body in UTF-8, if any
	Attachments []Attachment
	TNEF        bool     // an application/ms-tnef or winmail.dat part was seen (kept as an attachment)
	Embedded    int      // message/rfc822 parts seen, nested ones included (kept as *.eml attachments)
	Report      string   // for multipart/report (RFC 6522): the report-type parameter, else ""
	Problems    []string // what went wrong without stopping the parse
}

// parseErrNoHeader is returned by Parse when the input does not begin with a header block.
var parseErrNoHeader = errors.New("mail: no header block: not an RFC 5322 message")

// Parse parses a raw message (RFC 5322, MIME RFC 2045–2049). It returns an error only when
// nothing usable can be read at all (no header block, garbage): the caller then quarantines the
// mail (SPEC §5); or, wrapping ErrHeaderTooBig, when the header is beyond lim: the caller refuses
// it. Anything less is recorded in Problems and parsing goes on. It never panics on any input.
// An mbox "From " first line (RFC 4155) is skipped.
func Parse(raw []byte, lim Limits) (*Message, error) {
	w := &parseWalker{lim: lim.parseWithDefaults(), msg: &Message{}}
	b := raw
	if bytes.HasPrefix(b, []byte("From ")) {
		_, next := parseLine(b, 0)
		b = b[next:]
	}
	for len(b) > 0 {
		line, next := parseLine(b, 0)
		if len(bytes.TrimSpace(line)) != 0 {
			break
		}
		w.probs.add("blank lines before the header")
		b = b[next:]
	}
	fields, body, ok := parseHeaderBlock(b, &w.probs)
	if size := len(b) - len(body); len(fields) > w.lim.MaxHeaderFields || size > w.lim.MaxHeaderBytes {
		return nil, fmt.Errorf("%w: %d fields in %d bytes (limits %d fields, %d bytes)",
			ErrHeaderTooBig, len(fields), size, w.lim.MaxHeaderFields, w.lim.MaxHeaderBytes)
	}
	if !ok || !parseHasKnownField(fields) {
		return nil, parseErrNoHeader
	}
	m := w.msg
	// go-message's Header.Add prepends, so fields go in last first to keep message order.
	for i := len(fields) - 1; i >= 0; i-- {
		m.Header.h.Add(fields[i].key, fields[i].value)
	}
	w.envelope()
	out := &parseBodies{}
	w.entity(fields, body, parseCtx{top: true}, out)
	m.Text = strings.Join(out.text, "\n")
	m.HTML = strings.Join(out.html, "\n")
	if strings.TrimSpace(m.Text) == "" && strings.TrimSpace(m.HTML) != "" {
		m.Text = HTMLToText(m.HTML)
	}
	m.Problems = w.probs.list
	return m, nil
}
