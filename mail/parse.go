package mail

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

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

// parseField is one header field, unfolded.
type parseField struct{ key, value string }

// parseLine returns the line starting at pos without its LF or CRLF, and where the next starts.
func parseLine(b []byte, pos int) ([]byte, int) {
	i := bytes.IndexByte(b[pos:], '\n')
	if i < 0 {
		return b[pos:], len(b)
	}
	line := b[pos : pos+i]
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line, pos + i + 1
}

// parseFieldName returns the field name of a "name: value" line (RFC 5322 §3.6.8: printable
// ASCII except colon; white space before the colon is tolerated, RFC 5322 §4.5).
func parseFieldName(line []byte) (string, int, bool) {
	i := bytes.IndexByte(line, ':')
	if i <= 0 {
		return "", 0, false
	}
	name := bytes.TrimRight(line[:i], " \t")
	if len(name) == 0 {
		return "", 0, false
	}
	for _, c := range name {
		if c < 33 || c > 126 {
			return "", 0, false
		}
	}
	return string(name), i + 1, true
}

// parseHeaderBlock splits b into header fields and body. ok is false when b does not start with
// a header field (a part without header, or not a message at all). Lenient where RFC 5322 is
// not: a first line indented like a continuation, a stray line without colon followed by more
// fields (read as a continuation), or a missing blank line before the body (the body starts at
// the first line that is not a field).
func parseHeaderBlock(b []byte, probs *parseProblems) (fields []parseField, body []byte, ok bool) {
	type span struct {
		key        string
		start, end int
	}
	var spans []span
	finish := func() []parseField {
		out := make([]parseField, len(spans))
		for i, s := range spans {
			out[i] = parseField{s.key, parseUnfold(b[s.start:s.end])}
		}
		return out
	}
	pos, fieldAt, scanned := 0, -1, 0
	for pos < len(b) {
		line, next := parseLine(b, pos)
		lineEnd := pos + len(line)
		if len(line) == 0 {
			return finish(), b[next:], true
		}
		if line[0] == ' ' || line[0] == '\t' {
			if len(spans) > 0 { // RFC 5322 §2.2.3 folding
				spans[len(spans)-1].end = lineEnd
				pos = next
				continue
			}
			off := len(line) - len(bytes.TrimLeft(line, " \t"))
			if _, _, isField := parseFieldName(line[off:]); !isField {
				return nil, b, false
			}
			probs.add("header starts with an indented line")
			line, pos = line[off:], pos+off
		}
		if key, colon, isField := parseFieldName(line); isField {
			spans = append(spans, span{key, pos + colon, lineEnd})
			pos = next
			continue
		}
		if len(spans) == 0 {
			return nil, b, false
		}
		// A line that is not a field: if a field follows before the next blank line, or the
		// previous value ends with ';', it is a continuation that lost its indentation (seen in
		// Content-Type and DKIM-Signature); otherwise the body starts here without the blank line.
		if pos >= scanned {
			fieldAt, scanned = parseNextField(b, next)
		}
		last := spans[len(spans)-1]
		if fieldAt > pos || bytes.HasSuffix(bytes.TrimRight(b[last.start:last.end], " \t\r\n"), []byte(";")) {
			probs.add("header line without colon read as a continuation")
			spans[len(spans)-1].end = lineEnd
			pos = next
			continue
		}
		probs.add("no blank line between header and body")
		return finish(), b[pos:], true
	}
	return finish(), nil, len(spans) > 0
}

// parseHasKnownField reports whether a header has at least one field every message or MIME
// entity carries (RFC 5322 §3.6, RFC 2045 §3, RFC 5321 §4.4 trace fields), which tells a header
// from a body whose first line happens to look like "Word: text".
func parseHasKnownField(fields []parseField) bool {
	for _, f := range fields {
		switch strings.ToLower(f.key) {
		case "from", "sender", "to", "cc", "bcc", "subject", "date", "message-id", "reply-to",
			"in-reply-to", "references", "received", "return-path", "delivered-to", "mime-version",
			"content-type", "content-transfer-encoding":
			return true
		}
	}
	return false
}

// parseNextField returns the position of the next field line from pos on before a blank line,
// or -1, and where it stopped looking.
func parseNextField(b []byte, pos int) (int, int) {
	for pos < len(b) {
		line, next := parseLine(b, pos)
		if len(line) == 0 {
			return -1, pos
		}
		if _, _, isField := parseFieldName(line); isField && line[0] != ' ' && line[0] != '\t' {
			return pos, pos
		}
		pos = next
	}
	return -1, len(b)
}

// parseUnfold removes the line breaks of a folded field value and trims it (RFC 5322 §2.2.3).
// A continuation that lost its indentation gets a space instead.
func parseUnfold(v []byte) string {
	v = bytes.TrimSpace(v)
	if bytes.IndexByte(v, '\n') < 0 {
		return string(v)
	}
	out := make([]byte, 0, len(v)+8)
	for i, c := range v {
		switch {
		case c == '\r':
		case c == '\n':
			if i+1 < len(v) && v[i+1] != ' ' && v[i+1] != '\t' {
				out = append(out, ' ')
			}
		default:
			out = append(out, c)
		}
	}
	return string(out)
}

// parseGet returns the first value of a field among fields, "" if absent.
func parseGet(fields []parseField, key string) string {
	for _, f := range fields {
		if strings.EqualFold(f.key, key) {
			return f.value
		}
	}
	return ""
}

// parseProblems collects distinct problem descriptions, at most parseMaxProblems.
type parseProblems struct{ list []string }

const parseMaxProblems = 50

func (p *parseProblems) add(s string) {
	if p == nil || len(p.list) >= parseMaxProblems {
		return
	}
	for _, x := range p.list {
		if x == s {
			return
		}
	}
	p.list = append(p.list, s)
}

// parseBodies collects the readable body parts found below one entity.
type parseBodies struct{ text, html []string }

// parseCtx is where in the MIME tree an entity sits.
type parseCtx struct {
	depth   int
	top     bool // the message's own entity
	shadow  bool // inside an embedded message: count and recognise only, keep nothing
	related bool // a child of multipart/related (RFC 2387)
	digest  bool // a child of multipart/digest: default type message/rfc822 (RFC 2046 §5.1.5)
}

// parseWalker walks one message's MIME tree. The walk is written here rather than left to
// go-message's Read and MultipartReader because those stop at the first header line without a
// colon or a missing close delimiter, where SPEC §5 wants the best effort; go-message supplies
// the header type and the charsets.
type parseWalker struct {
	lim      Limits
	msg      *Message
	probs    parseProblems
	parts    int
	attBytes int64
}

// note records a problem, unless it is inside an embedded message: those are not ours to
// report. Limits are recorded wherever they are reached.
func (w *parseWalker) note(c parseCtx, s string) {
	if !c.shadow {
		w.probs.add(s)
	}
}

// entity handles one MIME entity (RFC 2045 §2.4): a multipart, an embedded message or a leaf.
func (w *parseWalker) entity(fields []parseField, body []byte, c parseCtx, out *parseBodies) {
	w.parts++
	if w.parts > w.lim.MaxParts {
		w.probs.add(fmt.Sprintf("part limit reached (%d parts): the rest is ignored", w.lim.MaxParts))
		return
	}
	if c.depth > w.lim.MaxDepth {
		w.probs.add(fmt.Sprintf("nesting limit reached (depth %d): deeper parts are ignored", w.lim.MaxDepth))
		return
	}
	mt, params := w.contentType(fields, body, c)
	cte := parseGet(fields, "Content-Transfer-Encoding")
	switch {
	case strings.HasPrefix(mt, "multipart/"):
		// RFC 2045 §6.4: a multipart is never encoded, so its Content-Transfer-Encoding is ignored.
		w.multipart(mt, params, body, c, out)
	case mt == "message/rfc822" || mt == "message/global" || mt == "message/news":
		data, _ := w.decodeCTE(body, cte, c)
		w.embedded(fields, params, data, c)
	default:
		w.leaf(fields, mt, params, body, cte, c, out)
	}
}

// contentType returns the lower-case media type and parameters of an entity (RFC 2045 §5.2
// defaults). When Content-Type appears twice, the multipart one whose boundary occurs in the
// body wins; otherwise the first.
func (w *parseWalker) contentType(fields []parseField, body []byte, c parseCtx) (string, map[string]string) {
	def := "text/plain"
	if c.digest {
		def = "message/rfc822"
	}
	var vals []string
	for _, f := range fields {
		if strings.EqualFold(f.key, "Content-Type") {
			vals = append(vals, f.value)
		}
	}
	if len(vals) == 0 {
		return def, nil
	}
	mt, params := parseMediaParams(vals[0])
	if len(vals) > 1 {
		w.note(c, "several Content-Type fields")
		for _, v := range vals[:min(len(vals), 8)] {
			t, p := parseMediaParams(v)
			if strings.HasPrefix(t, "multipart/") && p["boundary"] != "" && bytes.Contains(body, []byte("--"+p["boundary"])) {
				mt, params = t, p
				break
			}
		}
	}
	for _, top := range []string{"application-", "image-", "audio-", "video-", "text-"} {
		if strings.HasPrefix(mt, top) && !strings.Contains(mt, "/") { // seen: "application-x-gzip"
			mt = strings.Replace(mt, "-", "/", 1)
		}
	}
	if strings.Count(mt, "/") != 1 || strings.HasPrefix(mt, "/") || strings.HasSuffix(mt, "/") {
		w.note(c, fmt.Sprintf("bad Content-Type %q", parseClip(mt)))
		switch mt {
		case "text":
			return "text/plain", params
		case "multipart":
			return "multipart/mixed", params
		}
		return def, params
	}
	return mt, params
}

// multipart splits a multipart body (RFC 2046 §5.1) and walks its parts. For
// multipart/alternative the first part with plain text gives the text and the last part with
// HTML gives the HTML (RFC 2046 §5.1.4: alternatives are in increasing order of preference).
func (w *parseWalker) multipart(mt string, params map[string]string, body []byte, c parseCtx, out *parseBodies) {
	boundary := params["boundary"]
	if boundary == "" {
		w.note(c, fmt.Sprintf("%s without boundary", mt))
		boundary = parseSniffBoundary(body)
	}
	var parts [][]byte
	closed := false
	if boundary != "" {
		parts, closed = parseSplitMultipart(body, boundary, w.lim.MaxParts+1)
	}
	if len(parts) == 0 {
		w.note(c, fmt.Sprintf("%s has no parts: body read as text", mt))
		w.leaf(nil, "text/plain", nil, body, "", c, out)
		return
	}
	if !closed {
		w.note(c, fmt.Sprintf("%s: final boundary missing", mt))
	}
	if mt == "multipart/report" && !c.shadow && w.msg.Report == "" {
		w.msg.Report = parseFixUTF8(strings.ToLower(params["report-type"]))
	}
	child := parseCtx{depth: c.depth + 1, shadow: c.shadow, related: mt == "multipart/related", digest: mt == "multipart/digest"}
	if mt != "multipart/alternative" || c.shadow {
		for _, p := range parts {
			fields, pbody := w.splitPart(p, c)
			w.entity(fields, pbody, child, out)
		}
		return
	}
	var plain, html *parseBodies
	for _, p := range parts {
		sub := &parseBodies{}
		fields, pbody := w.splitPart(p, c)
		w.entity(fields, pbody, child, sub)
		if plain == nil && strings.TrimSpace(strings.Join(sub.text, "")) != "" {
			plain = sub
		}
		if len(sub.html) > 0 {
			html = sub
		}
	}
	if plain != nil {
		out.text = append(out.text, plain.text...)
	}
	if html != nil {
		out.html = append(out.html, html.html...)
	}
}

// splitPart separates a body part's header from its content; a part without header is all
// content with default type (RFC 2046 §5.1.1).
func (w *parseWalker) splitPart(p []byte, c parseCtx) ([]parseField, []byte) {
	probs := &w.probs
	if c.shadow {
		probs = nil
	}
	fields, body, ok := parseHeaderBlock(p, probs)
	if !ok {
		return nil, p
	}
	return fields, body
}

// parseSplitMultipart returns the body parts between boundary delimiter lines (RFC 2046 §5.1.1):
// "--boundary" plus optional "--" and trailing white space. The line break before a delimiter
// belongs to the delimiter. Without a close delimiter the last part runs to the end. At most max
// parts are returned.
func parseSplitMultipart(body []byte, boundary string, max int) (parts [][]byte, closed bool) {
	delim := []byte("--" + boundary)
	start := -1
	for pos := 0; pos < len(body); {
		line, next := parseLine(body, pos)
		if bytes.HasPrefix(line, delim) {
			rest := line[len(delim):]
			isClose := bytes.HasPrefix(rest, []byte("--"))
			if isClose {
				rest = rest[2:]
			}
			if len(bytes.TrimRight(rest, " \t")) == 0 {
				if start >= 0 {
					end := pos
					if end > start && body[end-1] == '\n' {
						end--
						if end > start && body[end-1] == '\r' {
							end--
						}
					}
					parts = append(parts, body[start:end])
					if len(parts) >= max {
						return parts, true
					}
				}
				if isClose {
					return parts, true
				}
				start = next
			}
		}
		pos = next
	}
	if start >= 0 {
		parts = append(parts, body[start:])
	}
	return parts, false
}

// parseSniffBoundary guesses the boundary of a multipart without one: the first "--x" line
// that occurs again later.
func parseSniffBoundary(body []byte) string {
	for pos := 0; pos < len(body); {
		line, next := parseLine(body, pos)
		if len(line) > 2 && bytes.HasPrefix(line, []byte("--")) {
			b := string(bytes.TrimRight(line[2:], " \t"))
			if b != "" && bytes.Contains(body[next:], []byte("\n--"+b)) {
				return b
			}
			return ""
		}
		pos = next
	}
	return ""
}

// embedded handles message/rfc822 (RFC 2046 §5.2.1): counted, kept as a *.eml attachment and
// walked in shadow mode, so that nested messages and TNEF are seen but their text and
// attachments do not become ours.
func (w *parseWalker) embedded(fields []parseField, params map[string]string, data []byte, c parseCtx) {
	w.msg.Embedded++
	efields, ebody, ok := parseHeaderBlock(data, nil)
	if !c.shadow {
		disp, dparams := parseMediaParams(parseGet(fields, "Content-Disposition"))
		name := parseFilename(dparams, params)
		if name == "" && ok {
			name = strings.NewReplacer("/", "_", `\`, "_").Replace(parseFold(parseDecodeHeader(parseGet(efields, "Subject"))))
		}
		if name == "" {
			name = "message"
		}
		if !strings.HasSuffix(strings.ToLower(name), ".eml") {
			name += ".eml"
		}
		w.attach(name, "message/rfc822", data, false, disp, parseContentID(fields), c)
	}
	if ok {
		w.entity(efields, ebody, parseCtx{depth: c.depth + 1, shadow: true}, nil)
	}
}

// leaf handles a single-part entity: readable text or HTML goes to out, anything else is an
// attachment. A text part is body text unless it is marked attachment or carries a file name
// (except as the message's only part).
func (w *parseWalker) leaf(fields []parseField, mt string, params map[string]string, body []byte, cte string, c parseCtx, out *parseBodies) {
	disp, dparams := parseMediaParams(parseGet(fields, "Content-Disposition"))
	name := parseFilename(dparams, params)
	// MS-OXTNEF: Outlook's "winmail.dat", under either media type or just its name.
	tnef := mt == "application/ms-tnef" || mt == "application/vnd.ms-tnef" || strings.EqualFold(name, "winmail.dat")
	if tnef {
		w.msg.TNEF = true
		if name == "" {
			name = "winmail.dat"
		}
	}
	if c.shadow {
		return
	}
	data, fresh := w.decodeCTE(body, cte, c)
	if !tnef && (mt == "text/plain" || mt == "text/html") && disp != "attachment" && (name == "" || c.top) {
		label := params["charset"]
		if label == "" && mt == "text/html" {
			label = parseMetaCharset(data)
		}
		s, prob := parseDecodeCharset(data, label)
		if prob != "" {
			w.probs.add(prob)
		}
		s = parseNormalize(s)
		if mt == "text/html" {
			out.html = append(out.html, s)
		} else {
			out.text = append(out.text, s)
		}
		return
	}
	w.attach(name, mt, data, fresh, disp, parseContentID(fields), c)
}

// attach keeps an attachment within the byte limit; fresh says data is not part of the input.
func (w *parseWalker) attach(name, mt string, data []byte, fresh bool, disp, cid string, c parseCtx) {
	if w.attBytes+int64(len(data)) > w.lim.MaxAttachmentBytes {
		w.probs.add(fmt.Sprintf("attachment size limit reached (%d bytes): %q dropped", w.lim.MaxAttachmentBytes, parseClip(name)))
		return
	}
	w.attBytes += int64(len(data))
	if !fresh {
		data = bytes.Clone(data)
	}
	w.msg.Attachments = append(w.msg.Attachments, Attachment{
		Filename:    SafeFilename(name, mt),
		ContentType: mt,
		Data:        data,
		Inline:      disp == "inline" || (disp == "" && cid != "" && c.related),
		ContentID:   cid,
	})
}

// parseContentID returns the Content-ID (RFC 2045 §7) without angle brackets.
func parseContentID(fields []parseField) string {
	return parseFixUTF8(strings.TrimSpace(strings.Trim(strings.TrimSpace(parseGet(fields, "Content-Id")), "<>")))
}

// decodeCTE undoes the Content-Transfer-Encoding (RFC 2045 §6). Misspellings such as
// "quoted printable" or "7-bit" are accepted; an unknown encoding leaves the body as it is.
// fresh reports whether the result is a new slice rather than part of body.
func (w *parseWalker) decodeCTE(body []byte, cte string, c parseCtx) (data []byte, fresh bool) {
	enc := strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '_' || r == '"' || r == '\'' {
			return -1
		}
		return r
	}, strings.ToLower(strings.TrimSpace(cte)))
	switch enc {
	case "", "7bit", "8bit", "binary":
		return body, false
	case "quotedprintable", "qp":
		return parseQP(body), true
	case "base64":
		data, bad := parseBase64(body)
		if bad {
			w.note(c, "bad base64: invalid characters or length, decoded what could be")
		}
		return data, true
	}
	w.note(c, fmt.Sprintf("unknown Content-Transfer-Encoding %q: body kept as is", parseClip(cte)))
	return body, false
}

// parseFold collapses runs of white space into single spaces.
func parseFold(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// parseClip shortens a string quoted in a problem description.
func parseClip(s string) string {
	s = parseFixUTF8(s)
	if len(s) > 60 {
		n := 60
		for n > 0 && !utf8.RuneStart(s[n]) {
			n--
		}
		s = s[:n] + "…"
	}
	return s
}
