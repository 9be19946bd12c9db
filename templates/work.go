package templates

import (
	"fmt"
	"slices"
	"time"
)

// This file holds the data of the mails consultants and customers get when
// a ticket is worked by email (SPEC §6 and §7): the consultant's reply,
// the proposed solution and its approval, reopening, and the receipts,
// errors and refusals of command mails. Every machine word a field holds
// (a status, a change, a problem, a reason) is written out by the
// templates, in their language; prepareWork rejects any word the
// templates do not know.

// ConsultantReplyData is ConsultantReply's data: to the customer, the
// consultant's words, in the ticket's thread.
type ConsultantReplyData struct {
	Ticket     Ticket
	Consultant string // the consultant's name; "" writes "our consultant"
	Text       string // the consultant's new text, commands removed; must not be blank
}

// ResolvedData is Resolved's data: to the customer, a fix is proposed.
// The mail says how to approve it: reply with "Godkänd" (Swedish) or
// "Approved" (English), or "OK", as the first word; any other reply
// reopens the ticket. Approval is a reply, never a link.
type ResolvedData struct {
	Ticket     Ticket
	Consultant string // the consultant's name; "" writes "our consultant"
	Text       string // the consultant's new text; may be empty
}

// ApprovedData is Approved's data: to the customer, thanks for the
// approval; the ticket is closed.
type ApprovedData struct {
	Ticket Ticket
}

// ReopenedData is Reopened's data: to the customer, their reply reopened
// the ticket, and the consultant is told.
type ReopenedData struct {
	Ticket Ticket
	// Reason is why: "rejected" (a reply to a resolved ticket that did
	// not approve the solution) or "reply_after_close" (a reply to a
	// closed ticket within the reopen window). Any other word is an
	// error.
	Reason string
}

// reopenReasons are the words ReopenedData.Reason may hold.
var reopenReasons = []string{"rejected", "reply_after_close"}

// ReceiptData is Receipt's data: to the consultant, what their command
// mail changed. Changes may be empty (a plain reply to the customer on a
// started ticket). ToCustomer and Internal cannot both be true.
type ReceiptData struct {
	Ticket     Ticket // as it is after the changes
	Changes    []Change
	ToCustomer bool // their text was sent to the customer
	Internal   bool // #internal: nothing went to the customer
}

// Change is one change a command mail made, as a machine word and the
// values the template writes out in its language.
type Change struct {
	// Kind is "started", "priority", "application", "assigned", "work",
	// "called", "onsite", "resolved" or "closed". Any other word is an
	// error.
	Kind string
	// From and To: for "priority" the old and new priority ("3", "1"),
	// both required; for "application" the old and new application name
	// ("" = unknown); for "assigned" To is the consultant's address,
	// required.
	From, To string
	Minutes  int       // "work": the minutes logged, at least 1; written "1 h 30 min", "45 min"
	At       time.Time // "onsite": the booked time; "priority": the new deadline. Required for both; in the calendar's zone
	Implied  bool      // "started": implied by the first reply to the customer, or by #resolve or #close
}

// changeKinds are the words Change.Kind may hold.
var changeKinds = []string{"started", "priority", "application", "assigned", "work", "called", "onsite", "resolved", "closed"}

// CommandErrorData is CommandError's data: to the consultant, their mail
// had invalid commands, so nothing changed and nothing went to the
// customer.
type CommandErrorData struct {
	TicketID string    // "SOS-12"; required
	Subject  string    // the subject of the consultant's mail
	Problems []Problem // at least one
}

// Problem is one invalid command.
type Problem struct {
	Line string // the command line as written, e.g. "#prio 1"; required
	// Code says what is wrong: "unknown_command", "missing_value",
	// "unexpected_value", "bad_priority" (not 1, 2 or 3),
	// "bad_application" (Valid lists the customer's application ids),
	// "bad_address", "not_consultant" (#assign to someone who is not a
	// consultant; Valid lists the consultants), "bad_duration",
	// "bad_datetime", "not_allowed" (the command is not allowed in the
	// ticket's status, which Status holds). Any other word is an error.
	Code string
	// Status is the ticket's status for "not_allowed": "new", "started",
	// "resolved" or "closed" (required there; ignored otherwise).
	Status string
	Valid  []string // the valid values, for "bad_application" and "not_consultant"
}

// problemCodes are the words Problem.Code may hold.
var problemCodes = []string{"unknown_command", "missing_value", "unexpected_value", "bad_priority", "bad_application",
	"bad_address", "not_consultant", "bad_duration", "bad_datetime", "not_allowed"}

// statuses are the ticket statuses (SPEC §3), the words Problem.Status
// may hold.
var statuses = []string{"new", "started", "resolved", "closed"}

// CommandRefusedData is CommandRefused's data: to whoever sent commands
// that do not count. Nothing changed.
type CommandRefusedData struct {
	TicketID       string // "SOS-12"; "" when the mail named no ticket
	Subject        string // the subject of the refused mail
	SupportAddress string
	// Reason is why the commands do not count: "not_authentic" (from a
	// consultant's address, but neither sent to the ticket's signed
	// reply address nor DKIM/DMARC-authenticated; the fix is to reply to
	// the mail sosd sent, whose reply address is signed) or "no_ticket"
	// (a consultant wrote to the plain support address about no ticket,
	// so nothing was opened; the fix is to reply to a ticket's mail or to
	// put [SOS-n] in the subject). Any other word is an error.
	Reason string
}

// refusalReasons are the words CommandRefusedData.Reason may hold.
var refusalReasons = []string{"not_authentic", "no_ticket"}

// OnsiteData is Onsite's data: to the customer, an on-site visit is
// booked. The mail also carries an iCalendar part, built elsewhere; the
// text says it can be added to a calendar.
type OnsiteData struct {
	Ticket     Ticket
	Consultant string    // the consultant's name; "" writes "our consultant"
	At         time.Time // the booked time, in the calendar's zone; required
	Text       string    // the consultant's new text; may be empty
}

// prepareWork is prepare for the kinds of this file.
func prepareWork(kind Kind, data any) (any, error) {
	switch kind {
	case ConsultantReply:
		d, err := as[ConsultantReplyData](data)
		if err == nil {
			d.Ticket, err = d.Ticket.prepare()
		}
		if err == nil && verbatim(d.Text) == "" {
			err = fmt.Errorf("%s: no text", d.Ticket.ID)
		}
		return d, err
	case Resolved:
		d, err := as[ResolvedData](data)
		if err == nil {
			d.Ticket, err = d.Ticket.prepare()
		}
		return d, err
	case Approved:
		d, err := as[ApprovedData](data)
		if err == nil {
			d.Ticket, err = d.Ticket.prepare()
		}
		return d, err
	case Reopened:
		d, err := as[ReopenedData](data)
		if err == nil {
			d.Ticket, err = d.Ticket.prepare()
		}
		if err == nil && !slices.Contains(reopenReasons, d.Reason) {
			err = fmt.Errorf("unknown Reason %q", d.Reason)
		}
		return d, err
	case Receipt:
		d, err := as[ReceiptData](data)
		if err == nil {
			d.Ticket, err = d.Ticket.prepare()
		}
		if err == nil && d.ToCustomer && d.Internal {
			err = fmt.Errorf("%s: both ToCustomer and Internal", d.Ticket.ID)
		}
		for i := 0; err == nil && i < len(d.Changes); i++ {
			if err = d.Changes[i].check(); err != nil {
				err = fmt.Errorf("%s: change %d: %w", d.Ticket.ID, i, err)
			}
		}
		return d, err
	case CommandError:
		d, err := as[CommandErrorData](data)
		d.Subject = oneLine(d.Subject)
		switch {
		case err != nil:
		case d.TicketID == "":
			err = fmt.Errorf("no ticket ID")
		case len(d.Problems) == 0:
			err = fmt.Errorf("%s: no problems", d.TicketID)
		}
		for i := 0; err == nil && i < len(d.Problems); i++ {
			if err = d.Problems[i].check(); err != nil {
				err = fmt.Errorf("%s: problem %d: %w", d.TicketID, i, err)
			}
		}
		return d, err
	case CommandRefused:
		d, err := as[CommandRefusedData](data)
		d.Subject = oneLine(d.Subject)
		if err == nil && !slices.Contains(refusalReasons, d.Reason) {
			err = fmt.Errorf("unknown Reason %q", d.Reason)
		}
		return d, err
	case Onsite:
		d, err := as[OnsiteData](data)
		if err == nil {
			d.Ticket, err = d.Ticket.prepare()
		}
		if err == nil && d.At.IsZero() {
			err = fmt.Errorf("%s: no time for the visit", d.Ticket.ID)
		}
		return d, err
	}
	return prepareJobs(kind, data)
}

// check checks that c is a change the templates can write out.
func (c Change) check() error {
	priority := func(p string) bool { return p == "1" || p == "2" || p == "3" }
	switch c.Kind {
	case "started", "application", "called", "resolved", "closed":
	case "priority":
		switch {
		case !priority(c.From) || !priority(c.To):
			return fmt.Errorf("priority %q to %q, want 1, 2 or 3", c.From, c.To)
		case c.At.IsZero():
			return fmt.Errorf("priority change without the new deadline")
		}
	case "assigned":
		if c.To == "" {
			return fmt.Errorf("assigned to nobody")
		}
	case "work":
		if c.Minutes < 1 {
			return fmt.Errorf("work of %d minutes, want at least 1", c.Minutes)
		}
	case "onsite":
		if c.At.IsZero() {
			return fmt.Errorf("on-site visit without a time")
		}
	default:
		return fmt.Errorf("unknown change Kind %q", c.Kind)
	}
	return nil
}

// check checks that p is a problem the templates can write out.
func (p Problem) check() error {
	switch {
	case p.Line == "":
		return fmt.Errorf("no command line")
	case !slices.Contains(problemCodes, p.Code):
		return fmt.Errorf("unknown Code %q", p.Code)
	case p.Code == "not_allowed" && !slices.Contains(statuses, p.Status):
		return fmt.Errorf("not_allowed with unknown Status %q", p.Status)
	}
	return nil
}
