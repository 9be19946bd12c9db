package mail

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// parseSample parses testdata/parse/name with the given limits.
func parseSampleFile(t *testing.T, name string, lim Limits) *Message {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "parse", name))
	if err != nil {
		t.Fatal(err)
	}
	m, err := Parse(raw, lim)
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	if !utf8.ValidString(m.Text) || strings.Contains(m.Text, "\r") {
		t.Errorf("%s: Text is not clean UTF-8 with LF line ends: %q", name, m.Text)
	}
	return m
}

func parseHasProblem(m *Message, substr string) bool {
	return slices.ContainsFunc(m.Problems, func(p string) bool { return strings.Contains(p, substr) })
}

func parseAttachment(m *Message, name string) *Attachment {
	for i := range m.Attachments {
		if m.Attachments[i].Filename == name {
			return &m.Attachments[i]
		}
	}
	return nil
}

func TestParseSamples(t *testing.T) {
	tests := []struct {
		file  string
		check func(t *testing.T, m *Message)
	}{
		{"iso-8859-1-qp.eml", func(t *testing.T, m *Message) {
			parseEq(t, "Subject", m.Subject, "Hjälp servern är nere")
			parseEq(t, "From", m.From, "bjorn.astrom@kund.se")
			parseEq(t, "FromName", m.FromName, "Björn Åström")
			parseEq(t, "MessageID", m.MessageID, "20260302091355.4711@kund.se")
			parseEqs(t, "To", m.To, []string{"support@example.com"})
			parseEqs(t, "Cc", m.Cc, []string{"it-ansvarig@kund.se", "eva.berg@kund.se"})
			want := time.Date(2026, 3, 2, 8, 13, 55, 0, time.UTC)
			if !m.Date.Equal(want) {
				t.Errorf("Date = %v, want %v", m.Date, want)
			}
			parseContains(t, m.Text, "Servern är nere sedan i morse och ingen på kontoret kan logga in i affärssystemet. Det är bråttom. \n")
			parseContains(t, m.Text, "Med vänlig hälsning\nBjörn Åström")
			parseEq(t, "Header.Get", m.Header.Get("subject"), "Hjälp servern är nere")
			parseEqs(t, "Header.Values", m.Header.Values("Subject"), []string{"=?iso-8859-1?Q?Hj=E4lp_servern_=E4r_nere?="})
			if n := m.Header.Count("Received"); n != 2 {
				t.Errorf("Count(Received) = %d, want 2", n)
			}
			if !strings.HasPrefix(m.Header.Values("Received")[0], "from mx.kund.se") {
				t.Errorf("Received not in message order or not unfolded: %q", m.Header.Values("Received"))
			}
			parseNoProblems(t, m)
		}},
		{"windows-1252-base64.eml", func(t *testing.T, m *Message) {
			parseEq(t, "Subject", m.Subject, "Faktura – fel belopp")
			parseEq(t, "FromName", m.FromName, "Örjan Båge")
			parseEq(t, "Text", m.Text, "Hej,\n\nFakturan på 1\u00a0200 € – “räkning” – stämmer inte.\nHälsningar\nÖrjan\n")
			parseNoProblems(t, m)
		}},
		{"html-only.eml", func(t *testing.T, m *Message) {
			want := "Hej! Skrivaren på plan 2 fungerar inte.\n\n" +
				"- Den blinkar rött\n" +
				"- Den skriver \"PC LOAD LETTER\"\n\n" +
				"Se statussidan (https://intranet.example.org/skrivare) eller https://example.org.\n" +
				"Tack!\n\n" +
				"> Tidigare fråga\n" +
				"> Rad två"
			parseEq(t, "Text", m.Text, want)
			parseContains(t, m.HTML, "<li>Den blinkar rött</li>")
			if len(m.Attachments) != 0 {
				t.Errorf("attachments: %v", m.Attachments)
			}
		}},
		{"rfc2231-filename.eml", func(t *testing.T, m *Message) {
			parseEq(t, "Text", m.Text, "Se bifogade filer.")
			var names []string
			for _, a := range m.Attachments {
				names = append(names, a.Filename)
			}
			parseEqs(t, "names", names, []string{"räkning.pdf", "försäljning_2026.xls", "passwd", "åäö.txt"})
			if a := parseAttachment(m, "räkning.pdf"); a == nil || a.ContentType != "application/pdf" || !strings.HasPrefix(string(a.Data), "%PDF-1.4") {
				t.Errorf("räkning.pdf: %+v", a)
			}
			if a := parseAttachment(m, "passwd"); a == nil || string(a.Data) != "root:x:0:0:root:/root:/bin/sh" {
				t.Errorf("passwd: %+v", a)
			}
		}},
		{"outlook-sv-multipart.eml", func(t *testing.T, m *Message) {
			parseEq(t, "Subject", m.Subject, "SV: [SOS-42] Utskrift fungerar inte")
			parseEq(t, "From", m.From, "anna.lind@kund.se")
			parseEqs(t, "To", m.To, []string{"support+t42.abc@example.com"})
			parseEqs(t, "InReplyTo", m.InReplyTo, []string{"sos-42.1.abc@example.com"})
			parseEqs(t, "References", m.References, []string{"20260305.1@kund.se", "sos-42.1.abc@example.com"})
			parseContains(t, m.Text, "Nu fungerar det inte igen – samma fel som i går.\n\n/Anna\n\nFrån: SOS Support")
			parseContains(t, m.Text, "Ämne: [SOS-42] Utskrift fungerar inte")
			parseContains(t, m.HTML, `<div id="divRplyFwdMsg">`)
			parseContains(t, m.HTML, "Från:")
			if len(m.Attachments) != 1 {
				t.Fatalf("attachments: %+v", m.Attachments)
			}
			a := m.Attachments[0]
			if a.Filename != "image001.png" || !a.Inline || a.ContentID != "image001.png@01DA0000.00000000" || a.ContentType != "image/png" || len(a.Data) != 16 {
				t.Errorf("inline image: %+v", a)
			}
			rendered := HTMLToText(m.HTML)
			parseContains(t, rendered, "Hej,\n\nNu fungerar det inte igen – samma fel som i går.\n")
			parseContains(t, rendered, "________________________________\nFrån: SOS Support <support@example.com>\nSkickat: den 5 mars 2026 16:02\n")
			parseNoProblems(t, m)
		}},
		{"winmail-dat.eml", func(t *testing.T, m *Message) {
			if !m.TNEF {
				t.Error("TNEF not recognised")
			}
			parseEq(t, "Text", m.Text, "Rapporten finns i bilagan.\n")
			if a := parseAttachment(m, "winmail.dat"); a == nil || a.ContentType != "application/ms-tnef" || len(a.Data) != 32 {
				t.Errorf("winmail.dat: %+v", m.Attachments)
			}
		}},
		{"message-rfc822.eml", func(t *testing.T, m *Message) {
			parseEq(t, "Subject", m.Subject, "Fwd: Original ärende")
			parseEq(t, "Text", m.Text, "Se nedan.")
			if m.Embedded != 2 {
				t.Errorf("Embedded = %d, want 2 (the nested one counts)", m.Embedded)
			}
			if !m.TNEF {
				t.Error("TNEF inside the embedded message not seen")
			}
			if len(m.Attachments) != 1 || m.Attachments[0].Filename != "Original ärende.eml" || m.Attachments[0].ContentType != "message/rfc822" {
				t.Fatalf("attachments: %+v", m.Attachments)
			}
			parseContains(t, string(m.Attachments[0].Data), "Inre text som inte ska bli var text.")
		}},
		{"no-message-id.eml", func(t *testing.T, m *Message) {
			parseEq(t, "MessageID", m.MessageID, "")
			parseEq(t, "From", m.From, "someone@kund.se")
			parseEq(t, "Subject", m.Subject, "Utan id")
			parseEq(t, "Text", m.Text, "Ingen Message-ID i detta brev.\n")
			if !m.Date.IsZero() {
				t.Errorf("Date = %v, want zero", m.Date)
			}
			parseNoProblems(t, m)
		}},
		{"unknown-charset.eml", func(t *testing.T, m *Message) {
			parseEq(t, "Text", m.Text, "Det går inte att skriva ut för närvarande.\n")
			if !parseHasProblem(m, `unknown charset "x-fantasi-8"`) {
				t.Errorf("Problems = %q", m.Problems)
			}
		}},
		{"deep-nesting.eml", func(t *testing.T, m *Message) {
			parseEq(t, "Text", m.Text, "")
			if !parseHasProblem(m, "nesting limit reached") {
				t.Errorf("Problems = %q", m.Problems)
			}
		}},
		{"delivery-status.eml", func(t *testing.T, m *Message) {
			parseEq(t, "Report", m.Report, "delivery-status")
			parseEq(t, "From", m.From, "mailer-daemon@mx.kund.se")
			parseEq(t, "Text", m.Text, "Your message could not be delivered.")
			if a := parseAttachment(m, "attachment.txt"); a == nil || a.ContentType != "message/delivery-status" {
				t.Errorf("attachments: %+v", m.Attachments)
			}
		}},
		{"missing-final-boundary.eml", func(t *testing.T, m *Message) {
			parseEq(t, "Subject", m.Subject, "Trasig")
			parseEq(t, "Text", m.Text, "Texten finns ändå.")
			parseEq(t, "HTML", m.HTML, "<p>Texten finns</p>\n")
			for _, p := range []string{"header line without colon", "final boundary missing"} {
				if !parseHasProblem(m, p) {
					t.Errorf("no problem %q in %q", p, m.Problems)
				}
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			tt.check(t, parseSampleFile(t, tt.file, DefaultLimits()))
		})
	}
}

func TestParseLimits(t *testing.T) {
	t.Parallel()
	m := parseSampleFile(t, "rfc2231-filename.eml", Limits{MaxParts: 4})
	if len(m.Attachments) != 2 || !parseHasProblem(m, "part limit reached (4 parts)") {
		t.Errorf("MaxParts 4: %d attachments, problems %q", len(m.Attachments), m.Problems)
	}
	m = parseSampleFile(t, "rfc2231-filename.eml", Limits{MaxAttachmentBytes: 10})
	if len(m.Attachments) != 2 || !parseHasProblem(m, `attachment size limit reached (10 bytes): "räkning.pdf" dropped`) {
		t.Errorf("MaxAttachmentBytes 10: %d attachments, problems %q", len(m.Attachments), m.Problems)
	}
	m = parseSampleFile(t, "deep-nesting.eml", Limits{MaxDepth: 40})
	if m.Text != "Langst ner." || len(m.Problems) != 0 {
		t.Errorf("MaxDepth 40: Text %q, problems %q", m.Text, m.Problems)
	}
	if d := DefaultLimits(); d.MaxDepth != 20 || d.MaxParts != 500 || d.MaxAttachmentBytes != 50<<20 {
		t.Errorf("DefaultLimits() = %+v", d)
	}
}

func TestParseRefuses(t *testing.T) {
	t.Parallel()
	for _, raw := range []string{
		"",
		"\r\n\r\n",
		"// Not an RFC-822 Document",
		"Hej,\n\nservern är nere.\n",
		"Thanx :-)\n\nSendt fra min iPad\n",
		"From nobody Mon Jan 1 00:00:00 2026\n",
		"\x00\x01\x02binary",
	} {
		if m, err := Parse([]byte(raw), DefaultLimits()); err == nil {
			t.Errorf("Parse(%q) = %+v, want an error", raw, m)
		}
	}
}

func TestParseLenient(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, raw, text, problem string
	}{
		{"no MIME at all", "Subject: x\n\nbody\n", "body\n", ""},
		{"CRLF and lone CR", "Subject: x\r\n\r\na\r\nb\rc", "a\nb\nc", ""},
		{"indented first line", " From: a@b.c\nSubject: x\n\nbody", "body", "indented"},
		{"no blank line before body", "Subject: x\nFrom: a@b.c\nbody here\nmore", "body here\nmore", "no blank line"},
		{"header only", "Subject: x\nFrom: a@b.c\n", "", ""},
		{"bad base64", "Subject: x\nContent-Transfer-Encoding: base64\n\naGVq!!bWVk\n", "hejmed", "bad base64"},
		{"base64 without padding", "Subject: x\nContent-Transfer-Encoding: base64\n\naGVqc2Fu", "hejsan", ""},
		{"base64 concatenated chunks", "Subject: x\nContent-Transfer-Encoding: base64\n\naGU=\naGVq\n", "hehej", ""},
		{"qp soft break with trailing space", "Subject: x\nContent-Transfer-Encoding: quoted-printable\n\nab= \ncd=3d=XY\n", "abcd==XY\n", ""},
		{"qp misspelt", "Subject: x\nContent-Transfer-Encoding: Quoted Printable\n\nf=F6r", "för", ""},
		{"unknown encoding", "Subject: x\nContent-Transfer-Encoding: base9000\n\nraw", "raw", "base9000"},
		{"us-ascii with Latin-1 bytes", "Subject: x\nContent-Type: text/plain; charset=us-ascii\n\nf\xf6r", "för", ""},
		{"utf-8 with stray Latin-1", "Subject: x\nContent-Type: text/plain; charset=utf-8\n\nh\xe4r är", "här är", "invalid UTF-8"},
		{"mislabelled UTF-8", "Subject: x\nContent-Type: text/plain; charset=iso-8859-1\n\nhär", "här", "is UTF-8"},
		{"koi8-r", "Subject: x\nContent-Type: text/plain; charset=koi8-r\n\n\xf0\xd2\xc9\xd7\xc5\xd4", "Привет", ""},
		{"iso-8859-15 euro", "Subject: x\nContent-Type: text/plain; charset=ISO-8859-15\n\n\xa4", "€", ""},
		{"escaped quotes in charset", "Subject: x\nContent-Type: text/plain; charset=\\\"windows-1252\\\"\n\n\x96", "–", ""},
		{"multipart without boundary", "Subject: x\nContent-Type: multipart/mixed\n\n--zz\n\nin part\n--zz--\n", "in part", "without boundary"},
		{"false multipart", "Subject: x\nContent-Type: multipart/alternative; boundary=q\n\njust text", "just text", "no parts"},
		{"bare CR-less boundary lines", "Subject: x\nContent-Type: multipart/mixed; boundary=\"a b\"\n\npre\n--a b  \n\none\n--a b--  \nepilogue", "one", ""},
		{"missing subtype", "Subject: x\nContent-Type: text\n\nplain", "plain", "bad Content-Type"},
		{"html meta charset", "Subject: x\nContent-Type: text/html\n\n<meta charset=\"koi8-r\"><p>\xf0\xd2\xc9\xd7\xc5\xd4</p>", "Привет", ""},
		{"html alternative preferred when text is empty", "Subject: x\nContent-Type: multipart/alternative; boundary=b\n\n--b\n\n \n--b\nContent-Type: text/html\n\n<b>html</b>\n--b--", "html", ""},
	}
	for _, tt := range tests {
		m, err := Parse([]byte(tt.raw), DefaultLimits())
		if err != nil {
			t.Errorf("%s: %v", tt.name, err)
			continue
		}
		if m.Text != tt.text {
			t.Errorf("%s: Text = %q, want %q", tt.name, m.Text, tt.text)
		}
		if tt.problem != "" && !parseHasProblem(m, tt.problem) {
			t.Errorf("%s: no problem %q in %q", tt.name, tt.problem, m.Problems)
		}
		if tt.problem == "" && len(m.Problems) > 0 {
			t.Errorf("%s: unexpected problems %q", tt.name, m.Problems)
		}
	}
}

func TestParseEnvelope(t *testing.T) {
	t.Parallel()
	raw := "From: \"Lütke, Ingo\" <Ingo@Example.ORG>\n" +
		"Reply-To: =?utf-8?Q?K=C3=B6_Svar?= <Svar@Example.org>, other@example.org\n" +
		"To: a@example.org, \"B, C\" <b@example.org>\n" +
		"To: c@example.org\n" +
		"Cc: undisclosed-recipients:;\n" +
		"Message-ID: bare-id@example.org\n" +
		"In-Reply-To: <x@y> (message from Z)\n" +
		"References: <r1@y> <r2@y>\n <r1@y>\n" +
		"Subject: =?utf-8?B?w6XDpMO2?=\n  =?utf-8?B?IMOlw6TDtg==?=  tail\n" +
		"Date: Mon, 2 Mar 2026 09:13:55 +0100 (CET)\n\nbody"
	m, err := Parse([]byte(raw), DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	parseEq(t, "From", m.From, "ingo@example.org")
	parseEq(t, "FromName", m.FromName, "Lütke, Ingo")
	parseEq(t, "ReplyTo", m.ReplyTo, "svar@example.org")
	parseEqs(t, "To", m.To, []string{"a@example.org", "b@example.org", "c@example.org"})
	parseEqs(t, "Cc", m.Cc, nil)
	parseEq(t, "MessageID", m.MessageID, "bare-id@example.org")
	parseEqs(t, "InReplyTo", m.InReplyTo, []string{"x@y"})
	parseEqs(t, "References", m.References, []string{"r1@y", "r2@y"})
	parseEq(t, "Subject", m.Subject, "åäö åäö tail")
	if m.Date.IsZero() {
		t.Error("Date not parsed")
	}

	// Latin-1 bytes in a header and an address net/mail refuses.
	m, err = Parse([]byte("From: J\xf6rgen <j@x.se> trailing garbage <\nSubject: Gr\xfc\xdfe\nDate: yesterday\n\n"), DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	parseEq(t, "From", m.From, "j@x.se")
	parseEq(t, "FromName", m.FromName, "Jörgen")
	parseEq(t, "Subject", m.Subject, "Grüße")
	if !m.Date.IsZero() || !parseHasProblem(m, "unparseable Date") {
		t.Errorf("Date %v, problems %q", m.Date, m.Problems)
	}
}

func TestHTMLToText(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"", ""},
		{"plain text", "plain text"},
		{"<p>one</p><p>two</p>", "one\n\ntwo"},
		{"<div>one</div><div>two</div>", "one\ntwo"},
		{"a<br>b<br/><br />c", "a\nb\n\nc"},
		{"<p>a</p><p></p><p></p><br><br><p>b</p>", "a\n\nb"},
		{"<ul><li>x</li><li>y<ul><li>z</li></ul></li></ul>after", "- x\n- y\n  - z\n\nafter"},
		{`<a href="http://x.se/a">link text</a>`, "link text (http://x.se/a)"},
		{`<a href="https://x.se/">x.se</a>`, "x.se"},
		{`<a href="mailto:a@b.se">a@b.se</a>`, "a@b.se"},
		{`<a href="#top">top</a> <a href="javascript:void(0)">js</a>`, "top js"},
		{"<blockquote>q1<br>q2<blockquote>deep</blockquote></blockquote>end", "> q1\n> q2\n>\n> > deep\n\nend"},
		{"<head><title>T</title><style>x{}</style></head><body>B</body>", "B"},
		{"<script>if (a < b) {}</script>visible<SCRIPT>x</SCRIPT>", "visible"},
		{"<style>unclosed", ""},
		{"&lt;tag&gt; &amp; &auml;&ouml; &#229;&#x00E5; &nbsp;&euro;", "<tag> & äö åå €"},
		{"a  \n\t b", "a b"},
		{"x<pre>  keep\n    this</pre>y", "x\n  keep\n    this\ny"},
		{"<!-- comment --><!--[if mso]>x<![endif]-->shown", "shown"},
		{"<!DOCTYPE html><?xml version=\"1.0\"?>ok", "ok"},
		{"a < b and c > d", "a < b and c > d"},
		{"<p unclosed='x>text", "text"},
		{"<b>bold</b><i>it</i> <span>span</span>", "boldit span"},
		{"<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "a b\nc"},
		{"x<hr>y", "x\n________________________________\ny"},
		{"<p class=MsoNormal>rad 1<o:p></o:p></p><p class=MsoNormal><o:p>&nbsp;</o:p></p><p class=MsoNormal>rad 2</p>", "rad 1\n\nrad 2"},
		{"<head><meta charset=utf-8>never closed <p>text", "never closed\n\ntext"},
		{"zero\u200bwidth\u00adsoft", "zerowidthsoft"},
		{"<a href=x>a<a href=y>b</a>", "a (x) b (y)"},
		{"<ul><li><p>a</p></li><li><p>b</p></li></ul>", "- a\n- b"},
		{"<div>a</div><div><br></div><div>b</div>", "a\n\nb"},
		{`<div dir="ltr">On Mon, A wrote:<br></div><blockquote class="gmail_quote">quoted<br><br>more</blockquote>`, "On Mon, A wrote:\n\n> quoted\n>\n> more"},
		{"<", "<"},
		{"</", ""},
		{"<a", ""},
	}
	for _, tt := range tests {
		if got := HTMLToText(tt.in); got != tt.want {
			t.Errorf("HTMLToText(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSafeFilename(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("å", 150) + ".pdf" // 304 bytes
	tests := []struct{ name, mt, want string }{
		{"räkning.pdf", "application/pdf", "räkning.pdf"},
		{"../../etc/passwd", "", "passwd"},
		{`C:\Users\anna\Desktop\bild.png`, "", "bild.png"},
		{"..", "application/pdf", "attachment.pdf"},
		{"", "image/jpeg", "attachment.jpg"},
		{"", "application/x-unknown", "attachment"},
		{"...hidden", "", "hidden"},
		{"a<b>c:d\"e|f?g*h.txt", "", "a_b_c_d_e_f_g_h.txt"},
		{"tab\there\nnl\x00nul\x7f.txt", "", "tab_here_nl_nul_.txt"},
		{"invoice\u202Efdp.exe", "", "invoice_fdp.exe"},
		{"  spaced name .  ", "", "spaced name"},
		{"CON", "", "_CON"},
		{"nul.txt", "", "_nul.txt"},
		{"com1.log", "", "_com1.log"},
		{"console.txt", "", "console.txt"},
		{"\x01\x02", "text/plain", "attachment.txt"},
		{"bad\xffutf8.txt", "", "bad_utf8.txt"},
		{long, "", strings.Repeat("å", 98) + ".pdf"},
		{strings.Repeat("x", 300), "", strings.Repeat("x", 200)},
	}
	for _, tt := range tests {
		got := SafeFilename(tt.name, tt.mt)
		if got != tt.want {
			t.Errorf("SafeFilename(%q, %q) = %q, want %q", tt.name, tt.mt, got, tt.want)
		}
		if len(got) > 200 || !utf8.ValidString(got) {
			t.Errorf("SafeFilename(%q) = %q: too long or invalid", tt.name, got)
		}
		if again := SafeFilename(got, tt.mt); again != got {
			t.Errorf("SafeFilename not idempotent: %q → %q → %q", tt.name, got, again)
		}
	}
}

func TestParseMediaParams(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, mt string
		params map[string]string
	}{
		{`text/plain; charset="utf-8"`, "text/plain", map[string]string{"charset": "utf-8"}},
		{`Text/HTML;Charset=ISO-8859-1;`, "text/html", map[string]string{"charset": "ISO-8859-1"}},
		{`multipart/mixed; boundary=----=_Part_1_2.3`, "multipart/mixed", map[string]string{"boundary": "----=_Part_1_2.3"}},
		{`application/pdf name="a.pdf"`, "application/pdf", map[string]string{"name": "a.pdf"}},
		{`text / plain`, "text/plain", map[string]string{}},
		{`text/plain; charset="charset=us-ascii"`, "text/plain", map[string]string{"charset": "us-ascii"}},
		{`attachment; filename="C:\temp\a.txt"`, "attachment", map[string]string{"filename": `C:\temp\a.txt`}},
		{`attachment; filename="say \"hi\".txt"`, "attachment", map[string]string{"filename": `say "hi".txt`}},
		{`attachment; filename="unclosed`, "attachment", map[string]string{"filename": "unclosed"}},
		{`attachment; filename*=UTF-8''r%C3%A4kning.pdf; filename="rakning.pdf"`, "attachment", map[string]string{"filename": "räkning.pdf"}},
		{`attachment; filename*1="b.txt"; filename*0="a"`, "attachment", map[string]string{"filename": "ab.txt"}},
		{`attachment; filename*0*=iso-8859-1''%E5; filename*1*=%E4; filename*2=%F6`, "attachment", map[string]string{"filename": "åä%F6"}},
		{`attachment; filename*=utf-8'sv'%ZZ`, "attachment", map[string]string{"filename": "%ZZ"}},
	}
	for _, tt := range tests {
		mt, params := parseMediaParams(tt.in)
		if mt != tt.mt {
			t.Errorf("parseMediaParams(%q) type = %q, want %q", tt.in, mt, tt.mt)
		}
		for k, v := range tt.params {
			if params[k] != v {
				t.Errorf("parseMediaParams(%q)[%q] = %q, want %q", tt.in, k, params[k], v)
			}
		}
	}
}

func parseEq(t *testing.T, field, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %q, want %q", field, got, want)
	}
}

func parseEqs(t *testing.T, field string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s = %q, want %q", field, got, want)
	}
}

func parseContains(t *testing.T, s, sub string) {
	t.Helper()
	if !strings.Contains(s, sub) {
		t.Errorf("%q does not contain %q", s, sub)
	}
}

func parseNoProblems(t *testing.T, m *Message) {
	t.Helper()
	if len(m.Problems) > 0 {
		t.Errorf("unexpected problems: %q", m.Problems)
	}
}

// TestParsePathological feeds inputs built to trigger quadratic behaviour; each must finish
// quickly (the bound is loose: a quadratic path takes minutes at this size).
func TestParsePathological(t *testing.T) {
	t.Parallel()
	const n = 1 << 20
	rep := func(s string) string { return strings.Repeat(s, n/len(s)) }
	inputs := map[string]string{
		"encoded-word starts":  "Subject: " + rep("=?") + "\n\n",
		"unterminated words":   "Subject: " + rep("=?utf-8?q?a") + "\n\n",
		"many message ids":     "References: " + rep("<a@b> <c@d>") + "\n\n",
		"many addresses":       "To: " + rep("a@b, ") + "\n\n",
		"angle brackets":       "From: " + rep("<") + "\n\n",
		"lines without colon":  "Subject: x\n" + rep("no colon\n") + "To: a@b\n\n",
		"continuations":        "Subject: x\n" + rep(" folded\n") + "\n",
		"semicolon lines":      "Subject: x;\n" + rep("a;\n"),
		"content types":        "Subject: x\n" + rep("Content-Type: multipart/mixed; boundary=b\n") + "\n--b\n",
		"boundaries":           "Content-Type: multipart/mixed; boundary=b\n\n" + rep("--b\n"),
		"nested multiparts":    "Content-Type: multipart/mixed; boundary=b\n\n" + rep("--b\nContent-Type: multipart/mixed; boundary=b\n\n"),
		"embedded messages":    "Content-Type: message/rfc822\n\n" + rep("Content-Type: message/rfc822\n\n"),
		"params":               "Content-Type: text/plain" + rep("; a*0*=x") + "\n\nx",
		"html quotes":          "Content-Type: text/html\n\n" + strings.Repeat("<blockquote>", n/24) + strings.Repeat("w ", n/4),
		"html lists":           "Content-Type: text/html\n\n" + strings.Repeat("<ul><li>", n/16) + strings.Repeat("w ", n/4),
		"html links":           "Content-Type: text/html\n\n" + rep("<a href=x>y"),
		"html open tags":       "Content-Type: text/html\n\n" + rep("<a "),
		"html comments":        "Content-Type: text/html\n\n" + rep("<!-"),
		"html script":          "Content-Type: text/html\n\n" + rep("<script>"),
		"base64 padding":       "Content-Transfer-Encoding: base64\nSubject: x\n\n" + rep("=A"),
		"quoted-printable":     "Content-Transfer-Encoding: quoted-printable\nSubject: x\n\n" + rep("= \t"),
		"sniffed boundary":     "Content-Type: multipart/mixed\n\n" + rep("--x\n"),
		"alternative children": "Content-Type: multipart/alternative; boundary=b\n\n" + rep("--b\n\nt\n"),
	}
	for name, in := range inputs {
		start := time.Now()
		_, _ = Parse([]byte(in), DefaultLimits())
		if d := time.Since(start); d > 5*time.Second {
			t.Errorf("%s: %v for %d bytes", name, d, len(in))
		}
	}
}
