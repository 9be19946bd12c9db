package templates

import (
	"html"
	"slices"
	"strings"
	"testing"
	"time"
)

// The data of the mails of work.go. Anna Berg answers the fixed ticket of
// each language.

const consultantName = "Anna Berg"

// consultantTexts are the consultant's words of one language.
var consultantTexts = map[string]struct{ reply, resolved, onsite string }{
	"sv": {
		reply:    "Hej Eva!\n\nVi har startat om databastjänsten på er server, och Ekonomisystemet\nsvarar nu igen. Kan du be en kollega logga in och bekräfta att allt\nfungerar?\n\nAnna",
		resolved: "Hej Eva!\n\nOrsaken var en full disk på databasservern. Vi har rensat gamla\nloggfiler och lagt in en övervakning som varnar i god tid nästa gång.\n\nAnna",
		onsite:   "Hej Eva!\n\nVi behöver byta en disk i databasservern och kommer förbi på\nonsdag förmiddag. Se gärna till att någon kan släppa in oss i\nserverrummet.\n\nAnna",
	},
	"en": {
		reply:    "Hi Sam,\n\nWe have restarted the database service on your server, and the\nwarehouse system is responding again. Could you ask a colleague to\nlog in and confirm that everything works?\n\nAnna",
		resolved: "Hi Sam,\n\nThe cause was a full disk on the database server. We have removed\nold log files and added monitoring that warns us well in advance\nnext time.\n\nAnna",
		onsite:   "Hi Sam,\n\nWe need to replace a disk in the database server and will come by\non Wednesday morning. Please make sure someone can let us into the\nserver room.\n\nAnna",
	},
}

// visit is the booked on-site visit: Wednesday 2 December 2026 09:00.
var visit = at(2026, time.December, 2, 9, 0)

func consultantReplyData(lang string) ConsultantReplyData {
	return ConsultantReplyData{Ticket: ticket(lang, 3, true), Consultant: consultantName, Text: consultantTexts[lang].reply}
}

func resolvedData(lang string, text bool) ResolvedData {
	d := ResolvedData{Ticket: ticket(lang, 3, true), Consultant: consultantName}
	if text {
		d.Text = consultantTexts[lang].resolved
	}
	return d
}

func onsiteData(lang string, text bool) OnsiteData {
	d := OnsiteData{Ticket: ticket(lang, 3, true), Consultant: consultantName, At: visit}
	if text {
		d.Text = consultantTexts[lang].onsite
	}
	return d
}

// receiptData is a first answer that does a lot: the ticket, filed at
// priority 3 with the application unknown, is raised to priority 1, gets
// its application and an assignee, work and the call are logged, a visit
// is booked, and the text went to the customer (which started it).
func receiptData(lang string) ReceiptData {
	return ReceiptData{
		Ticket: ticket(lang, 1, true),
		Changes: []Change{
			{Kind: "started", Implied: true},
			{Kind: "priority", From: "3", To: "1", At: deadlines[1]},
			{Kind: "application", To: customers[lang].app},
			{Kind: "assigned", To: "anna@sos.example"},
			{Kind: "work", Minutes: 90},
			{Kind: "called"},
			{Kind: "onsite", At: visit},
		},
		ToCustomer: true,
	}
}

// receiptInternalData is an internal note that logs work, corrects the
// application and resolves the ticket.
func receiptInternalData(lang string) ReceiptData {
	app := map[string]string{"sv": "Intranätet", "en": "Customer portal"}[lang]
	return ReceiptData{
		Ticket: ticket(lang, 3, true),
		Changes: []Change{
			{Kind: "application", From: app, To: customers[lang].app},
			{Kind: "work", Minutes: 45},
			{Kind: "work", Minutes: 120},
			{Kind: "resolved"},
		},
		Internal: true,
	}
}

// commandSubject is the subject of Anna's answer to the consultant notice.
func commandSubject(lang string) string {
	return map[string]string{
		"sv": "Re: [SOS-12] Nytt ärende från ACME AB, prioritet 3: ",
		"en": "Re: [SOS-12] New ticket from Nordic Logistics Ltd, priority 3: ",
	}[lang] + customers[lang].subject
}

// commandErrorData is a realistic mail with three mistakes.
func commandErrorData(lang string) CommandErrorData {
	return CommandErrorData{TicketID: "SOS-12", Subject: commandSubject(lang), Problems: []Problem{
		{Line: "#prio 1", Code: "unknown_command"},
		{Line: "#app lön", Code: "bad_application", Valid: customers[lang].apps},
		{Line: "#time en timme", Code: "bad_duration"},
	}}
}

// commandErrorAllData has one problem of every Code.
func commandErrorAllData(lang string) CommandErrorData {
	return CommandErrorData{TicketID: "SOS-12", Subject: commandSubject(lang), Problems: []Problem{
		{Line: "#prio 1", Code: "unknown_command"},
		{Line: "#assign", Code: "missing_value"},
		{Line: "#start nu", Code: "unexpected_value"},
		{Line: "#priority 4", Code: "bad_priority"},
		{Line: "#app lön", Code: "bad_application", Valid: customers[lang].apps},
		{Line: "#assign anna@", Code: "bad_address"},
		{Line: "#assign eva.ek@acme.se", Code: "not_consultant", Valid: []string{"anna@sos.example", "johan@sos.example"}},
		{Line: "#time en timme", Code: "bad_duration"},
		{Line: "#onsite imorgon 9", Code: "bad_datetime"},
		{Line: "#resolve", Code: "not_allowed", Status: "new"},
		{Line: "#start", Code: "not_allowed", Status: "started"},
		{Line: "#resolve", Code: "not_allowed", Status: "resolved"},
		{Line: "#onsite 2026-12-01 09:00", Code: "not_allowed", Status: "closed"},
	}}
}

func refusedData(lang, reason string) CommandRefusedData {
	d := CommandRefusedData{Subject: commandSubject(lang), SupportAddress: "support@sos.example", Reason: reason}
	if reason == "not_authentic" {
		d.TicketID = "SOS-12"
	} else {
		d.Subject = map[string]string{"sv": "Serverbyte hos ACME", "en": "Server replacement at Nordic Logistics"}[lang]
	}
	return d
}

// workRenderErrors are the bad data of the kinds of work.go, for
// TestRenderErrors.
func workRenderErrors() []renderErrorCase {
	noID := consultantReplyData("sv")
	noID.Ticket.ID = ""
	blank := consultantReplyData("en")
	blank.Text = " \r\n\n "
	noDeadline := resolvedData("sv", true)
	noDeadline.Ticket.Deadline = time.Time{}
	noReceived := ApprovedData{Ticket: ticket("en", 3, true)}
	noReceived.Ticket.Received = time.Time{}
	prio4 := ReopenedData{Ticket: ticket("sv", 3, true), Reason: "rejected"}
	prio4.Ticket.Priority = 4
	receipt := func(c ...Change) ReceiptData { return ReceiptData{Ticket: ticket("sv", 3, true), Changes: c} }
	receiptNoID := receipt(Change{Kind: "closed"})
	receiptNoID.Ticket.ID = ""
	both := receipt()
	both.ToCustomer, both.Internal = true, true
	cmdErr := func(p ...Problem) CommandErrorData {
		return CommandErrorData{TicketID: "SOS-12", Subject: "Re: x", Problems: p}
	}
	noTicketErr := cmdErr(Problem{Line: "#prio 1", Code: "unknown_command"})
	noTicketErr.TicketID = ""
	onsiteNoTime := onsiteData("sv", true)
	onsiteNoTime.At = time.Time{}
	onsiteNoID := onsiteData("en", false)
	onsiteNoID.Ticket.ID = ""
	return []renderErrorCase{
		{"reply without ticket id", ConsultantReply, "sv", noID},
		{"reply without text", ConsultantReply, "en", blank},
		{"reply as resolved", Resolved, "sv", consultantReplyData("sv")},
		{"nil reply", ConsultantReply, "sv", (*ConsultantReplyData)(nil)},
		{"resolved without deadline", Resolved, "sv", noDeadline},
		{"approved without received time", Approved, "en", noReceived},
		{"approved without ticket", Approved, "sv", ApprovedData{}},
		{"reopened priority 4", Reopened, "sv", prio4},
		{"reopened without reason", Reopened, "sv", ReopenedData{Ticket: ticket("sv", 3, true)}},
		{"reopened unknown reason", Reopened, "en", ReopenedData{Ticket: ticket("en", 3, true), Reason: "reopened"}},
		{"reopened reason case", Reopened, "sv", ReopenedData{Ticket: ticket("sv", 3, true), Reason: "Rejected"}},
		{"receipt without ticket id", Receipt, "sv", receiptNoID},
		{"receipt both to the customer and internal", Receipt, "sv", both},
		{"unknown change", Receipt, "sv", receipt(Change{Kind: "started"}, Change{Kind: "reopened"})},
		{"empty change kind", Receipt, "en", receipt(Change{})},
		{"change kind case", Receipt, "sv", receipt(Change{Kind: "Closed"})},
		{"priority without values", Receipt, "sv", receipt(Change{Kind: "priority", At: deadlines[1]})},
		{"priority 4", Receipt, "sv", receipt(Change{Kind: "priority", From: "3", To: "4", At: deadlines[1]})},
		{"priority without deadline", Receipt, "en", receipt(Change{Kind: "priority", From: "3", To: "1"})},
		{"assigned to nobody", Receipt, "sv", receipt(Change{Kind: "assigned"})},
		{"no work", Receipt, "sv", receipt(Change{Kind: "work"})},
		{"negative work", Receipt, "en", receipt(Change{Kind: "work", Minutes: -30})},
		{"onsite without time", Receipt, "sv", receipt(Change{Kind: "onsite"})},
		{"command error without ticket id", CommandError, "sv", noTicketErr},
		{"command error without problems", CommandError, "en", cmdErr()},
		{"unknown problem code", CommandError, "sv", cmdErr(Problem{Line: "#prio 1", Code: "unknown_command"}, Problem{Line: "#x", Code: "typo"})},
		{"empty problem code", CommandError, "sv", cmdErr(Problem{Line: "#x"})},
		{"problem without line", CommandError, "en", cmdErr(Problem{Code: "unknown_command"})},
		{"not allowed without status", CommandError, "sv", cmdErr(Problem{Line: "#resolve", Code: "not_allowed"})},
		{"not allowed in unknown status", CommandError, "sv", cmdErr(Problem{Line: "#resolve", Code: "not_allowed", Status: "open"})},
		{"refused without reason", CommandRefused, "sv", CommandRefusedData{TicketID: "SOS-12"}},
		{"refused unknown reason", CommandRefused, "en", CommandRefusedData{Reason: "not_consultant"}},
		{"wrong data type for refused", CommandRefused, "sv", commandErrorData("sv")},
		{"onsite without time", Onsite, "sv", onsiteNoTime},
		{"onsite without ticket id", Onsite, "en", onsiteNoID},
		{"nil onsite", Onsite, "sv", (*OnsiteData)(nil)},
	}
}

// TestGoldenCoversEveryKind: every kind has a golden case, so the checks
// that walk goldenCases (no links, both languages) see every kind.
func TestGoldenCoversEveryKind(t *testing.T) {
	for _, k := range kinds {
		if !slices.ContainsFunc(goldenCases, func(c goldenCase) bool { return c.kind == k }) {
			t.Errorf("no golden case for %s", k)
		}
	}
}

// TestCustomerSubjectsTagged: every mail about a ticket carries [SOS-n]
// first in its subject (SPEC §3), so replies thread back. The mails about
// no ticket, and the meeting's title (no mail), have no tag.
func TestCustomerSubjectsTagged(t *testing.T) {
	s := newSet(t)
	for _, lang := range Languages() {
		for _, c := range goldenCases {
			if c.kind == CommandRefused && strings.HasSuffix(c.name, "no_ticket") || c.kind == UnknownSender ||
				c.kind == QuarantineNotice || c.kind == LoopNotice || c.kind == DeliveryFailed || c.kind == Report || c.kind == Meeting {
				if r := render(t, s, c.kind, lang, c.data(lang)); c.kind == Report || c.kind == Meeting {
					if strings.Contains(r.Subject, "[") {
						t.Errorf("%s/%s: subject %q has a tag, but is about no ticket", lang, c.name, r.Subject)
					}
				}
				continue
			}
			if r := render(t, s, c.kind, lang, c.data(lang)); !strings.HasPrefix(r.Subject, "[SOS-12] ") {
				t.Errorf("%s/%s: subject %q lacks the tag", lang, c.name, r.Subject)
			}
		}
		d := refusedData(lang, "no_ticket")
		if r := render(t, s, CommandRefused, lang, d); strings.Contains(r.Subject, "[") {
			t.Errorf("%s: a refusal about no ticket has a tag: %q", lang, r.Subject)
		}
	}
}

// both checks that the text part and the HTML part of r (unescaped, with
// line breaks as spaces and without markup) contain every want.
func both(t *testing.T, name string, r Rendered, want ...string) {
	t.Helper()
	page := html.UnescapeString(strings.NewReplacer("<strong>", "", "</strong>", "", "<code>", "", "</code>", "", "\n", " ").Replace(r.HTML))
	text := strings.ReplaceAll(r.Text, "\n", " ")
	for _, w := range want {
		if !strings.Contains(text, w) {
			t.Errorf("%s: text lacks %q:\n%s", name, w, r.Text)
		}
		if !strings.Contains(page, w) {
			t.Errorf("%s: HTML lacks %q:\n%s", name, w, r.HTML)
		}
	}
}

// never checks that no part of r contains any of bad.
func never(t *testing.T, name string, r Rendered, bad ...string) {
	t.Helper()
	for _, b := range bad {
		if strings.Contains(r.Subject, b) || strings.Contains(r.Text, b) || strings.Contains(html.UnescapeString(r.HTML), b) {
			t.Errorf("%s: mail contains %q", name, b)
		}
	}
}

func TestAckRefers(t *testing.T) {
	s := newSet(t)
	want := map[string][]string{
		"sv": {"Ditt mejl var ett svar i ärende SOS-5. Eftersom det ärendet avslutades", "ett nytt ärende, med en hänvisning till SOS-5."},
		"en": {"Your email was a reply to ticket SOS-5. As that ticket was closed", "a new ticket with a reference to SOS-5."},
	}
	for _, lang := range Languages() {
		d := ackData(lang, 3, true)
		d.Refers = "SOS-5"
		r := render(t, s, Ack, lang, d)
		both(t, lang, r, want[lang]...)
		never(t, lang, render(t, s, Ack, lang, ackData(lang, 3, true)), "SOS-5")
	}
}

func TestResolvedContent(t *testing.T) {
	s := newSet(t)
	tests := []struct {
		lang       string
		want, not  []string
		approveBad string
	}{
		{"sv", []string{"Anna Berg har arbetat med ditt ärende SOS-12", "skriv Godkänd som första ord", "OK går också bra",
			"inte börjar med Godkänd eller OK öppnar ärendet igen", "Anna Berg skriver:", "full disk"}, []string{"Approved"}, ""},
		{"en", []string{"Anna Berg has worked on your ticket SOS-12", "with Approved as the first word", "OK works too",
			"does not start with Approved or OK reopens the ticket", "Anna Berg writes:", "full disk"}, []string{"Godkänd"}, ""},
	}
	for _, tt := range tests {
		r := render(t, s, Resolved, tt.lang, resolvedData(tt.lang, true))
		both(t, tt.lang, r, tt.want...)
		never(t, tt.lang, r, tt.not...)
		// Without text and consultant: no quote, no empty name.
		d := resolvedData(tt.lang, false)
		d.Consultant = ""
		r = render(t, s, Resolved, tt.lang, d)
		never(t, tt.lang+" without text", r, "skriver:", "writes:", "Anna")
		both(t, tt.lang+" without text", r, map[string]string{"sv": "Vår konsult har arbetat", "en": "Our consultant has worked"}[tt.lang])
	}
}

func TestReopenedContent(t *testing.T) {
	s := newSet(t)
	for _, tt := range []struct {
		lang, reason string
		want, not    []string
	}{
		{"sv", "rejected", []string{"inte var ett godkännande", "öppnat ärende SOS-12 igen", "berätta det, så avslutar vi ärendet"}, []string{"redan avslutats"}},
		{"sv", "reply_after_close", []string{"SOS-12 hade redan avslutats", "öppnat det igen"}, []string{"godkännande"}},
		{"en", "rejected", []string{"did not approve the solution", "reopened ticket SOS-12", "tell us, and we will close"}, []string{"already been closed"}},
		{"en", "reply_after_close", []string{"SOS-12 had already been closed", "reopened it"}, []string{"approve"}},
	} {
		r := render(t, s, Reopened, tt.lang, ReopenedData{Ticket: ticket(tt.lang, 3, true), Reason: tt.reason})
		both(t, tt.lang+"/"+tt.reason, r, tt.want...)
		never(t, tt.lang+"/"+tt.reason, r, tt.not...)
	}
}

func TestReceiptContent(t *testing.T) {
	s := newSet(t)
	want := map[string][]string{
		"sv": {"  - Felsökningen är registrerad som påbörjad (automatiskt",
			"  - Prioriteten är ändrad från 3 till 1. Ny deadline: måndag 30 november 2026 kl. 17:00.",
			"  - Applikationen är satt till Ekonomisystemet.", "  - Ärendet är tilldelat anna@sos.example.",
			"  - Arbetstid loggad: 1 h 30 min.", "  - Samtalet enligt fyratimmarsregeln är registrerat.",
			"  - Platsbesök bokat onsdag 2 december 2026 kl. 09:00.", "Din text har skickats till kunden"},
		"en": {"  - Troubleshooting recorded as started (automatically",
			"  - Priority changed from 3 to 1. New deadline: Monday 30 November 2026 at 17:00.",
			"  - Application set to Warehouse system.", "  - Ticket assigned to anna@sos.example.",
			"  - Work logged: 1 h 30 min.", "  - The four-hour-rule call is recorded.",
			"  - On-site visit booked for Wednesday 2 December 2026 at 09:00.", "Your text has been sent to the customer"},
	}
	for _, lang := range Languages() {
		r := render(t, s, Receipt, lang, receiptData(lang))
		for _, w := range want[lang] {
			if !strings.Contains(r.Text, w) {
				t.Errorf("%s: text lacks %q:\n%s", lang, w, r.Text)
			}
			if w := strings.TrimPrefix(w, "  - "); !strings.Contains(html.UnescapeString(r.HTML), w) {
				t.Errorf("%s: HTML lacks %q:\n%s", lang, w, r.HTML)
			}
		}
		never(t, lang, r, "#internal")
		r = render(t, s, Receipt, lang, receiptInternalData(lang))
		both(t, lang+" internal", r, "#internal")
		never(t, lang+" internal", r, "Din text", "Your text")

		// Work is hours and minutes; whole hours have no minutes.
		for minutes, w := range map[int]string{1: " 1 min.", 45: " 45 min.", 60: " 1 h.", 90: " 1 h 30 min.", 125: " 2 h 5 min.", 600: " 10 h."} {
			d := ReceiptData{Ticket: ticket(lang, 3, true), Changes: []Change{{Kind: "work", Minutes: minutes}}}
			if r := render(t, s, Receipt, lang, d); !strings.Contains(r.Text, ":"+w) || !strings.Contains(r.HTML, ":"+w) {
				t.Errorf("%s: %d minutes not written as %q:\n%s", lang, minutes, w, r.Text)
			}
		}

		// Started by an explicit #start; an application changed from
		// one to another.
		d := ReceiptData{Ticket: ticket(lang, 3, true), Changes: []Change{{Kind: "started"}, {Kind: "application", From: "A", To: "B"}, {Kind: "closed"}}}
		r = render(t, s, Receipt, lang, d)
		never(t, lang+" explicit start", r, "automati")
		both(t, lang+" explicit start", r, map[string]string{"sv": "från A till B", "en": "from A to B"}[lang],
			map[string]string{"sv": "Ärendet är stängt.", "en": "Ticket closed."}[lang])

		// A reassignment names the previous assignee; resolving says
		// what closes the ticket.
		d = ReceiptData{Ticket: ticket(lang, 3, true), Changes: []Change{
			{Kind: "assigned", From: "johan@sos.example", To: "anna@sos.example"}, {Kind: "assigned", From: "anna@sos.example", To: "anna@sos.example"},
			{Kind: "resolved"}}}
		r = render(t, s, Receipt, lang, d)
		both(t, lang+" reassigned", r, map[string]string{"sv": "tilldelat anna@sos.example (tidigare johan@sos.example).", "en": "assigned to anna@sos.example (previously johan@sos.example)."}[lang],
			map[string]string{"sv": "det stängs när kunden godkänner lösningen", "en": "it closes when the customer approves the solution"}[lang])
		if n := strings.Count(r.Text, "(tidigare ") + strings.Count(r.Text, "(previously "); n != 1 {
			t.Errorf("%s: %d previous assignees, want 1:\n%s", lang, n, r.Text)
		}

		// No changes.
		r = render(t, s, Receipt, lang, ReceiptData{Ticket: ticket(lang, 3, true)})
		both(t, lang+" no changes", r, map[string]string{"sv": "Inga ändringar", "en": "No changes"}[lang])
	}
}

func TestCommandErrorContent(t *testing.T) {
	s := newSet(t)
	explain := map[string]map[string]string{
		"sv": {"unknown_command": "Okänt kommando.", "missing_value": "behöver ett värde", "unexpected_value": "tar inget värde",
			"bad_priority": "1, 2 eller 3", "bad_application": "Kundens applikationer: ekonomi, intranat", "bad_address": "Ogiltig e-postadress",
			"not_consultant": "Konsulterna är: anna@sos.example, johan@sos.example", "bad_duration": "1h30m, 90m eller 1,5h",
			"bad_datetime": "#onsite 2026-12-01 09:00", "new": "när ärendet är nytt", "started": "när ärendet är påbörjat",
			"resolved": "när ärendet är löst och väntar på kundens godkännande", "closed": "när ärendet är stängt"},
		"en": {"unknown_command": "Unknown command.", "missing_value": "needs a value", "unexpected_value": "takes no value",
			"bad_priority": "1, 2 or 3", "bad_application": "The customer's applications: wms", "bad_address": "Invalid email address",
			"not_consultant": "The consultants are: anna@sos.example, johan@sos.example", "bad_duration": "1h30m, 90m or 1,5h",
			"bad_datetime": "#onsite 2026-12-01 09:00", "new": "while the ticket is new", "started": "while the ticket is started",
			"resolved": "while the ticket is resolved and awaiting", "closed": "while the ticket is closed"},
	}
	for _, lang := range Languages() {
		d := commandErrorAllData(lang)
		r := render(t, s, CommandError, lang, d)
		for _, p := range d.Problems {
			key := p.Code
			if p.Code == "not_allowed" {
				key = p.Status
			}
			// The line as written, on a line of its own, then the
			// explanation indented below it.
			if !strings.Contains(r.Text, "\n\n"+p.Line+"\n    ") {
				t.Errorf("%s: text does not show %q on its own line:\n%s", lang, p.Line, r.Text)
			}
			if !strings.Contains(r.HTML, ">"+html.EscapeString(p.Line)+"</code><br>") {
				t.Errorf("%s: HTML does not show %q:\n%s", lang, p.Line, r.HTML)
			}
			both(t, lang+"/"+key, r, explain[lang][key])
		}
		both(t, lang, r, map[string]string{"sv": "ingenting har skickats till kunden", "en": "nothing has been sent to the customer"}[lang],
			commandSubject(lang))
		if r.Subject != map[string]string{"sv": "[SOS-12] Ogiltiga kommandon: inget har ändrats", "en": "[SOS-12] Invalid commands: nothing was changed"}[lang] {
			t.Errorf("%s: subject %q", lang, r.Subject)
		}

		// A line is shown as written, escaped in HTML.
		d = commandErrorData(lang)
		d.Problems = []Problem{{Line: "#app <lön & \"lager\">", Code: "bad_application"}}
		r = render(t, s, CommandError, lang, d)
		if !strings.Contains(r.Text, "\n#app <lön & \"lager\">\n") || !strings.Contains(r.HTML, "#app &lt;lön &amp; &#34;lager&#34;&gt;") {
			t.Errorf("%s: line not shown verbatim:\n%s\n%s", lang, r.Text, r.HTML)
		}
		both(t, lang+" no applications", r, map[string]string{"sv": "Kunden har inga applikationer", "en": "The customer has no applications"}[lang])
	}
}

func TestCommandRefusedContent(t *testing.T) {
	s := newSet(t)
	for _, tt := range []struct {
		lang, reason string
		want         []string
	}{
		{"sv", "not_authentic", []string{"Ditt mejl i ärende SOS-12", "signerade svarsadress", "DKIM- eller DMARC-kontrollen",
			"ingenting har ändrats", "Svara i stället direkt på ett mejl om ärendet", "någon ha använt din adress"}},
		{"sv", "no_ticket", []string{"Ditt mejl till support@sos.example", "Serverbyte hos ACME", "öppnar inga nya ärenden", "[SOS-12]"}},
		{"en", "not_authentic", []string{"Your email on ticket SOS-12", "signed reply address", "DKIM or DMARC check",
			"nothing has been changed", "reply directly to an email about the ticket", "someone may have used your address"}},
		{"en", "no_ticket", []string{"Your email to support@sos.example", "Server replacement at Nordic Logistics", "do not open new tickets", "[SOS-12]"}},
	} {
		r := render(t, s, CommandRefused, tt.lang, refusedData(tt.lang, tt.reason))
		both(t, tt.lang+"/"+tt.reason, r, tt.want...)
	}
}

func TestOnsiteContent(t *testing.T) {
	s := newSet(t)
	for _, tt := range []struct {
		lang string
		want []string
	}{
		{"sv", []string{"Anna Berg har bokat ett platsbesök hos er i ärende SOS-12", "onsdag 2 december 2026 kl. 09:00", "kalenderhändelse",
			"lägga till det i din kalender", "Passar tiden inte", "Anna Berg skriver:", "byta en disk"}},
		{"en", []string{"Anna Berg has booked an on-site visit at your premises for ticket SOS-12",
			"Wednesday 2 December 2026 at 09:00 (Europe/Stockholm time)", "calendar event", "add it to your calendar",
			"If the time does not suit you", "Anna Berg writes:", "replace a disk"}},
	} {
		both(t, tt.lang, render(t, s, Onsite, tt.lang, onsiteData(tt.lang, true)), tt.want...)
		d := onsiteData(tt.lang, false)
		d.Consultant = ""
		r := render(t, s, Onsite, tt.lang, d)
		never(t, tt.lang+" without text", r, "skriver:", "writes:", "Anna")
	}
}

func TestConsultantReplyContent(t *testing.T) {
	s := newSet(t)
	for lang, w := range map[string]string{"sv": "Anna Berg har svarat i ditt ärende SOS-12:", "en": "Anna Berg has replied to your ticket SOS-12:"} {
		r := render(t, s, ConsultantReply, lang, consultantReplyData(lang))
		both(t, lang, r, w, strings.ReplaceAll(consultantTexts[lang].reply[:40], "\n", " "))
		d := consultantReplyData(lang)
		d.Consultant = ""
		both(t, lang+" without name", render(t, s, ConsultantReply, lang, d),
			map[string]string{"sv": "Vår konsult har svarat", "en": "Our consultant has replied"}[lang])
	}
}

func TestApprovedContent(t *testing.T) {
	s := newSet(t)
	for lang, w := range map[string][]string{
		"sv": {"Tack för att du har godkänt lösningen. Ärende SOS-12 är nu avslutat.", "svarar på det här mejlet"},
		"en": {"Thank you for approving the solution. Ticket SOS-12 is now closed.", "reply to this email"},
	} {
		both(t, lang, render(t, s, Approved, lang, ApprovedData{Ticket: ticket(lang, 3, true)}), w...)
	}
}
