package tickets

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"sosd/mail"
	"sosd/sla"
	"sosd/templates"
)

// newTestIntake is the intake over a fresh store with a small directory:
// acme (sv) and nordlog (en), consultants anna and johan, jour notified of
// priority 1.
func newTestIntake(t *testing.T) (*Intake, *Store) {
	t.Helper()
	s := openTestStore(t)
	tmpl, err := templates.New()
	if err != nil {
		t.Fatal(err)
	}
	signer, err := mail.NewSigner([]byte("0123456789abcdef0123456789abcdef"), "support@sos.example")
	if err != nil {
		t.Fatal(err)
	}
	dir := &mail.Directory{Support: "support@sos.example", Consultants: []string{"anna@sos.example", "johan@sos.example"},
		Customers: []mail.Customer{
			{ID: "acme", Name: "ACME AB", Language: "sv", Domains: []string{"acme.se"},
				Applications: []mail.Application{{ID: "ekonomi", Name: "Ekonomisystemet", Aliases: []string{"visma"}}, {ID: "intranat", Name: "Intranätet"}}},
			{ID: "nordlog", Name: "Nordic Logistics", Language: "en", Domains: []string{"nordlog.example"}},
		}}
	cfg := &IntakeConfig{Directory: dir, Signer: signer, Templates: tmpl, Priorities: sla.DefaultPriorities(),
		Hours: templates.Hours{Days: []time.Weekday{1, 2, 3, 4, 5}, Open: "08:00", Close: "17:00", EveOpen: "08:30", EveClose: "14:00", Holidays: true},
		Phone: "+46 8 000 00 00", Consultants: dir.Consultants, Notify: []string{"jour@sos.example"},
		LoopLimit: 3, ReopenWithin: DefaultReopenWithin, Location: testPolicy(t).Calendar.Location()}
	return NewIntake(s, cfg, slog.New(slog.NewTextHandler(io.Discard, nil))), s
}

// deliver parses, classifies and files raw as the SMTP session does.
func deliver(t *testing.T, in *Intake, raw string, at time.Time) mail.Classification {
	t.Helper()
	raw = strings.ReplaceAll(raw, "\n", "\r\n")
	msg, err := mail.Parse([]byte(raw), mail.DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	cfg := in.cfg.Load()
	env := mail.Envelope{MailFrom: msg.From, RcptTo: []string{"support@sos.example"}, Received: at, Raw: []byte(raw)}
	c := mail.Classify(env, msg, cfg.Directory, cfg.Signer)
	if err := in.File(context.Background(), env, msg, c); err != nil {
		t.Fatalf("File: %v", err)
	}
	return c
}

// queued lists the kinds and recipients of every outbox row.
func queued(t *testing.T, s *Store) []string {
	t.Helper()
	rows, err := s.w.Query(`SELECT kind, rcpt_to FROM outbox ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var k, to string
		rows.Scan(&k, &to)
		out = append(out, k+" "+to)
	}
	return out
}

func TestIntakeNewTicketMail(t *testing.T) {
	t.Parallel()
	in, s := newTestIntake(t)
	mon := stockholm(t, 2026, 11, 30, 15, 0)
	deliver(t, in, "From: Eva <eva@acme.se>\nSubject: P1 Visma nere\nMessage-ID: <n1@acme.se>\n\nHej!", mon)
	got := queued(t, s)
	want := []string{"ack eva@acme.se", "consultant_notice anna@sos.example", "consultant_notice johan@sos.example", "consultant_notice jour@sos.example"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("queued %v, want %v", got, want)
	}
	d, err := s.Get(context.Background(), 1)
	if err != nil || d.Ticket.Priority != 1 || d.Ticket.Application != "ekonomi" || !d.Ticket.Deadline.Equal(stockholm(t, 2026, 11, 30, 17, 0)) {
		t.Fatalf("ticket %+v, %v", d.Ticket, err)
	}
	due, _ := s.Due(context.Background(), mon, 10)
	ack := string(due[0].Raw)
	for _, want := range []string{"In-Reply-To: <n1@acme.se>", "Auto-Submitted: auto-replied", "Reply-To: <support+1-", "[SOS-1]"} {
		if !strings.Contains(ack, want) {
			t.Errorf("ack lacks %q", want)
		}
	}
	// Each consultant's notice carries a reply address signed for them.
	for _, it := range due[1:] {
		addr := in.cfg.Load().Signer.Address(1, it.To[0])
		if !strings.Contains(string(it.Raw), addr) {
			t.Errorf("notice to %s lacks its signed reply address", it.To[0])
		}
	}
}

func TestIntakeRepliesAndStrayTags(t *testing.T) {
	t.Parallel()
	in, s := newTestIntake(t)
	mon := stockholm(t, 2026, 11, 30, 15, 0)
	deliver(t, in, "From: eva@acme.se\nSubject: Intranätet nere\nMessage-ID: <r1@acme.se>\n\nHej", mon)
	before := len(queued(t, s))
	c := deliver(t, in, "From: eva@acme.se\nSubject: Re: [SOS-1] Vi har tagit emot ditt ärende\nMessage-ID: <r2@acme.se>\n\nDet gäller även VPN.\n\nDen 30 nov. 2026 skrev Support <support@sos.example>:\n> Hej", mon.Add(time.Hour))
	if c.Class != mail.ClassReply {
		t.Fatalf("class %s", c.Class)
	}
	got := queued(t, s)[before:]
	if fmt.Sprint(got) != "[reply_notice anna@sos.example reply_notice johan@sos.example]" {
		t.Errorf("a reply queued %v", got)
	}
	d, _ := s.Get(context.Background(), 1)
	if len(d.Messages) < 2 || d.Events[len(d.Events)-1].Kind != "reply_in" {
		t.Errorf("reply not in the history: %+v", d.Events)
	}
	// An out-of-office answer to the ack is kept and answers nothing.
	before = len(queued(t, s))
	deliver(t, in, "From: eva@acme.se\nAuto-Submitted: auto-replied\nSubject: Automatiskt svar: [SOS-1]\nMessage-ID: <r3@acme.se>\n\nJag är ledig.", mon.Add(2*time.Hour))
	if n := len(queued(t, s)); n != before {
		t.Errorf("an automatic reply queued %d mails", n-before)
	}
	d, _ = s.Get(context.Background(), 1)
	if d.Events[len(d.Events)-1].Kind != "automatic_reply" || d.Ticket.Status != StatusNew {
		t.Errorf("automatic reply: %+v, status %s", d.Events[len(d.Events)-1], d.Ticket.Status)
	}
	// A tag naming no ticket files a new one.
	deliver(t, in, "From: eva@acme.se\nSubject: [SOS-99] gammalt ärende\nMessage-ID: <r4@acme.se>\n\nHej", mon.Add(3*time.Hour))
	if list, _ := s.List(context.Background(), Filter{}); len(list) != 2 {
		t.Errorf("%d tickets after a stray tag, want 2", len(list))
	}
}

func TestIntakeUnknownSenderOnceADay(t *testing.T) {
	t.Parallel()
	in, s := newTestIntake(t)
	mon := stockholm(t, 2026, 11, 30, 9, 0)
	for i, at := range []time.Time{mon, mon.Add(time.Hour), mon.Add(24 * time.Hour)} {
		deliver(t, in, fmt.Sprintf("From: x@elsewhere.example\nSubject: Hello\nMessage-ID: <u%d@elsewhere.example>\n\nHi", i), at)
	}
	if got := queued(t, s); fmt.Sprint(got) != "[unknown_sender x@elsewhere.example unknown_sender x@elsewhere.example]" {
		t.Errorf("queued %v: want one notice a day", got)
	}
	kept, _ := s.Kept(context.Background())
	if len(kept) != 3 {
		t.Errorf("%d mails kept for review, want 3", len(kept))
	}
	if list, _ := s.List(context.Background(), Filter{}); len(list) != 0 {
		t.Errorf("an unknown sender opened %d tickets", len(list))
	}
}

// More mails than the loop limit from one sender within an hour are filed
// but answered no more; consultants are told once (SPEC §5).
func TestIntakeLoopBreaker(t *testing.T) {
	t.Parallel()
	in, s := newTestIntake(t) // LoopLimit 3
	mon := stockholm(t, 2026, 11, 30, 9, 0)
	for i := range 6 {
		deliver(t, in, fmt.Sprintf("From: monitor@acme.se\nSubject: Alarm %d\nMessage-ID: <l%d@acme.se>\n\nDisk full", i, i), mon.Add(time.Duration(i)*time.Minute))
	}
	acks, loops := 0, 0
	for _, q := range queued(t, s) {
		switch {
		case strings.HasPrefix(q, "ack monitor@acme.se"):
			acks++
		case strings.HasPrefix(q, "loop "):
			loops++
		}
	}
	if acks != 3 || loops != 2 { // one loop notice to each of two consultants
		t.Errorf("%d acks and %d loop notices, want 3 and 2: %v", acks, loops, queued(t, s))
	}
	if list, _ := s.List(context.Background(), Filter{}); len(list) != 6 {
		t.Errorf("%d tickets, want all 6 filed", len(list))
	}
	// An hour later the sender is answered again.
	deliver(t, in, "From: monitor@acme.se\nSubject: Alarm\nMessage-ID: <l9@acme.se>\n\nDisk full", mon.Add(2*time.Hour))
	if q := queued(t, s); !strings.HasPrefix(q[len(q)-3], "ack monitor@acme.se") {
		t.Errorf("not answered after the hour: %v", q[len(q)-3:])
	}
}

func TestIntakeQuarantine(t *testing.T) {
	t.Parallel()
	in, s := newTestIntake(t)
	env := mail.Envelope{MailFrom: "x@elsewhere.example", RcptTo: []string{"support@sos.example"}, Received: stockholm(t, 2026, 11, 30, 9, 0), Raw: []byte("garbage")}
	for range 2 {
		if err := in.Quarantine(context.Background(), env, "cannot parse: no header"); err != nil {
			t.Fatal(err)
		}
	}
	if got := queued(t, s); fmt.Sprint(got) != "[quarantine anna@sos.example quarantine johan@sos.example]" {
		t.Errorf("queued %v", got)
	}
}

// The outbox worker delivers through a transport that fails for a while,
// against the real store: retried with backoff, delivered once, then gone
// from Due; a permanent failure is marked failed.
func TestWorkerWithStore(t *testing.T) {
	t.Parallel()
	in, s := newTestIntake(t)
	mon := stockholm(t, 2026, 11, 30, 15, 0)
	deliver(t, in, "From: eva@acme.se\nSubject: Hej\nMessage-ID: <w1@acme.se>\n\nHej", mon)
	fails := 2
	var mu sync.Mutex
	var delivered []string
	tr := transportFunc(func(it OutboxItem) error {
		mu.Lock()
		defer mu.Unlock()
		if it.Kind == "ack" && fails > 0 {
			fails--
			return tempErr{errors.New("connection refused")}
		}
		if it.To[0] == "johan@sos.example" {
			return errors.New("550 5.1.1 no such user")
		}
		delivered = append(delivered, it.Kind+" "+it.To[0])
		return nil
	})
	w := mail.NewWorker(s, tr, slog.New(slog.NewTextHandler(io.Discard, nil)))
	w.Now = func() time.Time { return mon }
	ctx := context.Background()
	w.RunOnce(ctx, mon)
	w.RunOnce(ctx, mon.Add(30*time.Second)) // not due yet
	w.RunOnce(ctx, mon.Add(time.Minute))
	w.RunOnce(ctx, mon.Add(3*time.Minute))
	w.RunOnce(ctx, mon.Add(time.Hour))
	slices.Sort(delivered)
	if fmt.Sprint(delivered) != "[ack eva@acme.se consultant_notice anna@sos.example]" {
		t.Errorf("delivered %v", delivered)
	}
	if due, _ := s.Due(ctx, mon.Add(24*time.Hour), 10); len(due) != 0 {
		t.Errorf("%d rows still due", len(due))
	}
	if n := count(t, s, "SELECT COUNT(*) FROM outbox WHERE state = 'failed' AND last_error LIKE '550%'"); n != 1 {
		t.Errorf("%d failed rows, want 1", n)
	}
	if n := count(t, s, "SELECT attempts FROM outbox WHERE kind = 'ack'"); n != 3 {
		t.Errorf("ack took %d attempts, want 3", n)
	}
}

type transportFunc func(OutboxItem) error

func (f transportFunc) Deliver(_ context.Context, it OutboxItem) error { return f(it) }

type tempErr struct{ error }

func (tempErr) Temporary() bool { return true }

// A permanent delivery failure is reported once to escalation.notify and
// recorded on the ticket; a failed report is not reported again.
func TestIntakeReportFailure(t *testing.T) {
	t.Parallel()
	in, s := newTestIntake(t)
	mon := stockholm(t, 2026, 11, 30, 15, 0)
	deliver(t, in, "From: eva@acme.se\nSubject: Hej\nMessage-ID: <f1@acme.se>\n\nHej", mon)
	due, _ := s.Due(context.Background(), mon, 10)
	ack := due[0]
	if ack.Kind != "ack" || ack.Ticket != 1 {
		t.Fatalf("first due row %+v", ack)
	}
	for range 2 {
		if err := in.ReportFailure(context.Background(), ack, "RCPT TO eva@acme.se: 550 5.1.1 no such user"); err != nil {
			t.Fatal(err)
		}
	}
	var reports []OutboxItem
	due, _ = s.Due(context.Background(), time.Now().Add(time.Hour), 50)
	for _, it := range due {
		if it.Kind == "delivery_failed" {
			reports = append(reports, it)
		}
	}
	if len(reports) != 1 || reports[0].To[0] != "jour@sos.example" || !strings.Contains(string(reports[0].Raw), "550 5.1.1") {
		t.Fatalf("reports %+v", reports)
	}
	d, _ := s.Get(context.Background(), 1)
	if d.Events[len(d.Events)-1].Kind != "notice_delivery_failed" {
		t.Errorf("not in the ticket's history: %+v", d.Events)
	}
	if err := in.ReportFailure(context.Background(), reports[0], "550 no such user"); err != nil {
		t.Fatal(err)
	}
	if n := count(t, s, "SELECT COUNT(*) FROM outbox WHERE kind = 'delivery_failed'"); n != 1 {
		t.Errorf("a failed report was reported: %d reports", n)
	}
}

// A failure marked but not reported (a crash in between) is reported by
// the every-minute sweep, once.
func TestIntakeReportUnreported(t *testing.T) {
	t.Parallel()
	in, s := newTestIntake(t)
	mon := stockholm(t, 2026, 11, 30, 15, 0)
	deliver(t, in, "From: eva@acme.se\nSubject: Hej\nMessage-ID: <u1@acme.se>\n\nHej", mon)
	due, _ := s.Due(context.Background(), mon, 10)
	if err := s.MarkFailed(context.Background(), due[0].ID, mon, "RCPT TO eva@acme.se: 550 5.1.1 no such user"); err != nil {
		t.Fatal(err)
	}
	for i, want := range []int{1, 0} {
		n, err := in.ReportUnreported(context.Background())
		if err != nil || n != want {
			t.Fatalf("sweep %d: reported %d, %v; want %d", i, n, err, want)
		}
	}
	if n := count(t, s, "SELECT COUNT(*) FROM outbox WHERE kind = 'delivery_failed'"); n != 1 {
		t.Errorf("%d reports, want 1", n)
	}
	if n := count(t, s, "SELECT COUNT(*) FROM outbox o JOIN messages m ON m.id = o.message_id WHERE o.kind = 'delivery_failed' AND instr(CAST(m.raw AS TEXT), '550 5.1.1') > 0"); n != 1 {
		t.Errorf("the report does not quote the relay's answer")
	}
}
