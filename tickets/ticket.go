package tickets

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"sosd/sla"
)

// ID is a ticket's number n; customers and consultants see it as SOS-n.
type ID int64

// String formats the id as SOS-n (SPEC §3).
func (id ID) String() string { return "SOS-" + strconv.FormatInt(int64(id), 10) }

// ParseID parses SOS-n (case-insensitive, as people type it).
func ParseID(s string) (ID, error) {
	num, ok := strings.CutPrefix(strings.ToUpper(strings.TrimSpace(s)), "SOS-")
	n, err := strconv.ParseInt(num, 10, 64)
	if !ok || err != nil || n < 1 || strconv.FormatInt(n, 10) != num {
		return 0, fmt.Errorf("%q is not a ticket id like SOS-12", s)
	}
	return ID(n), nil
}

// Status is where a ticket is in its lifecycle (SPEC §3).
type Status string

// The statuses: new → started → resolved → closed; a rejected resolution
// goes back to started.
const (
	StatusNew      Status = "new"
	StatusStarted  Status = "started"
	StatusResolved Status = "resolved"
	StatusClosed   Status = "closed"
)

// Ticket is one incident. Absent times are the zero time.
type Ticket struct {
	ID          ID
	Status      Status
	Customer    string // config id
	Application string // config id; "" while unknown
	Priority    int
	Reporter    string
	Subject     string
	Language    string
	Received    time.Time // when sosd accepted the report
	Deadline    time.Time // troubleshooting starts at the latest
	Facts       DeadlineFacts
	Started     time.Time
	Resolved    time.Time
	Closed      time.Time
	Assignee    string
	Called      bool
	Reopened    int
	RefersTo    ID // the closed ticket a late reply came from; 0 if none
	WorkMinutes int
	Onsite      int // on-site visits booked
	// calendarID is the row of the calendar its deadline was computed on
	// (migration 0003): business time is measured on it without reading
	// Facts.
	calendarID int64
}

// Breached reports whether the response promise was broken at now (SPEC
// §3): started later than the deadline, or not started and the deadline
// has passed.
func (t Ticket) Breached(now time.Time) bool {
	if !t.Started.IsZero() {
		return t.Started.After(t.Deadline)
	}
	return now.After(t.Deadline)
}

// Open reports whether the ticket is not closed.
func (t Ticket) Open() bool { return t.Status != StatusClosed }

// Policy is what new deadlines are computed with: the business calendar
// and the priority windows of the configuration in force.
type Policy struct {
	Calendar   *sla.Calendar
	Priorities map[int]sla.Priority
}

// DeadlineFacts are the calendar facts a deadline was computed with, kept
// with the ticket so that later configuration edits do not move it and
// `tickets show` can explain it (SPEC §2).
type DeadlineFacts struct {
	Priority    int                `json:"priority"`
	Window      string             `json:"window"`
	Calendar    sla.CalendarConfig `json:"calendar"`
	Intervals   []FactInterval     `json:"intervals"`
	ComputedAt  time.Time          `json:"computed_at"`
	FromInstant time.Time          `json:"from"`
}

// FactInterval is one stretch of open time that counted.
type FactInterval struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	Kind  string    `json:"kind"`
	Name  string    `json:"name,omitempty"`
	Hours string    `json:"hours"`
}

// window is the response window the facts were computed for.
func (f DeadlineFacts) window() time.Duration {
	d, _ := time.ParseDuration(f.Window)
	return d
}

// deadline computes the deadline of a ticket of priority prio received at
// received, with the facts to store beside it.
func (p *Policy) deadline(prio int, received, now time.Time) (time.Time, DeadlineFacts, error) {
	if p == nil || p.Calendar == nil {
		return time.Time{}, DeadlineFacts{}, fmt.Errorf("no calendar configured")
	}
	pr, ok := p.Priorities[prio]
	if !ok {
		return time.Time{}, DeadlineFacts{}, fmt.Errorf("priority %d is not configured", prio)
	}
	d := p.Calendar.Deadline(received, pr.StartWithin)
	facts := DeadlineFacts{
		Priority:    prio,
		Window:      pr.StartWithin.String(),
		Calendar:    p.Calendar.Config(),
		ComputedAt:  now,
		FromInstant: received,
	}
	for _, iv := range p.Calendar.Explain(received, pr.StartWithin) {
		facts.Intervals = append(facts.Intervals, FactInterval{
			Start: iv.Start, End: iv.End, Kind: iv.Day.Kind.String(), Name: iv.Day.Name, Hours: iv.Day.Hours.String(),
		})
	}
	return d, facts, nil
}
