package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net"
	netmail "net/mail"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	_ "github.com/mattn/go-sqlite3"

	"sosd/mail"
)

// recordingRelay is the consultancy's relay: a go-smtp server on loopback
// that records every mail it answered 250 to the data of.
type recordingRelay struct {
	addr string
	// epoch is the number of daemon kills so far; each mail is recorded
	// with it, so a re-send can be put down to the kill before it.
	epoch atomic.Int32
	mu    sync.Mutex
	got   []relayedMail
}

type relayedMail struct {
	to        []string
	messageID string // without <>
	inReplyTo string
	epoch     int32
}

func startRecordingRelay(t *testing.T) *recordingRelay {
	t.Helper()
	r := &recordingRelay{}
	srv := smtp.NewServer(r)
	srv.Domain = "relay.test"
	// A daemon killed mid-delivery resets its connection; that is the
	// test, not news.
	srv.ErrorLog = log.New(io.Discard, "", 0)
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r.addr = l.Addr().String()
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return r
}

func (r *recordingRelay) NewSession(*smtp.Conn) (smtp.Session, error) {
	return &recordingSession{r: r}, nil
}

func (r *recordingRelay) mails() []relayedMail {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]relayedMail(nil), r.got...)
}

type recordingSession struct {
	r  *recordingRelay
	to []string
}

func (s *recordingSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *recordingSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}
func (s *recordingSession) Data(r io.Reader) error {
	msg, err := netmail.ReadMessage(r)
	if err != nil {
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: err.Error()}
	}
	io.Copy(io.Discard, msg.Body)
	m := relayedMail{to: s.to,
		messageID: strings.Trim(strings.TrimSpace(msg.Header.Get("Message-Id")), "<>"),
		inReplyTo: strings.Trim(strings.TrimSpace(msg.Header.Get("In-Reply-To")), "<>"),
		epoch:     s.r.epoch.Load()}
	s.r.mu.Lock()
	s.r.got = append(s.r.got, m)
	s.r.mu.Unlock()
	return nil
}
func (s *recordingSession) Reset()        { s.to = nil }
func (s *recordingSession) Logout() error { return nil }

// outboxRow is one row of the daemon's outbox, read from its database.
type outboxRow struct {
	ticket    int64
	kind      string
	rcpt      string
	messageID string
	state     string
}

func readOutbox(path string) ([]outboxRow, error) {
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro&_busy_timeout=5000")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	rows, err := db.Query(`SELECT COALESCE(m.ticket_id, 0), o.kind, o.rcpt_to, m.message_id, o.state
		FROM outbox o JOIN messages m ON m.id = o.message_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []outboxRow
	for rows.Next() {
		var r outboxRow
		if err := rows.Scan(&r.ticket, &r.kind, &r.rcpt, &r.messageID, &r.state); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// outboxAndRelay reads the daemon's outbox and what the relay got, by
// Message-ID.
func outboxAndRelay(t *testing.T, dbPath string, relay *recordingRelay) ([]outboxRow, map[string][]relayedMail) {
	t.Helper()
	rows, err := readOutbox(dbPath)
	if err != nil {
		t.Fatalf("read outbox: %v", err)
	}
	byID := map[string][]relayedMail{}
	for _, m := range relay.mails() {
		byID[m.messageID] = append(byID[m.messageID], m)
	}
	return rows, byID
}

// crashSeed is the seed of TestCrashUnderLoad's kill moments: the
// environment's SOSD_CRASH_SEED to replay a run, else the clock.
func crashSeed(t *testing.T) uint64 {
	if s := os.Getenv("SOSD_CRASH_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("SOSD_CRASH_SEED: %v", err)
		}
		return n
	}
	return uint64(time.Now().UnixNano())
}

var (
	loadSubjectRE = regexp.MustCompile(`^Lasttest (\d+)$`)
	loadIDRE      = regexp.MustCompile(`^load-\d+@acme\.se$`)
)

// loadMail is customer mail number i of TestCrashUnderLoad. One sender
// per mail keeps the loop breaker (20 per sender an hour) out of the way.
func loadMail(i int) (from string, raw []byte) {
	from = fmt.Sprintf("user%d@acme.se", i)
	raw = fmt.Appendf(nil, "From: %s\r\nTo: support@sos.example\r\nSubject: Lasttest %d\r\nMessage-ID: <load-%d@acme.se>\r\n"+
		"Date: Mon, 30 Nov 2026 10:00:00 +0100\r\n\r\nHej, nummer %d fungerar inte.\r\n", from, i, i, i)
	return from, raw
}

// waitOutbox polls (bounded) until every outbox row is sent and at the
// relay, calling nudge, if set, between polls. It returns the last look
// and how many rows were left.
func waitOutbox(t *testing.T, dbPath string, relay *recordingRelay, limit time.Duration, nudge func()) ([]outboxRow, map[string][]relayedMail, int) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		rows, byID := outboxAndRelay(t, dbPath, relay)
		left := 0
		for _, r := range rows {
			if r.state != "sent" || len(byID[r.messageID]) == 0 {
				left++
			}
		}
		if left == 0 || time.Now().After(deadline) {
			return rows, byID, left
		}
		if nudge != nil {
			nudge()
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// 2,000 customer mails from 8 concurrent clients, one connection each,
// while the daemon is killed with SIGKILL at random moments and started
// again on the same database; clients retry until they get their 250.
// Afterwards every mail that got a 250 is exactly one ticket, and every
// mail the daemon queued reached the relay: acknowledgements once each,
// save the re-sends the spec allows after a crash between the relay's 250
// and the row being marked sent (SPEC §5, §10).
func TestCrashUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	t.Parallel()
	relay := startRecordingRelay(t)
	d := newKillableDaemon(t, killableConfig(t,
		`relay: ""`, `relay: "`+relay.addr+`"`,
		`starttls: required`, `starttls: none`))
	if err := d.start(); err != nil {
		t.Fatal(err)
	}
	const (
		mails   = 2000
		clients = 8
		kills   = 5
	)
	seed := crashSeed(t)
	t.Logf("seed %d (SOSD_CRASH_SEED=%d replays the kill moments)", seed, seed)
	rng := rand.New(rand.NewPCG(seed, seed^0x5eed))

	// Kill after a random number of 250s, one in each fifth of the middle
	// 80 % of the load, each a random few milliseconds later so the kill
	// lands mid-session, mid-commit or mid-delivery.
	var thresholds []int64
	for i := range kills {
		span := int64(mails * 8 / 10 / kills)
		thresholds = append(thresholds, mails/10+int64(i)*span+rng.Int64N(span))
	}

	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var (
		accepted  atomic.Int64
		attempts  atomic.Int64
		refused   atomic.Int64 // no connection
		dropped   atomic.Int64 // connection lost before the 250
		temporary atomic.Int64 // 4xx
		got250    = make([]bool, mails)
		mu        sync.Mutex
		problems  []string
	)
	problem := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		problems = append(problems, fmt.Sprintf(format, args...))
	}

	// The killer.
	killed := 0
	var downtime time.Duration
	killerDone := make(chan struct{})
	go func() {
		defer close(killerDone)
		for _, at := range thresholds {
			for accepted.Load() < at {
				if ctx.Err() != nil {
					return
				}
				time.Sleep(time.Millisecond)
			}
			time.Sleep(time.Duration(rng.IntN(20_000)) * time.Microsecond)
			t0 := time.Now()
			d.kill()
			killed++
			relay.epoch.Store(int32(killed))
			if err := d.start(); err != nil {
				problem("restart after kill %d: %v", killed, err)
				cancel()
				return
			}
			downtime += time.Since(t0)
			t.Logf("kill %d after %d 250s; up again on %s in %v", killed, at, d.smtpAddr(), time.Since(t0).Round(time.Millisecond))
		}
	}()

	// The clients.
	next := make(chan int, mails)
	for i := range mails {
		next <- i
	}
	close(next)
	var wg sync.WaitGroup
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				from, raw := loadMail(i)
				for try := 1; ; try++ {
					if ctx.Err() != nil {
						problem("mail %d: no 250 within the time limit (%d tries)", i, try-1)
						break
					}
					attempts.Add(1)
					err := sendOne(d.smtpAddr(), from, raw)
					if err == nil {
						got250[i] = true
						accepted.Add(1)
						break
					}
					var se *smtp.SMTPError
					var oe *net.OpError
					switch {
					case errors.As(err, &se) && se.Code >= 500:
						problem("mail %d: permanent refusal: %v", i, err)
					case errors.As(err, &se):
						temporary.Add(1)
					case errors.As(err, &oe) && oe.Op == "dial":
						refused.Add(1)
					default:
						dropped.Add(1)
					}
					if se != nil && se.Code >= 500 {
						break
					}
					if try >= 1000 {
						problem("mail %d: no 250 after %d tries: %v", i, try, err)
						break
					}
					time.Sleep(time.Duration(min(try, 10)) * 5 * time.Millisecond)
				}
			}
		}()
	}
	wg.Wait()
	loadTime := time.Since(start)
	cancel()
	<-killerDone
	mu.Lock()
	for _, p := range problems {
		t.Error(p)
	}
	mu.Unlock()
	if killed < 4 {
		t.Errorf("only %d kills during the load", killed)
	}
	if !d.running() {
		t.Fatal("the daemon exited on its own")
	}

	// Every 250 is exactly one ticket, and no ticket is there twice.
	list, err := d.ticketsList()
	if err != nil {
		t.Fatal(err)
	}
	ticketOf := map[int]listedTicket{}
	maxID := 0
	for _, tk := range list {
		n, _ := strconv.Atoi(strings.TrimPrefix(tk.ID, "SOS-"))
		maxID = max(maxID, n)
		m := loadSubjectRE.FindStringSubmatch(tk.Subject)
		if m == nil {
			t.Errorf("%s: a ticket nobody sent (subject %q)", tk.ID, tk.Subject)
			continue
		}
		i, _ := strconv.Atoi(m[1])
		if prev, ok := ticketOf[i]; ok {
			t.Errorf("mail %d filed twice: %s and %s", i, prev.ID, tk.ID)
		}
		ticketOf[i] = tk
		if tk.Reporter != fmt.Sprintf("user%d@acme.se", i) || tk.Customer != "acme" {
			t.Errorf("%s: reporter %q customer %q", tk.ID, tk.Reporter, tk.Customer)
		}
	}
	if maxID != len(list) {
		t.Errorf("%d tickets but the highest id is SOS-%d: ids are not gap-free", len(list), maxID)
	}
	n250, lost := 0, 0
	for i, ok := range got250 {
		if !ok {
			continue
		}
		n250++
		if _, ok := ticketOf[i]; !ok {
			lost++
			t.Errorf("mail %d got its 250 but is no ticket", i)
		}
	}
	if n250 != mails {
		t.Errorf("%d of %d mails got their 250", n250, mails)
	}
	t.Logf("mails %d, attempts %d (refused %d, dropped %d, 4xx %d), 250s %d, tickets %d, lost 250s %d; load %v; kills %d (restarts took %v in all)",
		mails, attempts.Load(), refused.Load(), dropped.Load(), temporary.Load(), n250, len(list), lost,
		loadTime.Round(time.Millisecond), killed, downtime.Round(time.Millisecond))

	// The outbox backlog the load left drains without more mail coming in.
	dbPath := filepath.Join(d.dir, "var", "sosd.db")
	t.Run("BacklogDrainsUnaided", func(t *testing.T) {
		if _, _, left := waitOutbox(t, dbPath, relay, 30*time.Second, nil); left > 0 {
			t.Errorf("%d outbox rows undelivered 30 s after the load", left)
		}
	})

	// Wake the worker as an MTA retrying would: each mail sent again gets
	// its 250, files nothing and kicks the worker (see the skipped case
	// above for why it needs that).
	drainStart := time.Now()
	nudges := 0
	rows, byID, left := waitOutbox(t, dbPath, relay, 60*time.Second, func() {
		from, raw := loadMail(nudges % mails)
		nudges++
		sendOne(d.smtpAddr(), from, raw)
	})
	drainTime := time.Since(drainStart)
	if left > 0 {
		t.Errorf("%d of %d outbox rows still undelivered after %v", left, len(rows), drainTime.Round(time.Second))
	}

	// Every queued mail reached the relay and nothing else did; each
	// ticket has exactly one acknowledgement, delivered to its reporter
	// and answering the customer's mail.
	acks, delivered, dups, ackDups, lostOut, maxCopies := 0, 0, 0, 0, 0, 0
	dupsAfterKill := make([]int, killed+1)
	ackOfTicket := map[int64]int{}
	outIDs := map[string]bool{}
	for _, r := range rows {
		outIDs[r.messageID] = true
		copies := byID[r.messageID]
		if r.kind == "ack" {
			ackOfTicket[r.ticket]++
		}
		if r.state != "sent" || len(copies) == 0 {
			lostOut++
			if lostOut <= 10 {
				t.Errorf("outbox %s mail %s to %s (SOS-%d): state %s, %d at the relay", r.kind, r.messageID, r.rcpt, r.ticket, r.state, len(copies))
			}
			continue
		}
		delivered++
		dups += len(copies) - 1
		maxCopies = max(maxCopies, len(copies))
		for _, c := range copies[1:] {
			dupsAfterKill[c.epoch]++
		}
		if r.kind != "ack" {
			continue
		}
		acks++
		ackDups += len(copies) - 1
		for _, c := range copies {
			if len(c.to) != 1 || c.to[0] != r.rcpt {
				t.Errorf("ack %s reached the relay for %v, want %s", r.messageID, c.to, r.rcpt)
			}
		}
		if !loadIDRE.MatchString(copies[0].inReplyTo) {
			t.Errorf("ack %s answers %q, not a load mail", r.messageID, copies[0].inReplyTo)
		}
	}
	if lostOut > 10 {
		t.Errorf("… %d outgoing mails undelivered in all", lostOut)
	}
	for _, tk := range list {
		id, _ := strconv.ParseInt(strings.TrimPrefix(tk.ID, "SOS-"), 10, 64)
		if n := ackOfTicket[id]; n != 1 {
			t.Errorf("%s has %d acknowledgements queued, want 1", tk.ID, n)
		}
	}
	for id, copies := range byID {
		if !outIDs[id] {
			t.Errorf("the relay got %d× a mail %q that is in no outbox row", len(copies), id)
		}
	}
	// A re-send with the same Message-ID is allowed only after a crash
	// between the relay's 250 and the row marked sent. The worker has a
	// few deliveries in flight at once, and each may be in that window
	// (its mark waits for a group commit), so a crash may cause as many
	// re-sends, each mail at most once.
	inFlight := mail.NewWorker(nil, nil, nil).Concurrency
	if dupsAfterKill[0] > 0 {
		t.Errorf("%d mails re-sent before any kill", dupsAfterKill[0])
	}
	for k := 1; k <= killed; k++ {
		if dupsAfterKill[k] > inFlight {
			t.Errorf("%d mails re-sent after kill %d: more than the worker's %d deliveries in flight", dupsAfterKill[k], k, inFlight)
		}
	}
	if maxCopies > 1+killed {
		t.Errorf("a mail reached the relay %d times after %d kills", maxCopies, killed)
	}
	t.Logf("outbox rows %d, delivered %d, acks delivered %d; re-sent duplicates %d (acks %d; by kill %v); undelivered %d; drain %v with %d nudges",
		len(rows), delivered, acks, dups, ackDups, dupsAfterKill[1:], lostOut, drainTime.Round(time.Millisecond), nudges)
}
