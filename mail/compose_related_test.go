package mail

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-message"
)

// relatedPart is one node of a parsed MIME tree.
type relatedPart struct {
	ct     string
	params map[string]string
	header message.Header
	body   []byte
	kids   []*relatedPart
}

// shape renders the tree's media types, e.g. "a[b,c[d]]".
func (p *relatedPart) shape() string {
	if len(p.kids) == 0 {
		return p.ct
	}
	var ks []string
	for _, k := range p.kids {
		ks = append(ks, k.shape())
	}
	return p.ct + "[" + strings.Join(ks, ",") + "]"
}

// readTree parses raw with go-message, decoding transfer encodings.
func readTree(t *testing.T, raw []byte) *relatedPart {
	t.Helper()
	e, err := message.Read(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	var walk func(e *message.Entity) *relatedPart
	walk = func(e *message.Entity) *relatedPart {
		ct, params, err := e.Header.ContentType()
		if err != nil {
			t.Fatalf("Content-Type: %v", err)
		}
		p := &relatedPart{ct: ct, params: params, header: e.Header}
		if mr := e.MultipartReader(); mr != nil {
			for {
				k, err := mr.NextPart()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatalf("%s: %v", ct, err)
				}
				p.kids = append(p.kids, walk(k))
			}
			return p
		}
		if p.body, err = io.ReadAll(e.Body); err != nil {
			t.Fatalf("%s body: %v", ct, err)
		}
		return p
	}
	return walk(e)
}

// fakePNG is not a real image: Compose passes bytes through, and 0x00,
// 0xff and a bare CR/LF check that base64 keeps every one of them.
func fakePNG(n int) []byte {
	b := []byte("\x89PNG\r\n\x1a\n")
	for i := range n {
		b = append(b, byte(i*7), 0x00, 0xff, '\n', '\r')
	}
	return b
}

func relatedDraft() Draft {
	return Draft{
		MessageID: "sos-0.report.abc@sos.example", Date: time.Date(2027, 1, 4, 7, 0, 0, 0, time.UTC),
		From: "support@sos.example", To: []string{"eva@acme.se"}, Subject: "Kvartalsrapport 2026Q4",
		AutoSubmitted: "auto-generated",
		Text:          "Rapporten för 2026Q4.\nDiagrammen syns i HTML-versionen.",
		HTML: `<p>Ärenden per prioritet:</p><img src="cid:priority.2026q4.acme@sosd" alt="">` +
			`<p>Trend:</p><img src="cid:trend.2026q4.acme@sosd" alt="">`,
		Inline: []Attachment{
			{Filename: "priority.png", ContentType: "image/png", ContentID: "priority.2026q4.acme@sosd", Data: fakePNG(300)},
			{Filename: "trend.png", ContentType: "image/png", ContentID: "trend.2026q4.acme@sosd", Data: fakePNG(500)},
		},
		Attachments: []Attachment{{Filename: "ärenden-2026Q4.csv", ContentType: "text/csv",
			Data: []byte("id,subject\r\nSOS-1,\"Hej, världen\"\r\n")}},
	}
}

func TestComposeRelatedTree(t *testing.T) {
	t.Parallel()
	d := relatedDraft()
	raw, err := Compose(d)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(raw), "\r\n") {
		if len(line) > 998 {
			t.Fatalf("line longer than RFC 5322 §2.1.1 allows: %d", len(line))
		}
	}
	root := readTree(t, raw)
	want := "multipart/mixed[multipart/alternative[text/plain,multipart/related[text/html,image/png,image/png]],text/csv]"
	if got := root.shape(); got != want {
		t.Fatalf("tree = %s\nwant   %s", got, want)
	}
	// The top-level header is the mail's, as without images.
	if root.header.Get("Auto-Submitted") != "auto-generated" || root.header.Get("Message-Id") != "<"+d.MessageID+">" {
		t.Errorf("top header lost: Auto-Submitted %q, Message-ID %q", root.header.Get("Auto-Submitted"), root.header.Get("Message-Id"))
	}

	alt := root.kids[0]
	if text := string(alt.kids[0].body); text != "Rapporten för 2026Q4.\r\nDiagrammen syns i HTML-versionen." {
		t.Errorf("text part = %q", text)
	}
	rel := alt.kids[1]
	if rel.params["type"] != "text/html" {
		t.Errorf("multipart/related type = %q, want text/html (RFC 2387 §3.1)", rel.params["type"])
	}
	html := rel.kids[0]
	if string(html.body) != d.HTML || html.params["charset"] != "utf-8" {
		t.Errorf("html part = %q (%v)", html.body, html.params)
	}

	// Every cid: in the HTML names exactly one image, and each image's
	// bytes come back.
	var refs []string
	for _, m := range regexp.MustCompile(`cid:([^"]+)`).FindAllStringSubmatch(string(html.body), -1) {
		refs = append(refs, m[1])
	}
	var ids []string
	for i, img := range rel.kids[1:] {
		cid := img.header.Get("Content-Id")
		if !strings.HasPrefix(cid, "<") || !strings.HasSuffix(cid, ">") {
			t.Errorf("image %d: Content-ID %q not in angle brackets (RFC 2392 §2)", i, cid)
		}
		ids = append(ids, strings.Trim(cid, "<>"))
		disp, dp, err := img.header.ContentDisposition()
		if err != nil || disp != "inline" || dp["filename"] != d.Inline[i].Filename {
			t.Errorf("image %d: Content-Disposition %q %v (%v)", i, disp, dp, err)
		}
		if cte := img.header.Get("Content-Transfer-Encoding"); cte != "base64" {
			t.Errorf("image %d: Content-Transfer-Encoding %q", i, cte)
		}
		if !bytes.Equal(img.body, d.Inline[i].Data) {
			t.Errorf("image %d: %d bytes came back, want the %d sent", i, len(img.body), len(d.Inline[i].Data))
		}
	}
	if len(refs) != 2 || !slices.Equal(refs, ids) {
		t.Errorf("HTML references %v, images carry %v", refs, ids)
	}

	csv := root.kids[1]
	disp, dp, _ := csv.header.ContentDisposition()
	if disp != "attachment" || dp["filename"] != "ärenden-2026Q4.csv" || !bytes.Equal(csv.body, d.Attachments[0].Data) {
		t.Errorf("csv attachment: %q %v %q", disp, dp, csv.body)
	}
	// A multipart takes no transfer encoding but 7bit/8bit/binary (RFC
	// 2045 §6.4); none is written.
	for _, p := range []*relatedPart{root, alt, rel} {
		if cte := p.header.Get("Content-Transfer-Encoding"); cte != "" {
			t.Errorf("%s has Content-Transfer-Encoding %q", p.ct, cte)
		}
	}

	// sosd's own parser reads the images as cid: resources of the HTML.
	m, err := Parse(raw, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(m.HTML, "cid:trend.2026q4.acme@sosd") {
		t.Errorf("Parse: HTML = %q", m.HTML)
	}
	var got []string
	for _, a := range m.Attachments {
		got = append(got, fmt.Sprintf("%s %s inline=%v cid=%s", a.Filename, a.ContentType, a.Inline, a.ContentID))
	}
	wantAtt := []string{
		"priority.png image/png inline=true cid=priority.2026q4.acme@sosd",
		"trend.png image/png inline=true cid=trend.2026q4.acme@sosd",
		"ärenden-2026Q4.csv text/csv inline=false cid=",
	}
	if !slices.Equal(got, wantAtt) {
		t.Errorf("Parse attachments:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(wantAtt, "\n"))
	}
}

func TestComposeRelatedWithoutAttachments(t *testing.T) {
	t.Parallel()
	d := relatedDraft()
	d.Attachments = nil
	d.Calendar = "BEGIN:VCALENDAR\r\nMETHOD:PUBLISH\r\nEND:VCALENDAR\r\n"
	raw, err := Compose(d)
	if err != nil {
		t.Fatal(err)
	}
	want := "multipart/alternative[text/plain,multipart/related[text/html,image/png,image/png],text/calendar]"
	if got := readTree(t, raw).shape(); got != want {
		t.Errorf("tree = %s\nwant   %s", got, want)
	}
}

func TestComposeRelatedRejects(t *testing.T) {
	t.Parallel()
	for name, edit := range map[string]func(d *Draft){
		"no HTML":           func(d *Draft) { d.HTML = "" },
		"no Content-ID":     func(d *Draft) { d.Inline[0].ContentID = "" },
		"no domain":         func(d *Draft) { d.Inline[0].ContentID = "priority" },
		"angle brackets":    func(d *Draft) { d.Inline[0].ContentID = "<a@b>" },
		"header injection":  func(d *Draft) { d.Inline[0].ContentID = "a@b\r\nBcc: x@evil.example" },
		"space":             func(d *Draft) { d.Inline[0].ContentID = "a b@c" },
		"duplicate":         func(d *Draft) { d.Inline[1].ContentID = d.Inline[0].ContentID },
		"double dot":        func(d *Draft) { d.Inline[0].ContentID = "a..b@c" },
		"needs URL escapes": func(d *Draft) { d.Inline[0].ContentID = "50%@c" },
	} {
		d := relatedDraft()
		edit(&d)
		if _, err := Compose(d); err == nil {
			t.Errorf("%s: Compose accepted Content-ID %q", name, d.Inline[0].ContentID)
		}
	}
}

// Without Inline, Compose writes what it always did: no related part.
func TestComposeNoInlineUnchanged(t *testing.T) {
	t.Parallel()
	d := relatedDraft()
	d.Inline = nil
	raw, err := Compose(d)
	if err != nil {
		t.Fatal(err)
	}
	want := "multipart/mixed[multipart/alternative[text/plain,text/html],text/csv]"
	if got := readTree(t, raw).shape(); got != want {
		t.Errorf("tree = %s\nwant   %s", got, want)
	}
}
