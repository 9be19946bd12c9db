package tickets

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"sosd/mail"
	"sosd/sla"
	"sosd/templates"
)

// The jobs of SPEC §8 are plain methods that take now: cron only triggers
// them (cmd/sosd), and tests call them at chosen instants. Each notice is
// sent once, also across restarts: the notices table's UNIQUE row and its
// outbox rows commit together.

// JobsConfig is what the jobs need from the configuration, beside the
// rest of IntakeConfig; a reload swaps it with the rest.
type JobsConfig struct {
	// WarnAt is escalation.warn_at: the fraction of a response window
	// used before the warning.
	WarnAt float64
	// FourHourRule is four_hour_rule: work or business time since the
	// start after which the consultant calls the customer.
	FourHourRule time.Duration
	// Calendar is the configured business calendar: the four-hour rule's
	// business time, and the first open day of a quarter.
	Calendar *sla.Calendar
	// Customers holds what reports and reminders need of each customer,
	// by config id.
	Customers map[string]CustomerInfo
	// Meeting, when set, makes each report propose the quarterly status
	// meeting (reports.meeting).
	Meeting *MeetingSlot
	// Consultancy is the name the meeting's title gives the consultancy;
	// "" leaves it out.
	Consultancy string
}

// MeetingSlot is the weekly slot the quarterly status meeting is
// proposed in, in the calendar's zone.
type MeetingSlot struct {
	Weekday      time.Weekday
	Hour, Minute int
	Duration     time.Duration
}

// meetingNotice is how many days after the quarter's first open day
// (when the report goes out) the meeting is proposed at the earliest: the
// customer needs time to read the report and to answer the invitation.
const meetingNotice = 3

// MeetingTime is the quarterly status meeting of quarter q: the slot's
// weekday on the first open day at least meetingNotice days after q's
// first open day, within the first two weeks of the quarter. False when
// the slot falls on no open day then.
func MeetingTime(cal *sla.Calendar, q Quarter, slot MeetingSlot) (time.Time, bool) {
	from, _ := q.Bounds(cal.Location())
	end := from.AddDate(0, 0, 14)
	first := FirstOpenDay(cal, q)
	for d := first.AddDate(0, 0, meetingNotice); d.Before(end); d = d.AddDate(0, 0, 1) {
		if d.Weekday() == slot.Weekday && cal.Day(sla.DateOf(d)).Open() {
			y, m, day := d.Date()
			return time.Date(y, m, day, slot.Hour, slot.Minute, 0, 0, cal.Location()), true
		}
	}
	return time.Time{}, false
}

// CustomerInfo is a customer's contacts and account manager.
type CustomerInfo struct {
	Contacts       []Contact
	AccountManager string // an address; "" when none
}

// Contact is one of a customer's contacts (config customers[].contacts).
type Contact struct {
	Name, Email, Phone string
}

// reportCatchUp is how long into a quarter a missed quarterly report
// still goes out: the daemon may have been down on the first open day.
// Later, a report of the quarter before would surprise more than help
// (a new installation in November sends no Q3 reports).
const reportCatchUp = 14 * 24 * time.Hour

// Escalate sends every warning and breach notice due at now (SPEC §8) to
// the ticket's consultant (all consultants when none is assigned) and
// escalation.notify. It returns how many notices went out.
func (in *Intake) Escalate(ctx context.Context, now time.Time) (int, error) {
	cfg := in.cfg.Load()
	due, err := in.store.DueEscalations(ctx, now, cfg.Jobs.WarnAt)
	if err != nil {
		return 0, err
	}
	sent := 0
	var errs []error
	for _, e := range due {
		t := e.Ticket
		recipients := appendUnique(cfg.consultantsOf(t), cfg.Notify...)
		assignee := ""
		if t.Assignee != "" {
			assignee = cfg.consultantName(t.Assignee)
		}
		var kind templates.Kind
		var data any
		switch e.Level {
		case NoticeWarning:
			kind = templates.Warning
			data = templates.WarningData{Ticket: cfg.templateTicket(t), Percent: percentUsed(e.Used), Assignee: assignee}
		default:
			kind = templates.Breach
			data = templates.BreachData{Ticket: cfg.templateTicket(t), Assignee: assignee}
		}
		ok, err := in.store.SendNotice(ctx, t.ID, e.Level, now, func() ([]Outgoing, error) {
			return cfg.toEach(recipients, kind, data, t.ID, now)
		})
		if err != nil {
			// One ticket's failure must not hold back the others' notices;
			// the next minute tries it again.
			errs = append(errs, fmt.Errorf("%s notice for %s: %w", e.Level, t.ID, err))
			continue
		}
		if ok {
			sent++
			in.log.Info("escalation", "ticket", t.ID.String(), "level", e.Level, "used", math.Round(e.Used*100)/100)
		}
	}
	return sent, errors.Join(errs...)
}

// percentUsed is the share of the window used, as the warning states it:
// whole percent, at most 100.
func percentUsed(used float64) int {
	return min(100, max(1, int(math.Floor(used*100))))
}

// FourHour reminds the consultant of each started ticket whose logged
// work or business time since the start reached four_hour_rule, with no
// call recorded, to call the customer (SPEC §8), once per ticket.
func (in *Intake) FourHour(ctx context.Context, now time.Time) (int, error) {
	cfg := in.cfg.Load()
	if cfg.Jobs.FourHourRule <= 0 || cfg.Jobs.Calendar == nil {
		return 0, nil
	}
	due, err := in.store.FourHourDue(ctx, now, cfg.Jobs.Calendar, cfg.Jobs.FourHourRule)
	if err != nil {
		return 0, err
	}
	sent := 0
	var errs []error
	for _, t := range due {
		recipients := cfg.consultantsOf(t)
		contact := cfg.contactFor(t)
		data := templates.CallReminderData{
			Ticket:          cfg.templateTicket(t),
			WorkMinutes:     t.WorkMinutes,
			BusinessMinutes: int(cfg.Jobs.Calendar.Elapsed(t.Started, now) / time.Minute),
			LimitMinutes:    int(cfg.Jobs.FourHourRule / time.Minute),
			Contact:         contact.Name,
			Phone:           contact.Phone,
		}
		ok, err := in.store.SendNotice(ctx, t.ID, NoticeFourHour, now, func() ([]Outgoing, error) {
			return cfg.toEach(recipients, templates.CallReminder, data, t.ID, now)
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("four-hour reminder for %s: %w", t.ID, err))
			continue
		}
		if ok {
			sent++
			in.log.Info("four-hour reminder", "ticket", t.ID.String())
		}
	}
	return sent, errors.Join(errs...)
}

// contactFor is whom to call about t: the contact who reported it, else
// the customer's first contact with a phone number.
func (cfg *IntakeConfig) contactFor(t Ticket) Contact {
	contacts := cfg.Jobs.Customers[t.Customer].Contacts
	for _, c := range contacts {
		if strings.EqualFold(c.Email, t.Reporter) {
			return c
		}
	}
	for _, c := range contacts {
		if c.Phone != "" {
			return c
		}
	}
	return Contact{}
}

// QuarterlyReports sends each customer's report of the quarter before
// now's, once, on the first open day of the quarter (or, if sosd was down
// then, up to two weeks later). It returns how many reports went out.
func (in *Intake) QuarterlyReports(ctx context.Context, now time.Time) (int, error) {
	cfg := in.cfg.Load()
	cal := cfg.Jobs.Calendar
	if cal == nil {
		return 0, nil
	}
	first := FirstOpenDay(cal, QuarterOf(now, cal.Location()))
	if now.Before(first) || now.Sub(first) > reportCatchUp {
		return 0, nil
	}
	q := QuarterOf(now, cal.Location()).Prev()
	sent := 0
	var errs []error
	for _, c := range cfg.Directory.Customers {
		if info := cfg.Jobs.Customers[c.ID]; len(info.Contacts) == 0 && info.AccountManager == "" {
			// Nobody to send it to: recorded as sent, it would never go
			// to a contact added later in the catch-up window.
			in.log.Warn("quarterly report has no recipients: the customer has no contacts and no account manager", "customer", c.ID, "quarter", q.String())
			continue
		}
		// The report is made before the once-only write, from its own
		// read snapshot: inside the writer's transaction it would hold
		// up intake for as long as charts take.
		subject := c.ID + "/" + q.String()
		done, err := in.store.NoticeSent(ctx, subject, "report")
		if err != nil || done {
			errs = append(errs, err)
			continue
		}
		mails, _, err := in.ComposeReport(ctx, c.ID, q, now)
		if err != nil {
			errs = append(errs, fmt.Errorf("report %s %s: %w", c.ID, q, err))
			continue
		}
		ok, err := in.store.Notice(ctx, subject, "report", 0, now, func() ([]Outgoing, error) { return mails, nil })
		if err != nil {
			// One customer's failure must not hold back the others;
			// the next run tries it again.
			errs = append(errs, fmt.Errorf("report %s %s: %w", c.ID, q, err))
			continue
		}
		if ok {
			sent++
			in.log.Info("quarterly report", "customer", c.ID, "quarter", q.String())
		}
	}
	return sent, errors.Join(errs...)
}

// FirstOpenDay is the start of the first open day of quarter q on cal,
// in cal's zone.
func FirstOpenDay(cal *sla.Calendar, q Quarter) time.Time {
	from, _ := q.Bounds(cal.Location())
	for d := from; ; d = d.AddDate(0, 0, 1) {
		if cal.Day(sla.DateOf(d)).Open() {
			return d
		}
	}
}

// ComposeReport makes customer's report of quarter q as things stood at
// now: the mail to its contacts and account manager (one each, in the
// customer's language: HTML with the charts inline, a text alternative
// and the quarter's tickets as CSV), and the report itself.
func (in *Intake) ComposeReport(ctx context.Context, customer string, q Quarter, now time.Time) ([]Outgoing, Report, error) {
	cfg := in.cfg.Load()
	c := cfg.Directory.Customer(customer)
	if c == nil {
		return nil, Report{}, fmt.Errorf("customer %q: %w", customer, ErrNotFound)
	}
	r, err := in.store.Report(ctx, customer, q, cfg.Location, now)
	if err != nil {
		return nil, Report{}, err
	}
	data, charts, err := cfg.ReportData(r, c.Language)
	if err != nil {
		return nil, r, err
	}
	var csv bytes.Buffer
	if err := WriteReportCSV(&csv, r, cfg.Location); err != nil {
		return nil, r, err
	}
	var attach []mail.Attachment
	if r.Tickets > 0 {
		attach = append(attach, mail.Attachment{Filename: fmt.Sprintf("%s-%s.csv", customer, q), ContentType: "text/csv", Data: csv.Bytes()})
	}
	var inline []mail.Attachment
	for _, ch := range charts {
		inline = append(inline, mail.Attachment{Filename: ch.Filename, ContentType: "image/png", Data: ch.PNG, ContentID: ch.CID, Inline: true})
	}
	info := cfg.Jobs.Customers[customer]
	var recipients []string
	for _, ct := range info.Contacts {
		recipients = appendUnique(recipients, strings.ToLower(ct.Email))
	}
	if info.AccountManager != "" {
		recipients = appendUnique(recipients, strings.ToLower(info.AccountManager))
	}
	calendar, meeting, err := cfg.meetingInvitation(c, q, info, now)
	if err != nil {
		return nil, r, err
	}
	data.Meeting = meeting
	// One rendering serves every recipient: only To and Message-ID differ.
	rendered, err := cfg.Templates.Render(templates.Report, c.Language, data)
	if err != nil {
		return nil, r, err
	}
	var out []Outgoing
	for _, to := range recipients {
		// The account manager organises the meeting: their copy of the
		// report carries no invitation to it.
		invitation := calendar
		if strings.EqualFold(to, info.AccountManager) {
			invitation = ""
		}
		m, err := cfg.outgoing(templates.Report, rendered, 0, to, now, "auto-generated", nil,
			extras{attach: attach, inline: inline, calendar: invitation})
		if err != nil {
			return nil, r, err
		}
		out = append(out, m)
	}
	return out, r, nil
}

// meetingInvitation is the iCalendar invitation to the status meeting of
// the quarter after q (the one the report is sent in), from the account
// manager to the customer's contacts, and the report's note of it; none
// when no slot is configured, nobody can organise or attend, or the slot
// has passed (a report made on demand later).
func (cfg *IntakeConfig) meetingInvitation(c *mail.Customer, q Quarter, info CustomerInfo, now time.Time) (string, *templates.ReportMeeting, error) {
	slot, cal := cfg.Jobs.Meeting, cfg.Jobs.Calendar
	if slot == nil || cal == nil || info.AccountManager == "" || len(info.Contacts) == 0 {
		return "", nil, nil
	}
	start, ok := MeetingTime(cal, q.next(), *slot)
	if !ok || !start.After(now) {
		return "", nil, nil
	}
	organizer := strings.ToLower(info.AccountManager)
	name := cfg.consultantName(organizer)
	minutes := int(slot.Duration / time.Minute)
	r, err := cfg.Templates.Render(templates.Meeting, c.Language, templates.MeetingData{Customer: c.Name, Quarter: q.String(),
		Start: start, Minutes: minutes, Organizer: name, Consultancy: cfg.Jobs.Consultancy})
	if err != nil {
		return "", nil, err
	}
	e := mail.Event{
		UID:   fmt.Sprintf("meeting.%s.%s@%s", strings.ToLower(q.String()), c.ID, mail.DomainOf(cfg.Directory.Support)),
		Start: start, Duration: slot.Duration, Summary: r.Subject, Description: r.Text, HTMLDescription: r.HTML,
		Organizer: organizer, OrganizerName: name, Stamp: now,
	}
	if name == organizer {
		e.OrganizerName = ""
	}
	for _, ct := range info.Contacts {
		e.Attendees = append(e.Attendees, mail.Attendee{Name: ct.Name, Email: strings.ToLower(ct.Email)})
	}
	return mail.Calendar(e), &templates.ReportMeeting{Start: start, Minutes: minutes, Organizer: name}, nil
}

// ReportData is report r as the report template shows it in lang, and
// its charts.
func (cfg *IntakeConfig) ReportData(r Report, lang string) (templates.ReportData, []Chart, error) {
	c := cfg.Directory.Customer(r.Customer)
	if c == nil {
		return templates.ReportData{}, nil, fmt.Errorf("customer %q: %w", r.Customer, ErrNotFound)
	}
	appNames := map[string]string{}
	for _, a := range c.Applications {
		appNames[a.ID] = a.Name
	}
	words := templates.ChartWords(lang)
	charts, err := ReportCharts(r, ChartWords{Met: words.Met, Breached: words.Breached, Open: words.Open, Tickets: words.Tickets, Unknown: words.Unknown}, appNames)
	if err != nil {
		return templates.ReportData{}, nil, err
	}
	d := templates.ReportData{
		Customer: c.Name, Quarter: r.Quarter.String(), From: r.From.In(cfg.Location), To: r.To.In(cfg.Location),
		Tickets: r.Tickets, Met: r.Met, Breached: r.Breached, SLAMetPercent: r.SLAMetPercent(),
		ResolutionMedian: r.ResolutionMedian, ResolutionP90: r.ResolutionP90, ResolutionWorst: r.ResolutionWorst,
		OnsiteVisits: r.OnsiteVisits, WorkMinutes: r.WorkMinutes, FourHourCalls: r.FourHourCalls,
		Reopened: r.Reopened, AwaitingApproval: r.AwaitingApproval,
	}
	for _, p := range []int{1, 2, 3} {
		ps := r.ByPriority[p]
		if ps == nil {
			ps = &PriorityStats{}
		}
		d.ByPriority = append(d.ByPriority, templates.ReportPriority{
			Priority: p, Name: cfg.Priorities[p].Name, Tickets: ps.Tickets, Met: ps.Met, Breached: ps.Breached,
			SLAMetPercent: ps.SLAMetPercent(), Median: ps.MedianResponse, P90: ps.P90Response, Worst: ps.WorstResponse,
		})
	}
	apps := make([]string, 0, len(r.ByApplication))
	for id := range r.ByApplication {
		apps = append(apps, id)
	}
	// Most tickets first; ties by id, so the order is stable.
	slices.SortFunc(apps, func(a, b string) int {
		if n := r.ByApplication[b] - r.ByApplication[a]; n != 0 {
			return n
		}
		return strings.Compare(a, b)
	})
	for _, id := range apps {
		name := ""
		if id != "unknown" {
			name = appNames[id]
			if name == "" {
				name = id
			}
		}
		d.ByApplication = append(d.ByApplication, templates.ReportCount{Name: name, Tickets: r.ByApplication[id]})
	}
	for _, b := range r.Breaches {
		rb := templates.ReportBreach{ID: b.ID.String(), Subject: b.Subject, Priority: b.Priority, Deadline: b.Deadline.In(cfg.Location)}
		if !b.Started.IsZero() {
			rb.Started = b.Started.In(cfg.Location)
		}
		d.Breaches = append(d.Breaches, rb)
	}
	for _, tp := range r.Trend {
		d.Trend = append(d.Trend, templates.ReportTrend{Quarter: tp.Quarter.String(), Tickets: tp.Tickets, SLAMetPercent: tp.SLAMetPercent})
	}
	for _, ch := range charts {
		d.Charts = append(d.Charts, templates.ReportChart{Kind: ch.Kind, CID: ch.CID, Width: ch.Width, Height: ch.Height})
	}
	if info := cfg.Jobs.Customers[r.Customer]; info.AccountManager != "" {
		d.AccountManager = cfg.consultantName(strings.ToLower(info.AccountManager))
	}
	return d, charts, nil
}

// Queue stores ready mail in the outbox, about no ticket: `sosd report
// --send`, which an admin runs on purpose and so is not once-only.
func (s *Store) Queue(ctx context.Context, now time.Time, mails []Outgoing) error {
	return s.write(ctx, "queue mail", func(ctx context.Context, tx dbtx) error {
		_, err := enqueue(ctx, tx, 0, now, mails)
		return err
	})
}
