package mail

import (
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// The new text of a reply (SPEC §5) is checked against golden files: one for every mail of the
// shared corpus whose category is "reply" (full messages go through Parse, the body-only
// fixtures are fed to NewText as they are), and one for each hand-written sample in
// testdata/newtext/samples. Regenerate them with
//
//	go test ./mail -run TestNewTextGolden -update
//
// and read every changed file: a golden holds the sender's own words, with no quoted history
// and no signature.

var update = flag.Bool("update", false, "rewrite the golden files under testdata/newtext")

// newTextDir holds the goldens: <source>/<path>.txt mirrors the corpus, samples/ our own mails.
var newTextDir = filepath.Join("testdata", "newtext")

// newTextDebatable lists the corpus goldens whose cut a reader may dispute, and why it is
// what it is. Each must name a reply of index.tsv. Of our own samples, samples/outlook-en.txt
// and samples/outlook-plain-sv.txt keep the sign-off and contact lines under the text: Outlook
// writes no "-- " delimiter, and a name or a phone number there can matter to the consultant.
func newTextDebatable() map[string]string {
	return map[string]string{
		"chatwoot/welcome_html.eml": "a forwarded newsletter whose text part carries no forward header at all " +
			"(the HTML part starts with the sender's one line); nothing marks where the sender's words end, " +
			"so the whole newsletter is kept",
		"chatwoot/mail_with_quote.eml": "Gmail put the signature (\"--\" without the trailing space) below the " +
			"quote; the quote is dropped and the cut is made at the signature",
		"flanker/from-encoding.eml": "an interleaved reply under \"Marc Slemko wrote:\" (no date: dropped only " +
			"because a quote follows); \"---/dev/il\" is a signature without a delimiter and is kept",
		"webklex-php-imap/issue-275-2.eml": "no history; the sign-off and contact lines have no \"-- \" " +
			"delimiter, so they are kept as the sender wrote them",
		"webklex-php-imap/issue-412.eml":                 "the name under the text (\"Tony Marston\") has no delimiter and is kept",
		"email_reply_trimmer/embedded_email_swedish.txt": "\"Best regards / Some One\" has no delimiter and is kept",
		"email_reply_trimmer/embedded_email_1.txt": "the text after the history (\"This is after the embedded " +
			"email…\") is cut: the history is quoted with \"Richard>\", not \">\", so it ends the text",
		"email_reply_trimmer/embedded_email_french_2.txt": "bottom-posted: the quote, attribution first, is dropped " +
			"and the line under it is the new text",
		"email_reply_trimmer/forwarded_gmail.txt": "forwarded mail: only the sender's line above the forward " +
			"header is new text, the forwarded message is history",
		"email_reply_trimmer/forwarded_apple.txt": "as forwarded_gmail.txt",
		"django-helpdesk/forwarded-message.eml":   "as forwarded_gmail.txt",
		"talon/reply-quotations-share-block.eml": "Yahoo's \"--- On … wrote:\" is followed by an unquoted " +
			"history, which is cut; the name \"Joe XXX\" above it is kept",
		"talon/standard_replies/iphone.eml":                "\"Sent from my iPhone\" is dropped as a client footer",
		"email_reply_trimmer/embedded_email_norwegian.txt": "\"Sendt fra min iPad\" is dropped as a client footer",
	}
}

// newTextGolden compares got with the golden file at path, or writes it under -update.
func newTextGolden(t *testing.T, path, got string) {
	t.Helper()
	want := ""
	if got != "" {
		want = got + "\n"
	}
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./mail -run TestNewTextGolden -update)", err)
	}
	if string(b) != want {
		t.Errorf("%s: NewText =\n%s\nwant\n%s", path, got, b)
	}
}

// newTextGoldenName maps a corpus path to its golden: "a/b.eml" → "a/b.txt", "a/m0019" →
// "a/m0019.txt".
func newTextGoldenName(corpusPath string) string {
	ext := filepath.Ext(corpusPath)
	if ext == ".eml" || ext == ".txt" {
		corpusPath = strings.TrimSuffix(corpusPath, ext)
	}
	return filepath.Join(newTextDir, filepath.FromSlash(corpusPath)+".txt")
}

// newTextInvariants hold for any text: NewText's lines are lines of the text, in order, none
// of them quoted, and no more of them.
func newTextInvariants(t *testing.T, name, in, got string) {
	t.Helper()
	if utf8.ValidString(in) && !utf8.ValidString(got) {
		t.Errorf("%s: NewText made invalid UTF-8", name)
	}
	if got == "" {
		return
	}
	inLines := strings.Split(strings.ReplaceAll(in, "\r\n", "\n"), "\n")
	gotLines := strings.Split(got, "\n")
	if len(gotLines) > len(inLines) {
		t.Errorf("%s: NewText has %d lines, the text %d", name, len(gotLines), len(inLines))
	}
	j := 0
	for _, g := range gotLines {
		if strings.HasPrefix(strings.TrimSpace(g), ">") {
			t.Errorf("%s: NewText kept the quoted line %q", name, g)
		}
		if g == "" {
			continue
		}
		for j < len(inLines) && !strings.Contains(inLines[j], strings.TrimSpace(g)) {
			j++
		}
		if j == len(inLines) {
			t.Errorf("%s: NewText line %q is not a line of the text, in order", name, g)
			return
		}
		j++
	}
}

func TestNewTextGolden(t *testing.T) {
	t.Run("corpus", func(t *testing.T) {
		dir, entries := parseCorpusIndex(t)
		want := map[string]bool{}
		replies, bodies := 0, 0
		for _, e := range entries {
			if e.category != "reply" {
				continue
			}
			raw, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(e.path)))
			if err != nil {
				t.Fatal(err)
			}
			in := string(raw)
			if e.bodyOnly() {
				bodies++
			} else {
				m, err := Parse(raw, DefaultLimits())
				if err != nil {
					t.Errorf("%s: %v", e.path, err)
					continue
				}
				in = m.Text
			}
			replies++
			got := NewText(in)
			newTextInvariants(t, e.path, in, got)
			golden := newTextGoldenName(e.path)
			want[golden] = true
			newTextGolden(t, golden, got)
		}
		if replies == 0 {
			t.Fatal("index.tsv lists no replies")
		}
		for p := range newTextDebatable() {
			if !want[newTextGoldenName(p)] {
				t.Errorf("newTextDebatable names %s, which is not a reply of the corpus", p)
			}
		}
		// A golden whose mail left the corpus (or changed category) would never be checked.
		err := filepath.WalkDir(newTextDir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && p == filepath.Join(newTextDir, "samples") {
				return filepath.SkipDir
			}
			if !d.IsDir() && !want[p] {
				t.Errorf("%s: no reply of the corpus has this golden", p)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%d corpus replies checked (%d body-only)", replies, bodies)
	})
	t.Run("samples", func(t *testing.T) {
		files, err := filepath.Glob(filepath.Join(newTextDir, "samples", "*.eml"))
		if err != nil {
			t.Fatal(err)
		}
		if len(files) < 8 {
			t.Fatalf("%d samples, want at least 8", len(files))
		}
		for _, p := range files {
			raw, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			m, err := Parse(raw, DefaultLimits())
			if err != nil {
				t.Errorf("%s: %v", p, err)
				continue
			}
			got := NewText(m.Text)
			newTextInvariants(t, p, m.Text, got)
			newTextGolden(t, strings.TrimSuffix(p, ".eml")+".txt", got)
		}
	})
}

// newTextCases are the edge cases of the cut, on short texts.
var newTextCases = []struct{ name, in, want string }{
	{"empty", "", ""},
	{"blank", "\n \n\t\n", ""},
	{"no history", "Hej!\n\nServern är nere.\n\nEva", "Hej!\n\nServern är nere.\n\nEva"},
	{"CRLF", "Hej\r\n\r\nFrån: SOS <s@sos.example>\r\nSkickat: i går\r\n", "Hej"},
	{"From: in the sender's prose", "Hej\nFrån: och med i dag gäller nya rutiner.\nTill dess gäller de gamla.\n\nEva",
		"Hej\nFrån: och med i dag gäller nya rutiner.\nTill dess gäller de gamla.\n\nEva"},
	{"From: line, then a blank line, then a label", "From: my side all is fine.\n\nSubject: the invoices\nThey are late.",
		"From: my side all is fine.\n\nSubject: the invoices\nThey are late."},
	{"Outlook block sv", "Svar\n\nFrån: SOS <s@sos.example>\nSkickat: den 1 december 2026 10:00\nTill: Eva\nÄmne: x\n\ngammalt",
		"Svar"},
	{"Outlook block en, bold", "Answer\n\n*From:* SOS\n*Sent:* Tuesday\n*To:* Eva\n\nold", "Answer"},
	{"Outlook block flattened to one line", "Svar\nFrån: SOS <s@sos.example> Skickat: den 1 december 2026 Till: Eva Ämne: x",
		"Svar"},
	{"Outlook block da", "Svar\n\nFra: SOS\nSendt: 1. december 2026\nTil: Eva\nEmne: x\n", "Svar"},
	{"separator sv", "Svar här\n\n-----Ursprungligt meddelande-----\nFrån: Support\n", "Svar här"},
	{"separator en spaced", "Answer\n----- Original Message -----\nold", "Answer"},
	{"underscores", "Svar\n________________________________\nFrån: SOS", "Svar"},
	{"Gmail sv", "Hej!\nNu funkar det.\n\nDen tis 1 dec. 2026 kl 10:00 skrev Eva Ek <eva@acme.se>:\n> Hej\n", "Hej!\nNu funkar det."},
	{"Gmail en", "Thanks\n\nOn Tue, Dec 1, 2026 at 10:00 AM Eva <eva@acme.se> wrote:\n> text", "Thanks"},
	{"Gmail en wrapped at the address", "Thanks\n\nOn Tue, Dec 1, 2026 at 10:00 AM Eva <\neva@acme.se> wrote:\n\n> text", "Thanks"},
	{"Gmail en wrapped before the verb", "Thanks\nOn Tue, Dec 1, 2026 at 10:00 AM Eva <eva@acme.se>\nwrote:\n> text", "Thanks"},
	{"Gmail sv wrapped at the colon", "Tack\n\nDen tis 1 dec. 2026 kl 10:00 skrev Eva Ek <eva@acme.se\n>:\n\n> text", "Tack"},
	{"Apple Mail sv, no address", "Tack\n\nDen 1 dec. 2026 kl. 10:00 skrev Eva Ek:\n\n> text", "Tack"},
	{"Apple Mail, date on a line of its own", "Tack\nDen 1 dec. 2026 kl. 10:00\nEva Ek <eva@acme.se> skrev:\n\n> text", "Tack"},
	{"attribution without a quote cuts", "Kiitos\n\npe 1. joulukuuta 2026 klo 10.00 Eva\n<eva@acme.se> kirjoitti:\n\nold text", "Kiitos"},
	{"Zoho dashes", "Answer\n\n---- On Tue, 01 Dec 2026 10:00:00 +0100 eva@acme.se wrote ----\n\nold", "Answer"},
	{"bottom-posted", "On 12/1/26 10:00, Eva wrote:\n> question\nanswer", "answer"},
	{"interleaved", "Eva wrote:\n> one?\nyes\n> two?\nno", "yes\nno"},
	{"a sentence with skrev is not an attribution", "Jag skrev till er den 3 december 2026 om detta:\n- skrivaren\n- servern",
		"Jag skrev till er den 3 december 2026 om detta:\n- skrivaren\n- servern"},
	{"a sentence with skrev and an address is not an attribution", "Som jag skrev till support@sos.example i går:\n\nServern är nere.",
		"Som jag skrev till support@sos.example i går:\n\nServern är nere."},
	{"nor with a bracketed address and a date", "Jag skrev till <support@sos.example> den 1 dec 2026:\nServern är nere.",
		"Jag skrev till <support@sos.example> den 1 dec 2026:\nServern är nere."},
	{"German date after the verb", "Ok\n\nBob Berg schrieb am Di., 1. Dez. 2026 um 10:00 Uhr:\n\nalt", "Ok"},
	{"Gmail sv, lower-case words in the name", "Tack\n\nDen tis 1 dec. 2026 kl 10:00 skrev Supporten hos SOS <support@sos.example>:\n\nalt", "Tack"},
	{"a line ending wrote: without date stays when no quote follows", "My colleague wrote:\nthe server is down", "My colleague wrote:\nthe server is down"},
	{"signature", "Text\n-- \nEva Ek\nACME", "Text"},
	{"signature without its space", "Text\n--\nEva Ek", "Text"},
	{"mobile footer", "Ok\n\nSkickat från min iPhone\n\n> Den 1 dec. 2026 kl. 10:00 skrev X:", "Ok"},
	{"a sentence starting Sent from my goes on", "Sent from my office yesterday, the report shows the same error on every machine in the building, twice.",
		"Sent from my office yesterday, the report shows the same error on every machine in the building, twice."},
	{"quoted lines dropped", "> quoted\nmy line\n> more", "my line"},
	{"commands on top", "#start\n#time 1h\n\nHej!\n\nDen tis 1 dec. 2026 kl 10:00 skrev X <x@y.se>:\n> old",
		"#start\n#time 1h\n\nHej!"},
	{"trailing dashes above a header block", "Reply\n\n ------------------------------\n\n*From:* A\n*Sent:* B\n", "Reply"},
	{"Begin forwarded message", "FYI\n\nBegin forwarded message:\n\nFrom: A\nSubject: B", "FYI"},
	{"a lone >: is a quote", "Hej\n>:\nmer", "Hej\nmer"},
}

// TestNewTextEdges runs newTextCases.
func TestNewTextEdges(t *testing.T) {
	t.Parallel()
	for _, c := range newTextCases {
		got := NewText(c.in)
		if got != c.want {
			t.Errorf("%s: NewText(%q) = %q, want %q", c.name, c.in, got, c.want)
		}
		newTextInvariants(t, c.name, c.in, got)
	}
}

// TestHTMLToTextOutlookReply: Outlook's reply div becomes the underscore line, once, so that
// NewText cuts there whatever the language of the header block.
func TestHTMLToTextOutlookReply(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, text, newText string }{
		{`<div>Svar</div><div id="appendonsend"></div><hr style="display:inline-block"><div id="divRplyFwdMsg"><b>Från:</b> A<br><b>Skickat:</b> B</div><div>gammalt</div>`,
			"Svar\n________________________________\nFrån: A\nSkickat: B\ngammalt", "Svar"},
		{`<p>Odpowiedź</p><div id="x_divRplyFwdMsg"><b>Nadawca:</b> A</div><p>stare</p>`,
			"Odpowiedź\n________________________________\nNadawca: A\n\nstare", "Odpowiedź"},
		{`<p>Reply</p><hr id="stopSpelling">old`, "Reply\n________________________________\nold", "Reply"},
		{`<p class="MsoNormal">Svar</p><div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm"><p class="MsoNormal"><b>Lähettäjä:</b> A</p></div>`,
			"Svar\n________________________________\nLähettäjä: A", "Svar"},
		{`<div id="other">Text</div>`, "Text", "Text"},
		// An empty appendonsend div above any text marks nothing: the text is all new.
		{`<div id="appendonsend"></div><div>Ny fråga</div>`, "Ny fråga", "Ny fråga"},
		{`<p>A</p><hr><hr><p>B</p>`, "A\n________________________________\n\nB", "A"},
	} {
		text := HTMLToText(c.in)
		if text != c.text {
			t.Errorf("HTMLToText(%q) = %q, want %q", c.in, text, c.text)
		}
		if got := NewText(text); got != c.newText {
			t.Errorf("NewText(HTMLToText(%q)) = %q, want %q", c.in, got, c.newText)
		}
	}
}

// FuzzNewText: NewText never panics, keeps valid UTF-8 valid, and returns only lines of its
// input, in order, none quoted, never more of them.
//
//	go test ./mail -run XXX -fuzz FuzzNewText -fuzztime 60s
func FuzzNewText(f *testing.F) {
	for _, c := range newTextCases {
		f.Add(c.in)
	}
	samples, _ := filepath.Glob(filepath.Join(newTextDir, "samples", "*.eml"))
	for _, p := range samples {
		if raw, err := os.ReadFile(p); err == nil {
			if m, err := Parse(raw, DefaultLimits()); err == nil {
				f.Add(m.Text)
			}
		}
	}
	dir := filepath.Join("..", "..", "shared", "corpus")
	bodies, _ := filepath.Glob(filepath.Join(dir, "email_reply_trimmer", "*.txt"))
	more, _ := filepath.Glob(filepath.Join(dir, "crisp-email-reply-parser", "*.txt"))
	for _, p := range append(bodies, more...) {
		if raw, err := os.ReadFile(p); err == nil {
			f.Add(string(raw))
		}
	}
	f.Fuzz(func(t *testing.T, in string) {
		got := NewText(in)
		newTextInvariants(t, "fuzz", in, got)
		if len(got) > len(in) {
			t.Fatalf("NewText is longer than its input: %q → %q", in, got)
		}
	})
}
