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
	"context"
	"errors"
	"maps"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"
)

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
