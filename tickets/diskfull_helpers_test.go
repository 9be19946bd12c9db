//go:build unix

package tickets

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/textproto"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"sosd/mail"
	"sosd/sla"
	"sosd/templates"
)

// The harness of the disk-full tests (diskfull_test.go,
// diskfull_fsize_test.go): the real SMTP server over a real store, mails
// sent over SMTP, the conditions made with PRAGMAs, and the checks of the
// database after a failure and after recovery.

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
