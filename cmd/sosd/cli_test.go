package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The tests of the command line run it in-process (SPEC §9). Every run gets
// a configuration search path inside a temporary folder, so that a
// ./config.yaml or /etc/sosd/config.yaml on the machine is never read.
//
// This file holds the shared helpers and the tests of the command table:
// usage errors, version, help and the entry point. The commands' own tests
// are in slacmd_test.go, checkconfig_test.go and serve_test.go.

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
