package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	gomail "github.com/emersion/go-message/mail"
)

// outMail is one spooled mail, read the way a mail client reads it.
type outMail struct {
	name          string
	to            []string
	subject       string
	messageID     string
	inReplyTo     []string
	references    []string
	replyTo       string
	autoSubmitted string
	text, html    string
	calendar      string // the text/calendar part, "" when none
}

// newMails waits (bounded) until n mails beyond those in seen are in the
// spool, and returns those, marking them seen.
func (d *daemon) newMails(seen map[string]bool, n int) []outMail {
	d.t.Helper()
	dir := filepath.Join(d.dir, "var", "outbox")
	deadline := time.Now().Add(10 * time.Second)
	for {
		files, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
		var fresh []string
		for _, f := range files {
			if !seen[f] {
				fresh = append(fresh, f)
			}
		}
		if len(fresh) >= n {
			// A moment for mail beyond n, so "exactly n" can be checked.
			time.Sleep(100 * time.Millisecond)
			files, _ = filepath.Glob(filepath.Join(dir, "*.eml"))
			var out []outMail
			for _, f := range files {
				if seen[f] {
					continue
				}
				seen[f] = true
				raw, err := os.ReadFile(f)
				if err != nil {
					d.t.Fatal(err)
				}
				out = append(out, readOutMail(d.t, filepath.Base(f), raw))
			}
			return out
		}
		if time.Now().After(deadline) {
			d.t.Fatalf("%d of %d new mails in the spool after 10 s", len(fresh), n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func readOutMail(t *testing.T, name string, raw []byte) outMail {
	t.Helper()
	r, err := gomail.CreateReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	m := outMail{name: name, autoSubmitted: r.Header.Get("Auto-Submitted")}
	to, _ := r.Header.AddressList("To")
	for _, a := range to {
		m.to = append(m.to, a.Address)
	}
	m.subject, _ = r.Header.Subject()
	m.messageID, _ = r.Header.MessageID()
	m.inReplyTo, _ = r.Header.MsgIDList("In-Reply-To")
	m.references, _ = r.Header.MsgIDList("References")
	if rt, _ := r.Header.AddressList("Reply-To"); len(rt) == 1 {
		m.replyTo = rt[0].Address
	}
	for {
		p, err := r.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		ct, params, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		b, _ := io.ReadAll(p.Body)
		switch ct {
		case "text/plain":
			m.text = string(b)
		case "text/html":
			m.html = string(b)
		case "text/calendar":
			if params["method"] != "PUBLISH" {
				t.Errorf("%s: text/calendar method %q", name, params["method"])
			}
			m.calendar = string(b)
		}
	}
	return m
}

// mailTo finds the one mail to addr among ms.
func mailTo(t *testing.T, ms []outMail, addr string) outMail {
	t.Helper()
	var found []outMail
	for _, m := range ms {
		if slices.Contains(m.to, addr) {
			found = append(found, m)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d mails to %s, want 1: %+v", len(found), addr, ms)
	}
	return found[0]
}

// reply is a mail client's reply to m: to its Reply-To, threaded, with
// m's text quoted below the new text.
func reply(from string, m outMail, msgID, newText string) []byte {
	refs := append(append([]string{}, m.references...), m.messageID)
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: Re: %s\r\nMessage-ID: <%s>\r\nIn-Reply-To: <%s>\r\nReferences: <%s>\r\n",
		from, m.replyTo, m.subject, msgID, m.messageID, strings.Join(refs, "> <"))
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
	b.WriteString(strings.ReplaceAll(newText, "\n", "\r\n"))
	b.WriteString("\r\n\r\nDen 1 dec. 2026 kl. 10:00 skrev support@sos.example:\r\n")
	for _, l := range strings.Split(m.text, "\n") {
		b.WriteString("> " + strings.TrimRight(l, "\r") + "\r\n")
	}
	return []byte(b.String())
}

// showJSON is `sosd tickets show ID --json`.
func (d *daemon) showJSON(id string) map[string]any {
	d.t.Helper()
	out, err := exec.Command(d.bin, "tickets", "show", id, "--json", "--config", d.config).Output()
	if err != nil {
		d.t.Fatalf("tickets show %s: %v", id, err)
	}
	var v map[string]any
	if err := json.Unmarshal(out, &v); err != nil {
		d.t.Fatalf("%v: %s", err, out)
	}
	return v
}

func eventKinds(show map[string]any) []string {
	var kinds []string
	for _, e := range show["events"].([]any) {
		kinds = append(kinds, e.(map[string]any)["kind"].(string))
	}
	return kinds
}

// checkThread checks that m answers the customer's first mail in the
// ticket's thread.
func checkThread(t *testing.T, m outMail, first string) {
	t.Helper()
	if len(m.inReplyTo) != 1 || m.inReplyTo[0] != first || !slices.Contains(m.references, first) {
		t.Errorf("%s to %v: In-Reply-To %v References %v, want the customer's %s", m.subject, m.to, m.inReplyTo, m.references, first)
	}
	if !strings.HasPrefix(m.subject, "[SOS-1]") && !strings.Contains(m.subject, "[SOS-1]") {
		t.Errorf("subject %q lacks [SOS-1]", m.subject)
	}
	if !strings.HasPrefix(m.replyTo, "support+1-") {
		t.Errorf("%s: Reply-To %q is not the ticket's signed address", m.subject, m.replyTo)
	}
}

// A consultant works a ticket from new to closed by replies only —
// start with logged time, an on-site visit, a resolution — and the
// customer approves by replying. Every step is checked in `tickets show
// --json`, and every mail that went out: recipients, threading, language.
func TestEndToEndConsultantWorksTicket(t *testing.T) {
	t.Parallel()
	d := startDaemon(t)
	seen := map[string]bool{}
	const first = "e2e-work-1@acme.se"
	raw := "From: Eva Ek <eva@acme.se>\r\nTo: support@sos.example\r\nSubject: Ekonomisystemet svarar inte\r\n" +
		"Message-ID: <" + first + ">\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nFakturorna går inte att skicka sedan i morse.\r\n"
	if err := d.send("eva@acme.se", []string{"support@sos.example"}, []byte(raw)); err != nil {
		t.Fatal(err)
	}
	ms := d.newMails(seen, 3) // ack, notices to Anna and Johan
	if len(ms) != 3 {
		t.Fatalf("%d mails after filing, want 3", len(ms))
	}
	notice := mailTo(t, ms, "anna@sos.example")
	if !strings.HasPrefix(notice.replyTo, "support+1-") {
		t.Fatalf("notice Reply-To %q", notice.replyTo)
	}

	// 1. Start, log time, and write to the customer.
	step1 := reply("anna@sos.example", notice, "anna-1@sos.example", "#start\n#time 1h30m\n\nHej Eva, vi tittar på det nu.\n\nAnna")
	if err := d.send("anna@sos.example", []string{notice.replyTo}, step1); err != nil {
		t.Fatal(err)
	}
	ms = d.newMails(seen, 2)
	if len(ms) != 2 {
		t.Fatalf("%d mails after step 1, want receipt and reply", len(ms))
	}
	receipt := mailTo(t, ms, "anna@sos.example")
	if !strings.Contains(receipt.text, "1 h 30 min") || len(receipt.inReplyTo) != 1 || receipt.inReplyTo[0] != "anna-1@sos.example" {
		t.Errorf("receipt: In-Reply-To %v, text:\n%s", receipt.inReplyTo, receipt.text)
	}
	toEva := mailTo(t, ms, "eva@acme.se")
	checkThread(t, toEva, first)
	if !strings.Contains(toEva.text, "Hej Eva, vi tittar på det nu.") || strings.Contains(toEva.text, "#time") || strings.Contains(toEva.text, "Fakturorna") {
		t.Errorf("reply to the customer carries the wrong text:\n%s", toEva.text)
	}
	if toEva.autoSubmitted != "" {
		t.Errorf("a consultant's words are marked Auto-Submitted: %s", toEva.autoSubmitted)
	}
	tk := d.showJSON("SOS-1")
	if tk["status"] != "started" || tk["work_minutes"] != 90.0 || tk["started"] == nil {
		t.Fatalf("after step 1: %v", tk)
	}

	// 2. Book an on-site visit; the customer gets a calendar entry.
	step2 := reply("anna@sos.example", notice, "anna-2@sos.example", "#onsite 2026-12-01 09:00\n\nJag kommer förbi på tisdag morgon.")
	if err := d.send("anna@sos.example", []string{notice.replyTo}, step2); err != nil {
		t.Fatal(err)
	}
	ms = d.newMails(seen, 2)
	onsite := mailTo(t, ms, "eva@acme.se")
	checkThread(t, onsite, first)
	if !strings.Contains(onsite.calendar, "DTSTART:20261201T080000Z") || !strings.Contains(onsite.text, "1 december 2026") {
		t.Errorf("on-site mail: calendar\n%s\ntext\n%s", onsite.calendar, onsite.text)
	}

	// 3. Propose the fix; the customer is asked to approve by replying.
	step3 := reply("anna@sos.example", notice, "anna-3@sos.example", "#resolve\n\nVi har startat om integrationstjänsten.")
	if err := d.send("anna@sos.example", []string{notice.replyTo}, step3); err != nil {
		t.Fatal(err)
	}
	ms = d.newMails(seen, 2)
	resolved := mailTo(t, ms, "eva@acme.se")
	checkThread(t, resolved, first)
	if !strings.Contains(resolved.text, "Vi har startat om integrationstjänsten.") || !strings.Contains(strings.ToLower(resolved.text), "godkänd") {
		t.Errorf("resolution mail:\n%s", resolved.text)
	}
	if tk := d.showJSON("SOS-1"); tk["status"] != "resolved" {
		t.Fatalf("after #resolve: %v", tk["status"])
	}

	// 4. The customer approves by replying to the resolution.
	approve := reply("eva@acme.se", resolved, "eva-2@acme.se", "Godkänd, tack!\n\nEva")
	if err := d.send("eva@acme.se", []string{resolved.replyTo}, approve); err != nil {
		t.Fatal(err)
	}
	ms = d.newMails(seen, 3) // thanks to Eva, notices to both consultants
	thanks := mailTo(t, ms, "eva@acme.se")
	if !strings.Contains(thanks.subject, "[SOS-1]") || !strings.Contains(thanks.text, "Tack") {
		t.Errorf("approval thanks: %q\n%s", thanks.subject, thanks.text)
	}
	tk = d.showJSON("SOS-1")
	if tk["status"] != "closed" || tk["onsite_visits"] != 1.0 || tk["resolved"] == nil || tk["closed"] == nil {
		t.Errorf("at the end: %v", tk)
	}
	want := []string{"filed", "started", "work", "reply_out", "onsite", "reply_out", "resolved", "reply_out", "reply_in", "approved"}
	if got := eventKinds(tk); !slices.Equal(got, want) {
		t.Errorf("events %v, want %v", got, want)
	}
}
