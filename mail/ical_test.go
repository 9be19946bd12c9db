package mail

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-message"
)

// icalVisit is an on-site visit at 09:00 Stockholm time on 1 December
// 2026 (CET, 08:00 UTC) for two hours.
func icalVisit(t testing.TB) Event {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		t.Fatal(err)
	}
	return Event{
		UID:         "sos-12.onsite.abc@sos.example",
		Start:       time.Date(2026, 12, 1, 9, 0, 0, 0, loc),
		Duration:    2 * time.Hour,
		Summary:     "[SOS-12] Besök bokat: Servern svarar inte",
		Description: "Anna kommer tisdag 1 december 2026 kl. 09:00.",
		Organizer:   "support@sos.example",
		Stamp:       time.Date(2026, 11, 30, 14, 5, 6, 0, loc),
	}
}

// icalCheckLines checks RFC 5545 §3.1 on a rendered object: every content
// line ends in CRLF, is at most 75 octets without it, and is valid UTF-8
// by itself (folding never splits a sequence); a continuation line starts
// with one space.
func icalCheckLines(t testing.TB, cal string) {
	t.Helper()
	if !strings.HasSuffix(cal, "\r\n") {
		t.Errorf("does not end in CRLF: %q", cal[max(0, len(cal)-20):])
	}
	lines := strings.Split(strings.TrimSuffix(cal, "\r\n"), "\r\n")
	for i, l := range lines {
		if len(l) > 75 {
			t.Errorf("line %d is %d octets: %q", i, len(l), l)
		}
		if strings.ContainsAny(l, "\r\n") {
			t.Errorf("line %d has a bare CR or LF: %q", i, l)
		}
		if !utf8.ValidString(l) {
			t.Errorf("line %d splits a UTF-8 sequence: %q", i, l)
		}
		if l == "" || l == " " {
			t.Errorf("line %d is empty", i)
		}
		if i == 0 && strings.HasPrefix(l, " ") {
			t.Errorf("first line is a continuation: %q", l)
		}
	}
}

// icalUnfold undoes folding (RFC 5545 §3.1): CRLF followed by one space
// goes, and the object splits into its content lines.
func icalUnfold(cal string) []string {
	return strings.Split(strings.TrimSuffix(strings.ReplaceAll(cal, "\r\n ", ""), "\r\n"), "\r\n")
}

// icalProp returns the value of the first unfolded content line named
// name, and whether there is one.
func icalProp(lines []string, name string) (string, bool) {
	for _, l := range lines {
		if v, ok := strings.CutPrefix(l, name+":"); ok {
			return v, true
		}
	}
	return "", false
}

// icalUnescape reverses TEXT escaping (RFC 5545 §3.3.11).
func icalUnescape(s string) string {
	return strings.NewReplacer(`\\`, `\`, `\;`, ";", `\,`, ",", `\n`, "\n", `\N`, "\n").Replace(s)
}

// A short event: the properties in order, times in UTC, METHOD:PUBLISH.
func TestCalendarProperties(t *testing.T) {
	t.Parallel()
	e := icalVisit(t)
	cal := Calendar(e)
	icalCheckLines(t, cal)
	lines := icalUnfold(cal)

	order := []string{"BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:", "METHOD:PUBLISH", "BEGIN:VEVENT",
		"UID:", "DTSTAMP:", "DTSTART:", "DTEND:", "SUMMARY:", "END:VEVENT", "END:VCALENDAR"}
	next := 0
	for _, l := range lines {
		if next < len(order) && strings.HasPrefix(l, order[next]) {
			next++
		}
	}
	if next != len(order) {
		t.Errorf("missing or out of order: %q in\n%s", order[next], cal)
	}
	if lines[0] != "BEGIN:VCALENDAR" || lines[len(lines)-1] != "END:VCALENDAR" {
		t.Errorf("not one VCALENDAR: first %q, last %q", lines[0], lines[len(lines)-1])
	}
	if n := strings.Count(cal, "METHOD:"); n != 1 {
		t.Errorf("METHOD appears %d times", n)
	}
	want := map[string]string{
		"METHOD":      "PUBLISH",
		"UID":         "sos-12.onsite.abc@sos.example",
		"DTSTART":     "20261201T080000Z",
		"DTEND":       "20261201T100000Z",
		"DTSTAMP":     "20261130T130506Z",
		"SUMMARY":     "[SOS-12] Besök bokat: Servern svarar inte",
		"DESCRIPTION": "Anna kommer tisdag 1 december 2026 kl. 09:00.",
		"ORGANIZER":   "mailto:support@sos.example",
	}
	for name, v := range want {
		if got, ok := icalProp(lines, name); !ok || got != v {
			t.Errorf("%s = %q (present %v), want %q", name, got, ok, v)
		}
	}
	if strings.Contains(cal, "TZID") || strings.Contains(cal, "VTIMEZONE") {
		t.Error("UTC times need no time zone")
	}
}

// DTSTART and DTEND are the same instants whatever zone Start is given
// in; the duration sets DTEND, across the change to summer time too.
func TestCalendarTimes(t *testing.T) {
	t.Parallel()
	loc, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name           string
		start          time.Time
		dur            time.Duration
		dtstart, dtend string
	}{
		{"CET", time.Date(2026, 12, 1, 9, 0, 0, 0, loc), 2 * time.Hour, "20261201T080000Z", "20261201T100000Z"},
		{"same instant in UTC", time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC), 2 * time.Hour, "20261201T080000Z", "20261201T100000Z"},
		{"CEST", time.Date(2026, 6, 15, 9, 0, 0, 0, loc), 90 * time.Minute, "20260615T070000Z", "20260615T083000Z"},
		{"over midnight", time.Date(2026, 12, 31, 23, 30, 0, 0, loc), time.Hour, "20261231T223000Z", "20261231T233000Z"},
		{"into the new year UTC", time.Date(2027, 1, 1, 0, 30, 0, 0, loc), time.Hour, "20261231T233000Z", "20270101T003000Z"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := icalVisit(t)
			e.Start, e.Duration = tc.start, tc.dur
			lines := icalUnfold(Calendar(e))
			if got, _ := icalProp(lines, "DTSTART"); got != tc.dtstart {
				t.Errorf("DTSTART = %q, want %q", got, tc.dtstart)
			}
			if got, _ := icalProp(lines, "DTEND"); got != tc.dtend {
				t.Errorf("DTEND = %q, want %q", got, tc.dtend)
			}
		})
	}
}

// TEXT values escape backslash, semicolon, comma and newline (RFC 5545
// §3.3.11); a colon needs no escape.
func TestCalendarEscaping(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"a,b", `a\,b`},
		{"a;b", `a\;b`},
		{`a\b`, `a\\b`},
		{"a\nb", `a\nb`},
		{"a\r\nb", `a\nb`},
		{"a\rb", `a\nb`},
		{"kl. 09:00", "kl. 09:00"},
		{`\n`, `\\n`},
		{`Besök; möte, kl\ 9` + "\r\nRad två\n", `Besök\; möte\, kl\\ 9\nRad två\n`},
	}
	for _, tc := range tests {
		e := icalVisit(t)
		e.Summary, e.Description = tc.in, tc.in
		cal := Calendar(e)
		icalCheckLines(t, cal)
		lines := icalUnfold(cal)
		for _, name := range []string{"SUMMARY", "DESCRIPTION"} {
			got, _ := icalProp(lines, name)
			if got != tc.want {
				t.Errorf("%s of %q = %q, want %q", name, tc.in, got, tc.want)
			}
		}
		if got, _ := icalProp(lines, "SUMMARY"); icalUnescape(got) != strings.ReplaceAll(strings.ReplaceAll(tc.in, "\r\n", "\n"), "\r", "\n") {
			t.Errorf("unescaped SUMMARY = %q, want %q", icalUnescape(got), tc.in)
		}
	}
	// A newline in a value never starts a property of its own.
	e := icalVisit(t)
	e.Summary = "Besök\r\nATTENDEE:mailto:evil@example.com\nEND:VEVENT"
	for _, l := range icalUnfold(Calendar(e)) {
		if strings.HasPrefix(l, "ATTENDEE") {
			t.Errorf("injected line %q", l)
		}
	}
	if n := strings.Count(Calendar(e), "\r\nEND:VEVENT\r\n"); n != 1 {
		t.Errorf("END:VEVENT as a line %d times, want 1", n)
	}
}

// Long Swedish text folds at 75 octets without splitting å, ä, ö or a
// four-byte rune, whatever offset a rune starts at; unfolding gives back
// the escaped text and unescaping the original.
func TestCalendarFolding(t *testing.T) {
	t.Parallel()
	long := "Vi kommer på besök för att åtgärda felet i ekonomisystemet; " +
		"tekniker Åsa Öberg tar med en ny nätverksväxel, kablar och verktyg. " +
		"Räkna med att servern är nere i ungefär en timme under bytet.\n" +
		"Vänliga hälsningar,\nSupporten \\ Drift 🛠️ – ärende SOS-12"
	for pad := range 8 {
		e := icalVisit(t)
		e.Summary = strings.Repeat("x", pad) + strings.Repeat("åäö", 60)
		e.Description = strings.Repeat("y", pad) + long + long
		e.UID = strings.Repeat("u", 70+pad) + "@sos.example"
		cal := Calendar(e)
		icalCheckLines(t, cal)
		if !strings.Contains(cal, "\r\n ") {
			t.Fatalf("pad %d: nothing was folded", pad)
		}
		lines := icalUnfold(cal)
		for name, in := range map[string]string{"SUMMARY": e.Summary, "DESCRIPTION": e.Description, "UID": e.UID} {
			got, ok := icalProp(lines, name)
			if !ok {
				t.Errorf("pad %d: no %s", pad, name)
				continue
			}
			if got != icalText(in) {
				t.Errorf("pad %d: unfolded %s = %q, want %q", pad, name, got, icalText(in))
			}
			if icalUnescape(got) != in {
				t.Errorf("pad %d: unescaped %s = %q, want %q", pad, name, icalUnescape(got), in)
			}
		}
	}
	// Exactly 75 octets stays one line; 76 folds.
	for _, n := range []int{75, 76} {
		e := icalVisit(t)
		e.Summary = strings.Repeat("s", n-len("SUMMARY:"))
		cal := Calendar(e)
		icalCheckLines(t, cal)
		whole := strings.Contains(cal, "\r\nSUMMARY:"+e.Summary+"\r\n")
		if whole != (n == 75) {
			t.Errorf("a %d-octet line: kept whole %v, want %v", n, whole, n == 75)
		}
	}
}

// Calendar must return for any string. Go strings may hold invalid
// UTF-8, and then folding finds no rune boundary to cut at. The call runs
// in a child process so a hang cannot take the test binary down with it.
func TestCalendarInvalidUTF8(t *testing.T) {
	if os.Getenv("SOSD_ICAL_INVALID_CHILD") == "1" {
		e := icalVisit(t)
		e.Summary = strings.Repeat("\x80", 100)
		e.Description = "ok " + strings.Repeat("\xbf\xa5", 80)
		cal := Calendar(e)
		for _, l := range strings.Split(cal, "\r\n") {
			if len(l) > 75 {
				t.Fatalf("line of %d octets", len(l))
			}
		}
		return
	}
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestCalendarInvalidUTF8$")
	cmd.Env = append(os.Environ(), "SOSD_ICAL_INVALID_CHILD=1")
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatal("Calendar with invalid UTF-8 did not return within 5s")
	}
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
}

// icalPart is one leaf of a composed message with its parents' media
// types.
type icalPart struct {
	parents []string
	ct      string
	params  map[string]string
	body    string
}

// icalWalk returns the leaves of a message in order.
func icalWalk(t testing.TB, e *message.Entity, parents []string) []icalPart {
	t.Helper()
	ct, params, err := e.Header.ContentType()
	if err != nil {
		t.Fatalf("Content-Type: %v", err)
	}
	if mr := e.MultipartReader(); mr != nil {
		var out []icalPart
		for {
			p, err := mr.NextPart()
			if errors.Is(err, io.EOF) {
				return out
			}
			if err != nil {
				t.Fatalf("next part of %s: %v", ct, err)
			}
			out = append(out, icalWalk(t, p, append(parents[:len(parents):len(parents)], ct))...)
		}
	}
	b, err := io.ReadAll(e.Body)
	if err != nil {
		t.Fatalf("body of %s: %v", ct, err)
	}
	return []icalPart{{parents: parents, ct: ct, params: params, body: string(b)}}
}

// Compose sends the calendar as a third alternative after text and HTML,
// text/calendar with method=PUBLISH, whose decoded body is Calendar's
// output byte for byte; with attachments the alternative sits inside
// multipart/mixed.
func TestComposeCalendar(t *testing.T) {
	t.Parallel()
	e := icalVisit(t)
	e.Description = strings.Repeat("Tekniker Åsa Öberg kommer; ta med nyckelkort, tack. ", 6) + "\nRad två"
	cal := Calendar(e)
	for _, withAttachment := range []bool{false, true} {
		d := Draft{
			MessageID: "sos-12.onsite.xyz@sos.example", Date: time.Date(2026, 11, 30, 14, 5, 6, 0, time.UTC),
			From: "support@sos.example", FromName: "SOS Support", To: []string{"eva@acme.se"},
			Subject: "[SOS-12] Besök bokat", InReplyTo: "orig@acme.se", References: []string{"orig@acme.se"},
			Text: "Hej!\nVi kommer tisdag 1 december kl. 09:00.", HTML: "<p>Hej!</p><p>Vi kommer tisdag 1 december kl. 09:00.</p>",
			Calendar: cal,
		}
		if withAttachment {
			d.Attachments = []Attachment{{Filename: "karta.txt", ContentType: "text/plain", Data: []byte("Plan 3\n")}}
		}
		raw, err := Compose(d)
		if err != nil {
			t.Fatalf("attachment %v: %v", withAttachment, err)
		}
		for _, l := range strings.Split(string(raw), "\r\n") {
			if len(l) > 998 {
				t.Errorf("attachment %v: line of %d octets", withAttachment, len(l))
			}
		}
		m, err := message.Read(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("attachment %v: read: %v", withAttachment, err)
		}
		parts := icalWalk(t, m, nil)
		var alt []icalPart
		for _, p := range parts {
			if len(p.parents) > 0 && p.parents[len(p.parents)-1] == "multipart/alternative" {
				alt = append(alt, p)
			}
		}
		var types []string
		for _, p := range alt {
			types = append(types, p.ct)
		}
		if len(alt) != 3 || types[0] != "text/plain" || types[1] != "text/html" || types[2] != "text/calendar" {
			t.Fatalf("attachment %v: alternatives %v, want [text/plain text/html text/calendar]", withAttachment, types)
		}
		c := alt[2]
		if c.params["method"] != "PUBLISH" {
			t.Errorf("attachment %v: method = %q, want PUBLISH", withAttachment, c.params["method"])
		}
		if !strings.EqualFold(c.params["charset"], "utf-8") {
			t.Errorf("attachment %v: charset = %q", withAttachment, c.params["charset"])
		}
		if c.body != cal {
			t.Errorf("attachment %v: calendar body differs\n got %q\nwant %q", withAttachment, c.body, cal)
		}
		wantParents := []string{"multipart/alternative"}
		if withAttachment {
			wantParents = []string{"multipart/mixed", "multipart/alternative"}
		}
		if strings.Join(c.parents, " ") != strings.Join(wantParents, " ") {
			t.Errorf("attachment %v: calendar inside %v, want %v", withAttachment, c.parents, wantParents)
		}
		if withAttachment {
			last := parts[len(parts)-1]
			if len(parts) != 4 || strings.TrimRight(last.body, "\r\n") != "Plan 3" || strings.Join(last.parents, " ") != "multipart/mixed" {
				t.Errorf("attachment: %d parts, last %q inside %v", len(parts), last.body, last.parents)
			}
		}
	}

	// No calendar, no text/calendar part.
	raw, err := Compose(Draft{MessageID: "x@sos.example", Date: time.Now(), From: "support@sos.example",
		To: []string{"eva@acme.se"}, Subject: "s", Text: "t", HTML: "<p>t</p>"})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte("text/calendar")) {
		t.Error("a draft without a calendar has a text/calendar part")
	}
}

// FuzzCalendar: for any valid UTF-8 text the object is well formed, and
// unfolding and unescaping give the text back.
func FuzzCalendar(f *testing.F) {
	f.Add("Besök; möte, kl\\ 9", "Rad ett\r\nRad två 🛠️", "uid@sos.example")
	f.Add(strings.Repeat("åäö", 40), strings.Repeat("x,", 50), "")
	f.Fuzz(func(t *testing.T, summary, description, uid string) {
		if !utf8.ValidString(summary) || !utf8.ValidString(description) || !utf8.ValidString(uid) {
			t.Skip("invalid UTF-8 is replaced, so it does not round-trip; TestCalendarInvalidUTF8 covers it")
		}
		e := icalVisit(t)
		e.Summary, e.Description, e.UID = summary, description, uid
		cal := Calendar(e)
		icalCheckLines(t, cal)
		lines := icalUnfold(cal)
		norm := func(s string) string {
			return strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
		}
		if got, _ := icalProp(lines, "SUMMARY"); icalUnescape(got) != norm(summary) {
			t.Errorf("SUMMARY %q unescapes to %q", summary, icalUnescape(got))
		}
		if got, ok := icalProp(lines, "DESCRIPTION"); description != "" && (!ok || icalUnescape(got) != norm(description)) {
			t.Errorf("DESCRIPTION %q unescapes to %q", description, icalUnescape(got))
		}
		if n := strings.Count(cal, "\r\nEND:VEVENT\r\n"); n != 1 {
			t.Errorf("END:VEVENT lines: %d", n)
		}
	})
}
