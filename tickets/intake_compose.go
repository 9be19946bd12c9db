package tickets

import (
	"fmt"
	"time"

	"sosd/mail"
	"sosd/templates"
)

// consultantLanguage is the language of mail to the consultancy's own
// staff.
const consultantLanguage = "sv"

// consultantsOf is who works ticket t: its assignee, or every consultant
// while nobody is assigned.
func (cfg *IntakeConfig) consultantsOf(t Ticket) []string {
	if t.Assignee != "" {
		return []string{t.Assignee}
	}
	return cfg.Consultants
}

// templateTicket is the ticket as the templates show it.
func (cfg *IntakeConfig) templateTicket(t Ticket) templates.Ticket {
	tt := templates.Ticket{
		ID: t.ID.String(), Subject: t.Subject, Priority: t.Priority, PriorityName: cfg.Priorities[t.Priority].Name,
		Customer: t.Customer, Reporter: t.Reporter,
		Received: t.Received.In(cfg.Location), Deadline: t.Deadline.In(cfg.Location),
	}
	if c := cfg.Directory.Customer(t.Customer); c != nil {
		tt.Customer = c.Name
		for _, a := range c.Applications {
			if a.ID == t.Application {
				tt.Application = a.Name
			}
		}
	}
	return tt
}

// draft renders kind in lang and composes it into one Outgoing mail to
// one recipient, with that recipient's signed reply address when the mail
// is about a ticket.
func (cfg *IntakeConfig) draft(kind templates.Kind, lang string, data any, ticket ID, to string, now time.Time, auto string, thread *mail.Message, attach []mail.Attachment) (Outgoing, error) {
	return cfg.renderDraft(kind, lang, data, ticket, to, now, auto, thread, extras{attach: attach})
}

// draftWith is draft with no attachments and an iCalendar alternative.
func (cfg *IntakeConfig) draftWith(kind templates.Kind, lang string, data any, ticket ID, to string, now time.Time, auto string, thread *mail.Message, calendar string) (Outgoing, error) {
	return cfg.renderDraft(kind, lang, data, ticket, to, now, auto, thread, extras{calendar: calendar})
}

// extras are the parts of a mail beyond its text and HTML.
type extras struct {
	attach, inline []mail.Attachment
	calendar       string
}

func (cfg *IntakeConfig) renderDraft(kind templates.Kind, lang string, data any, ticket ID, to string, now time.Time, auto string, thread *mail.Message, x extras) (Outgoing, error) {
	r, err := cfg.Templates.Render(kind, lang, data)
	if err != nil {
		return Outgoing{}, err
	}
	return cfg.outgoing(kind, r, ticket, to, now, auto, thread, x)
}

// outgoing composes rendered mail r of kind to one recipient: from the
// support address, with to's signed reply address when it is about a
// ticket, threaded under thread when there is one.
func (cfg *IntakeConfig) outgoing(kind templates.Kind, r templates.Rendered, ticket ID, to string, now time.Time, auto string, thread *mail.Message, x extras) (Outgoing, error) {
	support := cfg.Directory.Support
	d := mail.Draft{
		MessageID:     mail.NewMessageID(int64(ticket), string(kind), mail.DomainOf(support)),
		Date:          now.In(cfg.Location),
		From:          support,
		To:            []string{to},
		Subject:       r.Subject,
		AutoSubmitted: auto,
		Text:          r.Text,
		HTML:          r.HTML,
		Attachments:   x.attach,
		Inline:        x.inline,
		Calendar:      x.calendar,
	}
	if ticket != 0 && cfg.Signer != nil {
		d.ReplyTo = cfg.Signer.Address(int64(ticket), to)
	}
	if thread != nil && thread.MessageID != "" {
		d.InReplyTo = thread.MessageID
		d.References = append(append([]string{}, thread.References...), thread.MessageID)
	}
	raw, err := mail.Compose(d)
	if err != nil {
		return Outgoing{}, err
	}
	return Outgoing{Kind: string(kind), MessageID: d.MessageID, From: support, To: d.To, Subject: d.Subject, Raw: raw}, nil
}

// composeFiled renders what a new ticket sends: the acknowledgement to the
// reporter in the customer's language (SPEC §7) and a notice to each
// consultant, and at once to escalation.notify for priority 1 (SPEC §6).
func (in *Intake) composeFiled(cfg *IntakeConfig, msg *mail.Message, newText string) Composer {
	return func(o Outcome) ([]Outgoing, error) {
		t := o.Ticket
		tt := cfg.templateTicket(t)
		ackData := templates.AckData{Ticket: tt, Hours: cfg.Hours, Phone: cfg.Phone, SupportAddress: cfg.Directory.Support}
		if t.RefersTo != 0 {
			ackData.Refers = t.RefersTo.String()
		}
		ack, err := cfg.draft(templates.Ack, t.Language, ackData, t.ID, t.Reporter, t.Received, "auto-replied", msg, nil)
		if err != nil {
			return nil, err
		}
		out := []Outgoing{ack}
		var apps []string
		if c := cfg.Directory.Customer(t.Customer); c != nil {
			for _, a := range c.Applications {
				apps = append(apps, a.ID)
			}
		}
		recipients := cfg.Consultants
		if t.Priority == 1 {
			recipients = appendUnique(recipients, cfg.Notify...)
		}
		for _, to := range recipients {
			data := templates.ConsultantNoticeData{Ticket: tt, NewText: newText, Commands: true,
				ApplicationUnknown: t.Application == "", Applications: apps}
			if cfg.Signer != nil {
				data.ReplyHint = cfg.Signer.Address(int64(t.ID), to)
			}
			n, err := cfg.draft(templates.ConsultantNotice, consultantLanguage, data, t.ID, to, t.Received, "auto-generated", nil, nil)
			if err != nil {
				return nil, err
			}
			out = append(out, n)
		}
		return out, nil
	}
}

// composeReply renders what a customer's reply sends: a notice to the
// ticket's consultant (or all of them), and for a reply that opened a new
// ticket, that ticket's acknowledgement and notices.
func (in *Intake) composeReply(cfg *IntakeConfig, msg *mail.Message, c mail.Classification, now time.Time) Composer {
	return func(o Outcome) ([]Outgoing, error) {
		if o.Kind == OutcomeNewFromClosed {
			return in.composeFiled(cfg, msg, c.NewText)(o)
		}
		t := o.Ticket
		note := ""
		switch {
		case o.Kind == OutcomeApproved:
			note = "approved"
		case o.Kind == OutcomeReopened && o.Previous.Status == StatusResolved:
			note = "rejected"
		case o.Kind == OutcomeReopened:
			note = "reopened"
		case len(o.Changes) > 0 && o.Changes[0].Kind == "priority_requested":
			note = "priority_requested"
		}
		recipients := cfg.consultantsOf(t)
		var out []Outgoing
		for _, to := range recipients {
			data := templates.ReplyNoticeData{Ticket: cfg.templateTicket(t), From: c.Sender, NewText: c.NewText, StatusNote: note}
			n, err := cfg.draft(templates.ReplyNotice, consultantLanguage, data, t.ID, to, now, "auto-generated", nil, nil)
			if err != nil {
				return nil, err
			}
			out = append(out, n)
		}
		// The customer hears what their reply did (SPEC §7).
		var kind templates.Kind
		var data any
		switch note {
		case "approved":
			kind, data = templates.Approved, templates.ApprovedData{Ticket: cfg.templateTicket(t)}
		case "rejected":
			kind, data = templates.Reopened, templates.ReopenedData{Ticket: cfg.templateTicket(t), Reason: "rejected"}
		case "reopened":
			kind, data = templates.Reopened, templates.ReopenedData{Ticket: cfg.templateTicket(t), Reason: "reply_after_close"}
		}
		if kind != "" {
			n, err := cfg.draft(kind, t.Language, data, t.ID, c.Sender, now, "auto-replied", msg, nil)
			if err != nil {
				return nil, err
			}
			out = append(out, n)
		}
		return out, nil
	}
}

// composeUnknown renders the polite notice to a sender who is not a
// customer (SPEC §5). The sender's language is unknown; the consultancy's,
// Swedish, is used.
func (in *Intake) composeUnknown(cfg *IntakeConfig, msg *mail.Message, sender string, now time.Time) ([]Outgoing, error) {
	data := templates.UnknownSenderData{Sender: sender, Subject: msg.Subject, SupportAddress: cfg.Directory.Support, Phone: cfg.Phone}
	n, err := cfg.draft(templates.UnknownSender, consultantLanguage, data, 0, sender, now, "auto-replied", msg, nil)
	if err != nil {
		return nil, err
	}
	return []Outgoing{n}, nil
}

// composeQuarantine renders the notice of a mail kept for review, raw mail
// attached.
func (in *Intake) composeQuarantine(cfg *IntakeConfig, env mail.Envelope, reason string) ([]Outgoing, error) {
	data := templates.QuarantineData{Reason: reason, From: env.MailFrom, Received: env.Received.In(cfg.Location)}
	attach := []mail.Attachment{{Filename: "mail.eml", ContentType: "message/rfc822", Data: env.Raw}}
	return cfg.toEach(cfg.Consultants, templates.QuarantineNotice, data, 0, env.Received, attach...)
}

// toEach renders kind for each recipient in the consultants' language, as
// automatic mail about ticket (0: none), with attachments.
func (cfg *IntakeConfig) toEach(recipients []string, kind templates.Kind, data any, ticket ID, now time.Time, attach ...mail.Attachment) ([]Outgoing, error) {
	var out []Outgoing
	for _, to := range recipients {
		n, err := cfg.draft(kind, consultantLanguage, data, ticket, to, now, "auto-generated", nil, attach)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", kind, err)
		}
		out = append(out, n)
	}
	return out, nil
}

func appendUnique(list []string, more ...string) []string {
	out := append([]string{}, list...)
	for _, m := range more {
		found := false
		for _, x := range out {
			if x == m {
				found = true
			}
		}
		if !found {
			out = append(out, m)
		}
	}
	return out
}
