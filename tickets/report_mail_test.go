package tickets

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"image/png"
	"io"
	"log/slog"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-message"
	gomail "github.com/emersion/go-message/mail"

	"sosd/mail"
	"sosd/sla"
	"sosd/templates"
)

// Tests of the quarterly report job and its mail (SPEC §7, §8; issue 7):
// sent once on the first open day, caught up for 14 days, and the mail's
// MIME structure, charts and CSV.

// rqIntake is an intake over s with three customers: acme (sv, two
// contacts and an account manager), nordlog (en, a contact and an
// account manager) and initech (sv, one contact, no account manager).
func rqIntake(t testing.TB, s *Store) *Intake {
	t.Helper()
	tmpl, err := templates.New()
	if err != nil {
		t.Fatal(err)
	}
	cal := testPolicy(t).Calendar
	dir := &mail.Directory{Support: "support@sos.example", Consultants: []string{"anna@sos.example", "johan@sos.example"},
		Customers: []mail.Customer{
			{ID: "acme", Name: "ACME AB", Language: "sv", Domains: []string{"acme.se"}, Applications: []mail.Application{
				{ID: "ekonomi", Name: "Ekonomisystemet"}, {ID: "intranat", Name: "Intranätet"}, {ID: "crm", Name: "Kundregistret"}}},
			{ID: "nordlog", Name: "Nordic Logistics Ltd", Language: "en", Domains: []string{"nordlog.example"},
				Applications: []mail.Application{{ID: "wms", Name: "Warehouse system"}}},
			{ID: "initech", Name: "Initech AB", Language: "sv", Domains: []string{"initech.se"}},
		}}
	cfg := &IntakeConfig{Directory: dir, Templates: tmpl, Priorities: sla.DefaultPriorities(),
		Hours: templates.Hours{Days: []time.Weekday{1, 2, 3, 4, 5}, Open: "08:00", Close: "17:00", EveOpen: "08:30", EveClose: "14:00", Holidays: true},
		Phone: "+46 8 000 00 00", Consultants: dir.Consultants, Notify: []string{"jour@sos.example"},
		LoopLimit: 20, ReopenWithin: DefaultReopenWithin, Location: cal.Location(),
		ConsultantNames: map[string]string{"anna@sos.example": "Anna Berg", "johan@sos.example": "Johan Lind"},
		Jobs: JobsConfig{WarnAt: 0.75, FourHourRule: 4 * time.Hour, Calendar: cal, Customers: map[string]CustomerInfo{
			"acme": {Contacts: []Contact{{Name: "Eva Ek", Email: "eva@acme.se", Phone: "+46 70 000 00 00"}, {Name: "Olle Ek", Email: "olle@acme.se"}},
				AccountManager: "anna@sos.example"},
			"nordlog": {Contacts: []Contact{{Name: "Sam Hill", Email: "sam.hill@nordlog.example"}}, AccountManager: "johan@sos.example"},
			"initech": {Contacts: []Contact{{Name: "Bill Lumbergh", Email: "bill@initech.se"}}},
		}}}
	return NewIntake(s, cfg, slog.New(slog.DiscardHandler))
}

// rqReports returns the recipient of every report row in the outbox,
// sorted, with each row's raw mail by recipient.
func rqReports(t testing.TB, s *Store) ([]string, map[string][]byte) {
	t.Helper()
	due, err := s.Due(context.Background(), rqAt(2100, 1, 1, 0, 0), 1000)
	if err != nil {
		t.Fatal(err)
	}
	var to []string
	raw := map[string][]byte{}
	for _, it := range due {
		if it.Kind != "report" {
			continue
		}
		if len(it.To) != 1 || it.Ticket != 0 {
			t.Errorf("report row %d: to %v, ticket %d; want one recipient, no ticket", it.ID, it.To, it.Ticket)
		}
		to = append(to, it.To...)
		raw[it.To[0]] = it.Raw
	}
	slices.Sort(to)
	return to, raw
}

// rqAllRecipients are the report rows of one run for the three customers
// of rqIntake.
var rqAllRecipients = []string{"anna@sos.example", "bill@initech.se", "eva@acme.se", "johan@sos.example", "olle@acme.se", "sam.hill@nordlog.example"}

// The job sends each customer's report of the quarter before, once, on
// the first open day of the quarter, also across restarts.
func TestQuarterlyReportsOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "sosd.db")
	s, err := Open(ctx, path, testPolicy(t))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { s.Close() }()
	stFile(t, s, "acme", "ekonomi", 3, rqAt(2026, 11, 30, 10, 0))
	in := rqIntake(t, s)

	// 2027Q1's first open day is Mon 4 Jan: nothing on the holiday, the
	// weekend, or the last second before it.
	for _, now := range []time.Time{rqAt(2027, 1, 1, 7, 0), rqAt(2027, 1, 3, 7, 0), rqAt(2027, 1, 4, 0, 0).Add(-time.Second)} {
		n, err := in.QuarterlyReports(ctx, now)
		if err != nil || n != 0 {
			t.Errorf("at %v: %d reports, %v; want none before the first open day", now, n, err)
		}
	}
	if to, _ := rqReports(t, s); len(to) != 0 {
		t.Fatalf("queued before the first open day: %v", to)
	}

	// On it: one report per customer, the one without tickets too, to
	// every contact and the account manager.
	n, err := in.QuarterlyReports(ctx, rqAt(2027, 1, 4, 7, 0))
	if err != nil || n != 3 {
		t.Fatalf("on the first open day: %d reports, %v; want 3", n, err)
	}
	to, raw := rqReports(t, s)
	if !slices.Equal(to, rqAllRecipients) {
		t.Errorf("report rows to %v, want %v", to, rqAllRecipients)
	}
	for addr, wantSubject := range map[string]string{
		"eva@acme.se": "ACME AB", "anna@sos.example": "ACME AB", "sam.hill@nordlog.example": "Nordic Logistics Ltd", "bill@initech.se": "Initech AB",
	} {
		if subj := rqSubject(t, raw[addr]); !strings.Contains(subj, wantSubject) || !strings.Contains(subj, "2026") {
			t.Errorf("report to %s: subject %q, want %s's 2026Q4", addr, subj, wantSubject)
		}
	}
	if n := count(t, s, `SELECT COUNT(*) FROM notices WHERE kind = 'report'`); n != 3 {
		t.Errorf("%d report notices, want 3", n)
	}
	if n := count(t, s, `SELECT COUNT(*) FROM notices WHERE kind = 'report' AND subject IN ('acme/2026Q4', 'nordlog/2026Q4', 'initech/2026Q4')`); n != 3 {
		t.Errorf("notices are not per customer and quarter: %d of 3", n)
	}

	// Again the same day and the next: nothing new.
	for _, now := range []time.Time{rqAt(2027, 1, 4, 7, 0), rqAt(2027, 1, 5, 7, 0)} {
		if n, err := in.QuarterlyReports(ctx, now); err != nil || n != 0 {
			t.Errorf("run again at %v: %d reports, %v; want none", now, n, err)
		}
	}
	// After a restart: nothing new either.
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s, err = Open(ctx, path, testPolicy(t))
	if err != nil {
		t.Fatal(err)
	}
	in = rqIntake(t, s)
	if n, err := in.QuarterlyReports(ctx, rqAt(2027, 1, 6, 7, 0)); err != nil || n != 0 {
		t.Errorf("after a restart: %d reports, %v; want none", n, err)
	}
	if to, _ := rqReports(t, s); !slices.Equal(to, rqAllRecipients) {
		t.Errorf("after more runs and a restart the report rows are %v, want still %v", to, rqAllRecipients)
	}
}

// A missed report still goes out for 14 days into the quarter; later it
// would surprise more than help.
func TestQuarterlyReportsCatchUp(t *testing.T) {
	t.Parallel()
	day := 24 * time.Hour
	jan4 := rqAt(2027, 1, 4, 0, 0)
	// 2026Q2's first open day, Wed 1 Apr 2026, begins at 22:00 UTC on
	// 31 March: a minute before, it is still Q1 locally, long past
	// 2026Q1's own first open day (Fri 2 Jan).
	apr1 := time.Date(2026, 3, 31, 22, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		now     time.Time
		quarter string // the reports' quarter; "" for none
	}{
		{"on the first open day at 00:00", jan4, "2026Q4"},
		{"13 days after", jan4.Add(13 * day), "2026Q4"},
		{"14 days after", jan4.Add(14 * day), "2026Q4"},
		{"14 days and a second after", jan4.Add(14*day + time.Second), ""},
		{"15 days after", jan4.Add(15 * day), ""},
		{"a minute before 1 Apr locally", apr1.Add(-time.Minute), ""},
		{"1 Apr 00:00 CEST", apr1, "2026Q1"},
		{"1 Apr 01:30 CEST", apr1.Add(90 * time.Minute), "2026Q1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := openTestStore(t)
			in := rqIntake(t, s)
			n, err := in.QuarterlyReports(context.Background(), tc.now)
			want := 0
			if tc.quarter != "" {
				want = 3
			}
			if err != nil || n != want {
				t.Fatalf("%d reports, %v; want %d", n, err, want)
			}
			to, _ := rqReports(t, s)
			if want == 0 && len(to) != 0 || want > 0 && !slices.Equal(to, rqAllRecipients) {
				t.Errorf("report rows to %v", to)
			}
			if want > 0 {
				if n := count(t, s, `SELECT COUNT(*) FROM notices WHERE kind = 'report' AND subject = ?`, "acme/"+tc.quarter); n != 1 {
					t.Errorf("no report notice for acme/%s", tc.quarter)
				}
			}
		})
	}
}

// rqPart is one MIME entity of a parsed mail, its body decoded.
type rqPart struct {
	ct     string
	params map[string]string
	header message.Header
	body   []byte
	kids   []*rqPart
}

// rqParse parses raw with go-message into its tree of parts.
func rqParse(t testing.TB, raw []byte) *rqPart {
	t.Helper()
	e, err := message.Read(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("parse mail: %v", err)
	}
	return rqEntity(t, e)
}

func rqEntity(t testing.TB, e *message.Entity) *rqPart {
	t.Helper()
	ct, params, err := e.Header.ContentType()
	if err != nil {
		t.Fatalf("Content-Type: %v", err)
	}
	p := &rqPart{ct: ct, params: params, header: e.Header}
	if mr := e.MultipartReader(); mr != nil {
		for {
			part, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", ct, err)
			}
			p.kids = append(p.kids, rqEntity(t, part))
		}
		return p
	}
	if p.body, err = io.ReadAll(e.Body); err != nil {
		t.Fatalf("%s body: %v", ct, err)
	}
	return p
}

// shape writes the tree of content types, e.g. "multipart/alternative[text/plain,text/html]".
func (p *rqPart) shape() string {
	if len(p.kids) == 0 {
		return p.ct
	}
	var kids []string
	for _, k := range p.kids {
		kids = append(kids, k.shape())
	}
	return p.ct + "[" + strings.Join(kids, ",") + "]"
}

// find returns the parts of content type ct, depth first.
func (p *rqPart) find(ct string) []*rqPart {
	var out []*rqPart
	if p.ct == ct {
		out = append(out, p)
	}
	for _, k := range p.kids {
		out = append(out, k.find(ct)...)
	}
	return out
}

// rqSubject is a mail's decoded Subject.
func rqSubject(t testing.TB, raw []byte) string {
	t.Helper()
	p := rqParse(t, raw)
	h := gomail.Header{Header: p.header}
	s, err := h.Subject()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

var rqCIDRef = regexp.MustCompile(`cid:([^"'\s>)]+)`)

// rqCheckMail checks a report mail's structure (SPEC §7, §8), that its
// HTML shows exactly its images, that they are 640×320 PNGs, and
// returns the parsed tree.
func rqCheckMail(t *testing.T, raw []byte, wantCSV bool) *rqPart {
	t.Helper()
	root := rqParse(t, raw)
	alt := "multipart/alternative[text/plain,multipart/related[text/html,image/png,image/png,image/png]]"
	want := alt
	if wantCSV {
		want = "multipart/mixed[" + alt + ",text/csv]"
	}
	if got := root.shape(); got != want {
		t.Fatalf("mail is %s, want %s", got, want)
	}
	h := gomail.Header{Header: root.header}
	if got := h.Get("Auto-Submitted"); got != "auto-generated" {
		t.Errorf("Auto-Submitted: %q, want auto-generated", got)
	}
	if rel := root.find("multipart/related")[0]; rel.params["type"] != "text/html" {
		t.Errorf("multipart/related type=%q, want text/html (RFC 2387)", rel.params["type"])
	}
	html := string(root.find("text/html")[0].body)
	var refs []string
	for _, m := range rqCIDRef.FindAllStringSubmatch(html, -1) {
		refs = append(refs, m[1])
	}
	var cids []string
	for _, img := range root.find("image/png") {
		cid := img.header.Get("Content-Id")
		if !strings.HasPrefix(cid, "<") || !strings.HasSuffix(cid, ">") {
			t.Errorf("image Content-ID %q is not in angle brackets", cid)
		}
		cids = append(cids, strings.Trim(cid, "<>"))
		if disp, _, _ := img.header.ContentDisposition(); disp != "inline" {
			t.Errorf("image %s: disposition %q, want inline", cid, disp)
		}
		pic, err := png.Decode(bytes.NewReader(img.body))
		if err != nil {
			t.Errorf("image %s: %v", cid, err)
			continue
		}
		if b := pic.Bounds(); b.Dx() != 640 || b.Dy() != 320 {
			t.Errorf("image %s is %d×%d, want 640×320", cid, b.Dx(), b.Dy())
		}
	}
	slices.Sort(refs)
	slices.Sort(cids)
	if len(refs) != 3 || !slices.Equal(refs, slices.Compact(slices.Clone(refs))) || !slices.Equal(refs, cids) {
		t.Errorf("HTML references cid %v, images are %v; want the same three", refs, cids)
	}
	if len(root.find("text/plain")[0].body) == 0 {
		t.Error("empty text part")
	}
	return root
}

// ComposeReport's mail: multipart/mixed → alternative → [text/plain,
// related [text/html, 3 × image/png]] + the quarter's tickets as CSV, in
// the customer's language.
func TestComposeReportMail(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	q4 := rqQ4Tickets()
	ids := rqBuild(t, s, append(slices.Clone(q4), rqOtherTickets()...))
	in := rqIntake(t, s)
	ctx := context.Background()

	mails, r, err := in.ComposeReport(ctx, "acme", Quarter{2026, 4}, rqNow)
	if err != nil {
		t.Fatal(err)
	}
	if r.Tickets != 32 || r.Met != 21 || r.Breached != 8 {
		t.Errorf("report %d/%d/%d, want the fixture's 32/21/8", r.Tickets, r.Met, r.Breached)
	}
	var to []string
	for _, m := range mails {
		to = append(to, m.To...)
		if m.Kind != "report" || m.From != "support@sos.example" || !strings.Contains(string(m.Raw), m.MessageID) {
			t.Errorf("mail %+v", m.Kind)
		}
	}
	if !slices.Equal(to, []string{"eva@acme.se", "olle@acme.se", "anna@sos.example"}) {
		t.Errorf("acme's report goes to %v, want the contacts, then the account manager", to)
	}
	if len(mails) == 0 {
		t.FailNow()
	}
	root := rqCheckMail(t, mails[0].Raw, true)
	if subj := rqSubject(t, mails[0].Raw); subj != mails[0].Subject || !strings.HasPrefix(subj, "Statusrapport för ACME AB") || !strings.Contains(subj, "fjärde kvartalet 2026") {
		t.Errorf("acme (sv) subject %q", subj)
	}
	text := string(root.find("text/plain")[0].body)
	if !strings.Contains(text, "ACME AB") || !strings.Contains(text, "Hej") {
		t.Errorf("acme's text is not the Swedish report:\n%s", text)
	}

	// The CSV: a header and one row per ticket of the quarter, with the
	// hand-computed figures of each.
	att := root.kids[1]
	if disp, dp, _ := att.header.ContentDisposition(); disp != "attachment" || dp["filename"] != "acme-2026Q4.csv" {
		t.Errorf("CSV part: %s %v", disp, dp)
	}
	rows, err := csv.NewReader(bytes.NewReader(att.body)).ReadAll()
	if err != nil {
		t.Fatalf("CSV: %v", err)
	}
	if len(rows) != 1+32 {
		t.Fatalf("CSV has %d rows, want a header and 32", len(rows))
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	byID := map[string]rqTicket{}
	for _, tk := range q4 {
		byID[ids[tk.name].String()] = tk
	}
	seen := map[string]bool{}
	for _, row := range rows[1:] {
		tk, ok := byID[row[col["id"]]]
		if !ok || seen[row[col["id"]]] {
			t.Errorf("CSV row %v: not one of acme's 2026Q4 tickets, or twice", row)
			continue
		}
		seen[row[col["id"]]] = true
		minutes := func(n int) string {
			if n < 0 {
				return ""
			}
			return strconv.Itoa(n)
		}
		if row[col["response_minutes"]] != minutes(tk.response) || row[col["resolution_minutes"]] != minutes(tk.resolution) ||
			row[col["breached"]] != strconv.FormatBool(tk.verdict == "breached") || row[col["priority"]] != strconv.Itoa(tk.prio) ||
			row[col["deadline"]] != tk.deadline.In(rqStockholm).Format(time.RFC3339) {
			t.Errorf("CSV row of %s: %v; by hand response %d resolution %d %s deadline %v", tk.name, row, tk.response, tk.resolution, tk.verdict, tk.deadline)
		}
	}

	// nordlog is an English customer: English subject and text; its one
	// Q4 ticket in the CSV.
	mails, _, err = in.ComposeReport(ctx, "nordlog", Quarter{2026, 4}, rqNow)
	if err != nil {
		t.Fatal(err)
	}
	if len(mails) != 2 || mails[0].To[0] != "sam.hill@nordlog.example" || mails[1].To[0] != "johan@sos.example" {
		t.Fatalf("nordlog's report mails: %v", mails)
	}
	root = rqCheckMail(t, mails[0].Raw, true)
	if subj := rqSubject(t, mails[0].Raw); !strings.HasPrefix(subj, "Status report for Nordic Logistics Ltd") || !strings.Contains(subj, "fourth quarter of 2026") {
		t.Errorf("nordlog (en) subject %q", subj)
	}
	if text := string(root.find("text/plain")[0].body); strings.Contains(text, "Hej") || strings.Contains(text, "kvartal") {
		t.Errorf("nordlog's text has Swedish in it:\n%s", text)
	}
	rows, err = csv.NewReader(bytes.NewReader(root.find("text/csv")[0].body)).ReadAll()
	if err != nil || len(rows) != 2 || rows[1][0] != ids["N2"].String() {
		t.Errorf("nordlog's CSV: %v, %v; want N2 alone", rows, err)
	}

	// initech had no tickets: still a report, with its charts, and no
	// CSV attachment.
	mails, r, err = in.ComposeReport(ctx, "initech", Quarter{2026, 4}, rqNow)
	if err != nil {
		t.Fatal(err)
	}
	if r.Tickets != 0 || len(mails) != 1 || mails[0].To[0] != "bill@initech.se" {
		t.Fatalf("initech: %d tickets, mails %v", r.Tickets, mails)
	}
	rqCheckMail(t, mails[0].Raw, false)
	if subj := rqSubject(t, mails[0].Raw); !strings.HasPrefix(subj, "Statusrapport för Initech AB") {
		t.Errorf("initech (sv) subject %q", subj)
	}

	// An unknown customer is an error that says so.
	if _, _, err := in.ComposeReport(ctx, "nobody", Quarter{2026, 4}, rqNow); err == nil || !strings.Contains(err.Error(), "nobody") || !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown customer: %v", err)
	}
}
