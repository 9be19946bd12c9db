package mail

import (
	"fmt"
	"mime"
	netmail "net/mail"
	"strings"
	"time"
)

// envelope fills the fields taken from the top-level header.
func (w *parseWalker) envelope() {
	m := w.msg
	h := &m.Header.h
	if ids := parseMsgIDs(h.Get("Message-Id")); len(ids) > 0 {
		m.MessageID = ids[0]
	}
	m.InReplyTo = parseMsgIDs(strings.Join(h.Values("In-Reply-To"), " "))
	m.References = parseMsgIDs(strings.Join(h.Values("References"), " "))
	if from := w.addresses("From"); len(from) > 0 {
		m.From, m.FromName = from[0].Address, from[0].Name
	}
	if rt := w.addresses("Reply-To"); len(rt) > 0 {
		m.ReplyTo = rt[0].Address
	}
	for _, a := range w.addresses("To") {
		if a.Address != "" {
			m.To = append(m.To, a.Address)
		}
	}
	for _, a := range w.addresses("Cc") {
		if a.Address != "" {
			m.Cc = append(m.Cc, a.Address)
		}
	}
	m.Subject = parseFold(m.Header.Get("Subject"))
	if d := h.Get("Date"); d != "" {
		t, err := parseDate(d)
		if err != nil {
			w.probs.add(fmt.Sprintf("unparseable Date %q", parseClip(d)))
		}
		m.Date = t
	}
}

// parseMsgIDs returns the msg-ids of a Message-ID, In-Reply-To or References value without
// angle brackets (RFC 5322 §3.6.4), in order and without duplicates. Phrases and comments
// between ids (obsolete syntax) are skipped; bare ids without brackets are accepted when
// they contain '@'.
func parseMsgIDs(v string) []string {
	var ids []string
	seen := map[string]bool{}
	add := func(id string) {
		id = parseFixUTF8(strings.Join(strings.Fields(id), ""))
		if id == "" || strings.ContainsAny(id, "<>") || seen[id] {
			return
		}
		seen[id] = true
		ids = append(ids, id)
	}
	rest := v
	for {
		i := strings.IndexByte(rest, '<')
		if i < 0 {
			break
		}
		j := strings.IndexByte(rest[i+1:], '>')
		if j < 0 {
			break
		}
		add(rest[i+1 : i+1+j])
		rest = rest[i+2+j:]
	}
	if len(ids) == 0 {
		for _, f := range strings.Fields(v) {
			if strings.Contains(f, "@") {
				add(strings.Trim(f, `<>"(),;`))
			}
		}
	}
	return ids
}

// addresses parses every value of an address field (RFC 5322 §3.4): lower-case addresses,
// decoded display names. Values net/mail refuses are scanned leniently for addr-specs.
func (w *parseWalker) addresses(key string) []*netmail.Address {
	var out []*netmail.Address
	p := netmail.AddressParser{WordDecoder: &mime.WordDecoder{CharsetReader: parseCharsetReader}}
	for _, v := range w.msg.Header.h.Values(key) {
		if strings.TrimSpace(v) == "" {
			continue
		}
		list, err := p.ParseList(v)
		if err != nil {
			w.probs.add(fmt.Sprintf("unparseable %s address %q: read leniently", key, parseClip(v)))
			list = parseAddrFallback(v)
		}
		for _, a := range list {
			a.Address = strings.ToLower(parseFixUTF8(a.Address))
			a.Name = parseFold(parseDecodeHeader(a.Name)) // words net/mail left undecoded
			out = append(out, a)
		}
	}
	return out
}

// parseAddrFallback extracts addresses from a malformed address list: "<addr>" forms first,
// else bare words containing '@'. Commas inside quotes and brackets do not split.
func parseAddrFallback(v string) []*netmail.Address {
	var out []*netmail.Address
	var segs []string
	quoted, angle, start := false, false, 0
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c == '"':
			quoted = !quoted
		case c == '<' && !quoted:
			angle = true
		case c == '>' && !quoted:
			angle = false
		case c == ',' && !quoted && !angle:
			segs = append(segs, v[start:i])
			start = i + 1
		}
	}
	segs = append(segs, v[start:])
	for _, seg := range segs {
		name, addr := "", ""
		for i := 0; addr == ""; {
			lt := strings.IndexByte(seg[i:], '<')
			if lt < 0 {
				break
			}
			gt := strings.IndexByte(seg[i+lt:], '>')
			if gt < 0 {
				break
			}
			if a := seg[i+lt+1 : i+lt+gt]; strings.Contains(a, "@") {
				addr, name = a, seg[:i+lt]
			}
			i += lt + gt + 1
		}
		if addr == "" {
			for _, f := range strings.Fields(seg) {
				if strings.Contains(f, "@") {
					addr = f
					break
				}
			}
		}
		addr = strings.Trim(strings.TrimSpace(addr), `"'<>()[];:,`)
		if !strings.Contains(addr, "@") || strings.ContainsAny(addr, " \t") {
			addr = ""
		}
		if addr == "" {
			i := strings.Index(seg, "<>")
			if i < 0 {
				continue
			}
			name = seg[:i]
		}
		// "MAILER-DAEMON <>": the name is all there is (RFC 5321 §4.5.5 null path).
		name = parseDecodeHeader(strings.Trim(strings.TrimSpace(name), `"'`))
		out = append(out, &netmail.Address{Name: name, Address: addr})
	}
	return out
}

// parseDate parses an RFC 5322 §3.3 date, then retries without comments and with a few
// layouts seen from broken mailers.
func parseDate(v string) (time.Time, error) {
	if t, err := netmail.ParseDate(v); err == nil {
		return t, nil
	}
	s := v
	if i := strings.IndexByte(s, '('); i > 0 {
		s = s[:i]
	}
	s = parseFold(s)
	if t, err := netmail.ParseDate(s); err == nil {
		return t, nil
	}
	for _, layout := range []string{time.RFC1123Z, time.RFC1123, time.ANSIC, time.UnixDate, time.RFC3339,
		"Mon, 2 Jan 2006 15:04:05 -0700 MST", "Mon, 2 Jan 06 15:04:05 -0700", "2006-01-02 15:04:05 -0700",
		"Mon, 2 Jan 2006 15:04 -0700", "Monday, January 2, 2006 3:04 PM"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("mail: unparseable date %q", v)
}
