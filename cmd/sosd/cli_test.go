package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The tests in this file run the command line in-process (SPEC §9). Every
// run gets a configuration search path inside a temporary folder, so that a
// ./config.yaml or /etc/sosd/config.yaml on the machine is never read.

// cliExample is the example configuration of the repository, relative to
// this package's folder (go test runs in it).
const cliExample = "../../config.example.yaml"

// cliResult is what one invocation did.
type cliResult struct {
	code           int
	stdout, stderr string
}

func (r cliResult) String() string {
	return fmt.Sprintf("exit %d\n--- stdout:\n%s--- stderr:\n%s", r.code, r.stdout, r.stderr)
}

// cliStockholm is the calendar's zone; time/tzdata is linked into the
// package, so this loads without a system zone database.
var cliStockholm = func() *time.Location {
	loc, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		panic(err)
	}
	return loc
}()

// cliDefaultNow is the injected clock where a test does not care.
var cliDefaultNow = time.Date(2026, time.December, 1, 9, 0, 0, 0, cliStockholm)

// cliNoSearch returns a search path of files that do not exist.
func cliNoSearch(t *testing.T) []string {
	t.Helper()
	dir := t.TempDir()
	return []string{filepath.Join(dir, "config.yaml"), filepath.Join(dir, "etc", "sosd", "config.yaml")}
}

// cliRunApp runs args with the given search path and clock.
func cliRunApp(t *testing.T, search []string, now time.Time, args ...string) cliResult {
	t.Helper()
	var out, errOut bytes.Buffer
	a := &app{
		ctx:          t.Context(),
		stdout:       &out,
		stderr:       &errOut,
		configSearch: search,
		now:          func() time.Time { return now },
	}
	code := a.run(args)
	return cliResult{code: code, stdout: out.String(), stderr: errOut.String()}
}

// cliRun runs args with no configuration file on the search path.
func cliRun(t *testing.T, args ...string) cliResult {
	t.Helper()
	return cliRunApp(t, cliNoSearch(t), cliDefaultNow, args...)
}

// cliWriteConfig copies the example configuration into dir as name, with
// each pair of edits (old, new) applied; old must occur exactly once.
func cliWriteConfig(t *testing.T, dir, name string, edits ...string) string {
	t.Helper()
	if len(edits)%2 != 0 {
		t.Fatalf("cliWriteConfig: odd number of edit strings")
	}
	data, err := os.ReadFile(cliExample)
	if err != nil {
		t.Fatal(err)
	}
	// Listen on a port the kernel picks: serve tests run in parallel.
	s := strings.Replace(string(data), `smtp: "127.0.0.1:2525"`, `smtp: "127.0.0.1:0"`, 1)
	s = strings.Replace(s, `http: "127.0.0.1:8025"`, `http: "127.0.0.1:0"`, 1)
	for i := 0; i < len(edits); i += 2 {
		if n := strings.Count(s, edits[i]); n != 1 {
			t.Fatalf("cliWriteConfig: %q occurs %d times in %s, want once", edits[i], n, cliExample)
		}
		s = strings.Replace(s, edits[i], edits[i+1], 1)
	}
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// cliLineOf returns the 1-based number of the only line of the file at path
// that contains substr.
func cliLineOf(t *testing.T, path, substr string) int {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for i, line := range strings.Split(string(data), "\n") {
		if strings.Contains(line, substr) {
			if found != 0 {
				t.Fatalf("%q is on lines %d and %d of %s", substr, found, i+1, path)
			}
			found = i + 1
		}
	}
	if found == 0 {
		t.Fatalf("%q is not in %s", substr, path)
	}
	return found
}

// cliLines splits output into its lines, without the final newline.
func cliLines(s string) []string {
	s = strings.TrimSuffix(s, "\n")
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// cliErrorLineRE is one configuration problem: FILE:LINE:COL: key.path: message.
var cliErrorLineRE = regexp.MustCompile(`^(.+):(\d+):(\d+): ([A-Za-z0-9_.\[\]]+): (.+)$`)

type cliConfigProblem struct {
	file      string
	line, col int
	key, msg  string
}

func cliParseProblem(t *testing.T, s string) cliConfigProblem {
	t.Helper()
	m := cliErrorLineRE.FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("error line %q is not FILE:LINE:COL: key.path: message", s)
	}
	line, _ := strconv.Atoi(m[2])
	col, _ := strconv.Atoi(m[3])
	return cliConfigProblem{file: m[1], line: line, col: col, key: m[4], msg: m[5]}
}

func cliCheckOK(t *testing.T, r cliResult) {
	t.Helper()
	if r.code != exitOK || r.stderr != "" {
		t.Fatalf("want exit 0 and an empty stderr, got %v", r)
	}
}

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

// ---------------------------------------------------------------- usage errors

func TestCLIUsageErrors(t *testing.T) {
	t.Parallel()
	const rep = "2026-11-30T15:00:00+01:00"
	tests := [][]string{
		{"sla", "deadline", "--priority", "3"},
		{"sla", "deadline", "--priority", "3", "--reported", ""},
		{"sla", "deadline", "--priority", "3", "--reported"},
		{"sla", "deadline", "--priority", "3", "--reported", "2026-11-30"},
		{"sla", "deadline", "--priority", "3", "--reported", "2026-11-30T15:00:00"},
		{"sla", "deadline", "--priority", "3", "--reported", "2026-11-30 15:00:00+01:00"},
		{"sla", "deadline", "--priority", "3", "--reported", "30/11/2026 15:00"},
		{"sla", "deadline", "--priority", "3", "--reported", "2026-13-30T15:00:00+01:00"},
		{"sla", "deadline", "--priority", "3", "--reported", "2026-11-30", "15:00"},
		{"sla", "deadline", "--reported", rep},
		{"sla", "deadline", "--priority", "0", "--reported", rep},
		{"sla", "deadline", "--priority", "4", "--reported", rep},
		{"sla", "deadline", "--priority", "-1", "--reported", rep},
		{"sla", "deadline", "--priority", "x", "--reported", rep},
		{"sla", "deadline", "--priority", "", "--reported", rep},
		{"sla", "deadline", "--priority", "3", "--reported", rep, "--bogus"},
		{"sla", "deadline", "--priority", "3", "--reported", rep, "extra"},
		{"sla", "deadline", "extra", "--priority", "3", "--reported", rep},
		{"sla", "deadline", "--priority", "3", "--reported", rep, "--explain=maybe"},
		{"sla", "deadline"},
		{"sla", "calendar"},
		{"sla", "calendar", "--year"},
		{"sla", "calendar", "--year", ""},
		{"sla", "calendar", "--year", "abc"},
		{"sla", "calendar", "--year", "26"},
		{"sla", "calendar", "--year", "20266"},
		{"sla", "calendar", "--year", "2026.5"},
		{"sla", "calendar", "--year", "2026", "extra"},
		{"sla", "calendar", "--year", "2026", "--bogus"},
		{"sla", "calendar", "--year", "2026", "--json=maybe"},
		{"sla", "calendar", "--json"},
		{"check-config", "extra"},
		{"check-config", "--bogus"},
		{"version", "extra"},
		{"serve", "--bogus"},
		{"serve", "--log-format", "xml"},
		{"sla"},
		{"sla", "bogus"},
		{"bogus"},
	}
	for _, args := range tests {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			t.Parallel()
			r := cliRun(t, args...)
			if r.code != exitUsage {
				t.Errorf("want exit %d, got %v", exitUsage, r)
			}
			if r.stdout != "" {
				t.Errorf("want nothing on stdout, got %q", r.stdout)
			}
			if n := strings.Count(r.stderr, "\n"); n != 1 || !strings.HasSuffix(r.stderr, "\n") {
				t.Errorf("want exactly one line on stderr, got %d:\n%s", n, r.stderr)
			}
			if !strings.HasPrefix(r.stderr, "sosd") {
				t.Errorf("the error line should name the program: %q", r.stderr)
			}
		})
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

// ---------------------------------------------------------------- check-config

// cliNextDays returns the lines listed under "next closed days and eves:".
func cliNextDays(t *testing.T, stdout string) []string {
	t.Helper()
	lines := cliLines(stdout)
	for i, l := range lines {
		if strings.HasPrefix(l, "next closed days and eves") {
			return lines[i+1:]
		}
	}
	t.Fatalf("no list of next closed days and eves in:\n%s", stdout)
	return nil
}

func TestCLICheckConfigSummary(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		now  time.Time
		want []string // dates of the next five closed days and eves
	}{
		{"December", time.Date(2026, 12, 1, 9, 0, 0, 0, cliStockholm),
			[]string{"2026-12-23", "2026-12-24", "2026-12-25", "2026-12-30", "2026-12-31"}},
		{"today counts", time.Date(2026, 12, 24, 10, 0, 0, 0, cliStockholm),
			[]string{"2026-12-24", "2026-12-25", "2026-12-30", "2026-12-31", "2027-01-01"}},
		// 23:30 UTC is already New Year's Day in Stockholm.
		{"clock in UTC", time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC),
			[]string{"2027-01-01", "2027-01-05", "2027-01-06", "2027-03-25", "2027-03-26"}},
		{"spring", time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC),
			[]string{"2026-04-02", "2026-04-03", "2026-04-06", "2026-04-30", "2026-05-01"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := cliRunApp(t, cliNoSearch(t), tc.now, "check-config", "--config", cliExample)
			cliCheckOK(t, r)
			lines := cliLines(r.stdout)
			if len(lines) == 0 || !strings.HasPrefix(lines[0], cliExample) || !strings.Contains(lines[0], "OK") {
				t.Fatalf("the first line should be the path and OK:\n%s", r.stdout)
			}
			for _, s := range []string{"acme", "nordlog", "Europe/Stockholm"} {
				if !strings.Contains(r.stdout, s) {
					t.Errorf("the summary does not mention %s:\n%s", s, r.stdout)
				}
			}
			next := cliNextDays(t, r.stdout)
			if len(next) != len(tc.want) {
				t.Fatalf("want %d upcoming days, got:\n%s", len(tc.want), strings.Join(next, "\n"))
			}
			for i, date := range tc.want {
				if !strings.Contains(next[i], date) {
					t.Errorf("upcoming day %d: want %s, got %q", i+1, date, next[i])
				}
			}
		})
	}
}

func TestCLICheckConfigSearchPath(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	first := cliWriteConfig(t, dir, "config.yaml")
	second := filepath.Join(dir, "second.yaml")
	if err := os.WriteFile(second, []byte("not: [valid"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := cliRunApp(t, []string{filepath.Join(dir, "missing.yaml"), first, second}, cliDefaultNow, "check-config")
	cliCheckOK(t, r)
	if !strings.HasPrefix(r.stdout, first) || !strings.Contains(cliLines(r.stdout)[0], "OK") {
		t.Errorf("want the summary of %s, got:\n%s", first, r.stdout)
	}
}

func TestCLICheckConfigNoHolidays(t *testing.T) {
	t.Parallel()
	path := cliWriteConfig(t, t.TempDir(), "config.yaml", "holidays: se ", "holidays: none ")
	r := cliRunApp(t, cliNoSearch(t), cliDefaultNow, "check-config", "--config", path)
	cliCheckOK(t, r)
	next := cliNextDays(t, r.stdout)
	if len(next) != 1 || strings.TrimSpace(next[0]) != "none" {
		t.Errorf("no holidays: want none upcoming, got %q", next)
	}
}

func TestCLICheckConfigErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	type problem struct {
		key    string
		marker string // a text only on the problem's line
		inMsg  string
	}
	tests := []struct {
		name     string
		edits    []string
		problems []problem // in file order
	}{
		{
			name: "unknown key and bad time zone",
			edits: []string{
				"timezone: Europe/Stockholm", "timezone: Mars/Olympus",
				"four_hour_rule: 4h", "four_hour_rule: 4h\nfour_hours: 5h",
			},
			problems: []problem{
				{"calendar.timezone", "Mars/Olympus", "Mars/Olympus"},
				{"four_hours", "four_hours:", "unknown key"},
			},
		},
		{
			name: "nested unknown key and bad address",
			edits: []string{
				"address: support@sos.example", "address: support at sos.example",
				"    language: en", "    languages: en",
			},
			problems: []problem{
				{"support.address", "support at sos.example", "support at sos.example"},
				{"customers[1].languages", "languages: en", "unknown key"},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := cliWriteConfig(t, dir, strings.ReplaceAll(tc.name, " ", "-")+".yaml", tc.edits...)
			// Through --config and through the search path.
			for _, r := range []cliResult{
				cliRun(t, "check-config", "--config", path),
				cliRunApp(t, []string{path}, cliDefaultNow, "check-config"),
			} {
				if r.code != exitError || r.stdout != "" {
					t.Fatalf("want exit 1 and nothing on stdout, got %v", r)
				}
				lines := cliLines(r.stderr)
				if len(lines) != len(tc.problems) {
					t.Fatalf("want %d error lines, got %v", len(tc.problems), r)
				}
				for i, want := range tc.problems {
					p := cliParseProblem(t, lines[i])
					wantLine := cliLineOf(t, path, want.marker)
					if p.file != path || p.line != wantLine || p.key != want.key || p.col < 1 {
						t.Errorf("error %q: want %s:%d:COL: %s", lines[i], path, wantLine, want.key)
					}
					if !strings.Contains(p.msg, want.inMsg) {
						t.Errorf("error %q does not say %q", lines[i], want.inMsg)
					}
				}
			}
		})
	}
}

func TestCLICheckConfigNoFile(t *testing.T) {
	t.Parallel()
	search := cliNoSearch(t)
	r := cliRunApp(t, search, cliDefaultNow, "check-config")
	if r.code != exitError || r.stdout != "" {
		t.Fatalf("want exit 1 and nothing on stdout, got %v", r)
	}
	for _, p := range search {
		if !strings.Contains(r.stderr, p) {
			t.Errorf("the error does not name the searched path %s: %q", p, r.stderr)
		}
	}

	missing := filepath.Join(t.TempDir(), "nope.yaml")
	r = cliRun(t, "check-config", "--config", missing)
	if r.code != exitError || r.stdout != "" || !strings.Contains(r.stderr, missing) {
		t.Errorf("--config of a missing file: want exit 1 naming it, got %v", r)
	}
}

// ---------------------------------------------------------------- the rest

func TestCLIVersionHelp(t *testing.T) {
	t.Parallel()

	r := cliRun(t, "version")
	cliCheckOK(t, r)
	if !strings.HasPrefix(r.stdout, "sosd ") || len(cliLines(r.stdout)) != 1 {
		t.Errorf("version: want one line starting with \"sosd \", got %q", r.stdout)
	}
	if !strings.Contains(r.stdout, version) {
		t.Errorf("version: %q does not contain %s", r.stdout, version)
	}

	r = cliRun(t)
	if r.code != exitUsage || r.stdout != "" || !strings.Contains(r.stderr, "usage") {
		t.Errorf("no arguments: want exit 2 and the usage on stderr, got %v", r)
	}

	r = cliRun(t, "frobnicate")
	if r.code != exitUsage || r.stdout != "" || !strings.Contains(r.stderr, "frobnicate") {
		t.Errorf("unknown command: want exit 2 naming it, got %v", r)
	}

	for _, h := range []string{"help", "-h", "--help"} {
		r = cliRun(t, h)
		cliCheckOK(t, r)
		if !strings.HasPrefix(r.stdout, "usage") {
			t.Errorf("%s: want the usage on stdout, got %q", h, r.stdout)
		}
		for _, c := range []string{"serve", "check-config", "sla deadline", "sla calendar", "version"} {
			if !strings.Contains(r.stdout, "sosd "+c) {
				t.Errorf("%s: the usage does not list %q:\n%s", h, c, r.stdout)
			}
		}
	}

	// A command's own help goes to stdout with exit 0.
	for _, args := range [][]string{
		{"sla", "deadline", "-h"},
		{"sla", "calendar", "--help"},
		{"check-config", "-h"},
		{"serve", "-h"},
	} {
		r = cliRun(t, args...)
		cliCheckOK(t, r)
		name := strings.Join(args[:len(args)-1], " ")
		if !strings.Contains(r.stdout, "usage: sosd "+name) {
			t.Errorf("%s: want its usage on stdout, got %q", strings.Join(args, " "), r.stdout)
		}
	}
	r = cliRun(t, "sla", "deadline", "-h")
	for _, f := range []string{"-priority", "-reported", "-config", "-explain"} {
		if !strings.Contains(r.stdout, f) {
			t.Errorf("sla deadline -h does not describe %s:\n%s", f, r.stdout)
		}
	}
}

func TestCLIRunEntryPoint(t *testing.T) {
	t.Parallel()
	// run() is what main calls; with --config it reads nothing else.
	var out, errOut bytes.Buffer
	code := run(t.Context(), []string{"sla", "deadline", "--priority", "3", "--reported", "2026-11-30T15:00:00+01:00", "--config", cliExample}, &out, &errOut)
	if code != exitOK || out.String() != "2026-12-01T14:00:00+01:00\n" || errOut.String() != "" {
		t.Errorf("run: exit %d, stdout %q, stderr %q", code, out.String(), errOut.String())
	}
}

// ---------------------------------------------------------------- serve

// cliSyncBuffer is a bytes.Buffer safe for the daemon's logger and the
// test to use at once.
type cliSyncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *cliSyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *cliSyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// cliServer is a daemon running in a goroutine.
type cliServer struct {
	stdout, stderr *cliSyncBuffer
	cancel         context.CancelFunc
	done           chan struct{} // closed when serve has returned
	code           int           // serve's exit code, once done is closed
}

const cliServeTimeout = 5 * time.Second

func cliStartServe(t *testing.T, search []string, args ...string) *cliServer {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	s := &cliServer{stdout: &cliSyncBuffer{}, stderr: &cliSyncBuffer{}, cancel: cancel, done: make(chan struct{})}
	a := &app{ctx: ctx, stdout: s.stdout, stderr: s.stderr, configSearch: search, now: func() time.Time { return cliDefaultNow }}
	go func() {
		defer close(s.done)
		s.code = a.run(append([]string{"serve"}, args...))
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-s.done:
		case <-time.After(cliServeTimeout):
		}
	})
	return s
}

// waitFor polls stderr until it contains want or the daemon exits; it
// reports whether want appeared.
func (s *cliServer) waitFor(t *testing.T, want string) bool {
	t.Helper()
	deadline := time.After(cliServeTimeout)
	for {
		if strings.Contains(s.stderr.String(), want) {
			return true
		}
		select {
		case <-s.done:
			return strings.Contains(s.stderr.String(), want)
		case <-deadline:
			return false
		case <-time.After(5 * time.Millisecond):
		}
	}
}

// exitCode waits for the daemon to end by itself.
func (s *cliServer) exitCode(t *testing.T) int {
	t.Helper()
	select {
	case <-s.done:
		return s.code
	case <-time.After(cliServeTimeout):
		t.Fatalf("serve did not exit within %v; stderr:\n%s", cliServeTimeout, s.stderr.String())
		return -1
	}
}

// stop cancels the daemon's context and returns its exit code.
func (s *cliServer) stop(t *testing.T) int {
	t.Helper()
	s.cancel()
	return s.exitCode(t)
}

// cliServeResult runs serve to its end, for configurations it refuses.
func cliServeResult(t *testing.T, search []string, args ...string) cliResult {
	t.Helper()
	s := cliStartServe(t, search, args...)
	code := s.exitCode(t)
	return cliResult{code: code, stdout: s.stdout.String(), stderr: s.stderr.String()}
}

var cliHexRE = regexp.MustCompile(`^[0-9a-f]{32,}$`)

func cliCheckSecret(t *testing.T, path string) string {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatalf("the secret was not created: %v", err)
	}
	if perm := fi.Mode().Perm(); perm != 0o600 {
		t.Errorf("%s has mode %v, want 0600", path, perm)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	key := strings.TrimSpace(string(data))
	if !cliHexRE.MatchString(key) {
		t.Errorf("%s holds %q, want at least 32 hex characters", path, key)
	}
	return key
}

func TestCLIServe(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		edits []string
		files map[string]string // files to create next to the config
		args  []string
		ready string
	}{
		{name: "example", ready: "msg=ready"},
		{name: "json logs", args: []string{"--log-format", "json"}, ready: `"msg":"ready"`},
		{
			name: "relay with password",
			edits: []string{
				`relay: ""`, `relay: "smtp.sos.example:587"`,
				`username: ""`, `username: sosd`,
				`password_file: ""`, `password_file: relay-password`,
			},
			files: map[string]string{"relay-password": "hunter2\n"},
			ready: "msg=ready",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := cliWriteConfig(t, dir, "config.yaml", tc.edits...)
			for name, content := range tc.files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			s := cliStartServe(t, cliNoSearch(t), append([]string{"--config", path}, tc.args...)...)
			if !s.waitFor(t, tc.ready) {
				t.Fatalf("no ready line within %v; stderr:\n%s", cliServeTimeout, s.stderr.String())
			}
			// Relative paths resolve against the config's folder.
			secret := filepath.Join(dir, "var", "secret")
			cliCheckSecret(t, secret)
			if code := s.stop(t); code != exitOK {
				t.Errorf("after cancel: exit %d, want 0; stderr:\n%s", code, s.stderr.String())
			}
			if out := s.stdout.String(); out != "" {
				t.Errorf("serve wrote to stdout: %q", out)
			}
			if slices.Contains(tc.args, "json") {
				sc := bufio.NewScanner(strings.NewReader(s.stderr.String()))
				for sc.Scan() {
					if !json.Valid(sc.Bytes()) {
						t.Errorf("log line is not JSON: %s", sc.Text())
					}
				}
			}
		})
	}
}

func TestCLIServeKeepsSecret(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := cliWriteConfig(t, dir, "config.yaml")
	secret := filepath.Join(dir, "var", "secret")
	var keys []string
	for range 2 {
		// Found through the search path this time.
		s := cliStartServe(t, []string{filepath.Join(dir, "missing.yaml"), path})
		if !s.waitFor(t, "msg=ready") {
			t.Fatalf("no ready line; stderr:\n%s", s.stderr.String())
		}
		keys = append(keys, cliCheckSecret(t, secret))
		if code := s.stop(t); code != exitOK {
			t.Fatalf("exit %d, want 0; stderr:\n%s", code, s.stderr.String())
		}
	}
	if keys[0] != keys[1] {
		t.Errorf("a second start replaced the secret: %q then %q", keys[0], keys[1])
	}
}

func TestCLIServeRefuses(t *testing.T) {
	t.Parallel()
	type problem struct{ key, marker, inMsg string }
	tests := []struct {
		name    string
		edits   []string
		setup   func(t *testing.T, dir string)
		problem problem
	}{
		{
			name:    "invalid config",
			edits:   []string{"timezone: Europe/Stockholm", "timezone: Mars/Olympus"},
			problem: problem{"calendar.timezone", "Mars/Olympus", "Mars/Olympus"},
		},
		{
			name: "secret too short",
			setup: func(t *testing.T, dir string) {
				if err := os.MkdirAll(filepath.Join(dir, "var"), 0o700); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, "var", "secret"), []byte("short\n"), 0o600); err != nil {
					t.Fatal(err)
				}
			},
			problem: problem{"support.secret_file", "secret_file:", "secret"},
		},
		{
			name: "missing relay password",
			edits: []string{
				`relay: ""`, `relay: "smtp.sos.example:587"`,
				`username: ""`, `username: sosd`,
				`password_file: ""`, `password_file: relay-password`,
			},
			problem: problem{"outbound.password_file", "password_file:", "relay-password"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := cliWriteConfig(t, dir, "config.yaml", tc.edits...)
			if tc.setup != nil {
				tc.setup(t, dir)
			}
			r := cliServeResult(t, cliNoSearch(t), "--config", path)
			if r.code != exitConfig {
				t.Fatalf("want exit %d, got %v", exitConfig, r)
			}
			if r.stdout != "" {
				t.Errorf("want nothing on stdout, got %q", r.stdout)
			}
			if strings.Contains(r.stderr, "ready") {
				t.Errorf("serve said ready with a configuration it refuses:\n%s", r.stderr)
			}
			wantLine := cliLineOf(t, path, tc.problem.marker)
			var found bool
			for _, l := range cliLines(r.stderr) {
				m := cliErrorLineRE.FindStringSubmatch(l)
				if m == nil {
					continue // a log line
				}
				p := cliParseProblem(t, l)
				if p.key != tc.problem.key {
					t.Errorf("unexpected problem %q", l)
					continue
				}
				found = true
				if p.file != path || p.line != wantLine {
					t.Errorf("error %q: want %s:%d: %s", l, path, wantLine, tc.problem.key)
				}
				if !strings.Contains(p.msg, tc.problem.inMsg) {
					t.Errorf("error %q does not mention %q", l, tc.problem.inMsg)
				}
			}
			if !found {
				t.Errorf("no error for %s on stderr:\n%s", tc.problem.key, r.stderr)
			}
		})
	}

	t.Run("short secret is kept", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		path := cliWriteConfig(t, dir, "config.yaml")
		secret := filepath.Join(dir, "var", "secret")
		if err := os.MkdirAll(filepath.Dir(secret), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(secret, []byte("short\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if r := cliServeResult(t, cliNoSearch(t), "--config", path); r.code != exitConfig {
			t.Fatalf("want exit %d, got %v", exitConfig, r)
		}
		if data, _ := os.ReadFile(secret); string(data) != "short\n" {
			t.Errorf("serve overwrote an existing secret: %q", data)
		}
	})

	t.Run("no config anywhere", func(t *testing.T) {
		t.Parallel()
		search := cliNoSearch(t)
		r := cliServeResult(t, search)
		if r.code != exitConfig || r.stdout != "" {
			t.Fatalf("want exit %d and nothing on stdout, got %v", exitConfig, r)
		}
		for _, p := range search {
			if !strings.Contains(r.stderr, p) {
				t.Errorf("the error does not name %s: %q", p, r.stderr)
			}
		}
	})
}
