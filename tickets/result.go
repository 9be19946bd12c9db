package tickets

import "time"

// OutcomeKind says what an operation did, so the composer knows which mail
// to write.
type OutcomeKind string

// The outcomes.
const (
	// OutcomeFiled: a new ticket (acknowledgement, notice to consultants).
	OutcomeFiled OutcomeKind = "filed"
	// OutcomeAppended: a reply was added; the status did not change.
	OutcomeAppended OutcomeKind = "appended"
	// OutcomeApplied: a consultant's commands (possibly none) were applied.
	OutcomeApplied OutcomeKind = "applied"
	// OutcomeRejectedCommands: a consultant's mail had invalid commands;
	// nothing changed (SPEC §6).
	OutcomeRejectedCommands OutcomeKind = "commands_rejected"
	// OutcomeRefused: a mail from a consultant's address that does not
	// count as the consultant's (not authentic); nothing changed (SPEC §6).
	OutcomeRefused OutcomeKind = "refused"
	// OutcomeApproved: the customer approved the resolution; closed.
	OutcomeApproved OutcomeKind = "approved"
	// OutcomeReopened: a resolved ticket's fix was rejected, or a closed
	// ticket was reopened by a reply within the reopen window.
	OutcomeReopened OutcomeKind = "reopened"
	// OutcomeNewFromClosed: a reply to a ticket closed too long ago opened
	// a new ticket that refers to it; Result.Ticket is the new one.
	OutcomeNewFromClosed OutcomeKind = "new_from_closed"
)

// Change is one thing a command changed, for the receipt (SPEC §6).
type Change struct {
	Kind   string // the event kind: started, priority, application, assigned, work, called, onsite, resolved, closed, …
	Detail string // for the history, in English
	// The values a receipt writes out in its reader's language.
	From, To string    // priority ("3", "1"), application (ids, "" unknown), assigned (To)
	Minutes  int       // work
	At       time.Time // onsite: the visit; priority: the new deadline
	Implied  bool      // started: by the first reply to the customer, or by #resolve or #close
}

// Result is what an operation did.
type Result struct {
	Outcome OutcomeKind
	Ticket  Ticket
	// Previous is the ticket before the operation (zero when filed), so a
	// composer can say "priority 3 → 1".
	Previous Ticket
	Changes  []Change
	// Problems lists each invalid command when Outcome is
	// OutcomeRejectedCommands.
	Problems CommandErrors
	// ToCustomer: a consultant's text goes to the customer.
	ToCustomer bool
	// Duplicate: this Message-ID was stored before; nothing new was
	// written and Ticket is the one it concerned (SPEC §5).
	Duplicate bool
	// Outbox holds the ids of the outbox rows written.
	Outbox []int64
	// Thread is the Message-ID of the mail that opened the ticket, which
	// mail to the customer answers ("" when unknown).
	Thread string
	// Internal: the consultant wrote #internal; nothing goes to the
	// customer.
	Internal bool
}

// Outcome is what a Composer is given.
type Outcome struct {
	Kind       OutcomeKind
	Ticket     Ticket
	Previous   Ticket
	Changes    []Change
	Problems   CommandErrors
	ToCustomer bool
	Thread     string
	Internal   bool
	// Now is when the mail that caused the outcome arrived.
	Now time.Time
}

func (r *Result) outcome(now time.Time) Outcome {
	return Outcome{Kind: r.Outcome, Ticket: r.Ticket, Previous: r.Previous, Changes: r.Changes, Problems: r.Problems,
		ToCustomer: r.ToCustomer, Thread: r.Thread, Internal: r.Internal, Now: now}
}
