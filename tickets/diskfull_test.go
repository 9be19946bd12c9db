//go:build unix

package tickets

// Issue 8: a full disk and a read-only database. Intake must answer with a
// temporary code (452 4.3.1 when full, 451 4.3.0 otherwise), write nothing
// of a refused mail, keep what was there, and file every mail exactly once
// when the sender's server retries after space returns (SPEC §5, STYLE L7).
//
// How the conditions are made, and why that is faithful:
//
//   - Disk full: PRAGMA max_page_count on the writer's one connection, set
//     to the database's current page count (plus a little, for a batch that
//     fills up midway). When a write needs a page beyond it, SQLite's pager
//     fails with SQLITE_FULL, the code os_unix.c returns when write(2) fails
//     with ENOSPC. From there the error takes the path of a real full disk:
//     the statement fails inside the filing's savepoint; SQLite rolls back
//     the whole transaction, as it may for SQLITE_FULL (and here does); the
//     group committer's ROLLBACK TO then fails and it fails the whole batch;
//     storageError classifies the cause as ErrStorageFull, and mail.Session
//     answers 452 4.3.1. The pragma is per connection and not stored, so it
//     is read back after setting it.
//   - Read-only: PRAGMA query_only on the same connection. Every write is
//     refused with SQLITE_READONLY, as for a database file or mount that
//     became read-only, and takes the same rollback path to a 451 4.3.0.
//
// What the PRAGMAs do not cover: a real write failure in the write-ahead
// log (COMMIT appending its frames), in fsync, or in a checkpoint copying
// the log into the database file. max_page_count limits the database's
// pages, not the log, and a write that fits into pages the database has
// (an in-place update, such as /healthz's probe row) still succeeds.
// TestDiskFullRealFileLimit covers the log: a child process of the test
// binary lowers its RLIMIT_FSIZE, so that its appends to the log fail for
// real. os_unix.c retries a short write, so the kernel's answer is EFBIG,
// which SQLite reports as SQLITE_IOERR_WRITE (451 4.3.0); a real ENOSPC
// would be SQLITE_FULL (452 4.3.1). The child then dies by SIGKILL and the
// parent reopens the database with the failed commit's torn frames at the
// end of its log. A failed fsync, and ENOSPC while a checkpoint writes into
// the database file, need a real small file system (root) and are not
// tested here.

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/textproto"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"sosd/mail"
	"sosd/sla"
	"sosd/templates"
)

// dfEnv is the real SMTP server, with the real intake over a real store,
// listening on loopback.
type dfEnv struct {
	s    *Store
	addr string
}

// dfStart opens (or reopens) the database at path and serves SMTP on
// 127.0.0.1 at a port the kernel picks.
func dfStart(t *testing.T, path string) *dfEnv {
	t.Helper()
	return dfStartLog(t, path, io.Discard)
}

// dfStartLog is dfStart with the server's log written to logw.
func dfStartLog(t *testing.T, path string, logw io.Writer) *dfEnv {
	t.Helper()
	s, err := Open(context.Background(), path, testPolicy(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	tmpl, err := templates.New()
	if err != nil {
		t.Fatal(err)
	}
	signer, err := mail.NewSigner([]byte("0123456789abcdef0123456789abcdef"), "support@sos.example")
	if err != nil {
		t.Fatal(err)
	}
	dir := &mail.Directory{Support: "support@sos.example", Consultants: []string{"anna@sos.example"},
		Customers: []mail.Customer{{ID: "acme", Name: "ACME AB", Language: "sv", Domains: []string{"acme.se"}}}}
	cfg := &IntakeConfig{Directory: dir, Signer: signer, Templates: tmpl, Priorities: sla.DefaultPriorities(),
		Hours:       templates.Hours{Days: []time.Weekday{1, 2, 3, 4, 5}, Open: "08:00", Close: "17:00"},
		Consultants: dir.Consultants, LoopLimit: 1000, ReopenWithin: DefaultReopenWithin,
		Location: testPolicy(t).Calendar.Location()}
	log := slog.New(slog.NewTextHandler(logw, nil))
	opts := mail.DefaultServerOptions()
	opts.FileTimeout = 4 * time.Second
	srv := mail.NewServer(context.Background(), opts, NewIntake(s, cfg, log),
		&mail.Rules{Directory: dir, Signer: signer, Limits: mail.DefaultLimits()}, log)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(l)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	return &dfEnv{s: s, addr: l.Addr().String()}
}

// dfMail is a customer's new-ticket mail of about size bytes: big enough
// that its rows need pages the database does not have yet.
func dfMail(id string, size int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "From: Eva <%s>\r\nTo: support@sos.example\r\nSubject: Servern svarar inte %s\r\nMessage-ID: <%s>\r\n"+
		"Date: Mon, 30 Nov 2026 10:00:00 +0100\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nHej!\r\n\r\n", dfSender(id), id, id)
	for i := 0; b.Len() < size; i++ {
		fmt.Fprintf(&b, "Rad %05d av loggen från %s: anslutningen bröts efter 30 sekunder.\r\n", i, id)
	}
	return b.String()
}

// dfSender gives every mail a sender of its own at acme.se.
func dfSender(id string) string { return strings.SplitN(id, "@", 2)[0] + "@acme.se" }

// dfReply is the server's final answer to one mail.
type dfReply struct {
	code int
	text string
}

func (r dfReply) String() string { return fmt.Sprintf("%d %s", r.code, r.text) }

// dfSend delivers raw from its sender over one SMTP session and returns
// the reply to the end of DATA. It never calls t: it runs in goroutines.
func dfSend(addr, id, raw string) (dfReply, error) {
	conn, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		return dfReply{}, err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(4 * time.Second))
	c := textproto.NewConn(conn)
	steps := []struct {
		line string
		code int
	}{{"", 220}, {"EHLO client.example", 250}, {"MAIL FROM:<" + dfSender(id) + ">", 250},
		{"RCPT TO:<support@sos.example>", 250}, {"DATA", 354}}
	for _, st := range steps {
		if st.line != "" {
			if err := c.PrintfLine("%s", st.line); err != nil {
				return dfReply{}, err
			}
		}
		if _, _, err := c.ReadResponse(st.code); err != nil {
			return dfReply{}, fmt.Errorf("%q: %w", st.line, err)
		}
	}
	w := c.DotWriter()
	io.WriteString(w, raw)
	if err := w.Close(); err != nil {
		return dfReply{}, err
	}
	code, text, err := c.ReadResponse(0)
	if code == 0 {
		return dfReply{}, err
	}
	c.PrintfLine("QUIT")
	return dfReply{code, text}, nil
}

// dfSendAll delivers every mail at once, one session each, and returns
// the replies in the order of ids.
func dfSendAll(t *testing.T, addr string, ids []string, size int) []dfReply {
	t.Helper()
	replies, err := dfSendConcurrently(addr, ids, size)
	if err != nil {
		t.Fatal(err)
	}
	return replies
}

// dfSendConcurrently is dfSendAll for any goroutine.
func dfSendConcurrently(addr string, ids []string, size int) ([]dfReply, error) {
	replies := make([]dfReply, len(ids))
	errs := make([]error, len(ids))
	var wg sync.WaitGroup
	for i, id := range ids {
		wg.Go(func() {
			replies[i], errs[i] = dfSend(addr, id, dfMail(id, size))
			if errs[i] != nil {
				errs[i] = fmt.Errorf("%s: %w", id, errs[i])
			}
		})
	}
	wg.Wait()
	return replies, errors.Join(errs...)
}

// dfWantTemporary checks a reply is the given temporary code and enhanced
// code, with a reference and no internals.
func dfWantTemporary(t *testing.T, id string, r dfReply, code int, enhanced string) {
	t.Helper()
	if r.code != code || !strings.HasPrefix(r.text, enhanced+" ") {
		t.Errorf("%s: reply %v, want %d %s", id, r, code, enhanced)
	}
	if !strings.Contains(r.text, "ref ") || strings.Contains(strings.ToLower(r.text), "sql") {
		t.Errorf("%s: reply %v: want a reference and no internals", id, r)
	}
}

// dfSnapshot counts the rows of every table, health and schema tables
// included: a refused mail must change none of them.
func dfSnapshot(t *testing.T, s *Store) map[string]int {
	t.Helper()
	rows, err := s.w.Query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	rows.Close()
	if len(tables) < 10 {
		t.Fatalf("only %d tables: %v", len(tables), tables)
	}
	snap := make(map[string]int, len(tables))
	for _, name := range tables {
		snap[name] = count(t, s, `SELECT COUNT(*) FROM "`+name+`"`)
	}
	return snap
}

// dfPragma runs a PRAGMA on the writer's one connection and returns its
// value as read back.
func dfPragma(t *testing.T, s *Store, set, get string) string {
	t.Helper()
	if set != "" {
		if _, err := s.w.Exec(set); err != nil {
			t.Fatalf("%s: %v", set, err)
		}
	}
	var v string
	if err := s.w.QueryRow(get).Scan(&v); err != nil {
		t.Fatalf("%s: %v", get, err)
	}
	return v
}

func dfPages(t *testing.T, s *Store) int {
	t.Helper()
	n, err := strconv.Atoi(dfPragma(t, s, "", "PRAGMA page_count"))
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// dfFull limits the database to its current size plus headroom pages;
// dfSpaceReturns lifts the limit again.
func dfFull(t *testing.T, s *Store, headroom int) {
	t.Helper()
	want := dfPages(t, s) + headroom
	got := dfPragma(t, s, fmt.Sprintf("PRAGMA max_page_count = %d", want), "PRAGMA max_page_count")
	if got != strconv.Itoa(want) {
		t.Fatalf("max_page_count = %s, want %d", got, want)
	}
	if free := dfPragma(t, s, "", "PRAGMA freelist_count"); free != "0" {
		t.Logf("%s free pages: small writes may still fit", free)
	}
}

func dfSpaceReturns(t *testing.T, s *Store) {
	t.Helper()
	dfPragma(t, s, "PRAGMA max_page_count = 1073741823", "PRAGMA max_page_count")
}

// dfSound checks the database after a failure: integrity_check is ok,
// ticket ids are gap-free, every ticket is whole (the same rows as every
// other: its inbound mail, its event, its acknowledgement and notice with
// their outbox rows), and no mail or outbox row is left without a ticket.
func dfSound(t *testing.T, s *Store) {
	t.Helper()
	if ok := dfPragma(t, s, "", "PRAGMA integrity_check"); ok != "ok" {
		t.Fatalf("integrity_check = %q", ok)
	}
	if n, max := count(t, s, "SELECT COUNT(*) FROM tickets"), count(t, s, "SELECT COALESCE(MAX(id), 0) FROM tickets"); n != max {
		t.Errorf("%d tickets but the highest id is %d: a gap", n, max)
	}
	shapes := count(t, s, `SELECT COUNT(DISTINCT shape) FROM (SELECT
		(SELECT COUNT(*) FROM messages m WHERE m.ticket_id = t.id AND m.direction = 'in') || '/' ||
		(SELECT COUNT(*) FROM messages m WHERE m.ticket_id = t.id AND m.direction = 'out') || '/' ||
		(SELECT COUNT(*) FROM events e WHERE e.ticket_id = t.id) || '/' ||
		(SELECT COUNT(*) FROM outbox o JOIN messages m ON m.id = o.message_id WHERE m.ticket_id = t.id) AS shape
		FROM tickets t)`)
	if shapes > 1 {
		t.Errorf("tickets differ in their rows (%d shapes): some are not whole", shapes)
	}
	if n := count(t, s, `SELECT COUNT(*) FROM tickets t WHERE
		(SELECT COUNT(*) FROM messages m WHERE m.ticket_id = t.id AND m.direction = 'in') != 1 OR
		(SELECT COUNT(*) FROM events e WHERE e.ticket_id = t.id) = 0 OR
		(SELECT COUNT(*) FROM outbox o JOIN messages m ON m.id = o.message_id WHERE m.ticket_id = t.id) = 0`); n != 0 {
		t.Errorf("%d tickets without their mail, event or outbox rows", n)
	}
	if n := count(t, s, "SELECT COUNT(*) FROM messages WHERE ticket_id IS NULL"); n != 0 {
		t.Errorf("%d messages without a ticket", n)
	}
	if n := count(t, s, "SELECT COUNT(*) FROM outbox WHERE message_id NOT IN (SELECT id FROM messages)"); n != 0 {
		t.Errorf("%d outbox rows without their mail", n)
	}
}

// dfFiled counts how often a Message-ID was filed: inbound mails, tickets
// they opened, and copies kept for review (which a refused mail must not
// fall back to either).
func dfFiled(t *testing.T, s *Store, id string) (mails, tickets, kept int) {
	t.Helper()
	mails = count(t, s, "SELECT COUNT(*) FROM messages WHERE direction = 'in' AND message_id = ?", id)
	tickets = count(t, s, "SELECT COUNT(DISTINCT ticket_id) FROM messages WHERE direction = 'in' AND message_id = ? AND ticket_id IS NOT NULL", id)
	kept = count(t, s, "SELECT COUNT(*) FROM quarantine WHERE message_id = ?", id)
	return mails, tickets, kept
}

func dfWantFiledOnce(t *testing.T, s *Store, ids ...string) {
	t.Helper()
	for _, id := range ids {
		if m, tk, k := dfFiled(t, s, id); m != 1 || tk != 1 || k != 0 {
			t.Errorf("%s: %d mails, %d tickets, %d kept; want it filed once", id, m, tk, k)
		}
	}
}

func dfWantAbsent(t *testing.T, s *Store, ids ...string) {
	t.Helper()
	for _, id := range ids {
		if m, tk, k := dfFiled(t, s, id); m+tk+k != 0 {
			t.Errorf("%s was refused but left %d mails, %d tickets, %d kept", id, m, tk, k)
		}
	}
}

func dfIDs(prefix string, n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("%s%d@acme.se", prefix, i)
	}
	return ids
}

// dfSize is big enough that a mail (raw, and again quoted in the
// consultants' notice) needs some twenty new pages.
const dfSize = 24 << 10

// dfBaseline files mails before the failure and returns them.
func dfBaseline(t *testing.T, e *dfEnv, ids ...string) []string {
	t.Helper()
	for _, id := range ids {
		if r, err := dfSend(e.addr, id, dfMail(id, dfSize)); err != nil || r.code != 250 {
			t.Fatalf("%s before the failure: %v, %v", id, r, err)
		}
	}
	return ids
}

// dfRecover sends the refused mails again, as the sender's server does,
// and checks each is filed once, next to what was there, with gap-free
// ids; a second retry (a sender that missed our 250) files nothing new.
func dfRecover(t *testing.T, e *dfEnv, before, refused []string) {
	t.Helper()
	if err := e.s.Writable(context.Background(), time.Now()); err != nil {
		t.Errorf("Writable after recovery: %v", err)
	}
	for i, r := range dfSendAll(t, e.addr, refused, dfSize) {
		if r.code != 250 {
			t.Errorf("%s retried after recovery: %v, want 250", refused[i], r)
		}
	}
	for i, r := range dfSendAll(t, e.addr, refused, dfSize) {
		if r.code != 250 {
			t.Errorf("%s retried twice: %v, want 250", refused[i], r)
		}
	}
	dfWantFiledOnce(t, e.s, before...)
	dfWantFiledOnce(t, e.s, refused...)
	if n, want := count(t, e.s, "SELECT COUNT(*) FROM tickets"), len(before)+len(refused); n != want {
		t.Errorf("%d tickets after recovery, want %d", n, want)
	}
	dfSound(t, e.s)
}

// A full disk: every mail gets 452 4.3.1, nothing of it is stored, the
// tickets already there stay whole, /healthz's write probe fails; when
// space returns, the same mails are filed once each.
func TestDiskFullIs452ThenRecovers(t *testing.T) {
	t.Parallel()
	e := dfStart(t, filepath.Join(t.TempDir(), "sosd.db"))
	before := dfBaseline(t, e, dfIDs("before", 3)...)
	if err := e.s.Writable(context.Background(), time.Now()); err != nil {
		t.Fatalf("Writable before: %v", err)
	}

	dfFull(t, e.s, 0)
	snap := dfSnapshot(t, e.s)
	refused := dfIDs("full", 3)
	for _, id := range refused {
		r, err := dfSend(e.addr, id, dfMail(id, dfSize))
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		dfWantTemporary(t, id, r, 452, "4.3.1")
	}
	if after := dfSnapshot(t, e.s); !maps.Equal(snap, after) {
		t.Errorf("rows changed while full:\nbefore %v\nafter  %v", snap, after)
	}
	dfWantAbsent(t, e.s, refused...)
	dfSound(t, e.s)
	t.Logf("while full: %d mails refused with 452 4.3.1; rows per table unchanged: %v", len(refused), snap)

	// /healthz's probe rewrites its one row in place, which needs no new
	// page, so it does not see this: TestDiskFullHealthProbe.
	t.Logf("Writable while full: %v", e.s.Writable(context.Background(), time.Now()))

	dfSpaceReturns(t, e.s)
	dfRecover(t, e, before, refused)
}

// A read-only database: every mail gets 451 4.3.0 and nothing is stored;
// writable again, the same mails are filed once each.
func TestReadOnlyDatabaseIs451ThenRecovers(t *testing.T) {
	t.Parallel()
	e := dfStart(t, filepath.Join(t.TempDir(), "sosd.db"))
	before := dfBaseline(t, e, dfIDs("before", 3)...)

	if v := dfPragma(t, e.s, "PRAGMA query_only = ON", "PRAGMA query_only"); v != "1" {
		t.Fatalf("query_only = %s", v)
	}
	snap := dfSnapshot(t, e.s)
	refused := dfIDs("ro", 3)
	for _, id := range refused {
		r, err := dfSend(e.addr, id, dfMail(id, dfSize))
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		dfWantTemporary(t, id, r, 451, "4.3.0")
	}
	// Concurrently too, so that the refusals share batches.
	more := dfIDs("ro-batch", 6)
	for i, r := range dfSendAll(t, e.addr, more, dfSize) {
		dfWantTemporary(t, more[i], r, 451, "4.3.0")
	}
	refused = append(refused, more...)
	if after := dfSnapshot(t, e.s); !maps.Equal(snap, after) {
		t.Errorf("rows changed while read-only:\nbefore %v\nafter  %v", snap, after)
	}
	dfWantAbsent(t, e.s, refused...)
	if err := e.s.Writable(context.Background(), time.Now()); err == nil {
		t.Errorf("Writable while read-only: nil, want an error")
	}
	dfSound(t, e.s)
	t.Logf("while read-only: %d mails refused with 451 4.3.0; rows per table unchanged", len(refused))

	if v := dfPragma(t, e.s, "PRAGMA query_only = OFF", "PRAGMA query_only"); v != "0" {
		t.Fatalf("query_only = %s", v)
	}
	dfRecover(t, e, before, refused)
}

// dfHold occupies the writer until the returned release is called, so
// that the mails sent meanwhile queue up and are taken as one batch.
func dfHold(t *testing.T, s *Store) (release func()) {
	t.Helper()
	held, done := make(chan struct{}), make(chan error, 1)
	rel := make(chan struct{})
	go func() {
		done <- s.write(context.Background(), "hold", func(context.Context, dbtx) error {
			close(held)
			<-rel
			return nil
		})
	}()
	select {
	case <-held:
	case <-time.After(2 * time.Second):
		t.Fatal("the writer did not take the hold")
	}
	var once sync.Once
	release = func() {
		once.Do(func() {
			close(rel)
			if err := <-done; err != nil {
				t.Errorf("hold: %v", err)
			}
		})
	}
	t.Cleanup(release)
	return release
}

// dfBatch sends ids concurrently while the writer is held, releases it
// once every session is waiting for its filing, and returns the replies.
func dfBatch(t *testing.T, e *dfEnv, ids []string) []dfReply {
	t.Helper()
	release := dfHold(t, e.s)
	var replies []dfReply
	var err error
	sent := make(chan struct{})
	go func() {
		defer close(sent)
		replies, err = dfSendConcurrently(e.addr, ids, dfSize)
	}()
	// Every session parses its mail and then waits for the writer; there
	// is no hook to see that, so give them a moment. Should one be late,
	// it lands in a later batch, which the checks allow as well.
	time.Sleep(300 * time.Millisecond)
	release()
	<-sent
	if err != nil {
		t.Fatal(err)
	}
	return replies
}

// The disk fills up in the middle of a group commit. With no room at all,
// every mail of the batch gets 452 (or 451 when SQLite gave up the whole
// transaction) and none is stored. With room for about one mail, the
// first mails of the batch may fit and get 250 (then they are whole),
// the rest get 452/451 and leave nothing. After recovery every retried
// mail is filed once.
func TestDiskFullMidBatch(t *testing.T) {
	t.Parallel()
	e := dfStart(t, filepath.Join(t.TempDir(), "sosd.db"))
	before := dfBaseline(t, e, "before0@acme.se")
	p := dfPages(t, e.s)
	before = append(before, dfBaseline(t, e, "before1@acme.se")...)
	perMail := dfPages(t, e.s) - p
	if perMail < 4 {
		t.Fatalf("a mail took %d pages: too small to fill anything", perMail)
	}

	// No room at all: the whole batch is refused.
	dfFull(t, e.s, 0)
	snap := dfSnapshot(t, e.s)
	none := dfIDs("nospace", 6)
	noneCodes := map[int]int{}
	for i, r := range dfBatch(t, e, none) {
		noneCodes[r.code]++
		if r.code != 452 && r.code != 451 {
			t.Errorf("%s with no room: %v, want 452 or 451", none[i], r)
		} else {
			dfWantTemporary(t, none[i], r, r.code, map[int]string{452: "4.3.1", 451: "4.3.0"}[r.code])
		}
	}
	if after := dfSnapshot(t, e.s); !maps.Equal(snap, after) {
		t.Errorf("rows changed while full:\nbefore %v\nafter  %v", snap, after)
	}
	dfWantAbsent(t, e.s, none...)
	dfSound(t, e.s)

	// Room for one and a half mails: the disk fills midway.
	dfFull(t, e.s, perMail+perMail/2)
	some := dfIDs("midway", 6)
	var accepted, refused []string
	codes := map[int]int{}
	for i, r := range dfBatch(t, e, some) {
		codes[r.code]++
		switch r.code {
		case 250:
			accepted = append(accepted, some[i])
		case 452:
			dfWantTemporary(t, some[i], r, 452, "4.3.1")
			refused = append(refused, some[i])
		case 451:
			dfWantTemporary(t, some[i], r, 451, "4.3.0")
			refused = append(refused, some[i])
		default:
			t.Errorf("%s: %v, want 250, 452 or 451", some[i], r)
		}
	}
	if len(refused) == 0 || len(accepted) > 1 {
		t.Errorf("room for one mail and a half: %d accepted, %d refused", len(accepted), len(refused))
	}
	dfWantFiledOnce(t, e.s, accepted...)
	dfWantAbsent(t, e.s, refused...)
	if n, want := count(t, e.s, "SELECT COUNT(*) FROM tickets"), len(before)+len(accepted); n != want {
		t.Errorf("%d tickets after the batch, want %d", n, want)
	}
	dfSound(t, e.s)
	t.Logf("one mail takes %d pages; no room: replies %v; room for 1.5 mails: replies %v",
		perMail, noneCodes, codes)

	dfSpaceReturns(t, e.s)
	dfRecover(t, e, append(before, accepted...), slices.Concat(none, refused))
}

// /healthz must not call a full database writable. Store.Writable upserts
// one row of the health table; the update fits into the page the row is
// on, so it commits while every mail needing new pages is refused.
func TestDiskFullHealthProbe(t *testing.T) {
	t.Parallel()
	e := dfStart(t, filepath.Join(t.TempDir(), "sosd.db"))
	before := dfBaseline(t, e, dfIDs("before", 1)...)
	dfFull(t, e.s, 0)
	id := "probe@acme.se"
	r, err := dfSend(e.addr, id, dfMail(id, dfSize))
	if err != nil {
		t.Fatal(err)
	}
	dfWantTemporary(t, id, r, 452, "4.3.1")
	if err := e.s.Writable(context.Background(), time.Now()); !errors.Is(err, ErrStorageFull) {
		t.Errorf("Writable while a mail gets 452: %v, want ErrStorageFull", err)
	}
	dfSpaceReturns(t, e.s)
	dfRecover(t, e, before, []string{id})
}

// When the disk fills in the middle of a batch, every mail the batch
// refuses failed for want of space and should get 452 4.3.1 (STYLE L7).
func TestDiskFullBatchMatesGet452(t *testing.T) {
	t.Parallel()
	e := dfStart(t, filepath.Join(t.TempDir(), "sosd.db"))
	before := dfBaseline(t, e, dfIDs("before", 1)...)
	dfFull(t, e.s, 0)
	ids := dfIDs("mate", 6)
	for i, r := range dfBatch(t, e, ids) {
		dfWantTemporary(t, ids[i], r, 452, "4.3.1")
	}
	dfWantAbsent(t, e.s, ids...)
	dfSpaceReturns(t, e.s)
	dfRecover(t, e, before, ids)
}

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
