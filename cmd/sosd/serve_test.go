package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// Tests of `sosd serve` run in-process, with the helpers of cli_test.go:
// the daemon in a goroutine, its secret, and the configurations it refuses
// with exitConfig.

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
