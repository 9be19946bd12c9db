package tickets

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"sosd/mail"
	"sosd/sla"
	"sosd/templates"
)

// IntakeConfig is what intake needs from the configuration; a reload swaps
// it whole.
type IntakeConfig struct {
	Directory   *mail.Directory
	Signer      *mail.Signer
	Templates   *templates.Set
	Priorities  map[int]sla.Priority
	Hours       templates.Hours
	Phone       string
	Consultants []string // addresses
	Notify      []string // escalation.notify: told at once of priority 1
	// LoopLimit: more mails than this from one sender in an hour produce
	// no more outgoing mail to that sender (SPEC §5).
	LoopLimit int
	// ReopenWithin: a reply to a closed ticket within it reopens the
	// ticket (SPEC §7).
	ReopenWithin time.Duration
	Location     *time.Location
	// ConsultantNames maps a consultant's address to the name the
	// customer sees on the consultant's replies.
	ConsultantNames map[string]string
	// Auth checks that a consultant's mail not sent to a signed reply
	// address really comes from the consultant's domain (SPEC §6).
	Auth mail.AuthOptions
	// Jobs configures escalation, the four-hour rule and the reports.
	Jobs JobsConfig
}

// Defaults of SPEC §5 and §7.
const (
	DefaultLoopLimit    = 20
	DefaultReopenWithin = 7 * 24 * time.Hour
)

// Intake turns classified mail into tickets, history and outgoing mail:
// the mail.Filer of the SMTP server. Each mail is one transaction.
type Intake struct {
	store *Store
	cfg   atomic.Pointer[IntakeConfig]
	log   *slog.Logger
}

var _ mail.Filer = (*Intake)(nil)

// NewIntake returns the intake of store.
func NewIntake(store *Store, cfg *IntakeConfig, log *slog.Logger) *Intake {
	in := &Intake{store: store, log: log}
	in.cfg.Store(cfg)
	return in
}

// SetConfig swaps the configuration (reload).
func (in *Intake) SetConfig(cfg *IntakeConfig) { in.cfg.Store(cfg) }

func inboundOf(env mail.Envelope, msg *mail.Message, sender string) Inbound {
	ib := Inbound{MessageID: msg.MessageID, From: sender, To: env.RcptTo, Subject: msg.Subject, Received: env.Received, Raw: env.Raw, Remote: env.Remote}
	for _, a := range msg.Attachments {
		ib.Attachments = append(ib.Attachments, Attachment{Filename: a.Filename, ContentType: a.ContentType, Data: a.Data})
	}
	return ib
}

// File stores one classified mail (SPEC §5 and §7).
func (in *Intake) File(ctx context.Context, env mail.Envelope, msg *mail.Message, c mail.Classification) error {
	cfg := in.cfg.Load()
	ib := inboundOf(env, msg, c.Sender)
	// The loop breaker: past the limit, this sender's mail is stored but
	// causes no outgoing mail; consultants are told once a day.
	quiet := false
	if c.Class != mail.ClassAutomatic {
		n, err := in.store.RecentFrom(ctx, c.Sender, env.Received.Add(-time.Hour))
		if err != nil {
			return err
		}
		quiet = n >= cfg.LoopLimit
	}
	if quiet {
		if err := in.loopNotice(ctx, cfg, c.Sender, env.Received); err != nil {
			return err
		}
	}

	if c.Ticket != 0 && (c.Class == mail.ClassReply || c.Class == mail.ClassAutomatic) {
		err := in.reply(ctx, cfg, ib, msg, c, quiet)
		if !errors.Is(err, ErrNotFound) {
			return err
		}
		// A stray [SOS-n]: file the mail by its sender instead.
		if c.Class == mail.ClassReply {
			c = c.AsNew(msg)
		}
	}
	switch c.Class {
	case mail.ClassAutomatic:
		_, err := in.store.Keep(ctx, ib, "automatic: "+c.Reason, nil, nil)
		return err
	case mail.ClassConsultant:
		return in.consultantWithoutTicket(ctx, cfg, ib, msg, c, quiet)
	case mail.ClassCustomer:
		nt := NewTicket{Customer: c.Customer.ID, Application: c.Application, Priority: c.Priority,
			Language: c.Customer.Language, Reporter: c.Sender, Subject: msg.Subject}
		compose := in.composeFiled(cfg, msg, c.NewText)
		if quiet {
			compose = nil
		}
		res, err := in.store.File(ctx, ib, nt, compose)
		if err == nil && !res.Duplicate {
			in.log.Info("ticket filed", "ticket", res.Ticket.ID.String(), "priority", res.Ticket.Priority, "customer", res.Ticket.Customer)
		}
		return err
	default:
		var once *Once
		var compose func() ([]Outgoing, error)
		if !quiet {
			once = &Once{Subject: c.Sender + "/" + env.Received.In(cfg.Location).Format(time.DateOnly), Kind: "unknown_sender"}
			compose = func() ([]Outgoing, error) { return in.composeUnknown(cfg, msg, c.Sender, env.Received) }
		}
		_, err := in.store.Keep(ctx, ib, c.Reason, once, compose)
		return err
	}
}

// reply adds a reply to its ticket; ErrNotFound when there is none.
func (in *Intake) reply(ctx context.Context, cfg *IntakeConfig, ib Inbound, msg *mail.Message, c mail.Classification, quiet bool) error {
	id := ID(c.Ticket)
	if c.Class == mail.ClassAutomatic {
		// An out-of-office answer or a bounce about the ticket: kept in
		// its history, never changes its state, never answered.
		_, err := in.store.CustomerReply(ctx, id, CustomerReply{Mail: ib, Automatic: true}, cfg.ReopenWithin, nil)
		return err
	}
	if c.Consultant {
		return in.consultantReply(ctx, cfg, id, ib, msg, c, quiet)
	}
	r := CustomerReply{
		Mail:            ib,
		Approves:        mail.Approves(c.NewText),
		OnlyThanks:      mail.OnlyThanks(c.NewText),
		PriorityRequest: mail.Priority(msg.Subject, c.NewText),
		Priority:        mail.Priority(msg.Subject, c.NewText),
	}
	if r.PriorityRequest == 3 {
		r.PriorityRequest = 0
	}
	var compose Composer
	if !quiet {
		compose = in.composeReply(cfg, msg, c, ib.Received)
	}
	_, err := in.store.CustomerReply(ctx, id, r, cfg.ReopenWithin, compose)
	return err
}

// Quarantine keeps an unparseable mail and tells the consultants once,
// with the raw mail attached (SPEC §5).
func (in *Intake) Quarantine(ctx context.Context, env mail.Envelope, reason string) error {
	cfg := in.cfg.Load()
	from := strings.ToLower(env.MailFrom)
	ib := Inbound{From: from, To: env.RcptTo, Received: env.Received, Raw: env.Raw}
	_, err := in.store.Keep(ctx, ib, reason, nil, func() ([]Outgoing, error) {
		return in.composeQuarantine(cfg, env, reason)
	})
	return err
}

// loopNotice tells the consultants once a day that a sender is over the
// loop limit.
func (in *Intake) loopNotice(ctx context.Context, cfg *IntakeConfig, sender string, now time.Time) error {
	subject := sender + "/" + now.In(cfg.Location).Format(time.DateOnly)
	_, err := in.store.Notice(ctx, subject, "loop", 0, now, func() ([]Outgoing, error) {
		data := templates.LoopData{Sender: sender, Limit: cfg.LoopLimit, Received: now.In(cfg.Location)}
		return cfg.toEach(cfg.Consultants, templates.LoopNotice, data, 0, now)
	})
	return err
}

// ReportFailure tells escalation.notify (the consultants when it is empty)
// once that an outgoing mail was refused permanently, and records it in
// the ticket's history (SPEC §10). Failures of these reports themselves
// are not reported again, so a dead notify address cannot loop.
func (in *Intake) ReportFailure(ctx context.Context, it mail.OutboxItem, reason string) error {
	if it.Kind == string(templates.DeliveryFailed) {
		return nil
	}
	cfg := in.cfg.Load()
	now := time.Now()
	to := cfg.Notify
	if len(to) == 0 {
		to = cfg.Consultants
	}
	ticket := ID(it.Ticket)
	_, err := in.store.Notice(ctx, fmt.Sprintf("outbox/%d", it.ID), "delivery_failed", ticket, now, func() ([]Outgoing, error) {
		data := templates.DeliveryFailedData{MailKind: it.Kind, To: strings.Join(it.To, ", "), Subject: it.Subject,
			MessageID: "<" + it.MessageID + ">", Reason: reason, Failed: now.In(cfg.Location)}
		if ticket != 0 {
			data.Ticket = ticket.String()
		}
		return cfg.toEach(to, templates.DeliveryFailed, data, ticket, now)
	})
	return err
}

// ReportUnreported reports each mail given up whose report was lost (a
// crash between marking it failed and reporting it); the every-minute job
// runs it. It returns how many it reported.
func (in *Intake) ReportUnreported(ctx context.Context) (int, error) {
	failed, err := in.store.Unreported(ctx, 100)
	if err != nil {
		return 0, err
	}
	var errs []error
	for _, f := range failed {
		if err := in.ReportFailure(ctx, f.Item, f.Reason); err != nil {
			errs = append(errs, err)
		}
	}
	return len(failed) - len(errs), errors.Join(errs...)
}
