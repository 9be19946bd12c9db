package mail

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/emersion/go-message/charset"
)

// parseMediaParams splits a Content-Type or Content-Disposition value into its lower-case value
// and its parameters (RFC 2045 §5.1, RFC 2183 §2), tolerantly: unquoted tspecials, unbalanced
// quotes, stray escaped quotes and repeated "name=" prefixes are accepted. RFC 2231 §3–4
// continuations and charset/language encoding are decoded for any charset go-message knows
// (the standard library's mime.ParseMediaType only accepts UTF-8 and US-ASCII there).
func parseMediaParams(v string) (string, map[string]string) {
	head, rest, _ := strings.Cut(v, ";")
	// "text / plain" is one value; in "application/pdf name=x" a ';' is missing.
	words := strings.Fields(head)
	mt := ""
	for len(words) > 0 && (!strings.Contains(mt, "/") || strings.HasSuffix(mt, "/") || strings.HasPrefix(words[0], "/")) {
		mt += words[0]
		words = words[1:]
	}
	if len(words) > 0 {
		rest = strings.Join(words, " ") + ";" + rest
	}
	mt = parseFixUTF8(strings.Trim(strings.ToLower(mt), `"'\`))
	return mt, parseParams(rest)
}

// parseSection is one piece of an RFC 2231 parameter: name*N= or name*N*=.
type parseSection struct {
	idx int
	enc bool
	val string
}

// parseParams reads "; key=value" pairs. The first occurrence of a plain key wins; an RFC 2231
// form of the same key replaces it (RFC 2231 §4.1 lets senders give both).
func parseParams(s string) map[string]string {
	params := map[string]string{}
	var sections map[string][]parseSection
	i := 0
	for i < len(s) {
		for i < len(s) && strings.IndexByte("; \t\r\n", s[i]) >= 0 {
			i++
		}
		start := i
		for i < len(s) && s[i] != '=' && s[i] != ';' {
			i++
		}
		key := strings.ToLower(strings.TrimSpace(s[start:i]))
		if i >= len(s) || s[i] == ';' {
			continue
		}
		if key == "" { // "=value" without a name: skip to the next parameter
			for i < len(s) && s[i] != ';' {
				i++
			}
			continue
		}
		i++
		for i < len(s) && (s[i] == ' ' || s[i] == '\t') {
			i++
		}
		var val string
		if i < len(s) && s[i] == '"' {
			var b strings.Builder
			for i++; i < len(s) && s[i] != '"'; i++ {
				// RFC 5322 quoted-pair, but only before '"' or '\': Windows paths keep their '\'.
				if s[i] == '\\' && i+1 < len(s) && (s[i+1] == '"' || s[i+1] == '\\') {
					i++
				}
				b.WriteByte(s[i])
			}
			val = b.String()
			for i < len(s) && s[i] != ';' {
				i++
			}
		} else {
			start := i
			for i < len(s) && s[i] != ';' {
				i++
			}
			val = strings.Trim(strings.TrimSpace(s[start:i]), `\"'`)
		}
		// Seen in the wild: charset="charset=us-ascii".
		if len(val) > len(key) && strings.EqualFold(val[:len(key)+1], key+"=") {
			val = strings.Trim(val[len(key)+1:], `\"'`)
		}
		if name, suffix, ok := strings.Cut(key, "*"); ok {
			sec := parseSection{enc: true, val: val}
			if suffix != "" {
				num, enc := strings.CutSuffix(suffix, "*")
				n, err := strconv.Atoi(num)
				if err != nil || n < 0 || n > 999 {
					continue
				}
				sec = parseSection{idx: n, enc: enc, val: val}
			}
			if sections == nil {
				sections = map[string][]parseSection{}
			}
			sections[name] = append(sections[name], sec)
			continue
		}
		if _, dup := params[key]; !dup {
			params[key] = val
		}
	}
	for name, secs := range sections {
		params[name] = parseJoin2231(secs)
	}
	return params
}

// parseJoin2231 joins RFC 2231 sections in order and decodes them: the first encoded section
// carries charset'language'; %XX escapes apply to encoded sections only (RFC 2231 §4).
func parseJoin2231(secs []parseSection) string {
	slices.SortStableFunc(secs, func(a, b parseSection) int { return a.idx - b.idx })
	var buf []byte
	label := ""
	last := -1
	for j, sec := range secs {
		if sec.idx == last {
			continue // duplicate section number: keep the first
		}
		last = sec.idx
		v := sec.val
		if sec.enc {
			if j == 0 {
				if cs, rest, ok := strings.Cut(v, "'"); ok {
					label = cs
					if _, text, ok := strings.Cut(rest, "'"); ok {
						v = text
					} else {
						v = rest
					}
				}
			}
			buf = append(buf, parsePercentDecode(v)...)
		} else {
			buf = append(buf, v...)
		}
	}
	s, _ := parseDecodeCharset(buf, label)
	return s
}

// parsePercentDecode undoes %XX escapes; a malformed escape is kept literally.
func parsePercentDecode(s string) []byte {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && parseIsHex(s[i+1]) && parseIsHex(s[i+2]) {
			out = append(out, parseUnhex(s[i+1])<<4|parseUnhex(s[i+2]))
			i += 2
			continue
		}
		out = append(out, s[i])
	}
	return out
}

// parseFilename returns an attachment's decoded but not yet safe name: Content-Disposition
// filename (RFC 2183 §2.3), else the older Content-Type name parameter. Encoded-words inside the
// quoted value are not allowed by RFC 2047 §5 but common, so they are decoded too.
func parseFilename(dparams, ctparams map[string]string) string {
	name := dparams["filename"]
	if strings.TrimSpace(name) == "" {
		name = ctparams["name"]
	}
	if name == "" {
		return ""
	}
	return strings.TrimSpace(parseDecodeHeader(name))
}

// parseQP decodes quoted-printable (RFC 2045 §6.7) leniently: a malformed "=" is kept as is,
// soft line breaks may carry trailing white space, and padding before a line break is dropped.
func parseQP(b []byte) []byte {
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		switch c := b[i]; c {
		case '=':
			if i+2 < len(b) && parseIsHex(b[i+1]) && parseIsHex(b[i+2]) {
				out = append(out, parseUnhex(b[i+1])<<4|parseUnhex(b[i+2]))
				i += 2
				continue
			}
			j := i + 1
			for j < len(b) && (b[j] == ' ' || b[j] == '\t') {
				j++
			}
			switch {
			case j == len(b):
				i = j
			case b[j] == '\n':
				i = j
			case b[j] == '\r':
				if j+1 < len(b) && b[j+1] == '\n' {
					j++
				}
				i = j
			default:
				out = append(out, '=')
			}
		case ' ', '\t':
			j := i
			for j < len(b) && (b[j] == ' ' || b[j] == '\t') {
				j++
			}
			if j < len(b) && b[j] != '\n' && b[j] != '\r' {
				out = append(out, b[i:j]...)
			}
			i = j - 1
		default:
			out = append(out, c)
		}
	}
	return out
}

// parseBase64 decodes base64 (RFC 2045 §6.8) leniently: line breaks anywhere, padding in the
// middle (concatenated chunks), missing padding. bad reports characters outside the alphabet or
// a dangling sextet.
func parseBase64(b []byte) (out []byte, bad bool) {
	out = make([]byte, 0, len(b)*3/4+3)
	var acc uint32
	n := 0
	flush := func() {
		switch n {
		case 1:
			bad = true
		case 2:
			out = append(out, byte(acc>>4))
		case 3:
			out = append(out, byte(acc>>10), byte(acc>>2))
		}
		acc, n = 0, 0
	}
	for _, c := range b {
		var v byte
		switch {
		case c >= 'A' && c <= 'Z':
			v = c - 'A'
		case c >= 'a' && c <= 'z':
			v = c - 'a' + 26
		case c >= '0' && c <= '9':
			v = c - '0' + 52
		case c == '+':
			v = 62
		case c == '/':
			v = 63
		case c == '=':
			flush()
			continue
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			continue
		default:
			bad = true
			continue
		}
		acc = acc<<6 | uint32(v)
		if n++; n == 4 {
			out = append(out, byte(acc>>16), byte(acc>>8), byte(acc))
			acc, n = 0, 0
		}
	}
	flush()
	return out, bad
}

func parseIsHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func parseUnhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

// parseDecodeCharset converts text in the named charset (RFC 2046 §4.1.2) to UTF-8 and returns a
// problem description when it had to guess. ISO-8859-1 and US-ASCII are read as Windows-1252,
// as browsers do (WHATWG Encoding §4.2), since mailers label cp1252 text with them; other labels
// go to go-message's charset package. Non-ASCII text that is valid UTF-8 is taken as UTF-8
// whatever its label. Unknown labels and invalid UTF-8 fall back to Windows-1252 byte by byte.
func parseDecodeCharset(b []byte, label string) (string, string) {
	label = strings.ToLower(strings.Trim(strings.TrimSpace(label), `"'\`))
	label, _, _ = strings.Cut(label, "*") // RFC 2231 §5 language suffix
	switch label {
	case "", "utf-8", "utf8", "us-ascii", "ascii", "x-unknown", "unknown-8bit", "unknown", "none", "default":
		if utf8.Valid(b) {
			return string(b), ""
		}
		prob := ""
		if label == "utf-8" || label == "utf8" {
			prob = "invalid UTF-8 in text declared UTF-8: stray bytes read as Windows-1252"
		}
		return parseFixUTF8(b), prob
	}
	if !strings.HasPrefix(label, "utf-") && utf8.Valid(b) && !parseASCII(b) {
		// Text that is valid UTF-8 and not plain ASCII is UTF-8 whatever the label says: other
		// charsets almost never produce valid UTF-8 by chance, while mislabelled UTF-8 is common.
		return string(b), fmt.Sprintf("text declared %q is UTF-8", parseClip(label))
	}
	switch label {
	case "iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "l1", "windows-1252", "cp1252", "x-cp1252":
		return parseCP1252(b), ""
	}
	r, err := charset.Reader(label, bytes.NewReader(b))
	var out []byte
	if err == nil {
		out, err = io.ReadAll(r)
	}
	if err != nil {
		return parseFixUTF8(b), fmt.Sprintf("unknown charset %q: read as UTF-8, else Windows-1252", parseClip(label))
	}
	return strings.ToValidUTF8(string(out), "\uFFFD"), ""
}

// parseCharsetReader serves mime.WordDecoder and never fails, so one odd encoded-word cannot
// spoil a whole header (RFC 2047 §6.2: display what can be decoded).
func parseCharsetReader(label string, r io.Reader) (io.Reader, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	s, _ := parseDecodeCharset(b, label)
	return strings.NewReader(s), nil
}

// parseASCII reports whether b is 7-bit.
func parseASCII(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// parseCP1252Hi maps bytes 0x80–0x9F of Windows-1252; the rest of the range is ISO-8859-1.
var parseCP1252Hi = [32]rune{
	0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D, 0x017D, 0x8F,
	0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178,
}

func parseCP1252Rune(c byte) rune {
	if c >= 0x80 && c < 0xA0 {
		return parseCP1252Hi[c-0x80]
	}
	return rune(c)
}

// parseCP1252 decodes Windows-1252.
func parseCP1252(b []byte) string {
	var sb strings.Builder
	sb.Grow(len(b) + len(b)/8)
	for _, c := range b {
		if c < utf8.RuneSelf {
			sb.WriteByte(c)
		} else {
			sb.WriteRune(parseCP1252Rune(c))
		}
	}
	return sb.String()
}

// parseFixUTF8 keeps valid UTF-8 and reads each invalid byte as Windows-1252.
func parseFixUTF8[T string | []byte](b T) string {
	if utf8.Valid([]byte(b)) {
		return string(b)
	}
	s := string(b)
	var sb strings.Builder
	sb.Grow(len(s) + 8)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			sb.WriteRune(parseCP1252Rune(s[i]))
		} else {
			sb.WriteString(s[i : i+size])
		}
		i += size
	}
	return sb.String()
}

// parseMetaCharset finds <meta charset=…> or http-equiv content="…; charset=…" early in HTML.
func parseMetaCharset(b []byte) string {
	if len(b) > 4096 {
		b = b[:4096]
	}
	lower := bytes.ToLower(b)
	i := bytes.Index(lower, []byte("charset="))
	if i < 0 || !bytes.Contains(lower[:i], []byte("<meta")) {
		return ""
	}
	v := lower[i+len("charset="):]
	v = bytes.TrimLeft(v, `"' `)
	end := bytes.IndexAny(v, "\"'; />")
	if end < 0 || end > 40 {
		return ""
	}
	return string(v[:end])
}

// parseNormalize turns CRLF and lone CR into LF, drops NUL and guarantees valid UTF-8.
func parseNormalize(s string) string {
	if strings.ContainsAny(s, "\r\x00") {
		s = strings.NewReplacer("\r\n", "\n", "\r", "\n", "\x00", "").Replace(s)
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

// parseDecodeHeader decodes RFC 2047 encoded-words leniently; raw 8-bit bytes that are not
// UTF-8 (RFC 6532) are read as Windows-1252. Unlike mime.WordDecoder it accepts bad base64
// padding and joins adjacent words of one charset before converting them, so a character split
// across two words (common in long Japanese subjects) survives.
func parseDecodeHeader(v string) string {
	if !strings.Contains(v, "=?") {
		return parseFixUTF8(v)
	}
	var sb strings.Builder
	var pend []byte
	pendCS, hasPend, lastWord := "", false, false
	flush := func() {
		if hasPend {
			s, _ := parseDecodeCharset(pend, pendCS)
			sb.WriteString(s)
			pend, hasPend = pend[:0], false
		}
	}
	i := 0
	for i < len(v) {
		start := strings.Index(v[i:], "=?")
		if start < 0 {
			break
		}
		start += i
		cs, raw, end, ok := parseEncodedWord(v, start)
		if end < 0 {
			break
		}
		if !ok {
			flush()
			sb.WriteString(parseFixUTF8(v[i : start+2]))
			i, lastWord = start+2, false
			continue
		}
		// RFC 2047 §6.2: white space between adjacent encoded-words is not displayed.
		if between := v[i:start]; !lastWord || strings.TrimSpace(between) != "" {
			flush()
			sb.WriteString(parseFixUTF8(between))
		}
		if hasPend && cs != pendCS {
			flush()
		}
		pend, pendCS, hasPend = append(pend, raw...), cs, true
		i, lastWord = end, true
	}
	flush()
	sb.WriteString(parseFixUTF8(v[i:]))
	return sb.String()
}

// parseEncodedWord reads "=?charset?B|Q?text?=" at v[start:] (RFC 2047 §2, §4) and returns the
// lower-case charset without RFC 2231 language, the decoded bytes and the index after "?=".
func parseEncodedWord(v string, start int) (cs string, raw []byte, end int, ok bool) {
	rest := v[start+2:]
	q := strings.IndexByte(rest[:min(len(rest), 66)], '?')
	if q <= 0 || q > 64 || strings.ContainsAny(rest[:q], " \t\r\n") || q+2 >= len(rest) || rest[q+2] != '?' {
		return "", nil, 0, false
	}
	cs, _, _ = strings.Cut(strings.ToLower(rest[:q]), "*")
	enc := rest[q+1] | 0x20
	text := rest[q+3:]
	if enc != 'b' && enc != 'q' {
		return "", nil, 0, false
	}
	e := strings.Index(text, "?=")
	if e < 0 {
		return "", nil, -1, false // no word can end anywhere after this
	}
	text = text[:e]
	end = start + 2 + q + 3 + e + 2
	if enc == 'b' {
		raw, _ = parseBase64([]byte(text))
		return cs, raw, end, true
	}
	raw = make([]byte, 0, len(text))
	for j := 0; j < len(text); j++ {
		switch c := text[j]; {
		case c == '_':
			raw = append(raw, ' ')
		case c == '=' && j+2 < len(text) && parseIsHex(text[j+1]) && parseIsHex(text[j+2]):
			raw = append(raw, parseUnhex(text[j+1])<<4|parseUnhex(text[j+2]))
			j += 2
		default:
			raw = append(raw, c)
		}
	}
	return cs, raw, end, true
}
