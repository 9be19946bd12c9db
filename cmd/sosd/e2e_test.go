package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	gomail "github.com/emersion/go-message/mail"
	"github.com/emersion/go-smtp"
)

// daemon is the built sosd running `serve` on a temp copy of
// config.example.yaml, listening on 127.0.0.1 at a port the kernel chose.
type daemon struct {
	t      *testing.T
	bin    string
	dir    string
	config string
	addr   string
	http   string // listen.http's address, "" when off
	cmd    *exec.Cmd
	log    *bytes.Buffer
}

// built is the sosd binary the end-to-end tests run, built once per test
// run into a temp folder that TestMain removes.
var built struct {
	once sync.Once
	dir  string
	bin  string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

func buildSosd(t *testing.T) string {
	t.Helper()
	built.once.Do(func() {
		built.dir, built.err = os.MkdirTemp("", "sosd-e2e-")
		if built.err != nil {
			return
		}
		built.bin = filepath.Join(built.dir, "sosd")
		if out, err := exec.Command("go", "build", "-o", built.bin, ".").CombinedOutput(); err != nil {
			built.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if built.err != nil {
		t.Fatal(built.err)
	}
	return built.bin
}

func startDaemon(t *testing.T) *daemon {
	t.Helper()
	if testing.Short() {
		t.Skip("end-to-end")
	}
	d := &daemon{t: t, bin: buildSosd(t), dir: t.TempDir(), log: &bytes.Buffer{}}
	data, err := os.ReadFile("../../config.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg := strings.Replace(string(data), `smtp: "127.0.0.1:2525"`, `smtp: "127.0.0.1:0"`, 1)
	cfg = strings.Replace(cfg, `http: "127.0.0.1:8025"`, `http: "127.0.0.1:0"`, 1)
	d.config = filepath.Join(d.dir, "config.yaml")
	if err := os.WriteFile(d.config, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	d.cmd = exec.Command(d.bin, "serve", "--config", d.config)
	stderr, err := d.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := d.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		d.cmd.Process.Kill()
		d.cmd.Wait()
		if t.Failed() {
			t.Logf("daemon log:\n%s", d.log.String())
		}
	})
	ready := make(chan string, 1)
	web := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		re := regexp.MustCompile(`msg=ready smtp=(\S+)`)
		reHTTP := regexp.MustCompile(`msg="http listening" http=(\S+)`)
		for sc.Scan() {
			d.log.WriteString(sc.Text() + "\n")
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				ready <- m[1]
			}
			if m := reHTTP.FindStringSubmatch(sc.Text()); m != nil {
				web <- m[1]
			}
		}
	}()
	select {
	case d.addr = <-ready:
	case <-time.After(10 * time.Second):
		t.Fatalf("daemon not ready after 10 s:\n%s", d.log.String())
	}
	select {
	case d.http = <-web:
	default: // listen.http is off
	}
	return d
}

// send sends raw mail over SMTP and returns the server's error, if any.
func (d *daemon) send(from string, to []string, raw []byte) error {
	c, err := smtp.Dial(d.addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.SendMail(from, to, bytes.NewReader(raw)); err != nil {
		return err
	}
	return c.Quit()
}

// spooled waits (bounded) until n .eml files are in the spool and returns
// them parsed by name.
func (d *daemon) spooled(n int) map[string][]byte {
	d.t.Helper()
	dir := filepath.Join(d.dir, "var", "outbox")
	deadline := time.Now().Add(10 * time.Second)
	for {
		files, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
		if len(files) >= n {
			out := map[string][]byte{}
			for _, f := range files {
				data, _ := os.ReadFile(f)
				out[filepath.Base(f)] = data
			}
			return out
		}
		if time.Now().After(deadline) {
			d.t.Fatalf("%d of %d mails in the spool after 10 s", len(files), n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (d *daemon) ticketsJSON() []map[string]any {
	d.t.Helper()
	out, err := exec.Command(d.bin, "tickets", "list", "--json", "--config", d.config).Output()
	if err != nil {
		d.t.Fatalf("tickets list: %v", err)
	}
	var list []map[string]any
	if err := json.Unmarshal(out, &list); err != nil {
		d.t.Fatalf("%v: %s", err, out)
	}
	return list
}

// ackOf finds the acknowledgement to addr among spooled mail.
func ackOf(t *testing.T, mails map[string][]byte, addr string) *gomail.Reader {
	t.Helper()
	for _, raw := range mails {
		r, err := gomail.CreateReader(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		to, _ := r.Header.AddressList("To")
		if len(to) == 1 && to[0].Address == addr && r.Header.Get("Auto-Submitted") == "auto-replied" {
			return r
		}
	}
	t.Fatalf("no acknowledgement to %s", addr)
	return nil
}

func bodyText(t *testing.T, r *gomail.Reader) string {
	t.Helper()
	for {
		p, err := r.NextPart()
		if err != nil {
			t.Fatal("no text part")
		}
		if ct := p.Header.Get("Content-Type"); strings.HasPrefix(ct, "text/plain") {
			b, _ := io.ReadAll(p.Body)
			return string(b)
		}
	}
}

// A customer's priority-1 mail in ISO-8859-1 is filed and acknowledged in
// Swedish with the committed start time; the acknowledgement threads.
func TestEndToEndAcknowledgement(t *testing.T) {
	t.Parallel()
	d := startDaemon(t)
	raw, err := os.ReadFile("testdata/mail/p1-iso-8859-1.eml")
	if err != nil {
		t.Fatal(err)
	}
	if err := d.send("eva@acme.se", []string{"support@sos.example"}, raw); err != nil {
		t.Fatalf("send: %v", err)
	}
	// The same Message-ID again: accepted, files nothing new.
	if err := d.send("eva@acme.se", []string{"support@sos.example"}, raw); err != nil {
		t.Fatalf("send again: %v", err)
	}
	// ack + notices to two consultants + escalation.notify for priority 1.
	mails := d.spooled(4)
	list := d.ticketsJSON()
	if len(list) != 1 || list[0]["id"] != "SOS-1" || list[0]["priority"] != 1.0 || list[0]["application"] != "ekonomi" || list[0]["customer"] != "acme" {
		t.Fatalf("tickets = %v", list)
	}
	ack := ackOf(t, mails, "eva@acme.se")
	h := ack.Header
	subject, _ := h.Subject()
	if !strings.HasPrefix(subject, "[SOS-1] ") || !strings.Contains(subject, "affärskritiskt") {
		t.Errorf("subject = %q", subject)
	}
	if ids, _ := h.MsgIDList("In-Reply-To"); len(ids) != 1 || ids[0] != "e2e-p1@acme.se" {
		t.Errorf("In-Reply-To = %v", ids)
	}
	if id, _ := h.MessageID(); !strings.HasPrefix(id, "sos-1.") || !strings.HasSuffix(id, "@sos.example") {
		t.Errorf("Message-ID = %q", id)
	}
	if rt, _ := h.AddressList("Reply-To"); len(rt) != 1 || !strings.HasPrefix(rt[0].Address, "support+1-") {
		t.Errorf("Reply-To = %v", rt)
	}
	if h.Get("X-Auto-Response-Suppress") != "All" {
		t.Error("no X-Auto-Response-Suppress")
	}
	text := bodyText(t, ack)
	// The mail was received now (the daemon's clock), so the exact
	// deadline is checked against the ticket's own fields.
	deadline, _ := time.Parse(time.RFC3339, list[0]["deadline"].(string))
	if !strings.Contains(text, "senast ") || !strings.Contains(text, fmt.Sprintf(" %d ", deadline.Day())) || !strings.Contains(text, deadline.Format("15:04")) {
		t.Errorf("ack lacks the committed start %s:\n%s", deadline, text)
	}
	if !strings.Contains(text, "+46 8 000 00 00") {
		t.Errorf("priority 1 ack lacks the phone number:\n%s", text)
	}
}

// An English customer gets an English acknowledgement; unknown senders get
// no ticket; a recipient other than the support address is refused.
func TestEndToEndClassification(t *testing.T) {
	t.Parallel()
	d := startDaemon(t)
	raw, _ := os.ReadFile("testdata/mail/p3-en.eml")
	if err := d.send("sam.hill@nordlog.example", []string{"support@sos.example"}, raw); err != nil {
		t.Fatal(err)
	}
	unknown := []byte("From: someone@elsewhere.example\r\nTo: support@sos.example\r\nSubject: Hello\r\nMessage-ID: <u1@elsewhere.example>\r\n\r\nHi\r\n")
	if err := d.send("someone@elsewhere.example", []string{"support@sos.example"}, unknown); err != nil {
		t.Fatal(err)
	}
	err := d.send("x@elsewhere.example", []string{"sales@sos.example"}, unknown)
	var se *smtp.SMTPError
	if !asSMTPError(err, &se) || se.Code != 550 {
		t.Errorf("mail to sales@: %v, want 550", err)
	}
	// ack + 2 consultant notices + 1 unknown-sender notice.
	mails := d.spooled(4)
	list := d.ticketsJSON()
	if len(list) != 1 || list[0]["customer"] != "nordlog" || list[0]["application"] != "wms" || list[0]["priority"] != 3.0 {
		t.Fatalf("tickets = %v", list)
	}
	text := bodyText(t, ackOf(t, mails, "sam.hill@nordlog.example"))
	if !strings.Contains(text, "no later than") {
		t.Errorf("English ack:\n%s", text)
	}
	ackOf(t, mails, "someone@elsewhere.example")
}

func asSMTPError(err error, se **smtp.SMTPError) bool {
	e, ok := err.(*smtp.SMTPError)
	if ok {
		*se = e
	}
	return ok
}

// swaks, an SMTP client nobody here wrote, sends an ISO-8859-1 priority-1
// mail (installed by .ci/run; skipped where it is missing outside CI).
func TestEndToEndSwaks(t *testing.T) {
	t.Parallel()
	swaks, err := exec.LookPath("swaks")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("swaks is not installed; .ci/run installs it")
		}
		t.Skip("swaks not installed")
	}
	d := startDaemon(t)
	body := "Hej,\r\nintran\xe4tet \xe4r nere. Prio 1!\r\n"
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, swaks, "--server", d.addr, "--from", "eva@acme.se", "--to", "support@sos.example",
		"--header", "Subject: Intran\xe4tet nere", "--header", "Content-Type: text/plain; charset=iso-8859-1",
		"--body", body, "--hide-all").CombinedOutput()
	if err != nil {
		t.Fatalf("swaks: %v\n%s", err, out)
	}
	d.spooled(4)
	list := d.ticketsJSON()
	if len(list) != 1 || list[0]["priority"] != 1.0 || list[0]["application"] != "intranat" || list[0]["subject"] != "Intranätet nere" {
		t.Fatalf("tickets = %v", list)
	}
}

// Auto-replies and bounces from the corpus are accepted, open no ticket
// and are never answered.
func TestEndToEndCorpusAutomatic(t *testing.T) {
	t.Parallel()
	root := filepath.Join("..", "..", "..", "shared", "corpus")
	files := []string{"chatwoot/auto_reply_with_auto_submitted.eml", "chatwoot/auto_reply.eml", "chatwoot/bounced_gmail.eml", "sisimai/bsd/rfc3834-02.eml"}
	if _, err := os.Stat(root); err != nil {
		t.Skip("corpus not present")
	}
	d := startDaemon(t)
	for _, f := range files {
		raw, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			t.Fatal(err)
		}
		// The reverse path an MTA would give: auto-replies come from a
		// person's address, bounces from the null path.
		if err := d.send("someone@example.org", []string{"support@sos.example"}, raw); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
	}
	// Then one customer mail: once its four mails are out, the worker has
	// passed over everything before it.
	raw, _ := os.ReadFile("testdata/mail/p1-iso-8859-1.eml")
	if err := d.send("eva@acme.se", []string{"support@sos.example"}, raw); err != nil {
		t.Fatal(err)
	}
	mails := d.spooled(4)
	time.Sleep(200 * time.Millisecond) // let a stray fifth mail show, if any
	if n := len(d.spooled(4)); n != len(mails) || n != 4 {
		t.Errorf("%d mails in the spool, want only the 4 about SOS-1", n)
	}
	if list := d.ticketsJSON(); len(list) != 1 {
		t.Errorf("%d tickets, want 1", len(list))
	}
}

// Every mail that got its 250 is in the database after the daemon is
// killed with SIGKILL right after the last 250 (group commit answers only
// after the batch's commit is durable).
func TestEndToEndKillAfter250(t *testing.T) {
	t.Parallel()
	d := startDaemon(t)
	const n = 40
	accepted := make(chan string, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			from := fmt.Sprintf("user%d@acme.se", i)
			subject := fmt.Sprintf("Larm %d", i)
			raw := fmt.Appendf(nil, "From: %s\r\nSubject: %s\r\nMessage-ID: <k%d@acme.se>\r\n\r\nHej\r\n", from, subject, i)
			if err := d.send(from, []string{"support@sos.example"}, raw); err == nil {
				accepted <- subject
			}
		}()
	}
	wg.Wait()
	d.cmd.Process.Signal(syscall.SIGKILL)
	d.cmd.Wait()
	close(accepted)
	got := map[string]bool{}
	for _, tk := range d.ticketsJSON() {
		got[tk["subject"].(string)] = true
	}
	count := 0
	for subject := range accepted {
		count++
		if !got[subject] {
			t.Errorf("%q got 250 but is not in the database after SIGKILL", subject)
		}
	}
	if count < n/2 {
		t.Errorf("only %d of %d mails accepted", count, n)
	}
}
