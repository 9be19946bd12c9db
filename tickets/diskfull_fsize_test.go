//go:build unix

package tickets

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A real write failure (issue 8): a child process of the test binary
// lowers its RLIMIT_FSIZE so that its appends to the write-ahead log fail
// for real. diskfull_test.go says why, and what this covers that the
// PRAGMAs do not.

// dfChildEnv names the database the child of TestDiskFullRealFileLimit
// works on.
const dfChildEnv = "SOSD_TICKETS_FSIZE_DB"

// dfFileSizeLimit lowers this process's RLIMIT_FSIZE (the soft limit only,
// so it could be raised again) to the size of the biggest of the
// database's files plus room bytes, and returns it.
func dfFileSizeLimit(path string, room int64) (int64, error) {
	var limit int64
	for _, f := range []string{path, path + "-wal"} {
		if fi, err := os.Stat(f); err == nil {
			limit = max(limit, fi.Size())
		}
	}
	limit += room
	var rl syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_FSIZE, &rl); err != nil {
		return 0, err
	}
	rl.Cur = uint64(limit)
	return limit, syscall.Setrlimit(syscall.RLIMIT_FSIZE, &rl)
}

// TestDiskFullRealFileLimitChild runs in a child process. It files two
// mails; then, with its file size limit at the log's size, probes Writable
// and sends one more; then, with the limit a few pages above, sends three
// more and probes again. It prints every outcome ("reply <id>
// <code> <text>", "limit <bytes>", "writable <room> <err>") and kills
// itself with the limit still in force, so the parent finds the log as a
// crash on a full disk leaves it, torn frames and all.
func TestDiskFullRealFileLimitChild(t *testing.T) {
	path := os.Getenv(dfChildEnv)
	if path == "" {
		t.Skip("only run as the child of TestDiskFullRealFileLimit")
	}
	e := dfStartLog(t, path, os.Stderr)
	send := func(id string) {
		r, err := dfSend(e.addr, id, dfMail(id, dfSize))
		if err != nil {
			fmt.Printf("error %s %v\n", id, err)
			return
		}
		fmt.Printf("reply %s %d %s\n", id, r.code, r.text)
	}
	for _, id := range dfIDs("before", 2) {
		send(id)
	}
	for _, phase := range []struct {
		room int64
		ids  []string
	}{{0, dfIDs("efbig-none", 1)}, {3 * 4096, dfIDs("efbig", 3)}} {
		limit, err := dfFileSizeLimit(path, phase.room)
		if err != nil {
			fmt.Printf("error setrlimit %v\n", err)
			break
		}
		fmt.Printf("limit %d %d\n", phase.room, limit)
		if phase.room == 0 {
			fmt.Printf("writable %d %v\n", phase.room, e.s.Writable(context.Background(), time.Now()))
		}
		for _, id := range phase.ids {
			send(id)
		}
		if phase.room != 0 {
			fmt.Printf("writable %d %v\n", phase.room, e.s.Writable(context.Background(), time.Now()))
		}
	}
	os.Stdout.Sync()
	syscall.Kill(os.Getpid(), syscall.SIGKILL)
}

// A real write failure: the write-ahead log cannot grow (RLIMIT_FSIZE, in
// a child process so that the test binary itself is not limited). SQLite
// sees EFBIG, which it reports as SQLITE_IOERR_WRITE (a real ENOSPC would
// be SQLITE_FULL), when the COMMIT appends the batch's frames. Every mail
// must get a temporary code, never 250 or 5xx; with no byte left,
// Writable fails too. The child then dies without closing anything.
// Reopened without the limit, the database recovers past the torn end of
// its log: the two earlier tickets are whole, nothing of the refused mails
// is there, and they are filed once each when sent again.
func TestDiskFullRealFileLimit(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "sosd.db")
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestDiskFullRealFileLimitChild$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), dfChildEnv+"="+path)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL || ctx.Err() != nil {
		t.Fatalf("child: %v, want it to kill itself\n%s", err, out.String())
	}
	replies := map[string]dfReply{}
	writable := map[string]string{}
	var limits []string
	sc := bufio.NewScanner(strings.NewReader(out.String()))
	for sc.Scan() {
		f := strings.SplitN(sc.Text(), " ", 4)
		switch f[0] {
		case "reply":
			code, _ := strconv.Atoi(f[2])
			replies[f[1]] = dfReply{code, f[3]}
		case "limit":
			limits = append(limits, "room "+f[1]+": "+f[2]+" bytes")
		case "writable":
			writable[f[1]] = strings.Join(f[2:], " ")
		case "error":
			t.Errorf("child: %s", sc.Text())
		}
	}
	if len(limits) != 2 || len(writable) != 2 {
		t.Fatalf("child did not lower its limit twice:\n%s", out.String())
	}
	before, refused := dfIDs("before", 2), append(dfIDs("efbig", 3), dfIDs("efbig-none", 1)...)
	for _, id := range before {
		if r := replies[id]; r.code != 250 {
			t.Fatalf("%s before the limit: %v\n%s", id, r, out.String())
		}
	}
	for _, id := range refused {
		switch r := replies[id]; r.code {
		case 452:
			dfWantTemporary(t, id, r, 452, "4.3.1")
		case 451:
			dfWantTemporary(t, id, r, 451, "4.3.0")
		default:
			t.Errorf("%s with the log at its limit: %v, want 452 or 451\n%s", id, r, out.String())
		}
	}
	if w := writable["0"]; w == "<nil>" || w == "" {
		t.Errorf("Writable with no byte left: %q, want an error", w)
	}
	t.Logf("limits %v; replies %v; Writable with 3 pages left: %s; with none: %s", limits, replies, writable["12288"], writable["0"])

	// Space returns: reopen (recovering the log) and retry.
	e := dfStart(t, path)
	dfSound(t, e.s)
	dfWantFiledOnce(t, e.s, before...)
	dfWantAbsent(t, e.s, refused...)
	dfRecover(t, e, before, refused)
}
