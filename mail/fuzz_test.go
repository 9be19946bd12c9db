package mail

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// Fuzz targets for the parser (STYLE L19, after mox's fuzzers seeded from .eml files).
// Crashers Go finds are kept in testdata/fuzz/FuzzX/ and replayed by every go test run.
//
//	go test -run XXX -fuzz FuzzParse -fuzztime 60s ./mail/
//	go test -run XXX -fuzz FuzzHTMLToText -fuzztime 60s ./mail/

// parseFuzzSeeds returns the testdata samples and every seventh corpus message, when present.
func parseFuzzSeeds(f *testing.F) [][]byte {
	f.Helper()
	var seeds [][]byte
	files, _ := filepath.Glob(filepath.Join("testdata", "parse", "*.eml"))
	dir := filepath.Join("..", "..", "shared", "corpus")
	if _, err := os.Stat(filepath.Join(dir, "index.tsv")); err == nil {
		var corpus []string
		_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && !strings.HasSuffix(p, ".tsv") && !strings.HasSuffix(p, ".md") && !strings.Contains(p, "LICENSE") {
				corpus = append(corpus, p)
			}
			return nil
		})
		for i := 0; i < len(corpus); i += 7 {
			files = append(files, corpus[i])
		}
	}
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		if len(b) > 64<<10 {
			b = b[:64<<10] // large seeds slow the fuzzer down without adding structure
		}
		seeds = append(seeds, b)
	}
	return seeds
}

func FuzzParse(f *testing.F) {
	for _, s := range parseFuzzSeeds(f) {
		f.Add(s)
	}
	f.Add([]byte("Subject: =?utf-8?B?w6U=?= =?utf-8?Q?=C3?= =?x?q?=FF?=\nContent-Type: multipart/mixed; boundary=b\n\n--b\n\n--b--"))
	lim := Limits{MaxDepth: 8, MaxParts: 64, MaxAttachmentBytes: 1 << 20}
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, err := Parse(raw, lim)
		if err != nil {
			if m != nil {
				t.Fatal("error with a message")
			}
			return
		}
		strs := []string{m.Text, m.HTML, m.Subject, m.FromName, m.From, m.ReplyTo, m.MessageID, m.Report}
		strs = append(append(append(append(append(strs, m.InReplyTo...), m.References...), m.To...), m.Cc...), m.Problems...)
		for _, a := range m.Attachments {
			strs = append(strs, a.Filename, a.ContentType, a.ContentID)
		}
		for _, s := range strs {
			if !utf8.ValidString(s) {
				t.Fatalf("not valid UTF-8: %q", s)
			}
		}
		if strings.Contains(m.Text, "\r") {
			t.Fatalf("Text contains CR: %q", m.Text)
		}
		var total int64
		for _, a := range m.Attachments {
			if a.Filename == "" || SafeFilename(a.Filename, a.ContentType) != a.Filename {
				t.Fatalf("attachment name %q not stable under SafeFilename", a.Filename)
			}
			total += int64(len(a.Data))
		}
		if total > lim.MaxAttachmentBytes {
			t.Fatalf("attachments hold %d bytes, limit %d", total, lim.MaxAttachmentBytes)
		}
		// The raw input as a file name: SafeFilename must be idempotent on anything.
		name := string(raw[:min(len(raw), 300)])
		if s := SafeFilename(name, "application/pdf"); SafeFilename(s, "application/pdf") != s || len(s) > 200 || !utf8.ValidString(s) {
			t.Fatalf("SafeFilename(%q) = %q is not a fixed point", name, s)
		}
	})
}

func FuzzHTMLToText(f *testing.F) {
	for _, s := range []string{
		"", "<p>a</p>", "<ul><li>x<li>y</ul>", `<a href="u">t</a>`, "<blockquote>q<pre> p\n q</pre></blockquote>",
		"<script>x", "<!--", "<a href='x", "&#xFFFFFF;&#0;&amp", "<head>x", "<table><tr><td>a<td>b</table>",
	} {
		f.Add(s)
	}
	for _, s := range parseFuzzSeeds(f) {
		if i := strings.Index(strings.ToLower(string(s)), "<html"); i >= 0 {
			f.Add(string(s[i:]))
		}
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := HTMLToText(in)
		if !utf8.ValidString(out) {
			t.Fatalf("invalid UTF-8: %q", out)
		}
		if strings.Contains(out, "\n\n\n") {
			t.Fatalf("blank lines not collapsed: %q", out)
		}
		if strings.HasPrefix(out, "\n") || strings.TrimRight(out, " \t\n") != out {
			t.Fatalf("untrimmed output: %q", out)
		}
	})
}
