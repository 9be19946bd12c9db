package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// unitPath is the shipped systemd unit, from this package's folder.
const unitPath = "../../systemd/sosd.service"

// unitFile is a systemd unit file read as systemd.syntax(7) describes:
// [Section] headers, Key=Value lines, comments starting with # or ;, and
// lines continued with a trailing backslash. A key may be assigned more
// than once; every assignment is kept, in order.
type unitFile struct {
	sections map[string]map[string][]string
	comments []string
}

func parseUnit(name string, data []byte) (*unitFile, error) {
	u := &unitFile{sections: map[string]map[string][]string{}}
	section := ""
	var pending string // a continued line so far
	for i, line := range strings.Split(string(data), "\n") {
		n := i + 1
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";") {
			u.comments = append(u.comments, strings.TrimSpace(line[1:]))
			continue
		}
		if pending != "" {
			line = pending + " " + line
			pending = ""
		}
		if cut, ok := strings.CutSuffix(line, `\`); ok {
			pending = strings.TrimSpace(cut)
			continue
		}
		switch {
		case line == "":
		case strings.HasPrefix(line, "["):
			if !strings.HasSuffix(line, "]") || len(line) < 3 {
				return nil, fmt.Errorf("%s:%d: bad section header %q", name, n, line)
			}
			section = line[1 : len(line)-1]
			if u.sections[section] == nil {
				u.sections[section] = map[string][]string{}
			}
		default:
			key, value, ok := strings.Cut(line, "=")
			if !ok {
				return nil, fmt.Errorf("%s:%d: no '=' in %q", name, n, line)
			}
			if section == "" {
				return nil, fmt.Errorf("%s:%d: %q before the first section", name, n, line)
			}
			key = strings.TrimSpace(key)
			u.sections[section][key] = append(u.sections[section][key], strings.TrimSpace(value))
		}
	}
	if pending != "" {
		return nil, fmt.Errorf("%s: ends in a continued line", name)
	}
	return u, nil
}

// one returns the value of a key that must be assigned exactly once: a
// second assignment of a single-valued setting silently wins in systemd.
func (u *unitFile) one(t *testing.T, section, key string) string {
	t.Helper()
	vs := u.sections[section][key]
	if len(vs) != 1 {
		t.Errorf("[%s] %s= is assigned %d times %q, want once", section, key, len(vs), vs)
		return ""
	}
	return vs[0]
}

// list returns the words of a list setting over all its assignments; an
// empty assignment resets the list, as in systemd.
func (u *unitFile) list(section, key string) []string {
	var words []string
	for _, v := range u.sections[section][key] {
		if v == "" {
			words = nil
			continue
		}
		words = append(words, strings.Fields(v)...)
	}
	return words
}

func loadUnit(t *testing.T) *unitFile {
	t.Helper()
	data, err := os.ReadFile(unitPath)
	if err != nil {
		t.Fatal(err)
	}
	u, err := parseUnit(unitPath, data)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestSystemdUnitParser(t *testing.T) {
	t.Parallel()
	u, err := parseUnit("x.service", []byte("# top\n[Service]\nA = 1\n; semi\nB=x \\\n  y\nB=\nB=z\nC=\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got := u.sections["Service"]["A"]; !slices.Equal(got, []string{"1"}) {
		t.Errorf("A = %q", got)
	}
	if got := u.sections["Service"]["B"]; !slices.Equal(got, []string{"x y", "", "z"}) {
		t.Errorf("B = %q", got)
	}
	if got := u.list("Service", "B"); !slices.Equal(got, []string{"z"}) {
		t.Errorf("list B = %q, want the reset to drop x y", got)
	}
	if got := u.sections["Service"]["C"]; !slices.Equal(got, []string{""}) {
		t.Errorf("C = %q", got)
	}
	if !slices.Equal(u.comments, []string{"top", "semi"}) {
		t.Errorf("comments = %q", u.comments)
	}
	for _, bad := range []string{"A=1\n", "[Service]\nA\n", "[Service\nA=1\n", "[Service]\nA=1 \\"} {
		if _, err := parseUnit("x.service", []byte(bad)); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

// TestSystemdUnit checks the directives issue 8 asks of the unit, so that
// a later edit cannot quietly weaken the sandbox or the restart policy.
func TestSystemdUnit(t *testing.T) {
	t.Parallel()
	u := loadUnit(t)
	for _, d := range []struct{ section, key, want string }{
		{"Service", "Type", "notify"},
		{"Service", "NotifyAccess", "main"},
		{"Service", "Restart", "on-failure"},
		{"Service", "KillMode", "mixed"},
		{"Service", "User", "sosd"},
		{"Service", "Group", "sosd"},
		{"Service", "StateDirectory", "sosd"},
		{"Service", "ConfigurationDirectory", "sosd"},
		{"Service", "WorkingDirectory", "/var/lib/sosd"},
		{"Service", "ProtectSystem", "strict"},
		{"Service", "ProtectHome", "yes"},
		{"Service", "PrivateTmp", "yes"},
		{"Service", "PrivateDevices", "yes"},
		{"Service", "NoNewPrivileges", "yes"},
		{"Service", "ProtectKernelTunables", "yes"},
		{"Service", "ProtectKernelModules", "yes"},
		{"Service", "ProtectKernelLogs", "yes"},
		{"Service", "ProtectControlGroups", "yes"},
		{"Service", "RestrictNamespaces", "yes"},
		{"Service", "RestrictRealtime", "yes"},
		{"Service", "RestrictSUIDSGID", "yes"},
		// Empty: no capabilities at all (see the comment on port 25).
		{"Service", "CapabilityBoundingSet", ""},
		{"Install", "WantedBy", "multi-user.target"},
	} {
		if got := u.one(t, d.section, d.key); got != d.want {
			t.Errorf("[%s] %s=%s, want %s=%s", d.section, d.key, got, d.key, d.want)
		}
	}

	start := strings.Fields(u.one(t, "Service", "ExecStart"))
	if len(start) == 0 || !filepath.IsAbs(start[0]) || filepath.Base(start[0]) != "sosd" ||
		!slices.Equal(start[1:], []string{"serve", "--config", "/etc/sosd/config.yaml"}) {
		t.Errorf("ExecStart=%s, want /…/sosd serve --config /etc/sosd/config.yaml", strings.Join(start, " "))
	}
	reload := strings.Join(strings.Fields(u.one(t, "Service", "ExecReload")), " ")
	if !regexp.MustCompile(`^/\S*/kill (-HUP|-SIGHUP|-s HUP|-s SIGHUP) (\$MAINPID|\$\{MAINPID\})$`).MatchString(reload) {
		t.Errorf("ExecReload=%s, want kill -HUP $MAINPID", reload)
	}
	// The code's EX_CONFIG: serve exits with it on a broken configuration.
	if want := strconv.Itoa(exitConfig); !slices.Contains(u.list("Service", "RestartPreventExitStatus"), want) {
		t.Errorf("RestartPreventExitStatus=%q does not contain %s", u.list("Service", "RestartPreventExitStatus"), want)
	}
	families := u.list("Service", "RestrictAddressFamilies")
	for _, f := range []string{"AF_UNIX", "AF_INET", "AF_INET6"} {
		// A list starting with ~ denies what it names.
		if !slices.Contains(families, f) || strings.HasPrefix(families[0], "~") {
			t.Errorf("RestrictAddressFamilies=%q does not allow %s (AF_UNIX: NOTIFY_SOCKET and journald)", families, f)
		}
	}
	filters := u.sections["Service"]["SystemCallFilter"]
	if len(filters) == 0 || strings.HasPrefix(filters[0], "~") || !slices.Contains(strings.Fields(filters[0]), "@system-service") {
		t.Errorf("SystemCallFilter=%q, want an allow list of @system-service first", filters)
	}
	if caps := u.list("Service", "AmbientCapabilities"); len(caps) > 0 {
		t.Errorf("AmbientCapabilities=%q with an empty CapabilityBoundingSet=", caps)
	}
	// Everything sosd writes lives in the StateDirectory, which
	// ProtectSystem=strict leaves writable by itself.
	if rw := u.list("Service", "ReadWritePaths"); len(rw) > 0 {
		t.Errorf("ReadWritePaths=%q: not needed, sosd writes only below StateDirectory=", rw)
	}

	stop, err := parseTimespan(u.one(t, "Service", "TimeoutStopSec"))
	if err != nil {
		t.Error(err)
	} else if stop < shutdownGrace+10*time.Second {
		t.Errorf("TimeoutStopSec=%v leaves less than 10 s after the %v SMTP sessions get", stop, shutdownGrace)
	}
	if _, err := parseTimespan(u.one(t, "Service", "TimeoutStartSec")); err != nil {
		t.Error(err)
	}

	port25 := regexp.MustCompile(`(?i)\bport 25\b|:25\b`)
	var saysPort, saysCap bool
	for _, c := range u.comments {
		saysPort = saysPort || port25.MatchString(c)
		saysCap = saysCap || strings.Contains(c, "AmbientCapabilities=CAP_NET_BIND_SERVICE")
	}
	if !saysPort || !saysCap {
		t.Errorf("no comment on binding port 25 (port mentioned: %v, AmbientCapabilities=CAP_NET_BIND_SERVICE shown: %v)", saysPort, saysCap)
	}
}

// parseTimespan reads the systemd.time(7) spans the unit uses: "90",
// "60s", "5min", "1min 30s".
func parseTimespan(s string) (time.Duration, error) {
	units := map[string]time.Duration{
		"": time.Second, "ms": time.Millisecond, "s": time.Second, "sec": time.Second,
		"m": time.Minute, "min": time.Minute, "h": time.Hour, "hr": time.Hour,
	}
	re := regexp.MustCompile(`^(\d+)\s*([a-z]*)$`)
	var d time.Duration
	parts := strings.Fields(s)
	if len(parts) == 0 {
		return 0, fmt.Errorf("empty time span")
	}
	for _, p := range parts {
		m := re.FindStringSubmatch(p)
		if m == nil || units[m[2]] == 0 {
			return 0, fmt.Errorf("time span %q: cannot read %q", s, p)
		}
		n, _ := strconv.Atoi(m[1])
		d += time.Duration(n) * units[m[2]]
	}
	return d, nil
}

// TestSystemdUnitMatchesReadme checks that the README's install section
// puts every file sosd writes where the unit lets it write, and installs
// the binary and configuration where ExecStart looks.
func TestSystemdUnitMatchesReadme(t *testing.T) {
	t.Parallel()
	u := loadUnit(t)
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(data), "\n## Install on Debian\n")
	if !ok {
		t.Fatal(`README.md has no "## Install on Debian" section`)
	}
	section, _, _ = strings.Cut(section, "\n## ")
	state := "/var/lib/" + u.one(t, "Service", "StateDirectory") + "/"
	for _, key := range []string{"database", "spool_dir", "secret_file"} {
		m := regexp.MustCompile(`(?m)^\s*` + key + `:\s*(\S+)`).FindStringSubmatch(section)
		if m == nil {
			t.Errorf("README install section does not set %s:", key)
		} else if !strings.HasPrefix(m[1], state) {
			t.Errorf("README sets %s: %s, outside %s, where the unit cannot write", key, m[1], state)
		}
	}
	for _, s := range append(strings.Fields(u.one(t, "Service", "ExecStart"))[:1], "/etc/sosd/config.yaml", "/etc/systemd/system/sosd.service") {
		if !strings.Contains(section, s) {
			t.Errorf("README install section does not mention %s", s)
		}
	}
}

// verifyTimeout bounds systemd-analyze verify; it takes well under a
// second when it works.
const verifyTimeout = 30 * time.Second

// TestSystemdAnalyzeVerify runs systemd's own checker on a copy of the
// unit whose ExecStart names a freshly built sosd (verify complains about
// a binary that does not exist). It skips without systemd-analyze.
func TestSystemdAnalyzeVerify(t *testing.T) {
	t.Parallel()
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze not installed")
	}
	if testing.Short() {
		t.Skip("builds sosd")
	}
	bin := buildSosd(t)
	if strings.ContainsAny(bin, " \t\"'\\$%;") {
		t.Skipf("binary path %q would need quoting in ExecStart=", bin)
	}
	data, err := os.ReadFile(unitPath)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	replaced := 0
	for i, l := range lines {
		if rest, ok := strings.CutPrefix(l, "ExecStart="); ok {
			f := strings.Fields(rest)
			lines[i] = "ExecStart=" + strings.Join(append([]string{bin}, f[1:]...), " ")
			replaced++
		}
	}
	if replaced != 1 {
		t.Fatalf("%d ExecStart= lines, want 1", replaced)
	}
	unit := filepath.Join(t.TempDir(), "sosd.service")
	if err := os.WriteFile(unit, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), verifyTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, analyze, "verify", "--man=no", unit)
	cmd.Env = append(os.Environ(), "SYSTEMD_LOG_COLOR=0", "SYSTEMD_LOG_LOCATION=0", "SYSTEMD_PAGER=")
	cmd.WaitDelay = 5 * time.Second
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err = cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("systemd-analyze verify did not finish within %v:\n%s", verifyTimeout, out.String())
	}
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatal(err)
	}
	t.Logf("systemd-analyze verify (exit %d):\n%s", cmd.ProcessState.ExitCode(), out.String())
	if problems := verifyProblems(out.String()); len(problems) > 0 {
		t.Errorf("systemd-analyze verify finds the unit wrong:\n%s", strings.Join(problems, "\n"))
	} else if err != nil {
		t.Skipf("systemd-analyze verify could not check the unit here (%v); its output names no unit error", err)
	}
}

// verifyProblems picks from systemd-analyze verify's output the lines that
// say the unit itself is wrong. Verify exits 0 after an unknown key or an
// unreadable value ("…, ignoring"), so its exit code alone is not enough;
// and it also prints things about the machine it runs on — the user sosd
// may not exist, a container has no systemd as PID 1 or no D-Bus, unit
// files it pulls in may be missing — that say nothing about our unit. So
// only these count: a message placed at a line of our file (the parser's
// unknown keys, bad values, bad section headers and deprecations), and the
// loader's refusals. Everything else is logged, not failed.
func verifyProblems(out string) []string {
	atLine := regexp.MustCompile(`(^|/)sosd\.service:\d+:`)
	refusals := regexp.MustCompile(`(?i)unknown (key|section|lvalue)|failed to parse|invalid section|missing '='|failed to load properly|bad unit file setting|refusing|lacks both`)
	var problems []string
	for _, l := range strings.Split(out, "\n") {
		if atLine.MatchString(l) || refusals.MatchString(l) {
			problems = append(problems, l)
		}
	}
	return problems
}

// TestSystemdVerifyFilter feeds verifyProblems what systemd-analyze 252
// printed for broken units, and things it prints about its environment.
func TestSystemdVerifyFilter(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		line string
		bad  bool
	}{
		{"/tmp/x/sosd.service:14: Failed to parse service type, ignoring: bogus", true},
		{"/tmp/x/sosd.service:58: Unknown key 'FooBar' in section [Service], ignoring.", true},
		{"/tmp/x/sosd.service:59: Invalid section header '[Service'", true},
		{"Unit sosd.service failed to load properly, please adjust/correct and reload service manager: Bad message", true},
		{"sosd.service: Service has more than one ExecStart= setting, which is only allowed for Type=oneshot services. Refusing.", true},
		{"sosd.service: Command /usr/local/bin/sosd is not executable: No such file or directory", false},
		{"System has not been booted with systemd as init system (PID 1). Can't operate.", false},
		{"Failed to connect to bus: No such file or directory", false},
		{"sosd.service: Failed to resolve user sosd: No such process", false},
		{"", false},
	} {
		if got := len(verifyProblems(c.line)) > 0; got != c.bad {
			t.Errorf("%q: counted as a unit error: %v, want %v", c.line, got, c.bad)
		}
	}
}
