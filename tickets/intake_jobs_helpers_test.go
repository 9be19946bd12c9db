package tickets

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"sosd/mail"
	"sosd/sla"
	"sosd/templates"
)

// The harness of the tests of issue 7, escalation (escalate_test.go) and
// the four-hour rule (fourhour_test.go) of SPEC §8, driven through the
// real Intake over a real Store at chosen instants. Every instant in those
// tests was worked out by hand from SPEC §2 on the default calendar
// (Europe/Stockholm, Monday–Friday 08:00–17:00, eves 08:30–14:00,
// Midsommarafton, Julafton and Nyårsafton closed); the comments show the
// arithmetic.

// ijEnv is an Intake with jobs configured over a store whose file can be
// closed and opened again (a restart).
type ijEnv struct {
	t    testing.TB
	path string
	cfg  *IntakeConfig
	s    *Store
	in   *Intake
	seq  int
}

// The customer contacts: the reporter's own number is the one to call;
// for a reporter who is not a contact, the first contact with a number.
const (
	ijEvaPhone = "+46 70 123 45 67"
	ijPerPhone = "+46 70 765 43 21"
)

// newJobsIntake is newTestIntake's directory and templates with the jobs
// of issue 7 configured: warn_at 0.75, four_hour_rule 4h, the default
// calendar, acme's contacts.
func newJobsIntake(t testing.TB) *ijEnv {
	t.Helper()
	tmpl, err := templates.New()
	if err != nil {
		t.Fatalf("templates: %v", err)
	}
	signer, err := mail.NewSigner([]byte("0123456789abcdef0123456789abcdef"), "support@sos.example")
	if err != nil {
		t.Fatal(err)
	}
	cal, err := sla.NewCalendar(sla.DefaultCalendarConfig())
	if err != nil {
		t.Fatal(err)
	}
	dir := &mail.Directory{Support: "support@sos.example", Consultants: []string{"anna@sos.example", "johan@sos.example"},
		Customers: []mail.Customer{
			{ID: "acme", Name: "ACME AB", Language: "sv", Domains: []string{"acme.se"},
				Applications: []mail.Application{{ID: "ekonomi", Name: "Ekonomisystemet"}}},
		}}
	cfg := &IntakeConfig{Directory: dir, Signer: signer, Templates: tmpl, Priorities: sla.DefaultPriorities(),
		Hours: templates.Hours{Days: []time.Weekday{1, 2, 3, 4, 5}, Open: "08:00", Close: "17:00", EveOpen: "08:30", EveClose: "14:00", Holidays: true},
		Phone: "+46 8 000 00 00", Consultants: dir.Consultants, Notify: []string{"jour@sos.example"},
		LoopLimit: 3, ReopenWithin: DefaultReopenWithin, Location: cal.Location(),
		ConsultantNames: map[string]string{"johan@sos.example": "Johan Ek"},
		Jobs: JobsConfig{WarnAt: 0.75, FourHourRule: 4 * time.Hour, Calendar: cal,
			Customers: map[string]CustomerInfo{"acme": {Contacts: []Contact{
				{Name: "Kalle Utan", Email: "kalle@acme.se"},
				{Name: "Per Persson", Email: "per@acme.se", Phone: ijPerPhone},
				{Name: "Eva Svensson", Email: "eva@acme.se", Phone: ijEvaPhone},
			}}}}}
	e := &ijEnv{t: t, path: filepath.Join(t.TempDir(), "sosd.db"), cfg: cfg}
	e.open()
	t.Cleanup(func() { e.s.Close() })
	return e
}

func (e *ijEnv) open() {
	e.t.Helper()
	s, err := Open(context.Background(), e.path, testPolicy(e.t))
	if err != nil {
		e.t.Fatal(err)
	}
	e.s = s
	e.in = NewIntake(s, e.cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
}

// restart closes the store and opens the same file with a new Intake, as
// a restarted daemon does.
func (e *ijEnv) restart() {
	e.t.Helper()
	if err := e.s.Close(); err != nil {
		e.t.Fatalf("close: %v", err)
	}
	e.open()
}

// file files a ticket of priority prio reported by reporter at at,
// queueing no mail of its own, so that the outbox holds only what the
// jobs send.
func (e *ijEnv) file(prio int, reporter string, at time.Time) ID {
	e.t.Helper()
	e.seq++
	res, err := e.s.File(e.t.Context(), inbound(fmt.Sprintf("ij%d@acme.se", e.seq), reporter, at),
		NewTicket{Customer: "acme", Application: "ekonomi", Priority: prio, Language: "sv", Reporter: reporter, Subject: "Servern svarar inte"}, nil)
	if err != nil || res.Outcome != OutcomeFiled {
		e.t.Fatalf("File at %s: %+v, %v", at, res.Outcome, err)
	}
	return res.Ticket.ID
}

// apply applies anna's commands to ticket id at at.
func (e *ijEnv) apply(id ID, at time.Time, cmds ...Command) {
	e.t.Helper()
	e.seq++
	mid := fmt.Sprintf("ij%d@sos.example", e.seq)
	m := Inbound{MessageID: mid, From: "anna@sos.example", To: []string{"support@sos.example"}, Subject: "Re: [" + id.String() + "]",
		Received: at, Raw: []byte("Message-ID: <" + mid + ">\r\nFrom: anna@sos.example\r\nSubject: Re: [" + id.String() + "]\r\n\r\n#x\r\n")}
	res, err := e.s.Apply(e.t.Context(), id, ConsultantReply{Consultant: "anna@sos.example", Mail: m, Commands: cmds}, nil)
	if err != nil || res.Outcome != OutcomeApplied {
		e.t.Fatalf("Apply %v to %s at %s: %s %v, %v", cmds, id, at, res.Outcome, res.Problems, err)
	}
}

// escalate runs the escalation job at now and checks how many notices it
// sent.
func (e *ijEnv) escalate(now time.Time, want int) {
	e.t.Helper()
	n, err := e.in.Escalate(e.t.Context(), now)
	if err != nil {
		e.t.Fatalf("Escalate at %s: %v", now, err)
	}
	if n != want {
		e.t.Errorf("Escalate at %s sent %d notices, want %d", now.Format("Mon 2006-01-02 15:04"), n, want)
	}
}

// fourHour runs the four-hour job at now and checks how many reminders
// it sent.
func (e *ijEnv) fourHour(now time.Time, want int) {
	e.t.Helper()
	n, err := e.in.FourHour(e.t.Context(), now)
	if err != nil {
		e.t.Fatalf("FourHour at %s: %v", now, err)
	}
	if n != want {
		e.t.Errorf("FourHour at %s sent %d reminders, want %d", now.Format("Mon 2006-01-02 15:04"), n, want)
	}
}

// ijFar is later than any instant of these tests: every pending row is due.
var ijFar = time.Date(2100, 1, 1, 0, 0, 0, 0, time.UTC)

// rows is every pending outbox row.
func (e *ijEnv) rows() []OutboxItem {
	e.t.Helper()
	due, err := e.s.Due(e.t.Context(), ijFar, 1000)
	if err != nil {
		e.t.Fatal(err)
	}
	return due
}

// summary is "kind ticket recipient" of each pending row, sorted.
func (e *ijEnv) summary() []string {
	e.t.Helper()
	var out []string
	for _, it := range e.rows() {
		out = append(out, fmt.Sprintf("%s SOS-%d %s", it.Kind, it.Ticket, strings.Join(it.To, ",")))
	}
	slices.Sort(out)
	return out
}

// wantRows checks the pending outbox rows; want is unordered.
func (e *ijEnv) wantRows(want ...string) {
	e.t.Helper()
	slices.Sort(want)
	if got := e.summary(); !slices.Equal(got, want) {
		e.t.Errorf("outbox:\n got %q\nwant %q", got, want)
	}
}

// notices is "kind@instant" of each notice_* event of ticket id, in
// order.
func (e *ijEnv) notices(id ID) []string {
	e.t.Helper()
	d, err := e.s.Get(e.t.Context(), id)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []string
	for _, ev := range d.Events {
		if strings.HasPrefix(ev.Kind, "notice_") {
			out = append(out, ev.Kind+"@"+ev.At.In(e.cfg.Location).Format("2006-01-02 15:04"))
		}
	}
	return out
}

func (e *ijEnv) wantNotices(id ID, want ...string) {
	e.t.Helper()
	if got := e.notices(id); !slices.Equal(got, want) {
		e.t.Errorf("%s notice events %q, want %q", id, got, want)
	}
}

// parsed is the pending row of kind to to, parsed.
func (e *ijEnv) parsed(kind, to string) (*mail.Message, []byte) {
	e.t.Helper()
	for _, it := range e.rows() {
		if it.Kind == kind && slices.Contains(it.To, to) {
			msg, err := mail.Parse(it.Raw, mail.DefaultLimits())
			if err != nil {
				e.t.Fatalf("%s to %s does not parse: %v", kind, to, err)
			}
			return msg, it.Raw
		}
	}
	e.t.Fatalf("no %s to %s among %q", kind, to, e.summary())
	return nil, nil
}
