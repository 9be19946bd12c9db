package templates

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// This file holds the data of the mails the jobs send (SPEC §8): the
// escalation warning and breach notice, the four-hour-rule reminder, and
// the quarterly status report to the customer with the invitation to the
// quarterly status meeting it may carry. Figures the report shows
// are checked against each other, so that a report never contradicts
// itself; every machine word a field holds (a chart kind) is written out
// by the templates, and prepareJobs rejects any word they do not know.

// WarningData is Warning's data: to the ticket's consultant (or all
// consultants) and escalation.notify, a ticket not started has used
// Percent of its response window.
type WarningData struct {
	Ticket   Ticket
	Percent  int    // the share of the window used, 1–100, e.g. 75 (escalation.warn_at)
	Assignee string // the assigned consultant's name or address; "" = nobody is assigned
}

// BreachData is Breach's data: to the same recipients as the warning,
// the committed start time (Ticket.Deadline) passed without a start.
type BreachData struct {
	Ticket   Ticket
	Assignee string // the assigned consultant's name or address; "" = nobody is assigned
}

// CallReminderData is CallReminder's data: to the ticket's consultant (or
// all consultants), the four-hour rule. Logged work or the business time
// since the start reached LimitMinutes and no call is recorded (#called),
// so the consultant is to call the customer and agree how to proceed. The
// mail says whom to call.
type CallReminderData struct {
	Ticket          Ticket
	WorkMinutes     int    // work logged on the ticket, at least 0
	BusinessMinutes int    // business time since the start, at least 0
	LimitMinutes    int    // four_hour_rule, at least 1; WorkMinutes or BusinessMinutes must have reached it
	Contact         string // whom to call, by name; "" when unknown (the mail says "the customer")
	Phone           string // their phone number; "" when unknown: the mail says so and asks for one at Ticket.Reporter
}

// ReportData is Report's data: the quarterly status report (SPEC §8), to
// the customer's contacts and account manager, in the customer's
// language. The figures are of the tickets received in [From, To), as
// they stood when the report was made. Render writes only the text: the
// caller attaches the ticket list as CSV (the text says it is attached
// when Tickets > 0 and the report is not Printed), each of Charts as an
// inline image under its Content-ID, which the HTML part shows, and the
// invitation of Meeting (rendered from MeetingData).
type ReportData struct {
	Customer string    // the customer's name; required
	Quarter  string    // "2026Q4"; required
	From, To time.Time // the quarter, in the calendar's zone; To is exclusive (the next quarter's first instant)

	Tickets, Met, Breached int // Met + Breached ≤ Tickets; the rest were not yet due
	// SLAMetPercent is 100 × Met ÷ (Met + Breached), e.g. 91.7; nil
	// exactly when Met + Breached is 0 (no ticket was due).
	SLAMetPercent *float64

	ByPriority    []ReportPriority // in the order shown, normally 1, 2, 3
	ByApplication []ReportCount    // in the order shown
	Breaches      []ReportBreach   // one per breached ticket: len(Breaches) == Breached

	// Resolution times in business minutes, received → closed, of the
	// tickets closed so far; nil (all three) when none is closed.
	ResolutionMedian, ResolutionP90, ResolutionWorst *int

	OnsiteVisits     int // on-site visits
	WorkMinutes      int // work logged, in minutes
	FourHourCalls    int // tickets where the four-hour-rule call took place
	Reopened         int // times a ticket was reopened
	AwaitingApproval int // tickets resolved and awaiting the customer's approval

	Trend  []ReportTrend // up to four quarters, oldest first; the last is Quarter
	Charts []ReportChart // the images the HTML part shows, in this order; may be empty

	// AccountManager is the account manager's name or address, for the
	// closing: they will get in touch to book the quarterly status
	// meeting. "" leaves the name out. Unused when Meeting is set: the
	// closing proposes that meeting instead.
	AccountManager string

	// Meeting, when set, is the status meeting the report proposes: the
	// mail carries an iCalendar invitation (METHOD:REQUEST) from the
	// account manager to the customer's contacts, which their calendar
	// can accept or decline.
	Meeting *ReportMeeting
	// Printed: the report is printed by `sosd report`, not mailed: no
	// attachment, no inline charts, no invitation to mention. The HTML
	// part still shows the charts (the command puts data: URLs in place
	// of the cid: ones); a printed report with Meeting set names the
	// proposed time without speaking of an invitation.
	Printed bool
}

// ReportMeeting is the quarterly status meeting a report proposes.
type ReportMeeting struct {
	Start     time.Time // in the calendar's zone; required
	Minutes   int       // its length, at least 15
	Organizer string    // the account manager's name or address; required
}

// ReportPriority is one priority's row of a report.
type ReportPriority struct {
	Priority               int    // 1, 2 or 3
	Name                   string // "Affärskritiskt" (from the config); "" to show the number only
	Tickets, Met, Breached int    // Met + Breached ≤ Tickets
	SLAMetPercent          *float64
	// Response times in business minutes, received → started, of the
	// started tickets; nil when none started.
	Median, P90, Worst *int
}

// ReportCount is one application's row of a report.
type ReportCount struct {
	Name    string // the application's name; "" = unknown application
	Tickets int
}

// ReportBreach is one breached response promise.
type ReportBreach struct {
	ID       string    // "SOS-31"; required
	Subject  string    // the ticket's subject
	Priority int       // 1, 2 or 3
	Deadline time.Time // the committed start time, in the calendar's zone; required
	Started  time.Time // when troubleshooting started, in the calendar's zone; zero: not started
}

// ReportTrend is one quarter of a report's trend.
type ReportTrend struct {
	Quarter       string // "2026Q1"
	Tickets       int
	SLAMetPercent *float64 // nil: no ticket was due
}

// ReportChart is one image of the report's HTML part.
type ReportChart struct {
	// Kind says what the chart shows, so the template can write its
	// caption and alternative text: "priority" (tickets per priority, by
	// response outcome), "applications" (tickets per application) or
	// "trend" (tickets and response SLA met over the trend's quarters).
	// Any other word is an error.
	Kind string
	// CID is the image part's Content-ID without the angle brackets, e.g.
	// "chart-priority.2026q4@sos.example": letters, digits and . - _ + = @
	// only, so it needs no escaping in the cid: URL (RFC 2392).
	CID           string
	Width, Height int // the image's size in pixels, at least 1
}

// chartKinds are the words ReportChart.Kind may hold.
var chartKinds = []string{"priority", "applications", "trend"}

// MeetingData is Meeting's data: the calendar invitation of the
// quarterly status meeting, where the account manager goes through the
// report of Quarter with the customer. It is no mail: Subject is the
// event's title (SUMMARY), Text its description (DESCRIPTION, with no
// final line break and paragraphs not wrapped, since a calendar wraps
// them to its own width) and HTML the same for calendars that show HTML
// (X-ALT-DESC). The description leaves the time out: the calendar shows
// it, and a time in the text would be wrong once the meeting is moved.
type MeetingData struct {
	Customer  string    // the customer's name; required
	Quarter   string    // the reported quarter, "2026Q4"; required
	Start     time.Time // in the calendar's zone; required
	Minutes   int       // its length, at least 15
	Organizer string    // the account manager's name or address; required
	// Consultancy is the consultancy's name, which the title gives next
	// to the customer's; "" when unknown: the title names the customer
	// only.
	Consultancy string
}

// ChartWordsData are the words a chart of the report draws: the legend
// of the response outcomes, the axis of ticket counts and the name of an
// unknown application. The report's tables use the same words.
type ChartWordsData struct {
	Met      string // started within the response time
	Breached string // started late, or not started by the deadline
	Open     string // not started, the deadline not yet passed
	Tickets  string // the count axis
	Unknown  string // an unknown application
}

// ChartWords returns the chart words of lang; any language but "sv" gets
// English, as the date words do.
func ChartWords(lang string) ChartWordsData {
	return localeOf(lang).chart
}

// prepareJobs is prepare for the kinds of this file.
func prepareJobs(kind Kind, data any) (any, error) {
	switch kind {
	case Warning:
		d, err := as[WarningData](data)
		if err == nil {
			d.Ticket, err = d.Ticket.prepare()
		}
		if err == nil && (d.Percent < 1 || d.Percent > 100) {
			err = fmt.Errorf("%s: percent %d, want 1–100", d.Ticket.ID, d.Percent)
		}
		return d, err
	case Breach:
		d, err := as[BreachData](data)
		if err == nil {
			d.Ticket, err = d.Ticket.prepare()
		}
		return d, err
	case CallReminder:
		d, err := as[CallReminderData](data)
		if err == nil {
			d.Ticket, err = d.Ticket.prepare()
		}
		switch {
		case err != nil:
		case d.LimitMinutes < 1:
			err = fmt.Errorf("%s: limit %d minutes, want at least 1", d.Ticket.ID, d.LimitMinutes)
		case d.WorkMinutes < 0 || d.BusinessMinutes < 0:
			err = fmt.Errorf("%s: negative minutes (work %d, business %d)", d.Ticket.ID, d.WorkMinutes, d.BusinessMinutes)
		case d.WorkMinutes < d.LimitMinutes && d.BusinessMinutes < d.LimitMinutes:
			err = fmt.Errorf("%s: neither work (%d) nor business time (%d) reached the limit of %d minutes",
				d.Ticket.ID, d.WorkMinutes, d.BusinessMinutes, d.LimitMinutes)
		}
		return d, err
	case Report:
		d, err := as[ReportData](data)
		if err == nil {
			err = d.check()
		}
		d.Customer = oneLine(d.Customer)
		d.Breaches = slices.Clone(d.Breaches)
		for i := range d.Breaches {
			d.Breaches[i].Subject = oneLine(d.Breaches[i].Subject)
		}
		if d.Meeting != nil {
			m := *d.Meeting
			m.Organizer = oneLine(m.Organizer)
			d.Meeting = &m
		}
		return d, err
	case Meeting:
		d, err := as[MeetingData](data)
		d.Customer, d.Consultancy, d.Organizer = oneLine(d.Customer), oneLine(d.Consultancy), oneLine(d.Organizer)
		switch {
		case err != nil:
		case d.Customer == "":
			err = fmt.Errorf("meeting without customer")
		case !validQuarter(d.Quarter):
			err = fmt.Errorf("meeting: quarter %q, want e.g. 2026Q4", d.Quarter)
		default:
			err = checkMeeting(d.Start, d.Minutes, d.Organizer)
		}
		if err != nil && d.Customer != "" {
			err = fmt.Errorf("%s: %w", d.Customer, err)
		}
		return d, err
	}
	return nil, fmt.Errorf("unknown kind %q", kind)
}

// check checks that the report's figures are complete and agree with
// each other.
func (d ReportData) check() error {
	switch {
	case strings.TrimSpace(d.Customer) == "":
		return fmt.Errorf("report without customer")
	case !validQuarter(d.Quarter):
		return fmt.Errorf("quarter %q, want e.g. 2026Q4", d.Quarter)
	case d.From.IsZero() || d.To.IsZero() || !d.From.Before(d.To):
		return fmt.Errorf("%s: period %v to %v", d.Quarter, d.From, d.To)
	}
	if err := checkOutcomes(d.Tickets, d.Met, d.Breached, d.SLAMetPercent); err != nil {
		return fmt.Errorf("%s: %w", d.Quarter, err)
	}
	for i, p := range d.ByPriority {
		if p.Priority < 1 || p.Priority > 3 {
			return fmt.Errorf("%s: ByPriority[%d]: priority %d, want 1, 2 or 3", d.Quarter, i, p.Priority)
		}
		if err := checkOutcomes(p.Tickets, p.Met, p.Breached, p.SLAMetPercent); err != nil {
			return fmt.Errorf("%s: priority %d: %w", d.Quarter, p.Priority, err)
		}
	}
	for i, a := range d.ByApplication {
		if a.Tickets < 0 {
			return fmt.Errorf("%s: ByApplication[%d]: %d tickets", d.Quarter, i, a.Tickets)
		}
	}
	if len(d.Breaches) != d.Breached {
		return fmt.Errorf("%s: %d breaches listed, %d breached", d.Quarter, len(d.Breaches), d.Breached)
	}
	for i, b := range d.Breaches {
		switch {
		case b.ID == "":
			return fmt.Errorf("%s: Breaches[%d]: no ticket ID", d.Quarter, i)
		case b.Priority < 1 || b.Priority > 3:
			return fmt.Errorf("%s: %s: priority %d, want 1, 2 or 3", d.Quarter, b.ID, b.Priority)
		case b.Deadline.IsZero():
			return fmt.Errorf("%s: %s: no deadline", d.Quarter, b.ID)
		}
	}
	for name, n := range map[string]int{"OnsiteVisits": d.OnsiteVisits, "WorkMinutes": d.WorkMinutes,
		"FourHourCalls": d.FourHourCalls, "Reopened": d.Reopened, "AwaitingApproval": d.AwaitingApproval} {
		if n < 0 {
			return fmt.Errorf("%s: %s is %d", d.Quarter, name, n)
		}
	}
	if len(d.Trend) == 0 || d.Trend[len(d.Trend)-1].Quarter != d.Quarter {
		return fmt.Errorf("%s: the trend does not end with the report's quarter", d.Quarter)
	}
	for _, t := range d.Trend {
		switch {
		case !validQuarter(t.Quarter):
			return fmt.Errorf("%s: trend quarter %q, want e.g. 2026Q4", d.Quarter, t.Quarter)
		case t.Tickets < 0:
			return fmt.Errorf("%s: trend %s: %d tickets", d.Quarter, t.Quarter, t.Tickets)
		case t.SLAMetPercent != nil && (*t.SLAMetPercent < 0 || *t.SLAMetPercent > 100):
			return fmt.Errorf("%s: trend %s: SLA met %v%%", d.Quarter, t.Quarter, *t.SLAMetPercent)
		}
	}
	if m := d.Meeting; m != nil {
		if err := checkMeeting(m.Start, m.Minutes, m.Organizer); err != nil {
			return fmt.Errorf("%s: %w", d.Quarter, err)
		}
	}
	for i, c := range d.Charts {
		switch {
		case !slices.Contains(chartKinds, c.Kind):
			return fmt.Errorf("%s: Charts[%d]: unknown Kind %q", d.Quarter, i, c.Kind)
		case !validCID(c.CID):
			return fmt.Errorf("%s: Charts[%d]: Content-ID %q", d.Quarter, i, c.CID)
		case c.Width < 1 || c.Height < 1:
			return fmt.Errorf("%s: Charts[%d]: size %d×%d", d.Quarter, i, c.Width, c.Height)
		}
	}
	return nil
}

// checkMeeting checks the time, length and organizer of a meeting.
func checkMeeting(start time.Time, minutes int, organizer string) error {
	switch {
	case start.IsZero():
		return fmt.Errorf("meeting without a start")
	case minutes < 15:
		return fmt.Errorf("meeting of %d minutes, want at least 15", minutes)
	case strings.TrimSpace(organizer) == "":
		return fmt.Errorf("meeting without an organizer")
	}
	return nil
}

// checkOutcomes checks one set of response outcomes: counts that add up,
// and a percentage that is nil exactly when no ticket was due.
func checkOutcomes(tickets, met, breached int, percent *float64) error {
	switch {
	case tickets < 0 || met < 0 || breached < 0 || met+breached > tickets:
		return fmt.Errorf("%d tickets, %d met, %d breached", tickets, met, breached)
	case percent == nil && met+breached > 0:
		return fmt.Errorf("no SLA met percentage with %d met and %d breached", met, breached)
	case percent != nil && met+breached == 0:
		return fmt.Errorf("SLA met %v%% with no ticket due", *percent)
	case percent != nil && (*percent < 0 || *percent > 100):
		return fmt.Errorf("SLA met %v%%", *percent)
	}
	return nil
}

// validQuarter reports whether q is a year and quarter such as "2026Q4".
func validQuarter(q string) bool {
	if len(q) != 6 || q[4] != 'Q' || q[5] < '1' || q[5] > '4' {
		return false
	}
	for _, c := range q[:4] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// validCID reports whether cid is a Content-ID the templates can put in a
// cid: URL as it is.
func validCID(cid string) bool {
	return cid != "" && strings.IndexFunc(cid, func(r rune) bool {
		return !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || strings.ContainsRune(".-_+=@", r))
	}) < 0
}
