package tickets

import (
	"context"
	"fmt"
	"strings"
	"time"

	"sosd/mail"
	"sosd/templates"
)

// authTimeout bounds the DNS work of checking a consultant's DKIM
// signature, so a slow resolver delays one SMTP session, not intake.
const authTimeout = 10 * time.Second

// consultantReply applies a consultant's mail about ticket id: its
// commands and its text for the customer (SPEC §6). It counts only when
// it came to the ticket's signed reply address for this consultant, or
// its DKIM signature (or a trusted relay's Authentication-Results) vouches
// for the consultant's domain; otherwise nothing changes, the attempt is
// in the history and the consultant is told why. ErrNotFound when there
// is no such ticket.
func (in *Intake) consultantReply(ctx context.Context, cfg *IntakeConfig, id ID, ib Inbound, msg *mail.Message, c mail.Classification, quiet bool) error {
	t, err := in.store.Ticket(ctx, id)
	if err != nil {
		return err
	}
	var apps []string
	if cu := cfg.Directory.Customer(t.Customer); cu != nil {
		for _, a := range cu.Applications {
			apps = append(apps, a.ID)
		}
	}
	ct := ParseCommands(c.NewText, CommandContext{Applications: apps, Consultants: cfg.Consultants, Location: cfg.Location})
	r := ConsultantReply{Consultant: c.Sender, Mail: ib, Commands: ct.Commands, Unreadable: ct.Problems, HasText: ct.Text != ""}
	proof := "signed reply address"
	if !c.Signed {
		actx, cancel := context.WithTimeout(ctx, authTimeout)
		opt := cfg.Auth
		opt.Remote = ib.Remote
		a := mail.Authenticate(actx, ib.Raw, c.Sender, opt)
		cancel()
		switch {
		case a.Pass:
			proof = a.Method
		case a.Temporary:
			// DNS failed on the way: the sender's server tries again
			// (451) rather than the consultant's commands being refused.
			return fmt.Errorf("authenticate %s: temporary failure, the sender will retry: %s", c.Sender, a.Reason)
		default:
			proof = ""
			r.Refused = "not authentic: " + a.Reason
		}
	}
	// The loop breaker counts a sender's mail, and a busy consultant may
	// write more than loop_limit an hour. Their authenticated mail is
	// never a loop (their auto-replies are automatic mail, never
	// answered), and its text must reach the customer: only a mail that
	// does not count as theirs stays quiet, so forged mail cannot flood
	// the real consultant with refusals.
	if r.Refused == "" {
		quiet = false
	}
	var compose Composer
	if !quiet {
		compose = in.composeConsultant(cfg, msg, c.Sender, ct.Text)
	}
	res, err := in.store.Apply(ctx, id, r, compose)
	if err == nil && !res.Duplicate {
		in.log.Info("consultant mail", "ticket", id.String(), "outcome", string(res.Outcome), "proof", proof,
			"commands", len(r.Commands), "changes", len(res.Changes))
	}
	return err
}

// consultantWithoutTicket keeps a consultant's mail that names no ticket:
// it opens nothing (SPEC §6), and the consultant is told how to reach a
// ticket.
func (in *Intake) consultantWithoutTicket(ctx context.Context, cfg *IntakeConfig, ib Inbound, msg *mail.Message, c mail.Classification, quiet bool) error {
	var compose func() ([]Outgoing, error)
	if !quiet {
		compose = func() ([]Outgoing, error) {
			data := templates.CommandRefusedData{Subject: msg.Subject, SupportAddress: cfg.Directory.Support, Reason: "no_ticket"}
			n, err := cfg.draft(templates.CommandRefused, consultantLanguage, data, 0, c.Sender, ib.Received, "auto-replied", msg, nil)
			if err != nil {
				return nil, err
			}
			return []Outgoing{n}, nil
		}
	}
	_, err := in.store.Keep(ctx, ib, c.Reason, nil, compose)
	return err
}

// composeConsultant renders what a consultant's mail sends: to the
// consultant a receipt, the problems, or the refusal; to the customer the
// consultant's text, the proposed fix with how to approve it, or the
// booked visit with a calendar entry. #internal sends nothing to the
// customer, not even a resolution or a visit: the consultant has chosen
// to tell the customer another way.
func (in *Intake) composeConsultant(cfg *IntakeConfig, msg *mail.Message, consultant, text string) Composer {
	return func(o Outcome) ([]Outgoing, error) {
		t := o.Ticket
		now := o.Now
		tt := cfg.templateTicket(t)
		toConsultant := func(kind templates.Kind, data any) ([]Outgoing, error) {
			n, err := cfg.draft(kind, consultantLanguage, data, t.ID, consultant, now, "auto-replied", msg, nil)
			if err != nil {
				return nil, err
			}
			return []Outgoing{n}, nil
		}
		switch o.Kind {
		case OutcomeRefused:
			return toConsultant(templates.CommandRefused, templates.CommandRefusedData{TicketID: t.ID.String(), Subject: msg.Subject,
				SupportAddress: cfg.Directory.Support, Reason: "not_authentic"})
		case OutcomeRejectedCommands:
			data := templates.CommandErrorData{TicketID: t.ID.String(), Subject: msg.Subject}
			for _, p := range o.Problems {
				data.Problems = append(data.Problems, templates.Problem{Line: problemLine(p), Code: p.Code,
					Status: string(p.Status()), Valid: p.Valid})
			}
			return toConsultant(templates.CommandError, data)
		case OutcomeApplied:
		default:
			return nil, nil
		}

		internal := o.Internal
		receipt := templates.ReceiptData{Ticket: tt, ToCustomer: o.ToCustomer, Internal: internal}
		var resolved bool
		var visits []time.Time
		for _, ch := range o.Changes {
			tc := templates.Change{Kind: ch.Kind, From: ch.From, To: ch.To, Minutes: ch.Minutes, Implied: ch.Implied}
			if !ch.At.IsZero() {
				tc.At = ch.At.In(cfg.Location)
			}
			if ch.Kind == "application" {
				tc.From, tc.To = cfg.applicationName(t.Customer, ch.From), cfg.applicationName(t.Customer, ch.To)
			}
			receipt.Changes = append(receipt.Changes, tc)
			switch ch.Kind {
			case "resolved":
				resolved = true
			case "onsite":
				visits = append(visits, ch.At)
			}
		}
		out, err := toConsultant(templates.Receipt, receipt)
		if err != nil || internal {
			return out, err
		}

		// To the customer, in the ticket's thread and language.
		var thread *mail.Message
		if strings.Contains(o.Thread, "@") {
			thread = &mail.Message{MessageID: o.Thread}
		}
		name := cfg.consultantName(consultant)
		toCustomer := func(kind templates.Kind, data any, calendar string) error {
			n, err := cfg.draftWith(kind, t.Language, data, t.ID, t.Reporter, now, "", thread, calendar)
			if err == nil {
				out = append(out, n)
			}
			return err
		}
		textSent := false
		if resolved {
			if err := toCustomer(templates.Resolved, templates.ResolvedData{Ticket: tt, Consultant: name, Text: text}, ""); err != nil {
				return nil, err
			}
			textSent = true
		}
		for _, at := range visits {
			data := templates.OnsiteData{Ticket: tt, Consultant: name, At: at.In(cfg.Location)}
			if !textSent {
				data.Text, textSent = text, true
			}
			r, err := cfg.Templates.Render(templates.Onsite, t.Language, data)
			if err != nil {
				return nil, err
			}
			cal := mail.Calendar(mail.Event{
				UID:         mail.NewMessageID(int64(t.ID), "onsite", mail.DomainOf(cfg.Directory.Support)),
				Start:       at,
				Duration:    OnsiteDuration,
				Summary:     r.Subject,
				Description: r.Text,
				Organizer:   cfg.Directory.Support,
				Stamp:       now,
			})
			if err := toCustomer(templates.Onsite, data, cal); err != nil {
				return nil, err
			}
		}
		if o.ToCustomer && !textSent {
			if err := toCustomer(templates.ConsultantReply, templates.ConsultantReplyData{Ticket: tt, Consultant: name, Text: text}, ""); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
}

// OnsiteDuration is how long the calendar entry of a booked visit lasts;
// #onsite gives only the start.
const OnsiteDuration = 2 * time.Hour

// problemLine is the command line a problem concerns, as written.
func problemLine(p CommandError) string {
	if p.Command.Line != "" {
		return p.Command.Line
	}
	return "#" + string(p.Command.Kind)
}

// applicationName is the name of a customer's application id, "" for
// none.
func (cfg *IntakeConfig) applicationName(customer, id string) string {
	if id == "" {
		return ""
	}
	if c := cfg.Directory.Customer(customer); c != nil {
		for _, a := range c.Applications {
			if a.ID == id {
				return a.Name
			}
		}
	}
	return id
}

// consultantName is a consultant's name from the configuration, or the
// address.
func (cfg *IntakeConfig) consultantName(addr string) string {
	if n := cfg.ConsultantNames[addr]; n != "" {
		return n
	}
	return addr
}
