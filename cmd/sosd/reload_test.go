package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Log messages of a reload (serve.go).
const (
	reloadFailedMsg  = "reload failed; keeping the running configuration"
	reloadedMsg      = "configuration reloaded"
	restartNeededMsg = "changed setting needs a restart to take effect"
)

// reloadOutcome sends SIGHUP and waits (bounded) for the reload's
// outcome: its failure or success line, and any restart warnings before
// it.
func (d *killableDaemon) reloadOutcome(t *testing.T) (outcome logLine, restart []string) {
	t.Helper()
	from := d.logLen()
	if err := d.signal(syscall.SIGHUP); err != nil {
		t.Fatalf("SIGHUP: %v", err)
	}
	l, err := d.waitLog(from, 10*time.Second, func(l logLine) bool {
		if l.msg() == restartNeededMsg {
			key, _ := l.rec["key"].(string)
			restart = append(restart, key)
		}
		return l.msg() == reloadFailedMsg || l.msg() == reloadedMsg
	})
	if err != nil {
		t.Fatalf("no reload outcome logged after SIGHUP: %v", err)
	}
	return l, restart
}

// The daemon is sent SIGHUP with each bad configuration of
// testdata/config in its file, one after the other. Each reload fails
// with the errors check-config gives for the file, the daemon keeps
// running on its old configuration and files customer mail with it, and
// a good file then reloads (SPEC §4, §10; STYLE L4).
func TestReloadKeepsOldConfigOnEveryBadFile(t *testing.T) {
	t.Parallel()
	fixtures, err := filepath.Glob("testdata/config/bad-*.yaml")
	if err != nil || len(fixtures) < 50 {
		t.Fatalf("found %d bad configs (%v)", len(fixtures), err)
	}
	d := newKillableDaemon(t, killableConfig(t))
	if err := d.start(); err != nil {
		t.Fatal(err)
	}
	started := time.Now()
	sent := 0
	customerMail := func(from, why string) {
		t.Helper()
		sent++
		raw := fmt.Appendf(nil, "From: %s\r\nTo: support@sos.example\r\nSubject: Omladdning %d\r\nMessage-ID: <reload-%d@test>\r\n\r\nHej\r\n", from, sent, sent)
		if err := sendOne(d.smtpAddr(), from, raw); err != nil {
			t.Errorf("%s: customer mail not accepted: %v", why, err)
		}
	}
	customerMail("user0@acme.se", "before any reload")

	// The fixtures name their files relative to their own folder
	// (var/sosd.db, var/secret, var/outbox), and the daemon resolves them
	// relative to its config file's folder: the same names are the
	// daemon's own files there, so the content goes in unchanged, and so
	// do the lines the errors are placed at.
	for i, f := range fixtures {
		name := strings.TrimSuffix(filepath.Base(f), ".yaml")
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, line := range strings.Split(string(data), "\n") {
			if w, ok := strings.CutPrefix(line, "# want: "); ok {
				want = append(want, d.config+":"+w)
			}
		}
		if err := os.WriteFile(d.config, data, 0o600); err != nil {
			t.Fatal(err)
		}
		l, restart := d.reloadOutcome(t)
		switch {
		case l.msg() == reloadedMsg:
			t.Errorf("%s: the daemon took the bad file (restart warnings: %v)", name, restart)
		case len(restart) > 0:
			t.Errorf("%s: restart warnings %v for a file that did not load", name, restart)
		}
		if got, _ := l.rec["errors"].(string); got != strings.Join(want, "\n") {
			t.Errorf("%s: reload errors\n  %s\nwant\n  %s", name, strings.ReplaceAll(got, "\n", "\n  "), strings.Join(want, "\n  "))
		}
		if lvl, _ := l.rec["level"].(string); lvl != "ERROR" {
			t.Errorf("%s: reload failure logged at %q, want ERROR", name, lvl)
		}
		if !d.running() {
			t.Fatalf("%s: the daemon exited on a bad reload", name)
		}
		customerMail(fmt.Sprintf("user%d@acme.se", i+1), name)
	}
	if n := d.countLog(reloadFailedMsg); n != len(fixtures) {
		t.Errorf("%d failed reloads logged, want %d", n, len(fixtures))
	}
	// A sender of a customer the good file below adds is nobody yet.
	customerMail("kim@beta.example", "beta before the good reload")

	// A good file reloads, and takes effect: the new customer's mail
	// opens a ticket for it. Listener and database stay as they are, so
	// nothing needs a restart.
	good := killableConfig(t) + `
  - id: beta
    name: Beta Ltd
    language: en
    domains: [beta.example]
    applications:
      - {id: crm, name: CRM}
`
	if err := os.WriteFile(d.config, []byte(good), 0o600); err != nil {
		t.Fatal(err)
	}
	if l, restart := d.reloadOutcome(t); l.msg() != reloadedMsg || len(restart) > 0 {
		t.Fatalf("good file: %s (restart warnings %v)", l.raw, restart)
	}
	customerMail("lee@beta.example", "beta after the good reload")

	list, err := d.ticketsList()
	if err != nil {
		t.Fatal(err)
	}
	byCustomer := map[string]int{}
	for _, tk := range list {
		byCustomer[tk.Customer]++
	}
	// Every acme mail is a ticket of acme; kim's first beta mail is
	// nobody's; lee's is beta's.
	if want := map[string]int{"acme": len(fixtures) + 1, "beta": 1}; len(byCustomer) != 2 || byCustomer["acme"] != want["acme"] || byCustomer["beta"] != 1 {
		t.Errorf("tickets by customer %v, want %v", byCustomer, want)
	}
	t.Logf("%d bad files reloaded and refused, %d customer mails accepted, %d tickets, in %v",
		len(fixtures), sent, len(list), time.Since(started).Round(time.Millisecond))

	// A reload that succeeds either applies each setting or says in the
	// log that it needs a restart (STYLE L4); it never takes a setting
	// silently and goes on with the old one.
	t.Run("ReloadedSettingAppliesOrWarns", func(t *testing.T) {
		small := strings.Replace(good, "max_message_size: 25MB", "max_message_size: 1KB", 1)
		if small == good {
			t.Fatal("config.example.yaml has no max_message_size: 25MB any more")
		}
		if err := os.WriteFile(d.config, []byte(small), 0o600); err != nil {
			t.Fatal(err)
		}
		l, restart := d.reloadOutcome(t)
		if l.msg() != reloadedMsg {
			t.Fatalf("1KB limit: %s", l.raw)
		}
		if slices.Contains(restart, "listen.max_message_size") {
			return // said so: fine
		}
		raw := fmt.Appendf(nil, "From: big@acme.se\r\nTo: support@sos.example\r\nSubject: Stor\r\nMessage-ID: <reload-big@test>\r\n\r\n%s\r\n", strings.Repeat(strings.Repeat("x", 70)+"\r\n", 60))
		err := sendOne(d.smtpAddr(), "big@acme.se", raw)
		var se *smtp.SMTPError
		if !errors.As(err, &se) || se.Code != 552 || !strings.Contains(strings.ToLower(se.Message), "size") {
			t.Errorf("4 KB mail after reloading max_message_size: 1KB: %v, want 552 (or a restart warning)", err)
		}
	})
}

// killableDaemon is the built sosd serving one folder, which a test can
// kill and start again on the same configuration and database. It logs
// in JSON, and keeps every line of every run.
type killableDaemon struct {
	t      *testing.T
	bin    string
	dir    string
	config string

	mu    sync.Mutex
	cmd   *exec.Cmd
	exit  chan struct{} // closed when the current run has exited
	addr  string        // the current run's SMTP address
	runs  int
	lines []logLine
}

// logLine is one line the daemon wrote to stderr, decoded when it is JSON.
type logLine struct {
	run int
	raw string
	rec map[string]any
}

func (l logLine) msg() string {
	s, _ := l.rec["msg"].(string)
	return s
}

// killableConfig is config.example.yaml with an ephemeral SMTP port, no
// HTTP listener (parallel daemons would share its port) and the given
// replacements, each of which must apply.
func killableConfig(t *testing.T, replace ...string) string {
	t.Helper()
	data, err := os.ReadFile("../../config.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg := string(data)
	replace = append([]string{`smtp: "127.0.0.1:2525"`, `smtp: "127.0.0.1:0"`, `http: "127.0.0.1:8025"`, `http: ""`}, replace...)
	for i := 0; i+1 < len(replace); i += 2 {
		if !strings.Contains(cfg, replace[i]) {
			t.Fatalf("config.example.yaml has no %q any more", replace[i])
		}
		cfg = strings.Replace(cfg, replace[i], replace[i+1], 1)
	}
	return cfg
}

// newKillableDaemon writes cfg as config.yaml into a temp folder; start
// runs the daemon on it.
func newKillableDaemon(t *testing.T, cfg string) *killableDaemon {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end")
	}
	d := &killableDaemon{t: t, bin: buildSosd(t), dir: t.TempDir()}
	d.config = filepath.Join(d.dir, "config.yaml")
	if err := os.WriteFile(d.config, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		d.kill()
		if t.Failed() {
			d.mu.Lock()
			defer d.mu.Unlock()
			var b strings.Builder
			// The last lines are what tells; the deliveries before them
			// would drown them.
			from := max(0, len(d.lines)-300)
			for _, l := range d.lines[from:] {
				fmt.Fprintf(&b, "[run %d] %s\n", l.run, l.raw)
			}
			t.Logf("daemon log (last %d of %d lines):\n%s", len(d.lines)-from, len(d.lines), b.String())
		}
	})
	return d
}

// start runs the daemon and waits (bounded) for its ready line.
func (d *killableDaemon) start() error {
	d.mu.Lock()
	d.runs++
	run, from := d.runs, len(d.lines)
	cmd := exec.Command(d.bin, "serve", "--config", d.config, "--log-format", "json")
	cmd.Stderr = &lineWriter{d: d, run: run}
	if err := cmd.Start(); err != nil {
		d.mu.Unlock()
		return err
	}
	exit := make(chan struct{})
	d.cmd, d.exit = cmd, exit
	d.mu.Unlock()
	go func() {
		cmd.Wait()
		close(exit)
	}()
	l, err := d.waitLog(from, 15*time.Second, func(l logLine) bool { return l.run == run && l.msg() == "ready" })
	if err != nil {
		select {
		case <-exit:
			return fmt.Errorf("run %d exited before it was ready (%v)", run, cmd.ProcessState)
		default:
			return fmt.Errorf("run %d: %w", run, err)
		}
	}
	addr, _ := l.rec["smtp"].(string)
	if addr == "" {
		return fmt.Errorf("run %d: ready line without smtp: %s", run, l.raw)
	}
	d.mu.Lock()
	d.addr = addr
	d.mu.Unlock()
	return nil
}

// kill sends SIGKILL to the running daemon, if any, and waits for it.
func (d *killableDaemon) kill() {
	d.mu.Lock()
	cmd, exit := d.cmd, d.exit
	d.cmd = nil
	d.mu.Unlock()
	if cmd == nil {
		return
	}
	cmd.Process.Signal(syscall.SIGKILL)
	<-exit
}

// signal sends sig to the running daemon.
func (d *killableDaemon) signal(sig os.Signal) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.cmd == nil {
		return errors.New("not running")
	}
	return d.cmd.Process.Signal(sig)
}

// running reports whether the current run is still alive.
func (d *killableDaemon) running() bool {
	d.mu.Lock()
	exit := d.exit
	d.mu.Unlock()
	select {
	case <-exit:
		return false
	default:
		return exit != nil
	}
}

func (d *killableDaemon) smtpAddr() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.addr
}

// logLen is the number of log lines so far: pass it to waitLog to look
// only at what comes after.
func (d *killableDaemon) logLen() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.lines)
}

// waitLog polls (bounded) for a log line at index from or later that
// matches.
func (d *killableDaemon) waitLog(from int, limit time.Duration, match func(logLine) bool) (logLine, error) {
	deadline := time.Now().Add(limit)
	for {
		d.mu.Lock()
		for ; from < len(d.lines); from++ {
			if match(d.lines[from]) {
				l := d.lines[from]
				d.mu.Unlock()
				return l, nil
			}
		}
		d.mu.Unlock()
		if time.Now().After(deadline) {
			return logLine{}, fmt.Errorf("no such log line after %v", limit)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// countLog counts the log lines with the given msg.
func (d *killableDaemon) countLog(msg string) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	n := 0
	for _, l := range d.lines {
		if l.msg() == msg {
			n++
		}
	}
	return n
}

// ticketsList is `sosd tickets list --json` of the built binary.
func (d *killableDaemon) ticketsList() ([]listedTicket, error) {
	var stderr bytes.Buffer
	cmd := exec.Command(d.bin, "tickets", "list", "--json", "--config", d.config)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("tickets list: %v: %s", err, stderr.String())
	}
	var list []listedTicket
	if err := json.Unmarshal(out, &list); err != nil {
		return nil, fmt.Errorf("tickets list: %v", err)
	}
	return list, nil
}

// listedTicket is what the tests read of `tickets list --json`.
type listedTicket struct {
	ID       string `json:"id"`
	Customer string `json:"customer"`
	Reporter string `json:"reporter"`
	Subject  string `json:"subject"`
}

// lineWriter splits one run's stderr into log lines.
type lineWriter struct {
	d       *killableDaemon
	run     int
	partial []byte
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.partial = append(w.partial, p...)
	for {
		i := bytes.IndexByte(w.partial, '\n')
		if i < 0 {
			return len(p), nil
		}
		l := logLine{run: w.run, raw: string(w.partial[:i])}
		json.Unmarshal(w.partial[:i], &l.rec)
		w.partial = w.partial[i+1:]
		w.d.mu.Lock()
		w.d.lines = append(w.d.lines, l)
		w.d.mu.Unlock()
	}
}

// sendOne delivers raw over one SMTP connection and returns nil only when
// the server answered 250 to the data. A failing QUIT after that changes
// nothing: the mail was accepted.
func sendOne(addr, from string, raw []byte) error {
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return err
	}
	c := smtp.NewClient(conn)
	c.CommandTimeout, c.SubmissionTimeout = 10*time.Second, 10*time.Second
	defer c.Close()
	if err := c.SendMail(from, []string{"support@sos.example"}, bytes.NewReader(raw)); err != nil {
		return err
	}
	c.Quit()
	return nil
}
