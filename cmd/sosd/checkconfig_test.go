package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Tests of `sosd check-config` (SPEC §9), run in-process with the helpers
// of cli_test.go.

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
