package templates

import (
	"strings"
	"testing"
	"time"
)

// Rendering's edge cases: escaping, one-line subjects, empty optional
// fields, the data Render refuses, pointers and concurrent use.

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
