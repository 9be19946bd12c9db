package mail

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"
)

// The MIME tree below a message (RFC 2045, RFC 2046): a walk that collects
// the readable text, the attachments and the problems, within Limits.

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
