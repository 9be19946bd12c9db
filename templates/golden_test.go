package templates

import (
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The golden cases: every kind of mail in both languages, rendered and
// compared with testdata/golden (go test ./templates -update rewrites
// them).

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

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
