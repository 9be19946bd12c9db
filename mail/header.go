package mail

import (
	"bytes"
	"strings"
)

// The header block of a message or a body part (RFC 5322 §2.2, §3.6):
// reading fields leniently, unfolding them, and noting what was wrong.

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
