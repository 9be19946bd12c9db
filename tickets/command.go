package tickets

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// CommandKind names a consultant command (SPEC §6), as written after '#'.
type CommandKind string

// The consultant commands.
const (
	CmdStart    CommandKind = "start"
	CmdPriority CommandKind = "priority"
	CmdApp      CommandKind = "app"
	CmdAssign   CommandKind = "assign"
	CmdTime     CommandKind = "time"
	CmdCalled   CommandKind = "called"
	CmdOnsite   CommandKind = "onsite"
	CmdResolve  CommandKind = "resolve"
	CmdClose    CommandKind = "close"
	CmdInternal CommandKind = "internal"
)

// Command is one parsed consultant command. Only the field of its kind is
// used.
type Command struct {
	Kind        CommandKind
	Priority    int           // priority
	Application string        // app: a config id the caller has checked
	Assignee    string        // assign: a consultant's address
	Work        time.Duration // time
	Onsite      time.Time     // onsite: when the visit is booked for
	// Line is the command as the consultant wrote it ("#time 1h30m"), for
	// the receipt and error replies; "" when made in code.
	Line string
}

// ConsultantReply is a consultant's authenticated mail about a ticket.
type ConsultantReply struct {
	Consultant string // the consultant's address
	Mail       Inbound
	Commands   []Command
	// HasText: the mail has new text beyond the commands. Unless #internal
	// is among the commands, that text goes to the customer, and the first
	// such reply counts as #start (SPEC §6).
	HasText bool
	// Unreadable lists the command lines that could not be read
	// (ParseCommands); with any, nothing changes.
	Unreadable CommandErrors
	// Refused says why the mail does not count as the consultant's
	// ("not_authentic", SPEC §6). When set nothing changes: the mail and
	// the attempt are recorded, and the outcome is OutcomeRefused.
	Refused string
}

// Apply applies a consultant's commands all-or-nothing in one
// transaction, with the mail, the history, and the mail compose renders
// (receipt, reply to the customer). When any command is invalid nothing of
// the ticket changes: the mail is stored, the attempt recorded, and the
// result has Outcome OutcomeRejectedCommands and Problems naming each one,
// so the composer can answer the consultant.
func (s *Store) Apply(ctx context.Context, id ID, r ConsultantReply, compose Composer) (Result, error) {
	var res Result
	err := s.write(ctx, "apply commands", func(ctx context.Context, tx dbtx) error {
		res = Result{}
		t, done, err := replyPreamble(ctx, tx, id, r.Mail, &res)
		if done {
			return err
		}
		msgRow, err := insertInbound(ctx, tx, id, r.Mail)
		if err != nil {
			return err
		}
		now := r.Mail.Received
		if res.Thread, err = firstMessageID(ctx, tx, id); err != nil {
			return err
		}
		if r.Refused != "" {
			res.Outcome = OutcomeRefused
			if err := addEvent(ctx, tx, id, now, "commands_refused", r.Consultant, r.Refused, msgRow); err != nil {
				return err
			}
			return res.queue(ctx, tx, now, compose)
		}
		if problems := append(slices.Clone(r.Unreadable), validate(t, r.Commands)...); len(problems) > 0 {
			res.Outcome, res.Problems = OutcomeRejectedCommands, problems
			if err := addEvent(ctx, tx, id, now, "commands_rejected", r.Consultant, problems.Error(), msgRow); err != nil {
				return err
			}
			return res.queue(ctx, tx, now, compose)
		}
		internal := false
		for _, c := range r.Commands {
			if c.Kind == CmdInternal {
				internal = true
			}
			changes, err := s.apply(ctx, tx, &t, c, r.Consultant, now, msgRow)
			if err != nil {
				return err
			}
			res.Changes = append(res.Changes, changes...)
		}
		res.Internal = internal
		res.ToCustomer = r.HasText && !internal
		if res.ToCustomer && t.Status == StatusNew {
			// SPEC §6: the first reply that goes to the customer counts
			// as #start.
			changes, err := s.apply(ctx, tx, &t, Command{Kind: CmdStart}, r.Consultant, now, msgRow)
			if err != nil {
				return err
			}
			changes[0].Detail += " (first reply to the customer)"
			changes[0].Implied = true
			res.Changes = append(res.Changes, changes...)
		}
		kind, detail := "note", "internal note"
		if res.ToCustomer {
			kind, detail = "reply_out", "reply to the customer"
		}
		if r.HasText {
			if err := addEvent(ctx, tx, id, now, kind, r.Consultant, detail, msgRow); err != nil {
				return err
			}
		}
		if res.Ticket, err = getTicket(ctx, tx, id); err != nil {
			return err
		}
		res.Outcome = OutcomeApplied
		return res.queue(ctx, tx, now, compose)
	})
	return res, err
}

// firstMessageID is the Message-ID of the mail that opened ticket id: the
// root of the thread its mail to the customer continues.
func firstMessageID(ctx context.Context, tx dbtx, id ID) (string, error) {
	var mid string
	err := tx.QueryRowContext(ctx, `SELECT message_id FROM messages WHERE ticket_id = ? AND direction = 'in' ORDER BY id LIMIT 1`, int64(id)).Scan(&mid)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return mid, err
}

// validate checks every command against the ticket as the commands before
// it leave it, without writing anything.
func validate(t Ticket, cmds []Command) CommandErrors {
	var problems CommandErrors
	for i, c := range cmds {
		if err := check(&t, c); err != nil {
			problems = append(problems, CommandError{Index: i, Command: c, Code: problemCode(c, err), Err: err})
		}
	}
	return problems
}

// problemCode names the problem of a command check refused.
func problemCode(c Command, err error) string {
	var te *TransitionError
	switch {
	case errors.As(err, &te):
		return ProblemNotAllowed
	case c.Kind == CmdPriority:
		return ProblemBadPriority
	case c.Kind == CmdApp && c.Application == "":
		return ProblemMissingValue
	case c.Kind == CmdApp:
		return ProblemBadApplication
	case c.Kind == CmdAssign:
		return ProblemBadAddress
	case c.Kind == CmdTime:
		return ProblemBadDuration
	case c.Kind == CmdOnsite:
		return ProblemBadDatetime
	default:
		return ProblemUnknownCommand
	}
}

// check validates one command and advances t's status as applying it
// would.
func check(t *Ticket, c Command) error {
	illegal := func(action string) error {
		return &TransitionError{Ticket: t.ID, Status: t.Status, Action: action}
	}
	switch c.Kind {
	case CmdStart:
		if t.Status != StatusNew {
			return illegal("start it")
		}
		t.Status = StatusStarted
	case CmdPriority:
		if c.Priority < 1 || c.Priority > 3 {
			return fmt.Errorf("priority %d does not exist (1, 2 or 3)", c.Priority)
		}
		if t.Status == StatusClosed {
			return illegal("change its priority")
		}
	case CmdApp:
		if c.Application == "" {
			return errors.New("no application given")
		}
	case CmdAssign:
		if !strings.Contains(c.Assignee, "@") {
			return fmt.Errorf("%q is not an address", c.Assignee)
		}
	case CmdTime:
		if c.Work < time.Minute {
			return fmt.Errorf("%v is less than a minute", c.Work)
		}
	case CmdCalled, CmdInternal:
	case CmdOnsite:
		if c.Onsite.IsZero() {
			return errors.New("no time given for the visit")
		}
		if t.Status == StatusClosed {
			return illegal("book a visit")
		}
	case CmdResolve:
		if t.Status != StatusNew && t.Status != StatusStarted {
			return illegal("resolve it")
		}
		t.Status = StatusResolved
	case CmdClose:
		if t.Status == StatusClosed {
			return illegal("close it")
		}
		t.Status = StatusClosed
	default:
		return fmt.Errorf("unknown command #%s", c.Kind)
	}
	return nil
}

// apply executes one validated command and returns what it changed (none
// for a no-op; two when #resolve or #close also starts a new ticket).
func (s *Store) apply(ctx context.Context, tx dbtx, t *Ticket, c Command, actor string, now time.Time, msgRow int64) ([]Change, error) {
	var implied []Change
	if (c.Kind == CmdResolve || c.Kind == CmdClose) && t.Status == StatusNew {
		// A proposed fix or a closing means troubleshooting started, now
		// at the latest.
		started, err := s.apply(ctx, tx, t, Command{Kind: CmdStart}, actor, now, msgRow)
		if err != nil {
			return nil, err
		}
		for i := range started {
			started[i].Implied = true
		}
		implied = started
	}
	ch, err := s.applyOne(ctx, tx, t, c, actor, now, msgRow)
	if err != nil || ch.Kind == "" {
		return implied, err
	}
	return append(implied, ch), nil
}

// applyOne executes one validated command.
func (s *Store) applyOne(ctx context.Context, tx dbtx, t *Ticket, c Command, actor string, now time.Time, msgRow int64) (Change, error) {
	exec := func(q string, args ...any) error {
		_, err := tx.ExecContext(ctx, q, args...)
		if err != nil {
			return fmt.Errorf("#%s on %s: %w", c.Kind, t.ID, err)
		}
		return nil
	}
	var ch Change
	switch c.Kind {
	case CmdStart:
		ch = Change{Kind: "started", Detail: "troubleshooting started"}
		if err := t.start(exec, now); err != nil {
			return ch, err
		}
	case CmdPriority:
		if c.Priority == t.Priority {
			return Change{}, nil
		}
		deadline, facts, err := s.Policy().deadline(c.Priority, t.Received, now)
		if err != nil {
			return ch, err
		}
		factsJSON, err := json.Marshal(facts)
		if err != nil {
			return ch, err
		}
		ch = Change{Kind: "priority", Detail: fmt.Sprintf("priority %d → %d, deadline %s → %s", t.Priority, c.Priority,
			t.Deadline.In(deadline.Location()).Format(time.RFC3339), deadline.Format(time.RFC3339)),
			From: strconv.Itoa(t.Priority), To: strconv.Itoa(c.Priority), At: deadline}
		calID, err := calendarID(ctx, tx, facts)
		if err != nil {
			return ch, err
		}
		if err := exec(`UPDATE tickets SET priority = ?, deadline = ?, deadline_facts = ?, window_ns = ?, calendar_id = ? WHERE id = ?`,
			c.Priority, nanos(deadline), string(factsJSON), int64(facts.window()), calID, int64(t.ID)); err != nil {
			return ch, err
		}
		t.Priority, t.Deadline = c.Priority, deadline
	case CmdApp:
		ch = Change{Kind: "application", Detail: fmt.Sprintf("application %s → %s", orUnknown(t.Application), c.Application),
			From: t.Application, To: c.Application}
		if err := exec(`UPDATE tickets SET application = ? WHERE id = ?`, c.Application, int64(t.ID)); err != nil {
			return ch, err
		}
		t.Application = c.Application
	case CmdAssign:
		ch = Change{Kind: "assigned", Detail: "assigned to " + c.Assignee, From: t.Assignee, To: c.Assignee}
		if err := exec(`UPDATE tickets SET assignee = ? WHERE id = ?`, c.Assignee, int64(t.ID)); err != nil {
			return ch, err
		}
		t.Assignee = c.Assignee
	case CmdTime:
		minutes := int(c.Work / time.Minute)
		ch = Change{Kind: "work", Detail: fmt.Sprintf("%d minutes of work logged", minutes), Minutes: minutes}
		if err := exec(`INSERT INTO work_log (ticket_id, at, consultant, minutes, message_id) VALUES (?, ?, ?, ?, ?)`,
			int64(t.ID), nanos(now), actor, minutes, nullRow(msgRow)); err != nil {
			return ch, err
		}
		t.WorkMinutes += minutes
	case CmdCalled:
		ch = Change{Kind: "called", Detail: "the customer was called (four-hour rule)"}
		if err := exec(`UPDATE tickets SET called = 1 WHERE id = ?`, int64(t.ID)); err != nil {
			return ch, err
		}
		t.Called = true
	case CmdOnsite:
		ch = Change{Kind: "onsite", Detail: "on-site visit booked for " + c.Onsite.Format(time.RFC3339), At: c.Onsite}
		if err := exec(`INSERT INTO onsite_visits (ticket_id, at, booked, consultant, message_id) VALUES (?, ?, ?, ?, ?)`,
			int64(t.ID), nanos(c.Onsite), nanos(now), actor, nullRow(msgRow)); err != nil {
			return ch, err
		}
		t.Onsite++
	case CmdResolve:
		ch = Change{Kind: "resolved", Detail: "fix proposed; waiting for the customer's approval"}
		if err := exec(`UPDATE tickets SET status = 'resolved', resolved = ? WHERE id = ?`, nanos(now), int64(t.ID)); err != nil {
			return ch, err
		}
		t.Status, t.Resolved = StatusResolved, now
	case CmdClose:
		ch = Change{Kind: "closed", Detail: "closed by " + actor}
		if err := exec(`UPDATE tickets SET status = 'closed', closed = ? WHERE id = ?`, nanos(now), int64(t.ID)); err != nil {
			return ch, err
		}
		t.Status, t.Closed = StatusClosed, now
	case CmdInternal:
		return Change{}, nil
	}
	return ch, addEvent(ctx, tx, t.ID, now, ch.Kind, actor, ch.Detail, msgRow)
}

// start marks the SLA response event: troubleshooting began (SPEC §3).
func (t *Ticket) start(exec func(string, ...any) error, now time.Time) error {
	if err := exec(`UPDATE tickets SET status = 'started', started = ? WHERE id = ?`, nanos(now), int64(t.ID)); err != nil {
		return err
	}
	t.Status, t.Started = StatusStarted, now
	return nil
}

func orUnknown(app string) string {
	if app == "" {
		return "unknown"
	}
	return app
}
