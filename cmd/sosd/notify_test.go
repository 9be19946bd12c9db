package main

import (
	"bufio"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// Under systemd (Type=notify) sosd says READY=1 only once the database is
// migrated and SMTP is listening, RELOADING=1 with MONOTONIC_USEC and then
// READY=1 around a reload, and STOPPING=1 at shutdown (sd_notify(3)).
func TestSystemdNotify(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("end-to-end")
	}
	bin := buildSosd(t)
	dir := t.TempDir()
	sock := filepath.Join(dir, "notify.sock")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	data, err := os.ReadFile("../../config.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	config := filepath.Join(dir, "config.yaml")
	cfg := strings.Replace(string(data), `smtp: "127.0.0.1:2525"`, `smtp: "127.0.0.1:0"`, 1)
	cfg = strings.Replace(cfg, `http: "127.0.0.1:8025"`, `http: "127.0.0.1:0"`, 1)
	if err := os.WriteFile(config, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "serve", "--config", config)
	cmd.Env = append(os.Environ(), "NOTIFY_SOCKET="+sock)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	addr := make(chan string, 1)
	go func() {
		re := regexp.MustCompile(`msg=ready smtp=(\S+)`)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
	}()
	next := func() string {
		t.Helper()
		conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		buf := make([]byte, 4096)
		n, err := conn.Read(buf)
		if err != nil {
			t.Fatalf("no notification: %v", err)
		}
		return string(buf[:n])
	}

	msg := next()
	if !strings.Contains(msg, "READY=1\n") {
		t.Fatalf("first notification %q, want READY=1", msg)
	}
	// Ready means listening: a connection succeeds at once.
	c, err := net.DialTimeout("tcp", <-addr, time.Second)
	if err != nil {
		t.Fatalf("READY=1 before SMTP listens: %v", err)
	}
	c.Close()

	cmd.Process.Signal(syscall.SIGHUP)
	msg = next()
	m := regexp.MustCompile(`(?m)^MONOTONIC_USEC=(\d+)$`).FindStringSubmatch(msg)
	if !strings.Contains(msg, "RELOADING=1\n") || m == nil {
		t.Fatalf("reload notification %q, want RELOADING=1 and MONOTONIC_USEC", msg)
	}
	usec, _ := strconv.ParseInt(m[1], 10, 64)
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		t.Fatal(err)
	}
	if now := ts.Sec*1_000_000 + ts.Nsec/1000; usec > now || now-usec > 10_000_000 {
		t.Errorf("MONOTONIC_USEC=%d, CLOCK_MONOTONIC now %d µs", usec, now)
	}
	if msg = next(); !strings.Contains(msg, "READY=1\n") {
		t.Fatalf("after the reload %q, want READY=1", msg)
	}

	cmd.Process.Signal(syscall.SIGTERM)
	if msg = next(); !strings.Contains(msg, "STOPPING=1\n") {
		t.Fatalf("at shutdown %q, want STOPPING=1", msg)
	}
}
