package main

import (
	"crypto/tls"
	"fmt"
	"os"
	"strings"

	"sosd/mail"
	"sosd/sla"
	"sosd/templates"
	"sosd/tickets"
)

// runtime is everything serve derives from one configuration. A reload
// builds a new one completely before swapping it in (STYLE L4).
type runtime struct {
	cfg    *config
	rules  *mail.Rules
	intake *tickets.IntakeConfig
	policy *tickets.Policy
	tls    *tls.Config
}

// buildRuntime derives the runtime from a validated configuration.
func buildRuntime(cfg *config, tmpl *templates.Set) (*runtime, error) {
	// No secret file: no signed reply addresses (only `sosd report`,
	// which sends no ticket mail, runs so).
	var signer *mail.Signer
	if cfg.File.Support.SecretFile != "" {
		secret, err := os.ReadFile(cfg.File.Support.SecretFile)
		if err != nil {
			return nil, fmt.Errorf("support.secret_file: %w", err)
		}
		if signer, err = mail.NewSigner([]byte(strings.TrimSpace(string(secret))), cfg.File.Support.Address); err != nil {
			return nil, err
		}
	}
	dir := cfg.directory()
	rt := &runtime{
		cfg:    cfg,
		rules:  &mail.Rules{Directory: dir, Signer: signer, Limits: mail.DefaultLimits()},
		policy: cfg.policy(),
	}
	var consultants []string
	for _, c := range cfg.File.Consultants {
		consultants = append(consultants, c.Email)
	}
	rt.intake = &tickets.IntakeConfig{
		Directory:       dir,
		Signer:          signer,
		Templates:       tmpl,
		Priorities:      cfg.Priorities,
		Hours:           supportHours(cfg.Calendar.Config()),
		Phone:           cfg.File.Support.Phone,
		Consultants:     consultants,
		Notify:          cfg.File.Escalation.Notify,
		LoopLimit:       cfg.File.Support.LoopLimit,
		ReopenWithin:    cfg.ReopenWithin,
		Location:        cfg.Calendar.Location(),
		ConsultantNames: map[string]string{},
		Auth:            mail.AuthOptions{TrustedAuthServIDs: cfg.File.Support.TrustedAuthservIDs, TrustedRelays: cfg.TrustedRelays},
	}
	for _, k := range cfg.File.Consultants {
		rt.intake.ConsultantNames[strings.ToLower(k.Email)] = k.Name
	}
	rt.intake.Jobs = tickets.JobsConfig{
		WarnAt:       cfg.File.Escalation.WarnAt,
		FourHourRule: cfg.FourHourRule,
		Calendar:     cfg.Calendar,
		Customers:    map[string]tickets.CustomerInfo{},
		Meeting:      cfg.Meeting,
	}
	for _, cu := range cfg.File.Customers {
		info := tickets.CustomerInfo{AccountManager: cu.AccountManager}
		for _, ct := range cu.Contacts {
			info.Contacts = append(info.Contacts, tickets.Contact{Name: ct.Name, Email: ct.Email, Phone: ct.Phone})
		}
		rt.intake.Jobs.Customers[cu.ID] = info
	}
	if cfg.File.Listen.TLSCert != "" {
		cert, err := tls.LoadX509KeyPair(cfg.File.Listen.TLSCert, cfg.File.Listen.TLSKey)
		if err != nil {
			return nil, fmt.Errorf("listen.tls_cert: %w", err)
		}
		rt.tls = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	return rt, nil
}

// directory is who is who for classification.
func (c *config) directory() *mail.Directory {
	d := &mail.Directory{Support: c.File.Support.Address, MaxHops: mail.DefaultMaxHops}
	for _, k := range c.File.Consultants {
		d.Consultants = append(d.Consultants, k.Email)
	}
	for _, cu := range c.File.Customers {
		mc := mail.Customer{ID: cu.ID, Name: cu.Name, Language: cu.Language, Domains: cu.Domains, Addresses: cu.Addresses}
		for _, a := range cu.Applications {
			mc.Applications = append(mc.Applications, mail.Application{ID: a.ID, Name: a.Name, Aliases: a.Aliases})
		}
		d.Customers = append(d.Customers, mc)
	}
	return d
}

// supportHours describes the calendar for the acknowledgement's text.
func supportHours(cc sla.CalendarConfig) templates.Hours {
	h := templates.Hours{Holidays: cc.Holidays == sla.HolidaysSE}
	for _, d := range cc.Days {
		if wd, ok := sla.ParseWeekday(d); ok {
			h.Days = append(h.Days, wd)
		}
	}
	if hours, err := sla.ParseHours(cc.Hours); err == nil {
		h.Open, h.Close = hours.Open.String(), hours.Close.String()
	}
	if eve, err := sla.ParseHours(cc.EveHours); err == nil && h.Holidays {
		h.EveOpen, h.EveClose = eve.Open.String(), eve.Close.String()
	}
	return h
}
