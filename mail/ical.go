package mail

import (
	"strings"
	"time"
)

// Event is one calendar event sosd tells a customer of: an on-site visit
// (published), or the quarterly status meeting (an invitation).
type Event struct {
	UID         string // stable for the event, so a calendar updates instead of duplicating
	Start       time.Time
	Duration    time.Duration
	Summary     string
	Description string
	// HTMLDescription, if set, is the description as HTML for calendars
	// that show it (X-ALT-DESC, Microsoft's).
	HTMLDescription string
	Organizer       string // an address
	OrganizerName   string
	// Attendees, when set, make the event an invitation (METHOD:REQUEST,
	// RFC 5546 §3.2.2) that each can accept or decline; the answers go to
	// the organizer, not to sosd.
	Attendees []Attendee
	Stamp     time.Time
}

// Attendee is one person invited to an event.
type Attendee struct {
	Name, Email string
}

// Calendar renders e as an iCalendar object (RFC 5545): with attendees an
// invitation (METHOD:REQUEST, RFC 5546 §3.2.2) their calendars can accept,
// else METHOD:PUBLISH (§3.2.1), an event to add with no answer expected.
// Times are UTC ("Z" form, §3.3.5), so no VTIMEZONE is needed; the
// calendar shows them in the reader's zone.
func Calendar(e Event) string {
	var b strings.Builder
	line := func(name, value string) {
		writeFolded(&b, name+":"+value)
	}
	utc := func(t time.Time) string { return t.UTC().Format("20060102T150405Z") }
	line("BEGIN", "VCALENDAR")
	line("VERSION", "2.0")
	line("PRODID", "-//sosd//onsite//EN")
	method := "PUBLISH"
	if len(e.Attendees) > 0 {
		method = "REQUEST"
	}
	line("METHOD", method)
	line("BEGIN", "VEVENT")
	line("UID", icalText(e.UID))
	line("DTSTAMP", utc(e.Stamp))
	line("DTSTART", utc(e.Start))
	line("DTEND", utc(e.Start.Add(e.Duration)))
	line("SUMMARY", icalText(e.Summary))
	if e.Description != "" {
		line("DESCRIPTION", icalText(e.Description))
	}
	if e.HTMLDescription != "" {
		line("X-ALT-DESC;FMTTYPE=text/html", icalText(e.HTMLDescription))
	}
	if e.Organizer != "" {
		line("ORGANIZER"+cnParam(e.OrganizerName), "mailto:"+e.Organizer)
	}
	for _, a := range e.Attendees {
		line("ATTENDEE"+cnParam(a.Name)+";ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE", "mailto:"+a.Email)
	}
	if len(e.Attendees) > 0 {
		line("SEQUENCE", "0")
	}
	line("STATUS", "CONFIRMED")
	line("END", "VEVENT")
	line("END", "VCALENDAR")
	return b.String()
}

// cnParam is a ;CN= parameter with the name quoted (RFC 5545 §3.2: a
// parameter value with ":", ";" or "," must be); a name's own quotes
// and line breaks are dropped, since a quoted value cannot hold them.
func cnParam(name string) string {
	name = strings.Map(func(r rune) rune {
		if r == '"' || r < ' ' || r == 0x7f {
			return -1
		}
		return r
	}, strings.ToValidUTF8(name, ""))
	if name == "" {
		return ""
	}
	return `;CN="` + name + `"`
}

// icalText escapes a TEXT value (RFC 5545 §3.3.11).
func icalText(s string) string {
	s = strings.ToValidUTF8(strings.ReplaceAll(s, "\r\n", "\n"), "\uFFFD")
	r := strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\n", `\n`, "\r", `\n`)
	return r.Replace(s)
}

// writeFolded writes one content line folded at 75 octets, never inside
// a UTF-8 sequence (RFC 5545 §3.1), ending in CRLF. A continuation line's
// leading space counts toward its 75.
func writeFolded(b *strings.Builder, l string) {
	limit := 75
	for len(l) > limit {
		cut := limit
		for cut > 0 && l[cut]&0xC0 == 0x80 {
			cut-- // a continuation byte: cut before its rune
		}
		if cut == 0 {
			cut = limit // not UTF-8 after all: cut anywhere rather than loop
		}
		b.WriteString(l[:cut])
		b.WriteString("\r\n ")
		l = l[cut:]
		limit = 74
	}
	b.WriteString(l)
	b.WriteString("\r\n")
}
