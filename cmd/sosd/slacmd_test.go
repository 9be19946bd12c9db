package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Tests of `sosd sla deadline` and `sosd sla calendar` (SPEC §9), run
// in-process with the helpers of cli_test.go.

// ---------------------------------------------------------------- sla deadline

// cliDeadlineCases hold for the built-in calendar, which is also the
// calendar of the example configuration (SPEC §2, §4).
var cliDeadlineCases = []struct {
	name     string
	priority string
	reported string
	want     string
}{
	{"spec worked example", "3", "2026-11-30T15:00:00+01:00", "2026-12-01T14:00:00+01:00"},
	{"priority 1 ends exactly at closing", "1", "2026-11-30T15:00:00+01:00", "2026-11-30T17:00:00+01:00"},
	{"priority 2", "2", "2026-11-30T15:00:00+01:00", "2026-12-01T10:00:00+01:00"},
	{"UTC input", "3", "2026-11-30T14:00:00Z", "2026-12-01T14:00:00+01:00"},
	{"UTC input priority 1", "1", "2026-11-30T14:00:00Z", "2026-11-30T17:00:00+01:00"},
	{"other offset", "3", "2026-11-30T09:00:00-05:00", "2026-12-01T14:00:00+01:00"},
	{"summer time", "3", "2026-06-10T15:00:00+02:00", "2026-06-11T14:00:00+02:00"},
	{"summer UTC input", "3", "2026-06-10T13:00:00Z", "2026-06-11T14:00:00+02:00"},
	{"seconds kept", "3", "2026-11-30T15:00:30+01:00", "2026-12-01T14:00:30+01:00"},
	{"fraction kept", "3", "2026-11-30T15:00:00.25+01:00", "2026-12-01T14:00:00.25+01:00"},
	{"whole day ends at closing, not next morning", "3", "2026-11-30T09:00:00+01:00", "2026-11-30T17:00:00+01:00"},
	{"reported at closing", "1", "2026-11-30T17:00:00+01:00", "2026-12-01T10:00:00+01:00"},
	{"reported before opening", "2", "2026-11-30T06:00:00+01:00", "2026-11-30T12:00:00+01:00"},
	{"reported on a Saturday", "3", "2026-11-28T11:00:00+01:00", "2026-11-30T16:00:00+01:00"},
	{"over an eve and Christmas", "3", "2026-12-22T15:00:00+01:00", "2026-12-28T08:30:00+01:00"},
	{"priority 1 on an eve", "1", "2026-12-23T13:00:00+01:00", "2026-12-28T09:00:00+01:00"},
	{"over Easter", "2", "2026-04-02T13:00:00+02:00", "2026-04-07T11:00:00+02:00"},
	{"into summer time", "3", "2026-03-27T15:00:00+01:00", "2026-03-30T14:00:00+02:00"},
	{"into winter time", "3", "2026-10-23T15:00:00+02:00", "2026-10-26T14:00:00+01:00"},
}

func TestCLISLADeadline(t *testing.T) {
	t.Parallel()
	for _, tc := range cliDeadlineCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for _, variant := range []struct {
				name  string
				extra []string
			}{
				{"built-in", nil},
				{"example config", []string{"--config", cliExample}},
			} {
				args := append([]string{"sla", "deadline", "--priority", tc.priority, "--reported", tc.reported}, variant.extra...)
				r := cliRun(t, args...)
				cliCheckOK(t, r)
				if want := tc.want + "\n"; r.stdout != want {
					t.Errorf("%s: sosd %s\n got %q\nwant %q", variant.name, strings.Join(args, " "), r.stdout, want)
				}
			}
		})
	}
}

func TestCLISLADeadlineFlagForms(t *testing.T) {
	t.Parallel()
	// The flag package accepts -flag, --flag and --flag=value alike.
	for _, args := range [][]string{
		{"sla", "deadline", "-priority", "3", "-reported", "2026-11-30T15:00:00+01:00"},
		{"sla", "deadline", "--priority=3", "--reported=2026-11-30T15:00:00+01:00"},
		{"sla", "deadline", "--reported", "2026-11-30T15:00:00+01:00", "--priority", "3"},
	} {
		r := cliRun(t, args...)
		cliCheckOK(t, r)
		if r.stdout != "2026-12-01T14:00:00+01:00\n" {
			t.Errorf("sosd %s: got %q", strings.Join(args, " "), r.stdout)
		}
	}
}

func TestCLISLADeadlineExplain(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		priority string
		reported string
		want     string
		counted  []string // the days whose hours counted, in order
		notDays  []string // days that must not be listed
		hours    []string // the hours that counted, one per day
	}{
		{
			name: "spec worked example", priority: "3", reported: "2026-11-30T15:00:00+01:00",
			want:    "2026-12-01T14:00:00+01:00",
			counted: []string{"2026-11-30", "2026-12-01"},
			hours:   []string{"15:00:00-17:00:00", "08:00:00-14:00:00"},
		},
		{
			name: "over an eve and Christmas", priority: "3", reported: "2026-12-22T15:00:00+01:00",
			want:    "2026-12-28T08:30:00+01:00",
			counted: []string{"2026-12-22", "2026-12-23", "2026-12-28"},
			notDays: []string{"2026-12-24", "2026-12-25", "2026-12-26", "2026-12-27"},
			hours:   []string{"15:00:00-17:00:00", "08:30:00-14:00:00", "08:00:00-08:30:00"},
		},
		{
			name: "weekend report", priority: "1", reported: "2026-11-28T11:00:00+01:00",
			want:    "2026-11-30T10:00:00+01:00",
			counted: []string{"2026-11-30"},
			notDays: []string{"2026-11-28", "2026-11-29"},
			hours:   []string{"08:00:00-10:00:00"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for _, extra := range [][]string{nil, {"--config", cliExample}} {
				args := append([]string{"sla", "deadline", "--explain", "--priority", tc.priority, "--reported", tc.reported}, extra...)
				r := cliRun(t, args...)
				cliCheckOK(t, r)
				lines := cliLines(r.stdout)
				if len(lines) == 0 || lines[0] != tc.want {
					t.Fatalf("sosd %s: first line is not the deadline %s:\n%s", strings.Join(args, " "), tc.want, r.stdout)
				}
				rest := lines[1:]
				if len(rest) != len(tc.counted) {
					t.Fatalf("sosd %s: want one line for each of the days %v that counted, got:\n%s", strings.Join(args, " "), tc.counted, r.stdout)
				}
				for i, day := range tc.counted {
					if !strings.Contains(rest[i], day) {
						t.Errorf("line %d %q does not mention %s", i+2, rest[i], day)
					}
					if !strings.Contains(rest[i], tc.hours[i]) {
						t.Errorf("line %d %q does not show the hours %s that counted", i+2, rest[i], tc.hours[i])
					}
				}
				for _, day := range tc.notDays {
					if strings.Contains(r.stdout, day) {
						t.Errorf("the explanation mentions %s, on which nothing counted:\n%s", day, r.stdout)
					}
				}
			}
		})
	}
}

// TestCLISLADeadlineOtherCalendar checks that the answer follows the
// configuration: --config, and the search path when --config is absent.
func TestCLISLADeadlineOtherCalendar(t *testing.T) {
	t.Parallel()
	type query struct{ priority, reported, want string }
	tests := []struct {
		name    string
		edits   []string
		queries []query
	}{
		{
			name: "shorter standard window",
			edits: []string{
				"3: {name: Standard, start_within: 8h}", "3: {name: Standard, start_within: 4h}",
				"1: {name: Affärskritiskt, start_within: 2h}", "1: {name: Affärskritiskt, start_within: 1h}",
			},
			queries: []query{
				{"3", "2026-11-30T15:00:00+01:00", "2026-12-01T10:00:00+01:00"},
				{"1", "2026-11-30T15:00:00+01:00", "2026-11-30T16:00:00+01:00"},
				{"2", "2026-11-30T15:00:00+01:00", "2026-12-01T10:00:00+01:00"},
			},
		},
		{
			name:  "later opening",
			edits: []string{`hours: "08:00-17:00"`, `hours: "09:00-17:00"`},
			queries: []query{
				{"3", "2026-11-30T15:00:00+01:00", "2026-12-01T15:00:00+01:00"},
				{"2", "2026-11-30T07:00:00+01:00", "2026-11-30T13:00:00+01:00"},
			},
		},
		{
			name:  "company closure day",
			edits: []string{`extra_closed: []`, `extra_closed: ["2026-12-01"]`},
			queries: []query{
				{"3", "2026-11-30T15:00:00+01:00", "2026-12-02T14:00:00+01:00"},
				// A closure day makes no eve: Monday keeps 08:00-17:00.
				{"1", "2026-11-30T15:00:00+01:00", "2026-11-30T17:00:00+01:00"},
			},
		},
		{
			name: "round the clock without holidays",
			edits: []string{
				"holidays: se ", "holidays: none ",
				"days: [mon, tue, wed, thu, fri]", "days: [mon, tue, wed, thu, fri, sat, sun]",
				`hours: "08:00-17:00"`, `hours: "00:00-24:00"`,
			},
			queries: []query{
				{"3", "2026-11-28T20:00:00+01:00", "2026-11-29T04:00:00+01:00"},
				{"1", "2026-12-24T12:00:00+01:00", "2026-12-24T14:00:00+01:00"},
				// Eight real hours across the changes of summer time.
				{"3", "2026-03-28T22:00:00+01:00", "2026-03-29T07:00:00+02:00"},
				{"3", "2026-10-24T22:00:00+02:00", "2026-10-25T05:00:00+01:00"},
			},
		},
		{
			name:  "other zone",
			edits: []string{"timezone: Europe/Stockholm", "timezone: Europe/Helsinki"},
			queries: []query{
				{"3", "2026-11-30T15:00:00+01:00", "2026-12-01T15:00:00+02:00"},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := cliWriteConfig(t, dir, "config.yaml", tc.edits...)
			for _, q := range tc.queries {
				args := []string{"sla", "deadline", "--priority", q.priority, "--reported", q.reported}

				r := cliRun(t, append(args, "--config", path)...)
				cliCheckOK(t, r)
				if r.stdout != q.want+"\n" {
					t.Errorf("--config: sosd %s\n got %q\nwant %q", strings.Join(args, " "), r.stdout, q.want+"\n")
				}

				// Found on the search path, after a file that does not exist.
				search := []string{filepath.Join(dir, "missing.yaml"), path, cliExample}
				r = cliRunApp(t, search, cliDefaultNow, args...)
				cliCheckOK(t, r)
				if r.stdout != q.want+"\n" {
					t.Errorf("search path: sosd %s\n got %q\nwant %q", strings.Join(args, " "), r.stdout, q.want+"\n")
				}
			}
		})
	}
}

func TestCLISLAInvalidConfig(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bad := cliWriteConfig(t, dir, "bad.yaml", "timezone: Europe/Stockholm", "timezone: Mars/Olympus")
	tzLine := cliLineOf(t, bad, "Mars/Olympus")
	for _, args := range [][]string{
		{"sla", "deadline", "--priority", "3", "--reported", "2026-11-30T15:00:00+01:00", "--config", bad},
		{"sla", "calendar", "--year", "2026", "--config", bad},
	} {
		// Through --config, and through the search path: an invalid file is
		// an error, never a silent fall back to the built-in calendar.
		for _, r := range []cliResult{
			cliRun(t, args...),
			cliRunApp(t, []string{bad}, cliDefaultNow, args[:len(args)-2]...),
		} {
			if r.code != exitError || r.stdout != "" {
				t.Fatalf("sosd %s: want exit 1 and nothing on stdout, got %v", strings.Join(args, " "), r)
			}
			lines := cliLines(r.stderr)
			if len(lines) != 1 {
				t.Fatalf("want one error line, got %v", r)
			}
			p := cliParseProblem(t, lines[0])
			if p.file != bad || p.line != tzLine || p.key != "calendar.timezone" {
				t.Errorf("error %q: want %s:%d: calendar.timezone", lines[0], bad, tzLine)
			}
		}
	}

	missing := filepath.Join(dir, "nonexistent.yaml")
	r := cliRun(t, "sla", "deadline", "--priority", "3", "--reported", "2026-11-30T15:00:00+01:00", "--config", missing)
	if r.code != exitError || r.stdout != "" || !strings.Contains(r.stderr, missing) {
		t.Errorf("--config of a missing file: want exit 1 naming it on stderr, got %v", r)
	}
}

// ---------------------------------------------------------------- sla calendar

// cliCalendarDay is one element of `sla calendar --json` (SPEC §9).
type cliCalendarDay struct {
	Date   string  `json:"date"`
	Closed bool    `json:"closed"`
	Opens  *string `json:"opens"`
	Closes *string `json:"closes"`
	Name   string  `json:"name"`
}

func cliDecodeCalendar(t *testing.T, stdout string) []cliCalendarDay {
	t.Helper()
	var raw []map[string]json.RawMessage
	if err := json.Unmarshal([]byte(stdout), &raw); err != nil {
		t.Fatalf("stdout is not a JSON array of objects: %v\n%s", err, stdout)
	}
	var days []cliCalendarDay
	dec := json.NewDecoder(strings.NewReader(stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&days); err != nil {
		t.Fatalf("stdout has keys beyond date, closed, opens, closes, name: %v", err)
	}
	for i, m := range raw {
		for _, k := range []string{"date", "closed", "name"} {
			if _, ok := m[k]; !ok {
				t.Errorf("element %d has no %q: %v", i, k, m)
			}
		}
	}
	return days
}

func TestCLISLACalendarJSON(t *testing.T) {
	t.Parallel()
	r := cliRun(t, "sla", "calendar", "--year", "2026", "--json")
	cliCheckOK(t, r)
	for _, obj := range []string{
		`{"date":"2026-04-03","closed":true,"name":"Långfredagen"}`,
		`{"date":"2026-04-02","closed":false,"opens":"08:30","closes":"14:00","name":"Skärtorsdagen"}`,
	} {
		if !strings.Contains(r.stdout, obj) {
			t.Errorf("stdout does not contain %s:\n%s", obj, r.stdout)
		}
	}
	days := cliDecodeCalendar(t, r.stdout)

	// Every weekday holiday of 2026 and every eve (SPEC §2); nothing else.
	wantClosed := map[string]string{
		"2026-01-01": "Nyårsdagen",
		"2026-01-06": "Trettondedag jul",
		"2026-04-03": "Långfredagen",
		"2026-04-06": "Annandag påsk",
		"2026-05-01": "Första maj",
		"2026-05-14": "Kristi himmelsfärds dag",
		"2026-06-19": "Midsommarafton",
		"2026-12-24": "Julafton",
		"2026-12-25": "Juldagen",
		"2026-12-31": "Nyårsafton",
	}
	wantEves := []string{
		"2026-01-05", "2026-04-02", "2026-04-30", "2026-05-13", "2026-06-05",
		"2026-06-18", "2026-10-30", "2026-12-23", "2026-12-30",
	}
	got := make(map[string]cliCalendarDay)
	var prev time.Time
	for i, d := range days {
		date, err := time.Parse(time.DateOnly, d.Date)
		if err != nil {
			t.Errorf("element %d: date %q is not YYYY-MM-DD", i, d.Date)
			continue
		}
		if date.Year() != 2026 {
			t.Errorf("element %d: %s is not in 2026", i, d.Date)
		}
		if wd := date.Weekday(); wd == time.Saturday || wd == time.Sunday {
			t.Errorf("element %d: %s is a %s, not an open day of the week", i, d.Date, wd)
		}
		if i > 0 && !date.After(prev) {
			t.Errorf("element %d: %s does not come after %s", i, d.Date, prev.Format(time.DateOnly))
		}
		prev = date
		if d.Name == "" {
			t.Errorf("%s has no name", d.Date)
		}
		if d.Closed && (d.Opens != nil || d.Closes != nil) {
			t.Errorf("%s is closed but has opening hours", d.Date)
		}
		got[d.Date] = d
	}
	for date, name := range wantClosed {
		d, ok := got[date]
		if !ok || !d.Closed || d.Name != name {
			t.Errorf("want %s closed as %s, got %+v (present %v)", date, name, d, ok)
		}
	}
	for _, date := range wantEves {
		d, ok := got[date]
		if !ok || d.Closed || d.Opens == nil || *d.Opens != "08:30" || d.Closes == nil || *d.Closes != "14:00" {
			t.Errorf("want %s open 08:30-14:00 as an eve, got %+v (present %v)", date, d, ok)
		}
	}
	if want := len(wantClosed) + len(wantEves); len(days) != want {
		t.Errorf("want %d special days in 2026, got %d:\n%s", want, len(days), r.stdout)
	}

	// The example configuration has the same calendar.
	r2 := cliRun(t, "sla", "calendar", "--year", "2026", "--json", "--config", cliExample)
	cliCheckOK(t, r2)
	if r2.stdout != r.stdout {
		t.Errorf("--config %s changes the calendar:\n%s\nvs built-in\n%s", cliExample, r2.stdout, r.stdout)
	}
}

func TestCLISLACalendarOtherYear(t *testing.T) {
	t.Parallel()
	r := cliRun(t, "sla", "calendar", "--year", "2027", "--json")
	cliCheckOK(t, r)
	for _, obj := range []string{
		`{"date":"2027-03-25","closed":false,"opens":"08:30","closes":"14:00","name":"Skärtorsdagen"}`,
		`{"date":"2027-03-26","closed":true,"name":"Långfredagen"}`,
		`{"date":"2027-01-05","closed":false,"opens":"08:30","closes":"14:00","name":"Trettondagsafton"}`,
	} {
		if !strings.Contains(r.stdout, obj) {
			t.Errorf("stdout does not contain %s:\n%s", obj, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "2026-") || strings.Contains(r.stdout, "2028-") {
		t.Errorf("another year leaks into 2027:\n%s", r.stdout)
	}
}

func TestCLISLACalendarText(t *testing.T) {
	t.Parallel()
	text := cliRun(t, "sla", "calendar", "--year", "2026")
	cliCheckOK(t, text)
	js := cliRun(t, "sla", "calendar", "--year", "2026", "--json")
	cliCheckOK(t, js)
	days := cliDecodeCalendar(t, js.stdout)
	lines := cliLines(text.stdout)
	if len(lines) != len(days) {
		t.Fatalf("want one line per day (%d), got %d:\n%s", len(days), len(lines), text.stdout)
	}
	for i, d := range days {
		if !strings.HasPrefix(lines[i], d.Date+" ") {
			t.Errorf("line %d %q does not start with %s", i+1, lines[i], d.Date)
		}
		if !strings.Contains(lines[i], d.Name) {
			t.Errorf("line %d %q does not name %s", i+1, lines[i], d.Name)
		}
		if !d.Closed && !strings.Contains(lines[i], *d.Opens+"-"+*d.Closes) {
			t.Errorf("line %d %q does not show the hours %s-%s", i+1, lines[i], *d.Opens, *d.Closes)
		}
	}
}

func TestCLISLACalendarOtherConfig(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()

	// A company closure day is listed, and makes no eve of the day before.
	closure := cliWriteConfig(t, dir, "closure.yaml", `extra_closed: []`, `extra_closed: ["2026-12-01"]`)
	r := cliRun(t, "sla", "calendar", "--year", "2026", "--json", "--config", closure)
	cliCheckOK(t, r)
	days := cliDecodeCalendar(t, r.stdout)
	var found bool
	for _, d := range days {
		switch d.Date {
		case "2026-12-01":
			found = d.Closed
		case "2026-11-30":
			t.Errorf("the day before a closure day is listed: %+v", d)
		}
	}
	if !found {
		t.Errorf("2026-12-01 is not listed as closed:\n%s", r.stdout)
	}

	// Other eve hours.
	eves := cliWriteConfig(t, dir, "eves.yaml", `eve_hours: "08:30-14:00"`, `eve_hours: "09:00-13:00"`)
	r = cliRun(t, "sla", "calendar", "--year", "2026", "--json", "--config", eves)
	cliCheckOK(t, r)
	if want := `{"date":"2026-04-02","closed":false,"opens":"09:00","closes":"13:00","name":"Skärtorsdagen"}`; !strings.Contains(r.stdout, want) {
		t.Errorf("want %s in:\n%s", want, r.stdout)
	}

	// No holidays: an empty array, not null.
	none := cliWriteConfig(t, dir, "none.yaml", "holidays: se ", "holidays: none ")
	r = cliRun(t, "sla", "calendar", "--year", "2026", "--json", "--config", none)
	cliCheckOK(t, r)
	if r.stdout != "[]\n" {
		t.Errorf("no holidays: want []\\n, got %q", r.stdout)
	}
	r = cliRun(t, "sla", "calendar", "--year", "2026", "--config", none)
	cliCheckOK(t, r)
	if r.stdout != "" {
		t.Errorf("no holidays, text: want no lines, got %q", r.stdout)
	}
}
