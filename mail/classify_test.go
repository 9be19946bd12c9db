package mail

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func testDirectory() *Directory {
	return &Directory{
		Support:     "support@sos.example",
		Consultants: []string{"anna@sos.example"},
		Customers: []Customer{
			{ID: "acme", Name: "ACME AB", Language: "sv", Domains: []string{"acme.se"}, Addresses: []string{"it-partner@example.net"},
				Applications: []Application{{ID: "ekonomi", Name: "Ekonomisystemet", Aliases: []string{"visma"}}, {ID: "intranat", Name: "Intranätet"}}},
			{ID: "partner", Name: "Partner", Domains: []string{"example.net"}},
		},
	}
}

func testSigner(t *testing.T) *Signer {
	s, err := NewSigner([]byte("0123456789abcdef0123456789abcdef"), "support@sos.example")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func classifyRaw(t *testing.T, raw string, env Envelope) Classification {
	t.Helper()
	data := []byte(strings.ReplaceAll(raw, "\n", "\r\n"))
	msg, err := Parse(data, DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	env.Raw = data
	if env.RcptTo == nil {
		// A zero envelope: the usual reverse path and recipient.
		env.MailFrom = msg.From
		env.RcptTo = []string{"support@sos.example"}
	}
	return Classify(env, msg, testDirectory(), testSigner(t))
}

func TestClassifyBranches(t *testing.T) {
	t.Parallel()
	signed := testSigner(t).Address(7, "eva@acme.se")
	cases := []struct {
		name  string
		raw   string
		env   Envelope
		class Class
		want  func(c Classification) bool
	}{
		{"customer by domain", "From: Eva <eva@acme.se>\nSubject: Visma startar inte\n\nHej", Envelope{}, ClassCustomer,
			func(c Classification) bool {
				return c.Customer.ID == "acme" && c.Application == "ekonomi" && c.Priority == 3
			}},
		{"customer by address before domain", "From: it-partner@example.net\nSubject: P2 intranätet\n\nHej", Envelope{}, ClassCustomer,
			func(c Classification) bool {
				return c.Customer.ID == "acme" && c.Priority == 2 && c.Application == "intranat"
			}},
		{"other address at a claimed domain", "From: x@example.net\nSubject: Hej\n\nHej", Envelope{}, ClassCustomer,
			func(c Classification) bool { return c.Customer.ID == "partner" }},
		{"unknown sender", "From: someone@elsewhere.example\nSubject: Hello\n\nHi", Envelope{}, ClassUnknown, nil},
		{"consultant about no ticket", "From: anna@sos.example\nSubject: Test\n\nHej", Envelope{}, ClassConsultant, nil},
		{"reply by subject tag", "From: eva@acme.se\nSubject: Re: [SOS-12] Vi har tagit emot ditt ärende\n\nTack", Envelope{}, ClassReply,
			func(c Classification) bool { return c.Ticket == 12 && !c.Signed && c.Reason == "subject tag" }},
		{"reply by references", "From: eva@acme.se\nSubject: Re: hej\nIn-Reply-To: <sos-31.ack.abc@sos.example>\nReferences: <x@acme.se> <sos-31.ack.abc@sos.example>\n\nTack", Envelope{}, ClassReply,
			func(c Classification) bool { return c.Ticket == 31 && c.Reason == "references" }},
		{"reply by signed address", "From: eva@acme.se\nSubject: Re: hej\n\nTack", Envelope{MailFrom: "eva@acme.se", RcptTo: []string{signed}}, ClassReply,
			func(c Classification) bool { return c.Ticket == 7 && c.Signed }},
		{"signed address used by someone else", "From: mallory@acme.se\nSubject: Re: hej\n\nTack", Envelope{MailFrom: "mallory@acme.se", RcptTo: []string{signed}}, ClassReply,
			func(c Classification) bool { return c.Ticket == 7 && !c.Signed }},
		{"auto-submitted reply to a ticket stays automatic", "From: eva@acme.se\nAuto-Submitted: auto-replied\nSubject: Re: [SOS-3] x\n\nI am away", Envelope{}, ClassAutomatic,
			func(c Classification) bool { return c.Ticket == 3 }},
		{"Auto-Submitted: no is a person", "From: eva@acme.se\nAuto-Submitted: no\nSubject: Hej\n\nHej", Envelope{}, ClassCustomer, nil},
		{"null return path", "From: eva@acme.se\nSubject: Hej\n\nHej", Envelope{MailFrom: "", RcptTo: []string{"support@sos.example"}}, ClassAutomatic, nil},
		{"precedence bulk", "From: eva@acme.se\nPrecedence: bulk\nSubject: News\n\nx", Envelope{}, ClassAutomatic, nil},
		{"list mail", "From: eva@acme.se\nList-Id: <dev.lists.acme.se>\nSubject: x\n\nx", Envelope{}, ClassAutomatic, nil},
		{"Swedish Outlook out-of-office", "From: eva@acme.se\nSubject: Automatiskt svar: [SOS-4] Servern\n\nJag är ledig", Envelope{}, ClassAutomatic, nil},
		{"mailer-daemon", "From: MAILER-DAEMON@mx.acme.se\nSubject: Undelivered Mail Returned to Sender\n\nx", Envelope{}, ClassAutomatic, nil},
		{"quoted markers do not count", "From: eva@acme.se\nSubject: Fråga\n\nHej, en fråga.\n\nDen 1 dec. 2026 skrev Support <support@sos.example>:\n> Prioritet 1\n> visma", Envelope{}, ClassCustomer,
			func(c Classification) bool { return c.Priority == 3 && c.Application == "" }},
		{"markers in the body", "From: eva@acme.se\nSubject: Hjälp\n\nAffärskritiskt! Ekonomisystemet är nere.", Envelope{}, ClassCustomer,
			func(c Classification) bool { return c.Priority == 1 && c.Application == "ekonomi" }},
		{"English markers", "From: eva@acme.se\nSubject: Business critical: intranet\n\nThe intranätet is down", Envelope{}, ClassCustomer,
			func(c Classification) bool { return c.Priority == 1 && c.Application == "intranat" }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := classifyRaw(t, c.raw, c.env)
			if got.Class != c.class || (c.want != nil && !c.want(got)) {
				t.Errorf("got %+v, want class %s", got, c.class)
			}
		})
	}
	// Received: hops beyond the cap are a loop.
	raw := "From: eva@acme.se\n" + strings.Repeat("Received: from a by b\n", DefaultMaxHops+1) + "Subject: x\n\nx"
	if c := classifyRaw(t, raw, Envelope{}); c.Class != ClassAutomatic {
		t.Errorf("%d hops: %s", DefaultMaxHops+1, c.Class)
	}
}

// Over the corpus: every auto-reply and bounce is automatic (never
// answered, never a ticket), so is list mail but for digests wrapped in
// another message.
func TestClassifyCorpusAutomatic(t *testing.T) {
	t.Parallel()
	root := filepath.Join("..", "..", "shared", "corpus")
	f, err := os.Open(filepath.Join(root, "index.tsv"))
	if err != nil {
		t.Skip("corpus not present")
	}
	defer f.Close()
	exceptions := map[string]string{
		"mimekit/messages/multipart-digest.txt": "a digest without list headers",
		"zbateson-mail-mime-parser/m4007.txt":   "a digest wrapped in message/rfc822",
	}
	dir := testDirectory()
	dir.Customers = append(dir.Customers, Customer{ID: "everyone", Domains: nil})
	sc := bufio.NewScanner(f)
	sc.Scan()
	checked := 0
	for sc.Scan() {
		parts := strings.Split(sc.Text(), "\t")
		if len(parts) < 4 || strings.HasPrefix(parts[3], "BODY ONLY") {
			continue
		}
		cat := parts[2]
		if cat != "autoreply" && cat != "bounce" && cat != "list" {
			continue
		}
		raw, err := os.ReadFile(filepath.Join(root, parts[0]))
		if err != nil {
			t.Fatal(err)
		}
		msg, err := Parse(raw, DefaultLimits())
		if err != nil {
			t.Errorf("%s: %v", parts[0], err)
			continue
		}
		// A non-null reverse path, so headers alone must tell.
		env := Envelope{MailFrom: "someone@example.org", RcptTo: []string{"support@sos.example"}, Received: time.Now(), Raw: raw}
		c := Classify(env, msg, dir, nil)
		checked++
		if why, ok := exceptions[parts[0]]; ok {
			if c.Class == ClassAutomatic {
				t.Errorf("%s is now automatic; drop the exception (%s)", parts[0], why)
			}
			continue
		}
		if c.Class != ClassAutomatic {
			t.Errorf("%s (%s: %s) classified %s", parts[0], cat, parts[3], c.Class)
		}
	}
	if checked < 80 {
		t.Errorf("only %d automatic mails checked", checked)
	}
}

// A bounce of sosd's own acknowledgement is tied to its ticket through the
// Message-ID quoted in the returned headers.
func TestBounceTiedToTicket(t *testing.T) {
	t.Parallel()
	raw := "From: MAILER-DAEMON@mx.acme.se\nTo: support@sos.example\nSubject: Undelivered Mail Returned to Sender\n" +
		"MIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=b\n\n" +
		"--b\nContent-Type: text/plain\n\nThe mail could not be delivered.\n" +
		"--b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.acme.se\n\nFinal-Recipient: rfc822; gone@acme.se\nAction: failed\nStatus: 5.1.1\n" +
		"--b\nContent-Type: text/rfc822-headers\n\nFrom: support@sos.example\nMessage-ID: <sos-42.ack.abcdef@sos.example>\nSubject: [SOS-42] x\n" +
		"--b--\n"
	c := classifyRaw(t, raw, Envelope{MailFrom: "", RcptTo: []string{"support@sos.example"}})
	if c.Class != ClassAutomatic || c.Ticket != 42 {
		t.Errorf("bounce: %+v, want automatic about ticket 42", c)
	}
}

// BenchmarkParseClassifyCorpus parses and classifies every full message of
// the corpus: mails/s and allocations per mail.
func BenchmarkParseClassifyCorpus(b *testing.B) {
	root := filepath.Join("..", "..", "shared", "corpus")
	index, err := os.ReadFile(filepath.Join(root, "index.tsv"))
	if err != nil {
		b.Skip("corpus not present")
	}
	var mails [][]byte
	for _, line := range strings.Split(string(index), "\n")[1:] {
		parts := strings.Split(line, "\t")
		if len(parts) < 4 || strings.HasPrefix(parts[3], "BODY ONLY") {
			continue
		}
		raw, err := os.ReadFile(filepath.Join(root, parts[0]))
		if err != nil {
			b.Fatal(err)
		}
		mails = append(mails, raw)
	}
	dir := testDirectory()
	signer, _ := NewSigner([]byte("0123456789abcdef0123456789abcdef"), "support@sos.example")
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		raw := mails[n%len(mails)]
		n++
		msg, err := Parse(raw, DefaultLimits())
		if err != nil {
			continue
		}
		Classify(Envelope{MailFrom: "x@example.org", RcptTo: []string{"support@sos.example"}, Raw: raw}, msg, dir, signer)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "mails/s")
}
