package tickets

import (
	"bytes"
	"encoding/csv"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// csvTicket builds a ticket of priority prio received at received, with
// its deadline and stored calendar as intake would have made them.
func csvTicket(t *testing.T, p *Policy, id ID, prio int, received time.Time) Ticket {
	t.Helper()
	d, facts, err := p.deadline(prio, received, received)
	if err != nil {
		t.Fatal(err)
	}
	return Ticket{ID: id, Status: StatusNew, Customer: "acme", Priority: prio, Reporter: "eva@acme.se",
		Subject: "Servern svarar inte", Language: "sv", Received: received, Deadline: d, Facts: facts}
}

func TestWriteReportCSV(t *testing.T) {
	t.Parallel()
	p := testPolicy(t)
	at := func(m time.Month, d, hh, mm int) time.Time { return stockholm(t, 2026, m, d, hh, mm) }
	loc := at(10, 1, 0, 0).Location()

	// SOS-1: P1 ekonomi, Mon 5 Oct 09:00 (deadline 11:00); started 09:30
	// → 30 business minutes; resolved 10:00, closed 11:00 → 120.
	t1 := csvTicket(t, p, 1, 1, at(10, 5, 9, 0))
	t1.Application, t1.Status = "ekonomi", StatusClosed
	t1.Started, t1.Resolved, t1.Closed = at(10, 5, 9, 30), at(10, 5, 10, 0), at(10, 5, 11, 0)
	t1.WorkMinutes, t1.Called, t1.Onsite = 45, true, 1
	// SOS-2: P3, no application, Wed 16:00 (CEST), never started; its
	// subject came from mail and tries a formula, a comma, a quote and a
	// line break; its reporter tries one too.
	t2 := csvTicket(t, p, 2, 3, at(10, 7, 16, 0))
	t2.Subject = "=HYPERLINK(\"http://evil.example\",\"Klicka\"), sa \"han\"\nrad två"
	t2.Reporter = "@evil.example"
	// SOS-3: P2 intranat, received on a Friday in November (CET, +01:00),
	// started Monday, so business minutes skip the weekend; reopened once.
	t3 := csvTicket(t, p, 3, 2, at(11, 27, 15, 0))
	t3.Application, t3.Status, t3.Reopened = "intranat", StatusStarted, 1
	t3.Started = at(11, 30, 9, 0)
	t3.Subject = "-1 och +1 och @alla"

	r := Report{Quarter: Quarter{2026, 4}, List: []Ticket{t1, t2, t3}}
	r.Now = at(12, 31, 12, 0)

	var buf bytes.Buffer
	if err := WriteReportCSV(&buf, r, loc); err != nil {
		t.Fatal(err)
	}
	raw := buf.String()
	if !utf8.ValidString(raw) || strings.HasPrefix(raw, "\uFEFF") {
		t.Error("want UTF-8 without a byte order mark")
	}
	if !strings.HasPrefix(raw, strings.Join(reportCSVHeader, ",")+"\r\n") {
		t.Errorf("header line = %q", strings.SplitN(raw, "\n", 2)[0])
	}
	if strings.Count(raw, "\n") != strings.Count(raw, "\r\n") {
		t.Error("a line ends without CR (RFC 4180 §2 wants CRLF)")
	}

	rows, err := csv.NewReader(strings.NewReader(raw)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := "id,status,priority,application,reporter,subject,received,deadline,started,resolved,closed,breached,response_minutes,resolution_minutes,work_minutes,called,onsite_visits,reopened"
	if got := strings.Join(rows[0], ","); got != want {
		t.Errorf("header = %s", got)
	}
	if len(rows) != 4 {
		t.Fatalf("%d rows, want header + 3", len(rows))
	}
	col := func(row []string, name string) string { return row[slices.Index(reportCSVHeader, name)] }
	check := func(row []string, name, want string) {
		t.Helper()
		if got := col(row, name); got != want {
			t.Errorf("%s %s = %q, want %q", col(row, "id"), name, got, want)
		}
	}

	r1 := rows[1]
	for name, want := range map[string]string{
		"id": "SOS-1", "status": "closed", "priority": "1", "application": "ekonomi", "reporter": "eva@acme.se",
		"received": "2026-10-05T09:00:00+02:00", "deadline": "2026-10-05T11:00:00+02:00",
		"started": "2026-10-05T09:30:00+02:00", "resolved": "2026-10-05T10:00:00+02:00", "closed": "2026-10-05T11:00:00+02:00",
		"breached": "false", "response_minutes": "30", "resolution_minutes": "120", "work_minutes": "45",
		"called": "true", "onsite_visits": "1", "reopened": "0",
	} {
		check(r1, name, want)
	}

	r2 := rows[2]
	for name, want := range map[string]string{
		"id": "SOS-2", "status": "new", "priority": "3", "application": "",
		"subject":  "'" + t2.Subject,
		"reporter": "'@evil.example",
		"received": "2026-10-07T16:00:00+02:00", "started": "", "resolved": "", "closed": "",
		"breached": "true", "response_minutes": "", "resolution_minutes": "", "called": "false",
	} {
		check(r2, name, want)
	}

	r3 := rows[3]
	check(r3, "received", "2026-11-27T15:00:00+01:00")
	check(r3, "subject", "'-1 och +1 och @alla")
	check(r3, "reopened", "1")
	// Times are in loc whatever zone the ticket's times were read in.
	r.List[2].Received = r.List[2].Received.UTC()
	var again bytes.Buffer
	if err := WriteReportCSV(&again, r, loc); err != nil {
		t.Fatal(err)
	}
	if again.String() != raw {
		t.Error("output depends on the zone the ticket's times carry")
	}

	// Response and resolution minutes are the report's own figures.
	st, err := statsOf("acme", r.List, time.Time{}, r.Now, r.Now, r.cals)
	if err != nil {
		t.Fatal(err)
	}
	if m := st.ByPriority[2].MedianResponse; m == nil || col(r3, "response_minutes") != itoa(*m) {
		t.Errorf("SOS-3 response %s, report median %v", col(r3, "response_minutes"), stInt(m))
	}
	if m := st.ResolutionMedian; m == nil || col(r1, "resolution_minutes") != itoa(*m) {
		t.Errorf("SOS-1 resolution %s, report median %v", col(r1, "resolution_minutes"), stInt(m))
	}
}

func itoa(n int) string { return stInt(&n) }

func TestWriteReportCSVEmpty(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if err := WriteReportCSV(&buf, Report{}, time.UTC); err != nil {
		t.Fatal(err)
	}
	if buf.String() != strings.Join(reportCSVHeader, ",")+"\r\n" {
		t.Errorf("empty report = %q, want the header line only", buf.String())
	}
}

func TestNeutraliseFormula(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"":         "",
		"=1+1":     "'=1+1",
		"+46 8 1":  "'+46 8 1",
		"-2":       "'-2",
		"@SUM(A1)": "'@SUM(A1)",
		"\t=1":     "'\t=1",
		"\r=1":     "'\r=1",
		"a=1":      "a=1",
		"'=1":      "'=1",
		"Öppna":    "Öppna",
	} {
		if got := neutraliseFormula(in); got != want {
			t.Errorf("neutraliseFormula(%q) = %q, want %q", in, got, want)
		}
	}
}
