// Package templates holds the text of every mail sosd writes, in Swedish
// and English, and renders it.
//
// The templates are embedded files, one set per language: sv/*.tmpl and
// en/*.tmpl. Each kind of mail has three: <kind>.subject.tmpl (one line),
// <kind>.txt.tmpl (the plain-text part, text/template) and <kind>.html.tmpl
// (the HTML part, html/template, so everything from a mail or the
// configuration is escaped). common.txt.tmpl and common.html.tmpl hold the
// pieces several kinds share. No other Go package holds user-facing prose;
// this package's Go code holds only the weekday and month names, the few
// words of the date and hours phrases, the format of percentages and the
// words the report's charts draw (dates.go).
//
// New parses everything once; Render picks a kind and a language and checks
// that the data is the type documented for that kind. The golden files
// under testdata/golden show every mail as a customer or consultant reads
// it; regenerate them with `go test ./templates -update` and read the diff.
//
// No mail carries a link: mail scanners follow links, so everything a
// reader can do (approve a solution, add information, run a command) is
// done by replying.
package templates

import (
	"bytes"
	"embed"
	"fmt"
	htemplate "html/template"
	"slices"
	"strings"
	ttemplate "text/template"
	"time"
	"unicode"
	"unicode/utf8"
)

//go:embed sv/*.tmpl en/*.tmpl
var files embed.FS

// Kind names a mail sosd writes, or (Meeting) the text of a calendar
// event one carries.
type Kind string

// The kinds of mail. Each exists in every language of Languages.
const (
	Ack              Kind = "ack"               // to the reporter: the ticket is filed, with the committed start time
	ConsultantNotice Kind = "consultant_notice" // to consultants (and escalation.notify for priority 1): a new ticket
	ReplyNotice      Kind = "reply_notice"      // to the consultant: the customer replied on a ticket
	UnknownSender    Kind = "unknown_sender"    // to a sender who is not a customer: polite notice, no ticket
	QuarantineNotice Kind = "quarantine"        // to consultants: a mail could not be parsed/classified, raw attached
	LoopNotice       Kind = "loop"              // to consultants: a sender passed the loop limit; no more mail goes to it for now
	DeliveryFailed   Kind = "delivery_failed"   // to escalation.notify: the relay refused an outgoing mail permanently

	// Consultants work tickets by email; customers approve by reply
	// (SPEC §6 and §7). The data types are in work.go.

	ConsultantReply Kind = "consultant_reply" // to the customer: a consultant's words, in the ticket's thread
	Resolved        Kind = "resolved"         // to the customer: a fix is proposed; approve by replying "Godkänd"/"Approved" or "OK"
	Approved        Kind = "approved"         // to the customer: thanks for the approval; the ticket is closed
	Reopened        Kind = "reopened"         // to the customer: their reply reopened the ticket; the consultant is told
	Receipt         Kind = "receipt"          // to the consultant: what their command mail changed
	CommandError    Kind = "command_error"    // to the consultant: the mail had invalid commands; nothing changed
	CommandRefused  Kind = "command_refused"  // to the sender of commands that do not count: not authentic, or no ticket
	Onsite          Kind = "onsite"           // to the customer: an on-site visit is booked (an iCalendar part is added elsewhere)

	// The jobs (SPEC §8). The data types are in jobs.go.

	Warning      Kind = "warning"       // to the ticket's consultant (or all) and escalation.notify: a ticket not started has used warn_at of its response window
	Breach       Kind = "breach"        // to the same: the committed start time passed without a start
	CallReminder Kind = "call_reminder" // to the ticket's consultant (or all): the four-hour rule, call the customer (with whom to call)
	Report       Kind = "report"        // to the customer's contacts and account manager: the quarterly status report (charts and CSV attached elsewhere)
	Meeting      Kind = "meeting"       // not a mail: the title and description of the report's invitation to the quarterly status meeting
)

// kinds lists every Kind, in the order above.
var kinds = []Kind{Ack, ConsultantNotice, ReplyNotice, UnknownSender, QuarantineNotice, LoopNotice, DeliveryFailed,
	ConsultantReply, Resolved, Approved, Reopened, Receipt, CommandError, CommandRefused, Onsite,
	Warning, Breach, CallReminder, Report, Meeting}

// Rendered is one mail's text: Subject (one line), Text (plain part), HTML
// (HTML part). Lines end in "\n"; the mail writer turns them into CRLF.
// For Meeting, which is no mail, they are a calendar event's title,
// description and HTML description (see MeetingData).
type Rendered struct{ Subject, Text, HTML string }

// Set holds every template, parsed once. It is safe for concurrent use.
type Set struct {
	mails map[mailKey]mail
}

// mailKey finds one kind in one language.
type mailKey struct {
	kind Kind
	lang string
}

// mail is the three templates of one kind in one language.
type mail struct {
	subject, text *ttemplate.Template
	html          *htemplate.Template
}

// Languages lists the languages every kind exists in.
func Languages() []string { return []string{"en", "sv"} }

// New parses every embedded template; an error means a template is broken
// (a test checks New succeeds).
func New() (*Set, error) {
	s := &Set{mails: make(map[mailKey]mail)}
	for _, lang := range Languages() {
		for _, k := range kinds {
			m, err := parse(k, lang)
			if err != nil {
				return nil, fmt.Errorf("templates: %s/%s: %w", lang, k, err)
			}
			s.mails[mailKey{k, lang}] = m
		}
	}
	return s, nil
}

// parse parses the subject, text and HTML templates of kind k in lang.
func parse(k Kind, lang string) (mail, error) {
	fm := funcs(lang)
	name := func(part string) string { return string(k) + "." + part + ".tmpl" }
	path := func(part string) string { return lang + "/" + name(part) }
	common := func(part string) string { return lang + "/common." + part + ".tmpl" }

	var m mail
	var err error
	if m.subject, err = ttemplate.New(name("subject")).Option("missingkey=error").Funcs(fm).
		ParseFS(files, path("subject")); err != nil {
		return mail{}, err
	}
	if m.text, err = ttemplate.New(name("txt")).Option("missingkey=error").Funcs(fm).
		ParseFS(files, common("txt"), path("txt")); err != nil {
		return mail{}, err
	}
	if m.html, err = htemplate.New(name("html")).Option("missingkey=error").Funcs(htemplate.FuncMap(fm)).
		ParseFS(files, common("html"), path("html")); err != nil {
		return mail{}, err
	}
	return m, nil
}

// funcs are the template functions, bound to lang so that a template
// writes {{longDate .Ticket.Received}} without naming its language.
func funcs(lang string) ttemplate.FuncMap {
	return ttemplate.FuncMap{
		"longDate":     func(t time.Time) string { return LongDate(t, lang) },
		"longDeadline": func(t time.Time) string { return LongDeadline(t, lang) },
		"longSpan":     func(start time.Time, minutes int) string { return LongSpan(start, minutes, lang) },
		"firstName":    firstName,
		"hoursText":    func(h Hours) string { return HoursText(h, lang) },
		"join":         func(list []string) string { return strings.Join(list, ", ") },
		"verbatim":     verbatim,
		"zone":         func(t time.Time) string { return t.Location().String() },
		"period":       func(from, to time.Time) string { return Period(from, to, lang) },
		"percent":      func(p *float64) string { return Percent(p, lang) },
		"add":          func(a, b int) int { return a + b },
		"sub":          func(a, b int) int { return a - b },
		"duration":     duration,
		"left":         func(width int, v any) string { return alignLeft(fmt.Sprint(v), width) },
		"right":        func(width int, v any) string { return alignRight(fmt.Sprint(v), width) },
		// cid makes the cid: URL (RFC 2392) of an image part; prepare has
		// checked that the Content-ID needs no escaping.
		"cid": func(contentID string) htemplate.URL { return htemplate.URL("cid:" + contentID) },
	}
}

// alignLeft pads s with spaces on the right to width characters (runes),
// for a column of a plain-text table; a longer s is kept whole.
func alignLeft(s string, width int) string {
	return s + strings.Repeat(" ", max(0, width-utf8.RuneCountInString(s)))
}

// alignRight pads s with spaces on the left to width characters (runes),
// for a column of figures; a longer s is kept whole.
func alignRight(s string, width int) string {
	return strings.Repeat(" ", max(0, width-utf8.RuneCountInString(s))) + s
}

// Render renders kind in lang ("sv" or "en"; anything else is an error)
// with data, which must be the Data type documented for that kind (or a
// non-nil pointer to it). Missing keys are errors (Option
// "missingkey=error"). CR and LF in the subjects of the data, and in the
// rendered Subject, become spaces: a subject is always one line.
func (s *Set) Render(kind Kind, lang string, data any) (Rendered, error) {
	if !slices.Contains(Languages(), lang) {
		return Rendered{}, fmt.Errorf("templates: unknown language %q", lang)
	}
	m, ok := s.mails[mailKey{kind, lang}]
	if !ok {
		return Rendered{}, fmt.Errorf("templates: unknown kind %q", kind)
	}
	data, err := prepare(kind, data)
	if err != nil {
		return Rendered{}, fmt.Errorf("templates: %s/%s: %w", lang, kind, err)
	}
	var subject, text, html bytes.Buffer
	if err := m.subject.Execute(&subject, data); err != nil {
		return Rendered{}, fmt.Errorf("templates: %s/%s subject: %w", lang, kind, err)
	}
	if err := m.text.Execute(&text, data); err != nil {
		return Rendered{}, fmt.Errorf("templates: %s/%s text: %w", lang, kind, err)
	}
	if err := m.html.Execute(&html, data); err != nil {
		return Rendered{}, fmt.Errorf("templates: %s/%s html: %w", lang, kind, err)
	}
	return Rendered{Subject: oneLine(subject.String()), Text: text.String(), HTML: html.String()}, nil
}

// prepare checks that data is kind's Data type, flattens the subjects it
// carries to one line and checks the fields a mail cannot do without.
func prepare(kind Kind, data any) (any, error) {
	switch kind {
	case Ack:
		d, err := as[AckData](data)
		if err == nil {
			d.Ticket, err = d.Ticket.prepare()
		}
		return d, err
	case ConsultantNotice:
		d, err := as[ConsultantNoticeData](data)
		if err == nil {
			d.Ticket, err = d.Ticket.prepare()
		}
		return d, err
	case ReplyNotice:
		d, err := as[ReplyNoticeData](data)
		if err == nil {
			d.Ticket, err = d.Ticket.prepare()
		}
		if err == nil && !slices.Contains(statusNotes, d.StatusNote) {
			err = fmt.Errorf("unknown StatusNote %q", d.StatusNote)
		}
		return d, err
	case UnknownSender:
		d, err := as[UnknownSenderData](data)
		d.Subject = oneLine(d.Subject)
		return d, err
	case QuarantineNotice:
		d, err := as[QuarantineData](data)
		d.Subject = oneLine(d.Subject)
		if err == nil && d.Received.IsZero() {
			err = fmt.Errorf("no received time")
		}
		return d, err
	case LoopNotice:
		d, err := as[LoopData](data)
		switch {
		case err != nil:
		case d.Sender == "":
			err = fmt.Errorf("no sender")
		case d.Limit < 1:
			err = fmt.Errorf("limit %d, want at least 1", d.Limit)
		case d.Received.IsZero():
			err = fmt.Errorf("no received time")
		}
		return d, err
	case DeliveryFailed:
		d, err := as[DeliveryFailedData](data)
		d.Subject = oneLine(d.Subject)
		switch {
		case err != nil:
		case d.To == "":
			err = fmt.Errorf("no recipient")
		case d.Reason == "":
			err = fmt.Errorf("no reason")
		case d.Failed.IsZero():
			err = fmt.Errorf("no time of failure")
		}
		return d, err
	}
	return prepareWork(kind, data)
}

// as returns data as a T, accepting a T or a non-nil *T.
func as[T any](data any) (T, error) {
	switch v := data.(type) {
	case T:
		return v, nil
	case *T:
		if v != nil {
			return *v, nil
		}
	}
	var want T
	return want, fmt.Errorf("data is %T, want %T", data, want)
}

// prepare flattens the ticket's subject and checks the fields every
// ticket mail prints.
func (t Ticket) prepare() (Ticket, error) {
	t.Subject = oneLine(t.Subject)
	switch {
	case t.ID == "":
		return t, fmt.Errorf("ticket without ID")
	case t.Priority < 1 || t.Priority > 3:
		return t, fmt.Errorf("%s: priority %d, want 1, 2 or 3", t.ID, t.Priority)
	case t.Received.IsZero():
		return t, fmt.Errorf("%s: no received time", t.ID)
	case t.Deadline.IsZero():
		return t, fmt.Errorf("%s: no deadline", t.ID)
	}
	return t, nil
}

// verbatim prepares a text written by a person (a report, a reply) for
// quoting: CRLF and CR become LF, and blank lines before and after it and
// trailing blanks are dropped. The rest is kept as written.
func verbatim(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	s = strings.TrimRightFunc(s, unicode.IsSpace)
	if i := strings.IndexFunc(s, func(r rune) bool { return !unicode.IsSpace(r) }); i > 0 {
		s = s[strings.LastIndex(s[:i], "\n")+1:]
	}
	return s
}

// firstName is the first word of a person's name, for mentioning them a
// second time ("Anna" of "Anna Berg"). An address, a name of one word and
// a name written "Berg, Anna" are kept whole.
func firstName(name string) string {
	name = strings.TrimSpace(name)
	if words := strings.Fields(name); len(words) > 1 && !strings.ContainsAny(name, "@,") {
		return words[0]
	}
	return name
}

// oneLine turns every run of line breaks (CR, LF and the Unicode line
// and paragraph separators) and the blanks around it into one space, and
// trims the ends.
func oneLine(s string) string {
	if !strings.ContainsAny(s, "\r\n\u0085\u2028\u2029") {
		return strings.TrimSpace(s)
	}
	var b strings.Builder
	for _, line := range strings.FieldsFunc(s, func(r rune) bool {
		return r == '\r' || r == '\n' || r == '\u0085' || r == '\u2028' || r == '\u2029'
	}) {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(line)
	}
	return b.String()
}

// Hours describes the support hours for the text "Supporten är öppen …"
// (see HoursText).
type Hours struct {
	Days              []time.Weekday // open days, e.g. Monday–Friday
	Open, Close       string         // "08:00", "17:00"
	EveOpen, EveClose string         // "08:30", "14:00"; empty when there are no eves (holidays: none)
	Holidays          bool           // closed on public holidays
}

// Ticket is the common part of every ticket mail.
type Ticket struct {
	ID           string    // "SOS-12"
	Subject      string    // the customer's subject
	Priority     int       // 1, 2, 3
	PriorityName string    // "Affärskritiskt", "Kritiskt", "Standard" (from config)
	Application  string    // the application's name; "" when unknown
	Customer     string    // the customer's name
	Reporter     string    // address
	Received     time.Time // in the calendar's zone
	Deadline     time.Time // the committed start time, in the calendar's zone
}

// AckData is Ack's data.
type AckData struct {
	Ticket         Ticket
	Hours          Hours
	Phone          string // support phone; printed for priority 1 and 2 with the request to confirm the priority by phone
	SupportAddress string
	// Refers is the ticket ("SOS-5") this new ticket's mail replied to,
	// closed too long ago to be reopened (SPEC §7); "" when the mail
	// replied to none. The acknowledgement names it when set.
	Refers string
}

// ConsultantNoticeData is ConsultantNotice's data.
type ConsultantNoticeData struct {
	Ticket             Ticket
	NewText            string   // the reporter's new text
	ReplyHint          string   // the address to reply to
	Commands           bool     // list the commands (#start, #priority, #app, …)
	ApplicationUnknown bool     // ask the consultant to set the application with #app
	Applications       []string // the customer's application ids, for #app
}

// ReplyNoticeData is ReplyNotice's data.
type ReplyNoticeData struct {
	Ticket  Ticket
	From    string // who replied
	NewText string // the new text of the reply
	// StatusNote says what the reply did, as a short machine word the
	// template turns into prose: "" (a plain reply), "approved" (the
	// solution was approved; the ticket is closed), "rejected" (the
	// solution was not approved; the ticket is started again), "reopened"
	// (a closed ticket was reopened), "priority_requested" (the customer
	// asks for a higher priority; the deadline is unchanged). Any other
	// word is an error.
	StatusNote string
}

// statusNotes are the words ReplyNoticeData.StatusNote may hold.
var statusNotes = []string{"", "approved", "rejected", "reopened", "priority_requested"}

// UnknownSenderData is UnknownSender's data.
type UnknownSenderData struct {
	Sender         string // the sender's address
	Subject        string // the subject of the sender's mail
	SupportAddress string
	Phone          string // support phone; "" to leave it out
}

// QuarantineData is QuarantineNotice's data.
type QuarantineData struct {
	Reason    string    // why the mail could not be parsed or classified
	From      string    // the envelope or header sender, as far as known
	Subject   string    // the subject, as far as it could be read
	MessageID string    // the Message-ID, as far as known
	Received  time.Time // when sosd accepted the mail, in the calendar's zone
}

// LoopData is LoopNotice's data.
type LoopData struct {
	Sender   string    // the sender's address
	Limit    int       // the configured mails per hour (support.loop_limit)
	Received time.Time // when the mail that passed the limit arrived, in the calendar's zone
}

// DeliveryFailedData is DeliveryFailed's data.
type DeliveryFailedData struct {
	Ticket string // "SOS-12"; "" when the mail concerned no ticket
	// MailKind is what the mail was: the Kind it was rendered from ("ack",
	// "consultant_notice", "reply_notice", …). The templates write every
	// Kind of this package as a few words ("mottagningsbekräftelse" for
	// "ack"); any other word is shown as is.
	MailKind  string
	To        string    // the recipient the relay refused
	Subject   string    // the failed mail's subject
	MessageID string    // its Message-ID
	Reason    string    // the relay's answer, e.g. "550 5.1.1 no such user"
	Failed    time.Time // when, in the calendar's zone
}
