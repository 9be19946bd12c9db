package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"sosd/tickets"
)

// Tests of `sosd report` (SPEC §9) on a database filed through the
// store's API, as ticketscmd_test.go does.

// rptSeq numbers the Message-IDs of the mails these tests make up.
var rptSeq atomic.Int64

// rptMail is an inbound mail from `from` at at with a fresh Message-ID.
func rptMail(from string, at time.Time) tickets.Inbound {
	id := fmt.Sprintf("rpt-%d@sos.example", rptSeq.Add(1))
	return tickets.Inbound{MessageID: id, From: from, To: []string{"support@sos.example"}, Received: at,
		Raw: []byte("Message-ID: <" + id + ">\r\nSubject: x\r\n\r\ny\r\n")}
}

// rptDo applies a consultant's commands and fails unless they apply.
func rptDo(t *testing.T, f *ticketsFixture, id tickets.ID, at time.Time, cmds ...tickets.Command) {
	t.Helper()
	res, err := f.store.Apply(context.Background(), id, tickets.ConsultantReply{Consultant: "anna@sos.example",
		Mail: rptMail("anna@sos.example", at), Commands: cmds}, nil)
	if err != nil || res.Outcome != tickets.OutcomeApplied {
		t.Fatalf("%v on %s: %v %s %v", cmds, id, err, res.Outcome, res.Problems)
	}
}

// rptReply adds the customer's reply and checks its outcome.
func rptReply(t *testing.T, f *ticketsFixture, id tickets.ID, at time.Time, approves bool, want tickets.OutcomeKind) {
	t.Helper()
	res, err := f.store.CustomerReply(context.Background(), id, tickets.CustomerReply{Mail: rptMail("eva@acme.se", at), Approves: approves},
		tickets.DefaultReopenWithin, nil)
	if err != nil || res.Outcome != want {
		t.Fatalf("reply to %s: %v %s, want %s", id, err, res.Outcome, want)
	}
}

// rptNow is when the report is run: Mon 4 Jan 2027 07:00, the first open
// day of 2027Q1.
func rptNow(f *ticketsFixture) time.Time { return time.Date(2027, 1, 4, 7, 0, 0, 0, f.loc) }

// newReportFixture is the example configuration and a database with a
// few tickets, worked out by hand on the default calendar (Mon–Fri
// 08:00–17:00; windows 2 h, 4 h, 8 h):
//
//	SOS-1 acme ekonomi P1, Mon 5 Oct 2026 09:00 → deadline 11:00. Started
//	      09:35: 35 min, met. Resolved 11:00, rejected 12:00 (reopened 1),
//	      closed 15:00: resolution 360.
//	SOS-2 acme intranat P3, Tue 6 Oct 10:00 → 420 + 60: Wed 7 Oct 09:00.
//	      Never started: breached.
//	SOS-3 acme, no application, P3, Mon 2 Nov 10:00 → Tue 3 Nov 09:00.
//	      Started 11:00: 60, met; 1 h 30 m logged, the call made, a
//	      visit; resolved 15:00: awaiting approval.
//	SOS-4 nordlog wms P2, Tue 6 Oct 11:00: another customer.
//	SOS-5 acme ekonomi P2, Mon 7 Sep 10:00 (2026Q3) → 14:00; started
//	      10:30: met.
//	SOS-6 acme ekonomi P3, Mon 14 Dec 09:00 → 17:00. Started Tue 15 Dec
//	      08:30: 480 + 30 = 510, breached.
//
// acme's 2026Q4: 4 tickets, met SOS-1 SOS-3, breached SOS-2 SOS-6: 50 %.
// P1: 1 ticket, met, 35/35/35. P2: none, nulls. P3: 3 tickets, 1 met, 2
// breached; responses 60 510: median (1st of 2) 60, p90 (2nd) 510, worst
// 510. Applications ekonomi 2 (SOS-1, SOS-6), intranat 1, unknown 1.
// Resolution: SOS-1 only, 360. Visits 1, work 90, calls 1, reopened 1,
// awaiting 1. Trend: 2026Q1 0 null, Q2 0 null, Q3 1 100, Q4 4 50.
func newReportFixture(t *testing.T) *ticketsFixture {
	t.Helper()
	f := newTicketsFixture(t)
	at := func(m time.Month, d, hh, mm int) time.Time { return time.Date(2026, m, d, hh, mm, 0, 0, f.loc) }
	start := tickets.Command{Kind: tickets.CmdStart}

	t1 := f.file(t, "acme", "ekonomi", 1, at(10, 5, 9, 0)).ID
	rptDo(t, f, t1, at(10, 5, 9, 35), start)
	rptDo(t, f, t1, at(10, 5, 11, 0), tickets.Command{Kind: tickets.CmdResolve})
	rptReply(t, f, t1, at(10, 5, 12, 0), false, tickets.OutcomeReopened)
	rptDo(t, f, t1, at(10, 5, 15, 0), tickets.Command{Kind: tickets.CmdClose})

	f.file(t, "acme", "intranat", 3, at(10, 6, 10, 0))

	t3 := f.file(t, "acme", "", 3, at(11, 2, 10, 0)).ID
	rptDo(t, f, t3, at(11, 2, 11, 0), start, tickets.Command{Kind: tickets.CmdTime, Work: 90 * time.Minute},
		tickets.Command{Kind: tickets.CmdCalled}, tickets.Command{Kind: tickets.CmdOnsite, Onsite: at(11, 4, 9, 0)})
	rptDo(t, f, t3, at(11, 2, 15, 0), tickets.Command{Kind: tickets.CmdResolve})

	t4 := f.file(t, "nordlog", "wms", 2, at(10, 6, 11, 0)).ID
	rptDo(t, f, t4, at(10, 6, 11, 5), start, tickets.Command{Kind: tickets.CmdTime, Work: time.Hour})

	t5 := f.file(t, "acme", "ekonomi", 2, at(9, 7, 10, 0)).ID
	rptDo(t, f, t5, at(9, 7, 10, 30), start)

	t6 := f.file(t, "acme", "ekonomi", 3, at(12, 14, 9, 0)).ID
	rptDo(t, f, t6, at(12, 15, 8, 30), start)
	if t1 != 1 || t3 != 3 || t6 != 6 {
		t.Fatalf("ids %s %s %s, want SOS-1, SOS-3, SOS-6", t1, t3, t6)
	}
	return f
}

// The SPEC §9 keys of `report --format json`, and the ones the
// implementation adds beside them (see reportJSON). Any other key fails.
var (
	rptSpecKeys = []string{"customer", "quarter", "from", "to", "tickets", "sla_met_percent", "by_priority", "by_application",
		"breaches", "resolution_median_minutes", "onsite_visits", "work_minutes", "four_hour_calls", "reopened",
		"awaiting_approval", "trend"}
	rptExtraKeys         = []string{"met", "breached", "resolution_p90_minutes", "resolution_worst_minutes", "computed_at"}
	rptPrioritySpecKeys  = []string{"tickets", "met", "breached", "median_response_minutes", "p90_response_minutes", "worst_response_minutes"}
	rptPriorityExtraKeys = []string{"sla_met_percent"}
	rptBreachSpecKeys    = []string{"id", "priority", "deadline", "started"}
	rptBreachExtraKeys   = []string{"subject"}
	rptTrendSpecKeys     = []string{"quarter", "tickets", "sla_met_percent"}
	rptTrendExtraKeys    = []string{"met", "breached"}
)

// rptCheckKeys checks that obj has every spec key and nothing beyond
// spec and extra.
func rptCheckKeys(t *testing.T, what string, obj map[string]any, spec, extra []string) {
	t.Helper()
	for _, k := range spec {
		if _, ok := obj[k]; !ok {
			t.Errorf("%s: key %q missing", what, k)
		}
	}
	for k := range obj {
		if !slices.Contains(spec, k) && !slices.Contains(extra, k) {
			t.Errorf("%s: unexpected key %q", what, k)
		}
	}
}

// rptJSON decodes exactly one JSON object from out, numbers as
// json.Number so that a number can be told from a string.
func rptJSON(t *testing.T, out string) map[string]any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(out))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if _, err := dec.Token(); err != io.EOF {
		t.Fatalf("more than one JSON value on stdout:\n%s", out)
	}
	return obj
}

// rptNum renders a JSON value for comparison: numbers as "n:<digits>",
// null as "null", strings quoted; anything else fails.
func rptNum(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case json.Number:
		return "n:" + x.String()
	case string:
		return fmt.Sprintf("%q", x)
	case bool:
		return fmt.Sprint(x)
	}
	return fmt.Sprintf("?%T", v)
}

func TestReportJSON(t *testing.T) {
	t.Parallel()
	f := newReportFixture(t)
	code, out, errOut := f.run(t, rptNow(f), "report", "--customer", "acme", "--quarter", "2026Q4", "--format", "json")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	obj := rptJSON(t, out)
	rptCheckKeys(t, "report", obj, rptSpecKeys, rptExtraKeys)

	scalars := map[string]string{
		"customer":                  `"acme"`,
		"quarter":                   `"2026Q4"`,
		"from":                      `"2026-10-01T00:00:00+02:00"`,
		"to":                        `"2027-01-01T00:00:00+01:00"`,
		"tickets":                   "n:4",
		"sla_met_percent":           "n:50",
		"resolution_median_minutes": "n:360",
		"onsite_visits":             "n:1",
		"work_minutes":              "n:90",
		"four_hour_calls":           "n:1",
		"reopened":                  "n:1",
		"awaiting_approval":         "n:1",
	}
	for k, w := range scalars {
		if got := rptNum(obj[k]); got != w {
			t.Errorf("%s = %s, want %s", k, got, w)
		}
	}

	byPrio, ok := obj["by_priority"].(map[string]any)
	if !ok || len(byPrio) != 3 {
		t.Fatalf("by_priority = %v, want an object with \"1\", \"2\", \"3\"", obj["by_priority"])
	}
	wantPrio := map[string][]string{
		// tickets, met, breached, median, p90, worst
		"1": {"n:1", "n:1", "n:0", "n:35", "n:35", "n:35"},
		"2": {"n:0", "n:0", "n:0", "null", "null", "null"},
		"3": {"n:3", "n:1", "n:2", "n:60", "n:510", "n:510"},
	}
	for p, w := range wantPrio {
		ps, ok := byPrio[p].(map[string]any)
		if !ok {
			t.Errorf("by_priority[%q] = %v", p, byPrio[p])
			continue
		}
		rptCheckKeys(t, "by_priority["+p+"]", ps, rptPrioritySpecKeys, rptPriorityExtraKeys)
		var got []string
		for _, k := range rptPrioritySpecKeys {
			got = append(got, rptNum(ps[k]))
		}
		if !slices.Equal(got, w) {
			t.Errorf("by_priority[%q] %v = %v, want %v", p, rptPrioritySpecKeys, got, w)
		}
	}

	apps, ok := obj["by_application"].(map[string]any)
	if !ok || len(apps) != 3 || rptNum(apps["ekonomi"]) != "n:2" || rptNum(apps["intranat"]) != "n:1" || rptNum(apps["unknown"]) != "n:1" {
		t.Errorf("by_application = %v, want ekonomi 2, intranat 1, unknown 1", obj["by_application"])
	}

	breaches, ok := obj["breaches"].([]any)
	wantBreaches := [][]string{
		{`"SOS-2"`, "n:3", `"2026-10-07T09:00:00+02:00"`, "null"},
		{`"SOS-6"`, "n:3", `"2026-12-14T17:00:00+01:00"`, `"2026-12-15T08:30:00+01:00"`},
	}
	if !ok || len(breaches) != len(wantBreaches) {
		t.Fatalf("breaches = %v, want SOS-2 and SOS-6", obj["breaches"])
	}
	for i, w := range wantBreaches {
		b, _ := breaches[i].(map[string]any)
		rptCheckKeys(t, fmt.Sprintf("breaches[%d]", i), b, rptBreachSpecKeys, rptBreachExtraKeys)
		var got []string
		for _, k := range rptBreachSpecKeys {
			got = append(got, rptNum(b[k]))
		}
		if !slices.Equal(got, w) {
			t.Errorf("breaches[%d] = %v, want %v", i, got, w)
		}
	}

	trend, ok := obj["trend"].([]any)
	wantTrend := [][]string{
		{`"2026Q1"`, "n:0", "null"},
		{`"2026Q2"`, "n:0", "null"},
		{`"2026Q3"`, "n:1", "n:100"},
		{`"2026Q4"`, "n:4", "n:50"},
	}
	if !ok || len(trend) != 4 {
		t.Fatalf("trend = %v, want four quarters", obj["trend"])
	}
	for i, w := range wantTrend {
		tp, _ := trend[i].(map[string]any)
		rptCheckKeys(t, fmt.Sprintf("trend[%d]", i), tp, rptTrendSpecKeys, rptTrendExtraKeys)
		var got []string
		for _, k := range rptTrendSpecKeys {
			got = append(got, rptNum(tp[k]))
		}
		if !slices.Equal(got, w) {
			t.Errorf("trend[%d] = %v, want %v", i, got, w)
		}
	}
}

// A quarter without tickets: nulls where nothing can be measured, an
// empty breaches array (not null), and a trend across a year boundary.
func TestReportJSONEmptyQuarter(t *testing.T) {
	t.Parallel()
	f := newReportFixture(t)
	code, out, errOut := f.run(t, rptNow(f), "report", "--customer", "acme", "--quarter", "2026q1", "--format", "json")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	obj := rptJSON(t, out)
	rptCheckKeys(t, "report", obj, rptSpecKeys, rptExtraKeys)
	for k, w := range map[string]string{
		"quarter": `"2026Q1"`, "from": `"2026-01-01T00:00:00+01:00"`, "to": `"2026-04-01T00:00:00+02:00"`,
		"tickets": "n:0", "sla_met_percent": "null", "resolution_median_minutes": "null",
		"onsite_visits": "n:0", "work_minutes": "n:0", "four_hour_calls": "n:0", "reopened": "n:0", "awaiting_approval": "n:0",
	} {
		if got := rptNum(obj[k]); got != w {
			t.Errorf("%s = %s, want %s", k, got, w)
		}
	}
	if b, ok := obj["breaches"].([]any); !ok || len(b) != 0 {
		t.Errorf("breaches = %#v, want []", obj["breaches"])
	}
	if a, ok := obj["by_application"].(map[string]any); !ok || len(a) != 0 {
		t.Errorf("by_application = %#v, want {}", obj["by_application"])
	}
	var quarters []string
	for _, tp := range obj["trend"].([]any) {
		quarters = append(quarters, tp.(map[string]any)["quarter"].(string))
	}
	if !slices.Equal(quarters, []string{"2025Q2", "2025Q3", "2025Q4", "2026Q1"}) {
		t.Errorf("trend quarters %v", quarters)
	}
}

func TestReportTextAndHTML(t *testing.T) {
	t.Parallel()
	f := newReportFixture(t)
	code, out, errOut := f.run(t, rptNow(f), "report", "--customer", "acme", "--quarter", "2026Q4", "--format", "text")
	if code != 0 || errOut != "" || !strings.Contains(out, "ACME AB") || !strings.Contains(out, "SOS-2") || !strings.Contains(out, "SOS-6") {
		t.Errorf("--format text: exit %d, stderr %q:\n%s", code, errOut, out)
	}
	// text is the default.
	if code, def, _ := f.run(t, rptNow(f), "report", "--customer", "acme", "--quarter", "2026Q4"); code != 0 || def != out {
		t.Errorf("no --format: exit %d, output differs from --format text", code)
	}

	code, out, errOut = f.run(t, rptNow(f), "report", "--customer", "acme", "--quarter", "2026Q4", "--format", "html")
	if code != 0 || errOut != "" {
		t.Fatalf("--format html: exit %d, stderr %q", code, errOut)
	}
	if n := strings.Count(out, "data:image/png;base64,"); n != 3 || strings.Contains(out, "cid:") || !strings.Contains(out, "ACME AB") ||
		!strings.Contains(strings.ToLower(out), "<html") {
		t.Errorf("--format html: %d data: images (want 3), cid: %v", n, strings.Contains(out, "cid:"))
	}

	// nordlog's report is in English.
	code, out, _ = f.run(t, rptNow(f), "report", "--customer", "nordlog", "--quarter", "2026Q4")
	if code != 0 || !strings.Contains(out, "Nordic Logistics Ltd") || strings.Contains(out, "Hej") {
		t.Errorf("nordlog: exit %d:\n%s", code, out)
	}
}

func TestReportErrors(t *testing.T) {
	t.Parallel()
	f := newReportFixture(t)
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"unknown customer", []string{"--customer", "nobody", "--quarter", "2026Q4"}, 1},
		{"quarter 5", []string{"--customer", "acme", "--quarter", "2026Q5"}, 2},
		{"two-digit year", []string{"--customer", "acme", "--quarter", "26Q1"}, 2},
		{"no quarter", []string{"--customer", "acme"}, 2},
		{"no customer", []string{"--quarter", "2026Q4"}, 2},
		{"format pdf", []string{"--customer", "acme", "--quarter", "2026Q4", "--format", "pdf"}, 2},
		{"unknown flag", []string{"--customer", "acme", "--quarter", "2026Q4", "--pdf"}, 2},
		{"stray argument", []string{"--customer", "acme", "--quarter", "2026Q4", "extra"}, 2},
	}
	for _, tc := range tests {
		code, out, errOut := f.run(t, rptNow(f), append([]string{"report"}, tc.args...)...)
		if code != tc.code || out != "" || strings.Count(errOut, "\n") != 1 || !strings.HasSuffix(errOut, "\n") {
			t.Errorf("%s: exit %d (want %d), stdout %q, stderr %q; want one line on stderr only", tc.name, code, tc.code, out, errOut)
		}
		if tc.name == "unknown customer" && !strings.Contains(errOut, "nobody") {
			t.Errorf("unknown customer: stderr %q does not name it", errOut)
		}
	}
}

// With no database yet there is nothing to report: an error, no file
// created.
func TestReportNoDatabase(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cfg := cliWriteConfig(t, dir, "config.yaml")
	r := cliRunApp(t, cliNoSearch(t), cliDefaultNow, "report", "--customer", "acme", "--quarter", "2026Q4", "--config", cfg)
	if r.code != 1 || r.stdout != "" || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("no database: %s", r)
	}
	if _, err := os.Stat(filepath.Join(dir, "var", "sosd.db")); err == nil {
		t.Error("report created the database")
	}
}

// --send queues the report to each contact and the account manager.
func TestReportSend(t *testing.T) {
	t.Parallel()
	f := newReportFixture(t)
	now := rptNow(f)
	code, out, errOut := f.run(t, now, "report", "--customer", "acme", "--quarter", "2026Q4", "--send")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	lines := cliLines(out)
	if len(lines) != 2 || !strings.HasSuffix(lines[0], " to eva@acme.se") || !strings.HasSuffix(lines[1], " to anna@sos.example") {
		t.Errorf("stdout:\n%s", out)
	}
	reports := func() map[string][]byte {
		due, err := f.store.Due(context.Background(), now.Add(time.Hour), 1000)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string][]byte{}
		for _, it := range due {
			if it.Kind != "report" {
				continue
			}
			if len(it.To) != 1 || it.Ticket != 0 {
				t.Errorf("report row to %v about ticket %d", it.To, it.Ticket)
			}
			if _, dup := got[it.To[0]]; dup {
				t.Errorf("two report rows to %s", it.To[0])
			}
			got[it.To[0]] = it.Raw
		}
		return got
	}
	got := reports()
	if len(got) != 2 || got["eva@acme.se"] == nil || got["anna@sos.example"] == nil {
		t.Fatalf("report rows to %v, want eva@acme.se and anna@sos.example", slices.Sorted(maps.Keys(got)))
	}
	for to, raw := range got {
		if !bytes.Contains(raw, []byte("To: <"+to+">")) && !bytes.Contains(raw, []byte("To: "+to)) {
			t.Errorf("row to %s: the mail's To differs:\n%s", to, raw[:min(len(raw), 600)])
		}
		if !bytes.Contains(raw, []byte("multipart/mixed")) || !bytes.Contains(raw, []byte("text/csv")) || !bytes.Contains(raw, []byte("image/png")) {
			t.Errorf("row to %s is not the report mail with charts and CSV", to)
		}
	}

	// nordlog goes to its contact and its account manager.
	if code, out, errOut := f.run(t, now, "report", "--customer", "nordlog", "--quarter", "2026Q4", "--send"); code != 0 ||
		len(cliLines(out)) != 2 || !strings.Contains(out, "sam.hill@nordlog.example") || !strings.Contains(out, "johan@sos.example") {
		t.Errorf("nordlog --send: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}
