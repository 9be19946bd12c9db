package templates

import (
	"flag"
	"html"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// stockholm is the calendar's zone in every test.
var stockholm = mustZone("Europe/Stockholm")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// at is a wall time in Stockholm.
func at(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, stockholm)
}

// The fixed clock: reported Monday 30 November 2026 15:00; the deadlines
// are those the calendar gives for 2, 4 and 8 business hours.
var (
	received  = at(2026, time.November, 30, 15, 0)
	deadlines = map[int]time.Time{
		1: at(2026, time.November, 30, 17, 0),
		2: at(2026, time.December, 1, 10, 0),
		3: at(2026, time.December, 1, 14, 0),
	}
	priorityNames = map[int]string{1: "Affärskritiskt", 2: "Kritiskt", 3: "Standard"}
)

// hours are the agreement's default support hours.
var hours = Hours{
	Days:    []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday},
	Open:    "08:00",
	Close:   "17:00",
	EveOpen: "08:30", EveClose: "14:00",
	Holidays: true,
}

// customer is the realistic customer of one language.
type customer struct {
	name, reporter, subject, app, text, reply string
	apps                                      []string
}

var customers = map[string]customer{
	"sv": {
		name: "ACME AB", reporter: "eva.ek@acme.se", subject: "Ekonomisystemet startar inte",
		app: "Ekonomisystemet", apps: []string{"ekonomi", "intranat"},
		text:  "Hej!\n\nEkonomisystemet startar inte sedan i morse. Vi får felmeddelandet\n\"Databasen kan inte nås\" på alla datorer.\n\nMvh\nEva Ek\nACME AB",
		reply: "Hej!\n\nNu fungerar det igen, tack för hjälpen.\n\nMvh\nEva",
	},
	"en": {
		name: "Nordic Logistics Ltd", reporter: "sam.hill@nordlog.example", subject: "Warehouse system is down",
		app: "Warehouse system", apps: []string{"wms"},
		text:  "Hi,\n\nThe warehouse system has been down since this morning. Scanners\nshow \"Server unavailable\" in all three warehouses.\n\nBest regards,\nSam Hill\nNordic Logistics Ltd",
		reply: "Hi,\n\nIt works again now, thank you for your help.\n\nSam",
	},
}

// ticket is the fixed ticket of lang with priority p; app false leaves
// the application unknown.
func ticket(lang string, p int, app bool) Ticket {
	c := customers[lang]
	t := Ticket{
		ID: "SOS-12", Subject: c.subject, Priority: p, PriorityName: priorityNames[p],
		Customer: c.name, Reporter: c.reporter, Received: received, Deadline: deadlines[p],
	}
	if app {
		t.Application = c.app
	}
	return t
}

func ackData(lang string, p int, app bool) AckData {
	return AckData{Ticket: ticket(lang, p, app), Hours: hours, Phone: "+46 8 000 00 00", SupportAddress: "support@sos.example"}
}

func noticeData(lang string, p int, app bool, commands bool) ConsultantNoticeData {
	return ConsultantNoticeData{
		Ticket: ticket(lang, p, app), NewText: customers[lang].text,
		ReplyHint: "support+sos-12.k3xq7v@sos.example", Commands: commands,
		ApplicationUnknown: !app, Applications: customers[lang].apps,
	}
}

func replyData(lang, note string) ReplyNoticeData {
	t := ticket(lang, 3, true)
	return ReplyNoticeData{Ticket: t, From: t.Reporter, NewText: customers[lang].reply, StatusNote: note}
}

// goldenCase is one rendered mail checked against testdata/golden/<lang>/<name>.*.
type goldenCase struct {
	name string
	kind Kind
	data func(lang string) any
}

var goldenCases = []goldenCase{
	{"ack", Ack, func(l string) any { return ackData(l, 3, true) }},
	{"ack-p1", Ack, func(l string) any { return ackData(l, 1, true) }},
	{"ack-p2", Ack, func(l string) any { return ackData(l, 2, true) }},
	{"ack-noapp", Ack, func(l string) any { return ackData(l, 3, false) }},
	{"ack-refers", Ack, func(l string) any { d := ackData(l, 3, true); d.Refers = "SOS-5"; return d }},
	{"consultant_notice", ConsultantNotice, func(l string) any { return noticeData(l, 1, false, true) }},
	{"consultant_notice-p3", ConsultantNotice, func(l string) any { return noticeData(l, 3, true, false) }},
	{"reply_notice", ReplyNotice, func(l string) any { return replyData(l, "") }},
	{"reply_notice-approved", ReplyNotice, func(l string) any { return replyData(l, "approved") }},
	{"reply_notice-rejected", ReplyNotice, func(l string) any { return replyData(l, "rejected") }},
	{"reply_notice-reopened", ReplyNotice, func(l string) any { return replyData(l, "reopened") }},
	{"reply_notice-priority_requested", ReplyNotice, func(l string) any { return replyData(l, "priority_requested") }},
	{"unknown_sender", UnknownSender, func(l string) any {
		return UnknownSenderData{Sender: "info@example.org", Subject: map[string]string{"sv": "Offertförfrågan", "en": "Request for a quote"}[l],
			SupportAddress: "support@sos.example", Phone: "+46 8 000 00 00"}
	}},
	{"quarantine", QuarantineNotice, func(l string) any {
		return QuarantineData{Reason: "malformed MIME header: missing colon", From: customers[l].reporter,
			Subject: customers[l].subject, MessageID: "<20261130140012.4711@mail.acme.se>", Received: received}
	}},
	{"loop", LoopNotice, func(l string) any {
		return LoopData{Sender: "alerts@monitor.acme.se", Limit: 20, Received: received}
	}},
	{"delivery_failed", DeliveryFailed, func(l string) any { return failedAckData(l) }},
	{"delivery_failed-noticket", DeliveryFailed, func(l string) any {
		return DeliveryFailedData{MailKind: string(QuarantineNotice), To: "anna@sos.example",
			Subject:   map[string]string{"sv": "Mejl i karantän: Fakturafrågor", "en": "Mail quarantined: Invoice questions"}[l],
			MessageID: "<sos-0.quarantine.r5dzq3lw2hk7yfmb@sos.example>",
			Reason:    "550 5.1.1 <anna@sos.example>: Recipient address rejected: User unknown in virtual mailbox table",
			Failed:    received.Add(2 * time.Minute)}
	}},
	{"consultant_reply", ConsultantReply, func(l string) any { return consultantReplyData(l) }},
	{"resolved", Resolved, func(l string) any { return resolvedData(l, true) }},
	{"resolved-notext", Resolved, func(l string) any { return resolvedData(l, false) }},
	{"approved", Approved, func(l string) any { return ApprovedData{Ticket: ticket(l, 3, true)} }},
	{"reopened", Reopened, func(l string) any { return ReopenedData{Ticket: ticket(l, 3, true), Reason: "rejected"} }},
	{"reopened-after_close", Reopened, func(l string) any { return ReopenedData{Ticket: ticket(l, 3, true), Reason: "reply_after_close"} }},
	{"receipt", Receipt, func(l string) any { return receiptData(l) }},
	{"receipt-internal", Receipt, func(l string) any { return receiptInternalData(l) }},
	{"receipt-nochanges", Receipt, func(l string) any { return ReceiptData{Ticket: ticket(l, 3, true), ToCustomer: true} }},
	{"command_error", CommandError, func(l string) any { return commandErrorData(l) }},
	{"command_error-all", CommandError, func(l string) any { return commandErrorAllData(l) }},
	{"command_refused", CommandRefused, func(l string) any { return refusedData(l, "not_authentic") }},
	{"command_refused-no_ticket", CommandRefused, func(l string) any { return refusedData(l, "no_ticket") }},
	{"onsite", Onsite, func(l string) any { return onsiteData(l, true) }},
	{"onsite-notext", Onsite, func(l string) any { return onsiteData(l, false) }},
	{"warning", Warning, func(l string) any { return warningData(l, true) }},
	{"warning-unassigned", Warning, func(l string) any { return warningData(l, false) }},
	{"breach", Breach, func(l string) any { return breachData(l, true) }},
	{"breach-unassigned", Breach, func(l string) any { return breachData(l, false) }},
	{"call_reminder", CallReminder, func(l string) any { return callData(l, true) }},
	{"call_reminder-nophone", CallReminder, func(l string) any { return callData(l, false) }},
	{"report", Report, func(l string) any { return reportData(l) }},
	{"report-empty", Report, func(l string) any { return emptyReportData(l) }},
	{"report-meeting", Report, func(l string) any { return meetingReportData(l) }},
	{"report-printed", Report, func(l string) any { d := meetingReportData(l); d.Printed = true; return d }},
	{"meeting", Meeting, func(l string) any { return meetingData(l, true) }},
	{"meeting-noconsultancy", Meeting, func(l string) any { return meetingData(l, false) }},
}

// failedAckData is the acknowledgement of the fixed ticket of lang,
// refused by the relay.
func failedAckData(lang string) DeliveryFailedData {
	subject := map[string]string{"sv": "[SOS-12] Vi har tagit emot ditt ärende: ", "en": "[SOS-12] We have received your request: "}[lang] + customers[lang].subject
	return DeliveryFailedData{Ticket: "SOS-12", MailKind: string(Ack), To: customers[lang].reporter, Subject: subject,
		MessageID: "<sos-12.ack.k3xq7vmz2pdw4ta6@sos.example>", Reason: "550 5.1.1 no such user", Failed: received.Add(time.Minute)}
}

// dataFor returns the data of the first golden case of kind in lang.
func dataFor(kind Kind, lang string) any {
	for _, c := range goldenCases {
		if c.kind == kind {
			return c.data(lang)
		}
	}
	panic("no golden case for " + string(kind))
}

func newSet(t *testing.T) *Set {
	t.Helper()
	s, err := New()
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

func render(t *testing.T, s *Set, kind Kind, lang string, data any) Rendered {
	t.Helper()
	r, err := s.Render(kind, lang, data)
	if err != nil {
		t.Fatalf("Render(%s, %s): %v", kind, lang, err)
	}
	return r
}

func TestNew(t *testing.T) {
	s := newSet(t)
	if got, want := len(s.mails), len(kinds)*len(Languages()); got != want {
		t.Errorf("New parsed %d mails, want %d", got, want)
	}
}

func TestGolden(t *testing.T) {
	s := newSet(t)
	for _, lang := range Languages() {
		for _, c := range goldenCases {
			t.Run(lang+"/"+c.name, func(t *testing.T) {
				r := render(t, s, c.kind, lang, c.data(lang))
				for _, part := range []struct{ ext, got string }{{"subject", r.Subject + "\n"}, {"txt", r.Text}, {"html", r.HTML}} {
					path := filepath.Join("testdata", "golden", lang, c.name+"."+part.ext)
					if *update {
						if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
							t.Fatal(err)
						}
						if err := os.WriteFile(path, []byte(part.got), 0o644); err != nil {
							t.Fatal(err)
						}
						continue
					}
					want, err := os.ReadFile(path)
					if err != nil {
						t.Fatalf("%v (run go test ./templates -update)", err)
					}
					if part.got != string(want) {
						t.Errorf("%s differs from the golden file (run go test ./templates -update and read the diff)\n--- got ---\n%s\n--- want ---\n%s", path, part.got, want)
					}
				}
			})
		}
	}
}

// TestGoldenFilesUsed keeps testdata/golden free of files no case writes.
func TestGoldenFilesUsed(t *testing.T) {
	if *update {
		t.Skip("updating")
	}
	want := map[string]bool{}
	for _, lang := range Languages() {
		for _, c := range goldenCases {
			for _, ext := range []string{"subject", "txt", "html"} {
				want[filepath.Join("testdata", "golden", lang, c.name+"."+ext)] = true
			}
		}
	}
	err := filepath.WalkDir(filepath.Join("testdata", "golden"), func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !want[path] {
			t.Errorf("stale golden file %s: no test case renders it", path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestLanguagesCounterparts checks that both languages have the same
// template files: three per kind plus the shared pieces, and nothing else.
func TestLanguagesCounterparts(t *testing.T) {
	if got := Languages(); !slices.Equal(got, []string{"en", "sv"}) {
		t.Fatalf("Languages() = %q", got)
	}
	want := []string{"common.html.tmpl", "common.txt.tmpl"}
	for _, k := range kinds {
		for _, part := range []string{"subject", "txt", "html"} {
			want = append(want, string(k)+"."+part+".tmpl")
		}
	}
	slices.Sort(want)
	for _, lang := range Languages() {
		entries, err := fs.ReadDir(files, lang)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range entries {
			got = append(got, e.Name())
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s has templates\n%q\nwant\n%q", lang, got, want)
		}
		if _, ok := locales[lang]; !ok {
			t.Errorf("no date words for %s", lang)
		}
	}
	if len(locales) != len(Languages()) {
		t.Errorf("date words for %d languages, want %d", len(locales), len(Languages()))
	}
}

func TestAckContent(t *testing.T) {
	s := newSet(t)
	tests := []struct {
		lang  string
		p     int
		app   bool
		want  []string
		never []string
	}{
		{"sv", 3, true, []string{
			"[SOS-12]", "3 (Standard)", "Ekonomisystemet", "måndag 30 november 2026 kl. 15:00",
			"påbörjar felsökningen", "senast tisdag 1 december 2026 kl. 14:00",
			"måndag–fredag 08:00–17:00, dag före helgdag 08:30–14:00, stängt på helgdagar",
			"Svara på det här mejlet och behåll\n[SOS-12] i ämnesraden",
		}, []string{"+46 8 000 00 00", "telefon", "ej angiven"}},
		{"sv", 1, true, []string{"1 (Affärskritiskt)", "senast måndag 30 november 2026 kl. 17:00", "+46 8 000 00 00", "både per mejl och per telefon", "bekräfta prioriteten"}, nil},
		{"sv", 2, true, []string{"2 (Kritiskt)", "senast tisdag 1 december 2026 kl. 10:00", "+46 8 000 00 00", "bekräfta prioriteten"}, nil},
		{"sv", 3, false, []string{"Applikation:  ej angiven", "en av våra\nkonsulter fastställer det"}, nil},
		{"en", 3, true, []string{
			"[SOS-12]", "3 (Standard)", "Warehouse system", "Monday 30 November 2026 at 15:00",
			"will start troubleshooting", "no later than Tuesday 1 December 2026 at 14:00",
			"Monday–Friday 08:00–17:00, the day before a public holiday 08:30–14:00, closed on public holidays",
			"reply to this email and keep [SOS-12]\nin the subject line",
		}, []string{"+46 8 000 00 00", "phone", "not specified"}},
		{"en", 1, true, []string{"1 (Affärskritiskt)", "no later than Monday 30 November 2026 at 17:00", "+46 8 000 00 00", "both by email and by phone", "confirm the priority"}, nil},
		{"en", 2, true, []string{"2 (Kritiskt)", "+46 8 000 00 00", "confirm the priority"}, nil},
		{"en", 3, false, []string{"Application:  not specified", "one of\nour consultants will determine it"}, nil},
	}
	for _, tt := range tests {
		r := render(t, s, Ack, tt.lang, ackData(tt.lang, tt.p, tt.app))
		page := html.UnescapeString(r.HTML)
		for _, w := range tt.want {
			if !strings.Contains(r.Text, w) {
				t.Errorf("%s P%d app=%v: text lacks %q:\n%s", tt.lang, tt.p, tt.app, w, r.Text)
			}
			// The HTML part has no line breaks in sentences and no
			// aligned labels.
			if w := strings.ReplaceAll(w, "\n", " "); !strings.Contains(page, w) && !strings.Contains(w, "  ") {
				t.Errorf("%s P%d app=%v: HTML lacks %q:\n%s", tt.lang, tt.p, tt.app, w, r.HTML)
			}
		}
		for _, n := range tt.never {
			if strings.Contains(r.Text, n) || strings.Contains(page, n) {
				t.Errorf("%s P%d app=%v: mail contains %q", tt.lang, tt.p, tt.app, n)
			}
		}
		if !strings.HasPrefix(r.Subject, "[SOS-12] ") {
			t.Errorf("%s: subject %q lacks the tag", tt.lang, r.Subject)
		}
	}
}

func TestAckWithoutPhone(t *testing.T) {
	s := newSet(t)
	for _, lang := range Languages() {
		d := ackData(lang, 1, true)
		d.Phone = ""
		r := render(t, s, Ack, lang, d)
		if strings.Contains(r.Text, " på  ") || strings.Contains(r.Text, " on  ") || strings.Contains(r.Text, "<no value>") {
			t.Errorf("%s: broken phone sentence:\n%s", lang, r.Text)
		}
	}
}

func TestLoopContent(t *testing.T) {
	s := newSet(t)
	tests := []struct {
		lang  string
		limit int
		want  []string
	}{
		{"sv", 20, []string{"Många mejl från alerts@monitor.acme.se: inga fler svar skickas",
			"Fler än 20 mejl från alerts@monitor.acme.se", "måndag 30 november 2026 kl. 15:00",
			"ärenden\nöppnas som vanligt", "skickas inga fler mejl till avsändaren", "högst en gång per dag och avsändare"}},
		{"sv", 1, []string{"Fler än 1 mejl från"}},
		{"en", 20, []string{"Many mails from alerts@monitor.acme.se: no more replies are sent",
			"has sent more than 20 mails within an hour", "Monday 30 November 2026 at 15:00",
			"tickets\nare opened as usual", "no more mail is sent to the sender", "at most once a day per sender"}},
		{"en", 1, []string{"more than 1 mail within an hour"}},
	}
	for _, tt := range tests {
		d := dataFor(LoopNotice, tt.lang).(LoopData)
		d.Limit = tt.limit
		r := render(t, s, LoopNotice, tt.lang, d)
		all := r.Subject + "\n" + r.Text
		page := html.UnescapeString(strings.NewReplacer("<strong>", "", "</strong>", "").Replace(r.HTML))
		for _, w := range tt.want {
			if !strings.Contains(all, w) {
				t.Errorf("%s limit %d: mail lacks %q:\n%s", tt.lang, tt.limit, w, all)
			}
			if w := strings.ReplaceAll(w, "\n", " "); !strings.HasPrefix(w, "M") && !strings.Contains(page, w) {
				t.Errorf("%s limit %d: HTML lacks %q:\n%s", tt.lang, tt.limit, w, r.HTML)
			}
		}
	}
}

func TestDeliveryFailedContent(t *testing.T) {
	s := newSet(t)
	ack := map[string]string{"sv": "kunden har inte fått", "en": "the customer has not received"}
	label := map[string]string{"sv": "Typ:         ", "en": "Type:        "}
	for _, lang := range Languages() {
		// With a ticket: the tag leads the subject, and an
		// acknowledgement asks for the customer to be contacted.
		r := render(t, s, DeliveryFailed, lang, failedAckData(lang))
		if !strings.HasPrefix(r.Subject, "[SOS-12] ") || !strings.HasSuffix(r.Subject, " "+customers[lang].reporter) {
			t.Errorf("%s: subject %q", lang, r.Subject)
		}
		for _, w := range []string{"550 5.1.1 no such user", "SOS-12", ack[lang], "<sos-12.ack.k3xq7vmz2pdw4ta6@sos.example>"} {
			if !strings.Contains(r.Text, w) || !strings.Contains(html.UnescapeString(r.HTML), w) {
				t.Errorf("%s: mail lacks %q:\n%s\n%s", lang, w, r.Text, r.HTML)
			}
		}

		// Without a ticket: no tag, no ticket row; only an
		// acknowledgement speaks of the customer.
		d := failedAckData(lang)
		d.Ticket, d.MailKind = "", string(ReplyNotice)
		r = render(t, s, DeliveryFailed, lang, d)
		if strings.Contains(r.Subject, "[") || strings.Contains(r.Text, "SOS-12\n") || strings.Contains(r.HTML, ">SOS-12<") {
			t.Errorf("%s: a mail without a ticket names one:\n%s\n%s", lang, r.Subject, r.Text)
		}
		if strings.Contains(r.Text, ack[lang]) || strings.Contains(r.HTML, ack[lang]) {
			t.Errorf("%s: the acknowledgement advice in a notice about a %s:\n%s", lang, d.MailKind, r.Text)
		}

		// Every kind of this package is written as words, the same in
		// both parts; any other kind is shown as is.
		seen := map[string]Kind{}
		for _, k := range append(slices.Clone(kinds), "digest", "") {
			d.MailKind = string(k)
			r := render(t, s, DeliveryFailed, lang, d)
			i := strings.Index(r.Text, "\n"+label[lang])
			if i < 0 {
				t.Fatalf("%s: no %q line:\n%s", lang, label[lang], r.Text)
			}
			words, _, _ := strings.Cut(r.Text[i+1+len(label[lang]):], "\n")
			switch {
			case k == "digest":
				if words != "digest" {
					t.Errorf("%s: unknown kind %q shown as %q", lang, k, words)
				}
			case k == "":
				if words != map[string]string{"sv": "(okänd)", "en": "(unknown)"}[lang] {
					t.Errorf("%s: empty kind shown as %q", lang, words)
				}
			case words == string(k) || strings.Contains(words, "_"):
				t.Errorf("%s: kind %q has no words", lang, k)
			case seen[words] != "":
				t.Errorf("%s: kinds %q and %q are both %q", lang, seen[words], k, words)
			}
			seen[words] = k
			if !strings.Contains(r.HTML, "<td>"+words+"</td>") {
				t.Errorf("%s: the HTML part does not write kind %q as %q:\n%s", lang, k, words, r.HTML)
			}
		}
	}
}

// TestNoLinks: mail scanners follow links, so no mail has one.
func TestNoLinks(t *testing.T) {
	s := newSet(t)
	for _, lang := range Languages() {
		for _, c := range goldenCases {
			r := render(t, s, c.kind, lang, c.data(lang))
			for _, bad := range []string{"<a ", "href", "http:", "https:"} {
				if strings.Contains(r.HTML, bad) || strings.Contains(r.Text, bad) {
					t.Errorf("%s/%s contains %q", lang, c.name, bad)
				}
			}
		}
	}
}

func TestHTMLEscapes(t *testing.T) {
	s := newSet(t)
	const evil = `<script>alert("x")</script>`
	for _, lang := range Languages() {
		a := ackData(lang, 1, true)
		a.Ticket.Subject = evil
		n := noticeData(lang, 1, false, true)
		n.Ticket.Subject, n.NewText, n.Ticket.Customer = evil, evil, evil
		r := replyData(lang, "")
		r.NewText, r.From = evil, evil
		u := dataFor(UnknownSender, lang).(UnknownSenderData)
		u.Subject, u.Sender = evil, evil
		q := dataFor(QuarantineNotice, lang).(QuarantineData)
		q.Subject, q.Reason, q.From, q.MessageID = evil, evil, evil, evil
		l := dataFor(LoopNotice, lang).(LoopData)
		l.Sender = evil
		f := failedAckData(lang)
		f.Ticket, f.MailKind, f.To, f.Subject, f.MessageID, f.Reason = evil, evil, evil, evil, evil, evil
		cr := consultantReplyData(lang)
		cr.Ticket.Subject, cr.Consultant, cr.Text = evil, evil, evil
		rs := resolvedData(lang, true)
		rs.Ticket.Subject, rs.Consultant, rs.Text = evil, evil, evil
		ap := ApprovedData{Ticket: ticket(lang, 3, true)}
		ap.Ticket.Subject = evil
		ro := ReopenedData{Ticket: ticket(lang, 3, true), Reason: "rejected"}
		ro.Ticket.Subject, ro.Ticket.Application = evil, evil
		rc := receiptData(lang)
		rc.Ticket.Customer = evil
		rc.Changes = append(rc.Changes, Change{Kind: "application", From: evil, To: evil}, Change{Kind: "assigned", To: evil})
		ce := commandErrorData(lang)
		ce.Subject = evil
		ce.Problems = append(ce.Problems, Problem{Line: evil, Code: "bad_application", Valid: []string{evil}})
		cf := refusedData(lang, "not_authentic")
		cf.Subject, cf.TicketID = evil, evil
		cn := refusedData(lang, "no_ticket")
		cn.Subject, cn.SupportAddress = evil, evil
		os := onsiteData(lang, true)
		os.Ticket.Subject, os.Consultant, os.Text = evil, evil, evil
		wn := warningData(lang, true)
		wn.Ticket.Subject, wn.Assignee = evil, evil
		br := breachData(lang, true)
		br.Ticket.Customer, br.Assignee = evil, evil
		cl := callData(lang, true)
		cl.Ticket.Reporter, cl.Contact, cl.Phone = evil, evil, evil
		cn2 := callData(lang, false)
		cn2.Ticket.Reporter = evil
		rp := reportData(lang)
		rp.Customer, rp.AccountManager, rp.ByPriority[0].Name, rp.ByApplication[0].Name = evil, evil, evil, evil
		rp.Breaches = append([]ReportBreach(nil), rp.Breaches...)
		rp.Breaches[1].Subject = evil
		rm := meetingReportData(lang)
		rm.Customer, rm.Meeting = evil, &ReportMeeting{Start: meetingStart, Minutes: 60, Organizer: evil}
		mt := meetingData(lang, true)
		mt.Customer, mt.Organizer, mt.Consultancy = evil, evil, evil
		for _, c := range []struct {
			kind Kind
			data any
		}{{Ack, a}, {ConsultantNotice, n}, {ReplyNotice, r}, {UnknownSender, u}, {QuarantineNotice, q}, {LoopNotice, l},
			{DeliveryFailed, f}, {ConsultantReply, cr}, {Resolved, rs}, {Approved, ap}, {Reopened, ro}, {Receipt, rc},
			{CommandError, ce}, {CommandRefused, cf}, {CommandRefused, cn}, {Onsite, os},
			{Warning, wn}, {Breach, br}, {CallReminder, cl}, {CallReminder, cn2}, {Report, rp}, {Report, rm}, {Meeting, mt}} {
			kind := c.kind
			out := render(t, s, kind, lang, c.data)
			if strings.Contains(out.HTML, "<script") {
				t.Errorf("%s/%s: HTML not escaped:\n%s", lang, kind, out.HTML)
			}
			if !strings.Contains(out.HTML, "&lt;script&gt;") {
				t.Errorf("%s/%s: escaped subject missing from HTML:\n%s", lang, kind, out.HTML)
			}
			if !strings.Contains(out.Text, evil) {
				t.Errorf("%s/%s: the text part should carry the subject as is:\n%s", lang, kind, out.Text)
			}
		}
	}
}

func TestSubjectOneLine(t *testing.T) {
	s := newSet(t)
	const multi = "Servern\r\nsvarar inte\nBcc: victim@example.org\r\n"
	for _, lang := range Languages() {
		a := ackData(lang, 3, true)
		a.Ticket.Subject = multi
		n := noticeData(lang, 3, true, true)
		n.Ticket.Subject = multi
		r := replyData(lang, "approved")
		r.Ticket.Subject = multi
		u := dataFor(UnknownSender, lang).(UnknownSenderData)
		u.Subject = multi
		q := dataFor(QuarantineNotice, lang).(QuarantineData)
		q.Subject = multi
		// Every mail about a ticket carries the ticket's subject.
		cr := consultantReplyData(lang)
		cr.Ticket.Subject = multi
		rs := resolvedData(lang, false)
		rs.Ticket.Subject = multi
		ap := ApprovedData{Ticket: ticket(lang, 3, true)}
		ap.Ticket.Subject = multi
		ro := ReopenedData{Ticket: ticket(lang, 3, true), Reason: "reply_after_close"}
		ro.Ticket.Subject = multi
		rc := receiptData(lang)
		rc.Ticket.Subject = multi
		os := onsiteData(lang, false)
		os.Ticket.Subject = multi
		wn := warningData(lang, false)
		wn.Ticket.Subject = multi
		br := breachData(lang, true)
		br.Ticket.Subject = multi
		cl := callData(lang, false)
		cl.Ticket.Subject = multi
		for kind, data := range map[Kind]any{Ack: a, ConsultantNotice: n, ReplyNotice: r, UnknownSender: u, QuarantineNotice: q,
			ConsultantReply: cr, Resolved: rs, Approved: ap, Reopened: ro, Receipt: rc, Onsite: os,
			Warning: wn, Breach: br, CallReminder: cl} {
			out := render(t, s, kind, lang, data)
			if strings.ContainsAny(out.Subject, "\r\n") {
				t.Errorf("%s/%s: subject %q is not one line", lang, kind, out.Subject)
			}
			if !strings.HasSuffix(out.Subject, "Servern svarar inte Bcc: victim@example.org") {
				t.Errorf("%s/%s: subject %q", lang, kind, out.Subject)
			}
			if !strings.Contains(out.Text, "Servern svarar inte Bcc:") {
				t.Errorf("%s/%s: the subject in the text part is not one line:\n%s", lang, kind, out.Text)
			}
		}
	}
	// The loop notice and the delivery failure carry an address in the
	// subject; the failed mail's subject is only in the body.
	const multiTo = "eva@acme.se\r\nBcc: victim@example.org"
	for _, lang := range Languages() {
		l := dataFor(LoopNotice, lang).(LoopData)
		l.Sender = multiTo
		f := failedAckData(lang)
		f.To, f.Subject = multiTo, multi
		for kind, data := range map[Kind]any{LoopNotice: l, DeliveryFailed: f} {
			out := render(t, s, kind, lang, data)
			if strings.ContainsAny(out.Subject, "\r\n") || !strings.Contains(out.Subject, "eva@acme.se Bcc: victim@example.org") {
				t.Errorf("%s/%s: subject %q is not one line", lang, kind, out.Subject)
			}
		}
		if out := render(t, s, DeliveryFailed, lang, f); !strings.Contains(out.Text, "Servern svarar inte Bcc:") {
			t.Errorf("%s/%s: the subject in the text part is not one line:\n%s", lang, DeliveryFailed, out.Text)
		}
		// The command mails quote the subject of the consultant's mail
		// in the body only.
		ce := commandErrorData(lang)
		ce.Subject = multi
		cf := refusedData(lang, "no_ticket")
		cf.Subject = multi
		for kind, data := range map[Kind]any{CommandError: ce, CommandRefused: cf} {
			out := render(t, s, kind, lang, data)
			if strings.ContainsAny(out.Subject, "\r\n") || strings.Contains(out.Subject, "Bcc") {
				t.Errorf("%s/%s: subject %q", lang, kind, out.Subject)
			}
			if !strings.Contains(out.Text, ":  Servern svarar inte Bcc: victim@example.org\n") {
				t.Errorf("%s/%s: the subject in the text part is not one line:\n%s", lang, kind, out.Text)
			}
		}
	}
	// The report carries the customer's name in its subject and the
	// breached tickets' subjects in its body.
	for _, lang := range Languages() {
		rp := reportData(lang)
		rp.Customer = "ACME\r\nBcc: victim@example.org"
		rp.Breaches = append([]ReportBreach(nil), rp.Breaches...)
		rp.Breaches[0].Subject = multi
		out := render(t, s, Report, lang, rp)
		if strings.ContainsAny(out.Subject, "\r\n") || !strings.Contains(out.Subject, "ACME Bcc: victim@example.org") {
			t.Errorf("%s/%s: subject %q is not one line", lang, Report, out.Subject)
		}
		if !strings.Contains(out.Text, "SOS-31: Servern svarar inte Bcc: victim@example.org\n") {
			t.Errorf("%s/%s: a breach's subject is not one line:\n%s", lang, Report, out.Text)
		}
		if rp.Breaches[0].Subject != multi {
			t.Errorf("%s: Render changed the caller's breaches", lang)
		}
	}
	// The meeting's title (a calendar's SUMMARY, also one line) carries
	// the customer's and the consultancy's names; the organizer is named
	// in the report's body.
	for _, lang := range Languages() {
		m := meetingData(lang, true)
		m.Customer, m.Consultancy = "ACME\r\nBcc: victim@example.org", "SOS\nKonsult"
		out := render(t, s, Meeting, lang, m)
		if strings.ContainsAny(out.Subject, "\r\n") || !strings.Contains(out.Subject, "ACME Bcc: victim@example.org") || !strings.Contains(out.Subject, "SOS Konsult") {
			t.Errorf("%s/%s: title %q is not one line", lang, Meeting, out.Subject)
		}
		rp := meetingReportData(lang)
		rp.Meeting = &ReportMeeting{Start: meetingStart, Minutes: 60, Organizer: "Karin\r\nLund"}
		if out := render(t, s, Report, lang, rp); !strings.Contains(out.Text, "Karin Lund,\n") {
			t.Errorf("%s/%s: the organizer is not one line:\n%s", lang, Report, out.Text)
		}
		if rp.Meeting.Organizer != "Karin\r\nLund" {
			t.Errorf("%s: Render changed the caller's meeting", lang)
		}
	}
	want := "[SOS-12] Vi har tagit emot ditt ärende: Servern svarar inte"
	a := ackData("sv", 3, true)
	a.Ticket.Subject = "  Servern\n\n  svarar inte \r\n"
	if got := render(t, s, Ack, "sv", a).Subject; got != want {
		t.Errorf("subject %q, want %q", got, want)
	}
}

func TestOneLine(t *testing.T) {
	for in, want := range map[string]string{
		"":                            "",
		"  plain  ":                   "plain",
		"a\r\nb":                      "a b",
		"a \n\n b":                    "a b",
		"\r\n\r\n":                    "",
		"a\u2028b\u2029c\u0085d":      "a b c d",
		"tab\tkept":                   "tab\tkept",
		"trailing\n":                  "trailing",
		"Re: [SOS-12]\n Servern nere": "Re: [SOS-12] Servern nere",
	} {
		if got := oneLine(in); got != want {
			t.Errorf("oneLine(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestEmptyOptionalFields renders every kind with every optional field
// empty: nothing may break or print "<no value>".
func TestEmptyOptionalFields(t *testing.T) {
	s := newSet(t)
	for _, lang := range Languages() {
		tk := ticket(lang, 1, false)
		tk.Subject = ""
		for kind, data := range map[Kind]any{
			Ack:              AckData{Ticket: tk, Hours: Hours{Days: hours.Days, Open: "08:00", Close: "17:00"}},
			ConsultantNotice: ConsultantNoticeData{Ticket: tk, ApplicationUnknown: true},
			ReplyNotice:      ReplyNoticeData{Ticket: tk},
			UnknownSender:    UnknownSenderData{},
			QuarantineNotice: QuarantineData{Received: received},
			LoopNotice:       LoopData{Sender: "alerts@monitor.acme.se", Limit: 1, Received: received},
			DeliveryFailed:   DeliveryFailedData{To: "eva@acme.se", Reason: "550 5.1.1 no such user", Failed: received},
			ConsultantReply:  ConsultantReplyData{Ticket: tk, Text: "x"},
			Resolved:         ResolvedData{Ticket: tk},
			Approved:         ApprovedData{Ticket: tk},
			Reopened:         ReopenedData{Ticket: tk, Reason: "rejected"},
			Receipt:          ReceiptData{Ticket: tk, Changes: []Change{{Kind: "application"}, {Kind: "started"}}},
			CommandError:     CommandErrorData{TicketID: "SOS-12", Problems: []Problem{{Line: "#app x", Code: "bad_application"}, {Line: "#assign x@y.se", Code: "not_consultant"}}},
			CommandRefused:   CommandRefusedData{Reason: "no_ticket"},
			Onsite:           OnsiteData{Ticket: tk, At: received},
			Warning:          WarningData{Ticket: tk, Percent: 75},
			Breach:           BreachData{Ticket: tk},
			CallReminder:     CallReminderData{Ticket: tk, LimitMinutes: 240, BusinessMinutes: 240},
			Report:           ReportData{Customer: "ACME AB", Quarter: "2026Q4", From: q4From, To: q4To, Trend: []ReportTrend{{Quarter: "2026Q4"}}},
			Meeting:          MeetingData{Customer: "ACME AB", Quarter: "2026Q4", Start: meetingStart, Minutes: 15, Organizer: "karin@sos.example"},
		} {
			out := render(t, s, kind, lang, data)
			for _, part := range []string{out.Subject, out.Text, out.HTML} {
				if strings.Contains(part, "<no value>") || strings.Contains(part, "%!") || strings.HasSuffix(out.Subject, ":") {
					t.Errorf("%s/%s renders badly with empty fields:\n%s\n%s", lang, kind, out.Subject, part)
				}
			}
		}
	}
}

// renderErrorCase is data Render must refuse.
type renderErrorCase struct {
	name string
	kind Kind
	lang string
	data any
}

func TestRenderErrors(t *testing.T) {
	s := newSet(t)
	good := ackData("sv", 3, true)
	noID := good
	noID.Ticket.ID = ""
	noPrio := good
	noPrio.Ticket.Priority = 0
	noDeadline := good
	noDeadline.Ticket.Deadline = time.Time{}
	badNote := replyData("sv", "godkänd")
	tests := []renderErrorCase{
		{"unknown language", Ack, "de", good},
		{"empty language", Ack, "", good},
		{"language case", Ack, "SV", good},
		{"unknown kind", Kind("digest"), "sv", good},
		{"wrong data type", Ack, "sv", replyData("sv", "")},
		{"wrong data type for notice", ConsultantNotice, "sv", good},
		{"nil data", UnknownSender, "sv", nil},
		{"nil pointer", Ack, "sv", (*AckData)(nil)},
		{"map data", QuarantineNotice, "sv", map[string]any{"Reason": "x"}},
		{"ticket without id", Ack, "sv", noID},
		{"priority 0", Ack, "sv", noPrio},
		{"no deadline", Ack, "en", noDeadline},
		{"unknown status note", ReplyNotice, "sv", badNote},
		{"quarantine without time", QuarantineNotice, "sv", QuarantineData{Reason: "x"}},
		{"loop without sender", LoopNotice, "sv", LoopData{Limit: 20, Received: received}},
		{"loop limit 0", LoopNotice, "en", LoopData{Sender: "a@b.se", Received: received}},
		{"loop negative limit", LoopNotice, "sv", LoopData{Sender: "a@b.se", Limit: -1, Received: received}},
		{"loop without time", LoopNotice, "sv", LoopData{Sender: "a@b.se", Limit: 20}},
		{"wrong data type for loop", LoopNotice, "sv", QuarantineData{Reason: "x", Received: received}},
		{"failure without recipient", DeliveryFailed, "sv", DeliveryFailedData{Reason: "550", Failed: received}},
		{"failure without reason", DeliveryFailed, "en", DeliveryFailedData{To: "a@b.se", Failed: received}},
		{"failure without time", DeliveryFailed, "sv", DeliveryFailedData{To: "a@b.se", Reason: "550"}},
		{"nil failure", DeliveryFailed, "sv", (*DeliveryFailedData)(nil)},
	}
	tests = append(tests, workRenderErrors()...)
	tests = append(tests, jobsRenderErrors()...)
	for _, tt := range tests {
		if _, err := s.Render(tt.kind, tt.lang, tt.data); err == nil {
			t.Errorf("%s: Render succeeded, want an error", tt.name)
		}
	}
}

func TestRenderPointer(t *testing.T) {
	s := newSet(t)
	d := ackData("sv", 2, true)
	byValue := render(t, s, Ack, "sv", d)
	byPointer := render(t, s, Ack, "sv", &d)
	if byValue != byPointer {
		t.Error("rendering a pointer differs from rendering the value")
	}
}

func TestRenderConcurrent(t *testing.T) {
	s := newSet(t)
	want := render(t, s, Ack, "sv", ackData("sv", 1, true))
	for i := range 8 {
		t.Run("", func(t *testing.T) {
			t.Parallel()
			lang := Languages()[i%2]
			got := render(t, s, Ack, lang, ackData(lang, 1, true))
			if lang == "sv" && got != want {
				t.Error("concurrent render differs")
			}
		})
	}
}

func TestLongDate(t *testing.T) {
	utc := time.UTC
	tests := []struct {
		t      time.Time
		sv, en string
	}{
		// Every weekday.
		{at(2026, time.November, 30, 15, 0), "måndag 30 november 2026 kl. 15:00", "Monday 30 November 2026 at 15:00"},
		{at(2026, time.December, 1, 14, 0), "tisdag 1 december 2026 kl. 14:00", "Tuesday 1 December 2026 at 14:00"},
		{at(2026, time.December, 2, 8, 0), "onsdag 2 december 2026 kl. 08:00", "Wednesday 2 December 2026 at 08:00"},
		{at(2026, time.December, 3, 9, 5), "torsdag 3 december 2026 kl. 09:05", "Thursday 3 December 2026 at 09:05"},
		{at(2026, time.December, 4, 17, 0), "fredag 4 december 2026 kl. 17:00", "Friday 4 December 2026 at 17:00"},
		{at(2026, time.December, 5, 12, 30), "lördag 5 december 2026 kl. 12:30", "Saturday 5 December 2026 at 12:30"},
		{at(2026, time.December, 6, 23, 59), "söndag 6 december 2026 kl. 23:59", "Sunday 6 December 2026 at 23:59"},
		// Every month; day 1 and 21 have no leading zero and no ordinal.
		{at(2026, time.January, 1, 8, 0), "torsdag 1 januari 2026 kl. 08:00", "Thursday 1 January 2026 at 08:00"},
		{at(2026, time.February, 21, 8, 0), "lördag 21 februari 2026 kl. 08:00", "Saturday 21 February 2026 at 08:00"},
		{at(2026, time.March, 1, 8, 0), "söndag 1 mars 2026 kl. 08:00", "Sunday 1 March 2026 at 08:00"},
		{at(2026, time.April, 21, 8, 0), "tisdag 21 april 2026 kl. 08:00", "Tuesday 21 April 2026 at 08:00"},
		{at(2026, time.May, 1, 8, 0), "fredag 1 maj 2026 kl. 08:00", "Friday 1 May 2026 at 08:00"},
		{at(2026, time.June, 21, 8, 0), "söndag 21 juni 2026 kl. 08:00", "Sunday 21 June 2026 at 08:00"},
		{at(2026, time.July, 1, 8, 0), "onsdag 1 juli 2026 kl. 08:00", "Wednesday 1 July 2026 at 08:00"},
		{at(2026, time.August, 21, 8, 0), "fredag 21 augusti 2026 kl. 08:00", "Friday 21 August 2026 at 08:00"},
		{at(2026, time.September, 1, 8, 0), "tisdag 1 september 2026 kl. 08:00", "Tuesday 1 September 2026 at 08:00"},
		{at(2026, time.October, 21, 8, 0), "onsdag 21 oktober 2026 kl. 08:00", "Wednesday 21 October 2026 at 08:00"},
		{at(2026, time.November, 1, 8, 0), "söndag 1 november 2026 kl. 08:00", "Sunday 1 November 2026 at 08:00"},
		{at(2026, time.December, 21, 8, 0), "måndag 21 december 2026 kl. 08:00", "Monday 21 December 2026 at 08:00"},
		// Midnight: 00:00 belongs to the new day; the zone of t decides
		// the day, so one instant is two dates in two zones.
		{at(2026, time.December, 1, 0, 0), "tisdag 1 december 2026 kl. 00:00", "Tuesday 1 December 2026 at 00:00"},
		{time.Date(2026, time.November, 30, 23, 30, 0, 0, utc).In(stockholm), "tisdag 1 december 2026 kl. 00:30", "Tuesday 1 December 2026 at 00:30"},
		{time.Date(2026, time.November, 30, 23, 30, 0, 0, utc), "måndag 30 november 2026 kl. 23:30", "Monday 30 November 2026 at 23:30"},
		{at(2026, time.December, 31, 23, 59), "torsdag 31 december 2026 kl. 23:59", "Thursday 31 December 2026 at 23:59"},
		{at(2027, time.January, 1, 0, 0), "fredag 1 januari 2027 kl. 00:00", "Friday 1 January 2027 at 00:00"},
		// Seconds are not written.
		{time.Date(2026, time.December, 1, 13, 59, 59, 0, stockholm), "tisdag 1 december 2026 kl. 13:59", "Tuesday 1 December 2026 at 13:59"},
	}
	for _, tt := range tests {
		if got := LongDate(tt.t, "sv"); got != tt.sv {
			t.Errorf("LongDate(%v, sv) = %q, want %q", tt.t, got, tt.sv)
		}
		if got := LongDate(tt.t, "en"); got != tt.en {
			t.Errorf("LongDate(%v, en) = %q, want %q", tt.t, got, tt.en)
		}
		if got, want := LongDeadline(tt.t, "sv"), "senast "+tt.sv; got != want {
			t.Errorf("LongDeadline(%v, sv) = %q, want %q", tt.t, got, want)
		}
		if got, want := LongDeadline(tt.t, "en"), "no later than "+tt.en; got != want {
			t.Errorf("LongDeadline(%v, en) = %q, want %q", tt.t, got, want)
		}
	}
	if got, want := LongDeadline(deadlines[3], "sv"), "senast tisdag 1 december 2026 kl. 14:00"; got != want {
		t.Errorf("LongDeadline = %q, want %q", got, want)
	}
	if got, want := LongDeadline(deadlines[3], "en"), "no later than Tuesday 1 December 2026 at 14:00"; got != want {
		t.Errorf("LongDeadline = %q, want %q", got, want)
	}
}

// TestEnglishNames checks the English words against the standard library.
func TestEnglishNames(t *testing.T) {
	en := locales["en"]
	for d := time.Sunday; d <= time.Saturday; d++ {
		if en.weekdays[d] != d.String() {
			t.Errorf("weekday %d: %q, want %q", d, en.weekdays[d], d.String())
		}
	}
	for m := time.January; m <= time.December; m++ {
		if en.months[m-1] != m.String() {
			t.Errorf("month %d: %q, want %q", m, en.months[m-1], m.String())
		}
	}
}

func TestHoursText(t *testing.T) {
	wd := func(days ...time.Weekday) []time.Weekday { return days }
	mon, tue, wed, thu, fri, sat, sun := time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday
	tests := []struct {
		name   string
		h      Hours
		sv, en string
	}{
		{"agreement", hours,
			"måndag–fredag 08:00–17:00, dag före helgdag 08:30–14:00, stängt på helgdagar",
			"Monday–Friday 08:00–17:00, the day before a public holiday 08:30–14:00, closed on public holidays"},
		{"no eves, no holidays", Hours{Days: hours.Days, Open: "07:00", Close: "16:00"},
			"måndag–fredag 07:00–16:00", "Monday–Friday 07:00–16:00"},
		{"holidays without eves", Hours{Days: hours.Days, Open: "08:00", Close: "17:00", Holidays: true},
			"måndag–fredag 08:00–17:00, stängt på helgdagar", "Monday–Friday 08:00–17:00, closed on public holidays"},
		{"half an eve is no eve", Hours{Days: hours.Days, Open: "08:00", Close: "17:00", EveOpen: "08:30"},
			"måndag–fredag 08:00–17:00", "Monday–Friday 08:00–17:00"},
		{"round the clock", Hours{Days: wd(mon, tue, wed, thu, fri, sat, sun), Open: "00:00", Close: "24:00"},
			"alla dagar dygnet runt", "every day around the clock"},
		{"round the clock, unordered", Hours{Days: wd(sun, sat, fri, thu, wed, tue, mon, mon), Open: "00:00", Close: "24:00"},
			"alla dagar dygnet runt", "every day around the clock"},
		{"weekdays round the clock", Hours{Days: hours.Days, Open: "00:00", Close: "24:00", Holidays: true},
			"måndag–fredag dygnet runt, stängt på helgdagar", "Monday–Friday around the clock, closed on public holidays"},
		{"every day", Hours{Days: wd(mon, tue, wed, thu, fri, sat, sun), Open: "06:00", Close: "22:00"},
			"alla dagar 06:00–22:00", "every day 06:00–22:00"},
		{"00:00 to 23:59 is not round the clock", Hours{Days: wd(mon), Open: "00:00", Close: "23:59"},
			"måndag 00:00–23:59", "Monday 00:00–23:59"},
		{"list", Hours{Days: wd(mon, wed, fri), Open: "08:00", Close: "17:00"},
			"måndag, onsdag och fredag 08:00–17:00", "Monday, Wednesday and Friday 08:00–17:00"},
		{"list, unordered", Hours{Days: wd(fri, mon, wed, fri), Open: "08:00", Close: "17:00"},
			"måndag, onsdag och fredag 08:00–17:00", "Monday, Wednesday and Friday 08:00–17:00"},
		{"two days are a list", Hours{Days: wd(mon, tue), Open: "08:00", Close: "12:00"},
			"måndag och tisdag 08:00–12:00", "Monday and Tuesday 08:00–12:00"},
		{"weekend", Hours{Days: wd(sat, sun), Open: "10:00", Close: "14:00"},
			"lördag och söndag 10:00–14:00", "Saturday and Sunday 10:00–14:00"},
		{"one day", Hours{Days: wd(thu), Open: "08:00", Close: "17:00"},
			"torsdag 08:00–17:00", "Thursday 08:00–17:00"},
		{"range and a day", Hours{Days: wd(mon, tue, wed, fri), Open: "08:00", Close: "17:00"},
			"måndag–onsdag och fredag 08:00–17:00", "Monday–Wednesday and Friday 08:00–17:00"},
		{"day and a range", Hours{Days: wd(mon, wed, thu, fri), Open: "08:00", Close: "17:00"},
			"måndag och onsdag–fredag 08:00–17:00", "Monday and Wednesday–Friday 08:00–17:00"},
		{"range past Sunday", Hours{Days: wd(fri, sat, sun, mon), Open: "08:00", Close: "17:00"},
			"fredag–måndag 08:00–17:00", "Friday–Monday 08:00–17:00"},
		{"six days", Hours{Days: wd(mon, tue, wed, thu, fri, sat), Open: "08:00", Close: "17:00"},
			"måndag–lördag 08:00–17:00", "Monday–Saturday 08:00–17:00"},
		{"six days without Wednesday", Hours{Days: wd(mon, tue, thu, fri, sat, sun), Open: "08:00", Close: "17:00"},
			"torsdag–tisdag 08:00–17:00", "Thursday–Tuesday 08:00–17:00"},
		{"round-the-clock eves", Hours{Days: hours.Days, Open: "08:00", Close: "17:00", EveOpen: "00:00", EveClose: "24:00", Holidays: true},
			"måndag–fredag 08:00–17:00, dag före helgdag dygnet runt, stängt på helgdagar",
			"Monday–Friday 08:00–17:00, the day before a public holiday around the clock, closed on public holidays"},
	}
	for _, tt := range tests {
		if got := HoursText(tt.h, "sv"); got != tt.sv {
			t.Errorf("%s: HoursText(sv) = %q, want %q", tt.name, got, tt.sv)
		}
		if got := HoursText(tt.h, "en"); got != tt.en {
			t.Errorf("%s: HoursText(en) = %q, want %q", tt.name, got, tt.en)
		}
	}
}

func TestDateFuncsUnknownLanguage(t *testing.T) {
	d := deadlines[3]
	if got, want := LongDate(d, "de"), LongDate(d, "en"); got != want {
		t.Errorf("LongDate(de) = %q, want the English %q", got, want)
	}
	if got, want := HoursText(hours, ""), HoursText(hours, "en"); got != want {
		t.Errorf("HoursText(\"\") = %q, want the English %q", got, want)
	}
}
