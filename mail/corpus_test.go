package mail

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

// The shared corpus (../../shared/corpus, see its README.md) holds 313 real mails from the test
// suites of other mail parsers. Every full message must parse without error; the few that are
// not messages at all must be refused, so that the server quarantines them (SPEC §5).

// parseCorpusEntry is one row of index.tsv.
type parseCorpusEntry struct {
	path, source, category, note string
}

func (e parseCorpusEntry) bodyOnly() bool { return strings.HasPrefix(e.note, "BODY ONLY") }

// parseCorpusRefused lists the corpus files that are not RFC 5322 messages, with the reason.
// Parse must return an error for each.
func parseCorpusRefused() map[string]string {
	return map[string]string{
		"enmime/mail/erroneous.raw": "26 bytes of text (\"// Not an RFC-822 Document\"), no header block",
	}
}

// parseCorpusDir returns the corpus folder, or skips the test when it is absent.
func parseCorpusDir(tb testing.TB) string {
	tb.Helper()
	dir := filepath.Join("..", "..", "shared", "corpus")
	if _, err := os.Stat(filepath.Join(dir, "index.tsv")); err != nil {
		tb.Skipf("corpus not found: %v", err)
	}
	return dir
}

// parseCorpusIndex reads index.tsv.
func parseCorpusIndex(tb testing.TB) (string, []parseCorpusEntry) {
	tb.Helper()
	dir := parseCorpusDir(tb)
	f, err := os.Open(filepath.Join(dir, "index.tsv"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var out []parseCorpusEntry
	sc := bufio.NewScanner(f)
	for first := true; sc.Scan(); first = false {
		cols := strings.Split(sc.Text(), "\t")
		if first || len(cols) < 4 {
			continue
		}
		out = append(out, parseCorpusEntry{cols[0], cols[1], cols[2], cols[3]})
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	if len(out) == 0 {
		tb.Fatal("index.tsv lists no files")
	}
	return dir, out
}

// parseBounceHint matches what a human sees in a non-standard bounce: a mailer-daemon sender or a
// failure subject, in the languages of the corpus.
var parseBounceHint = regexp.MustCompile(`(?i)mailer-daemon|post_?master|mail delivery|delivery (status|notification|failure|has failed)|undeliver|undelivered|returned mail|failure notice|could not be delivered|non remis|non recapitabile|delivery failed|message not delivered|delayed|rejected|error|bounce|mailbox|unzustellbar|failed|エラー`)

func TestCorpus(t *testing.T) {
	dir, entries := parseCorpusIndex(t)
	refused := parseCorpusRefused()
	parsed, skipped := 0, 0
	for _, e := range entries {
		if e.bodyOnly() {
			skipped++
			continue
		}
		raw, err := os.ReadFile(filepath.Join(dir, e.path))
		if err != nil {
			t.Errorf("%s: %v", e.path, err)
			continue
		}
		m, err := Parse(raw, DefaultLimits())
		if reason, ok := refused[e.path]; ok {
			if err == nil {
				t.Errorf("%s: parsed, want an error (%s)", e.path, reason)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s (%s): %v", e.path, e.category, err)
			continue
		}
		parsed++
		parseCorpusInvariants(t, e.path, m)
		parseCorpusCategory(t, e, m)
		if testing.Verbose() && len(m.Problems) > 0 {
			t.Logf("%s: problems: %q", e.path, m.Problems)
		}
	}
	for p := range refused {
		found := false
		for _, e := range entries {
			found = found || e.path == p
		}
		if !found {
			t.Errorf("refused file %s is not in index.tsv", p)
		}
	}
	t.Logf("%d full messages parsed, %d refused as listed, %d body-only fixtures skipped", parsed, len(refused), skipped)
}

// parseCorpusInvariants holds for every parsed message.
func parseCorpusInvariants(t *testing.T, path string, m *Message) {
	t.Helper()
	for name, s := range map[string]string{"Text": m.Text, "HTML": m.HTML, "Subject": m.Subject, "FromName": m.FromName, "From": m.From} {
		if !utf8.ValidString(s) {
			t.Errorf("%s: %s is not valid UTF-8", path, name)
		}
	}
	if strings.Contains(m.Text, "\r") {
		t.Errorf("%s: Text contains CR", path)
	}
	if m.From != strings.ToLower(m.From) {
		t.Errorf("%s: From %q is not lower-case", path, m.From)
	}
	for _, a := range m.Attachments {
		if a.Filename == "" || SafeFilename(a.Filename, a.ContentType) != a.Filename {
			t.Errorf("%s: attachment name %q is not safe", path, a.Filename)
		}
		if a.ContentType != strings.ToLower(a.ContentType) || !strings.Contains(a.ContentType, "/") {
			t.Errorf("%s: attachment type %q", path, a.ContentType)
		}
	}
}

// parseCorpusCategory asserts what each category of index.tsv promises.
func parseCorpusCategory(t *testing.T, e parseCorpusEntry, m *Message) {
	t.Helper()
	switch e.category {
	case "bounce":
		switch {
		case strings.Contains(e.note, "ARF"):
			if m.Report != "feedback-report" && !parseBounceHint.MatchString(m.Subject) {
				t.Errorf("%s: ARF report: Report %q, Subject %q", e.path, m.Report, m.Subject)
			}
		case m.Report == "delivery-status":
		default:
			if !parseBounceHint.MatchString(m.From + " " + m.FromName + " " + m.Subject) {
				t.Errorf("%s: bounce without DSN or mailer-daemon hint: Report %q From %q Subject %q", e.path, m.Report, m.From, m.Subject)
			}
		}
	case "html":
		if strings.TrimSpace(m.Text) == "" || m.HTML == "" {
			t.Errorf("%s: html mail: Text %d bytes, HTML %d bytes", e.path, len(m.Text), len(m.HTML))
		}
	case "charset", "plain", "reply", "autoreply", "list":
		if e.category == "charset" && strings.ContainsRune(m.Text+m.Subject, utf8.RuneError) {
			t.Errorf("%s: charset mail decoded with replacement characters", e.path)
		}
		// A few have empty text parts in the source: all they carry is in attachments.
		if strings.TrimSpace(m.Text) == "" && len(m.Attachments) == 0 {
			t.Errorf("%s: %s mail has empty Text and no attachments", e.path, e.category)
		}
	case "tnef":
		if !m.TNEF {
			t.Errorf("%s: TNEF not recognised", e.path)
		}
	case "attachment":
		if len(m.Attachments) == 0 && m.Embedded == 0 {
			t.Errorf("%s: no attachments (%s)", e.path, e.note)
		}
	}
}

// TestCorpusBodyOnly: the body-only reply fixtures have no header block, so Parse refuses them.
func TestCorpusBodyOnly(t *testing.T) {
	dir, entries := parseCorpusIndex(t)
	for _, e := range entries {
		if !e.bodyOnly() {
			continue
		}
		raw, err := os.ReadFile(filepath.Join(dir, e.path))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Parse(raw, DefaultLimits()); err == nil {
			t.Errorf("%s: a body without header parsed as a message", e.path)
		}
	}
}

// parseCorpusMessages returns every full message of the corpus that Parse accepts.
func parseCorpusMessages(tb testing.TB) [][]byte {
	tb.Helper()
	dir, entries := parseCorpusIndex(tb)
	refused := parseCorpusRefused()
	var out [][]byte
	for _, e := range entries {
		if _, bad := refused[e.path]; bad || e.bodyOnly() {
			continue
		}
		raw, err := os.ReadFile(filepath.Join(dir, e.path))
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, raw)
	}
	return out
}

// BenchmarkParseCorpus parses the corpus' full messages round-robin; one op is one mail.
func BenchmarkParseCorpus(b *testing.B) {
	msgs := parseCorpusMessages(b)
	var bytes int64
	for _, m := range msgs {
		bytes += int64(len(m))
	}
	b.SetBytes(bytes / int64(len(msgs)))
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Parse(msgs[i%len(msgs)], DefaultLimits()); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "mails/s")
}

// TestCorpusDump writes each parsed message's fields to $SOSD_CORPUS_DUMP (a directory) for
// reading by eye; skipped otherwise.
func TestCorpusDump(t *testing.T) {
	out := os.Getenv("SOSD_CORPUS_DUMP")
	if out == "" {
		t.Skip("set SOSD_CORPUS_DUMP to a directory to dump parse results")
	}
	dir, entries := parseCorpusIndex(t)
	for _, e := range entries {
		raw, err := os.ReadFile(filepath.Join(dir, e.path))
		if err != nil {
			t.Fatal(err)
		}
		m, err := Parse(raw, DefaultLimits())
		var sb strings.Builder
		if err != nil {
			sb.WriteString("ERROR: " + err.Error() + "\n")
		} else {
			sb.WriteString(parseCorpusSummary(m))
		}
		name := filepath.Join(out, strings.ReplaceAll(e.path, "/", "__")+".txt")
		if err := os.WriteFile(name, []byte(sb.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func parseCorpusSummary(m *Message) string {
	var sb strings.Builder
	w := func(k string, v any) {
		sb.WriteString(k + ": " + strings.TrimSpace(strings.ReplaceAll(fmt.Sprint(v), "\n", "\n  ")) + "\n")
	}
	w("MessageID", m.MessageID)
	w("InReplyTo", m.InReplyTo)
	w("References", m.References)
	w("From", m.From+" / "+m.FromName)
	w("ReplyTo", m.ReplyTo)
	w("To", m.To)
	w("Cc", m.Cc)
	w("Subject", m.Subject)
	w("Date", m.Date)
	w("Report", m.Report)
	w("TNEF", m.TNEF)
	w("Embedded", m.Embedded)
	for _, a := range m.Attachments {
		w("Attachment", []any{a.Filename, a.ContentType, len(a.Data), a.Inline, a.ContentID})
	}
	w("Problems", m.Problems)
	w("HTML bytes", len(m.HTML))
	w("Text", "\n"+m.Text)
	if m.HTML != "" {
		w("HTMLToText", "\n"+HTMLToText(m.HTML))
	}
	return sb.String()
}
