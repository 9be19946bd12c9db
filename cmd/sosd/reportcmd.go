package main

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"time"

	"sosd/templates"
	"sosd/tickets"
)

func reportCommand() *command {
	return &command{
		name: "report",
		args: "--customer ID --quarter 2026Q4 [--format text|html|json] [--send] [--config F]",
		help: "print a customer's quarterly status report, or queue it for sending with --send",
		run:  (*app).report,
	}
}

func (a *app) report(c *command, args []string) int {
	fl := c.flagSet()
	customer := fl.String("customer", "", "the customer's config id")
	quarter := fl.String("quarter", "", "the quarter, e.g. 2026Q4")
	format := fl.String("format", "text", "text, html or json")
	send := fl.Bool("send", false, "queue the report mail to the customer's contacts and account manager instead of printing it")
	cfgPath := fl.String("config", "", "configuration file (default ./config.yaml, then /etc/sosd/config.yaml)")
	if code, done := a.parse(c, fl, args); done {
		return code
	}
	if *customer == "" {
		return a.usageError(c, "--customer is required")
	}
	q, err := tickets.ParseQuarter(*quarter)
	if err != nil {
		return a.usageError(c, "--quarter: %v", err)
	}
	if *format != "text" && *format != "html" && *format != "json" {
		return a.usageError(c, "--format must be text, html or json, not %q", *format)
	}
	cfg, _, err := a.loadConfig(*cfgPath)
	if err != nil {
		a.printConfigErrors(err)
		return exitError
	}
	if !hasCustomer(cfg, *customer) {
		return a.errorf(exitError, "unknown customer %q", *customer)
	}
	tmpl, err := templates.New()
	if err != nil {
		return a.errorf(exitError, "%v", err)
	}
	rt, err := buildReportRuntime(cfg, tmpl)
	if err != nil {
		return a.errorf(exitError, "%v", err)
	}
	// Printing only reads; --send writes the outbox, where the running
	// daemon's worker picks the mail up.
	var store *tickets.Store
	if *send {
		// Never a new, empty database: a wrong path would mail the
		// customer a report of nothing.
		if _, err := os.Stat(cfg.File.Database); err != nil {
			return a.errorf(exitError, "database %s: %v", cfg.File.Database, err)
		}
		store, err = tickets.Open(a.ctx, cfg.File.Database, rt.policy)
	} else {
		store, err = tickets.OpenReader(a.ctx, cfg.File.Database)
		if errors.Is(err, fs.ErrNotExist) {
			return a.errorf(exitError, "database %s does not exist yet: no tickets to report", cfg.File.Database)
		}
	}
	if err != nil {
		return a.errorf(exitError, "%v", err)
	}
	defer store.Close()
	in := tickets.NewIntake(store, rt.intake, slog.New(slog.DiscardHandler))
	now := a.now()
	mails, r, err := in.ComposeReport(a.ctx, *customer, q, now)
	if err != nil {
		return a.errorf(exitError, "report %s %s: %v", *customer, q, err)
	}
	if *send {
		if len(mails) == 0 {
			return a.errorf(exitError, "customer %q has no contacts and no account manager to send the report to", *customer)
		}
		if err := store.Queue(a.ctx, now, mails); err != nil {
			return a.errorf(exitError, "queue report: %v", err)
		}
		for _, m := range mails {
			fmt.Fprintf(a.stdout, "queued %s to %s\n", m.MessageID, strings.Join(m.To, ", "))
		}
		return exitOK
	}
	loc := cfg.Calendar.Location()
	switch *format {
	case "json":
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(reportJSONOf(r, loc)); err != nil {
			return a.errorf(exitError, "%v", err)
		}
		return exitOK
	}
	lang := "sv"
	for _, cu := range cfg.File.Customers {
		if cu.ID == *customer && cu.Language != "" {
			lang = cu.Language
		}
	}
	data, charts, err := rt.intake.ReportData(r, lang)
	if err != nil {
		return a.errorf(exitError, "%v", err)
	}
	data.Printed = true
	out, err := tmpl.Render(templates.Report, lang, data)
	if err != nil {
		return a.errorf(exitError, "%v", err)
	}
	if *format == "text" {
		fmt.Fprint(a.stdout, out.Text)
		return exitOK
	}
	// Printed HTML has no mail around it to carry the images: they go
	// in as data: URLs instead of cid: references.
	html := out.HTML
	for _, ch := range charts {
		html = strings.ReplaceAll(html, "cid:"+ch.CID, "data:image/png;base64,"+base64.StdEncoding.EncodeToString(ch.PNG))
	}
	fmt.Fprint(a.stdout, html)
	return exitOK
}

// buildReportRuntime is buildRuntime for a command that sends no ticket
// mail: the reply-address secret may be missing (the daemon creates it).
func buildReportRuntime(cfg *config, tmpl *templates.Set) (*runtime, error) {
	rt, err := buildRuntime(cfg, tmpl)
	if err == nil || !errors.Is(err, fs.ErrNotExist) {
		return rt, err
	}
	copyCfg := *cfg
	copyCfg.File.Support.SecretFile = ""
	return buildRuntime(&copyCfg, tmpl)
}

// reportJSON is `sosd report --format json` (SPEC §9): every figure as a
// number, minutes of business time, times in RFC 3339 with the calendar
// zone's offset, absent ones null.
type reportJSON struct {
	Customer                string                      `json:"customer"`
	Quarter                 string                      `json:"quarter"`
	From                    string                      `json:"from"`
	To                      string                      `json:"to"`
	Tickets                 int                         `json:"tickets"`
	Met                     int                         `json:"met"`
	Breached                int                         `json:"breached"`
	SLAMetPercent           *float64                    `json:"sla_met_percent"`
	ByPriority              map[string]reportPriorityJS `json:"by_priority"`
	ByApplication           map[string]int              `json:"by_application"`
	Breaches                []reportBreachJSON          `json:"breaches"`
	ResolutionMedianMinutes *int                        `json:"resolution_median_minutes"`
	ResolutionP90Minutes    *int                        `json:"resolution_p90_minutes"`
	ResolutionWorstMinutes  *int                        `json:"resolution_worst_minutes"`
	OnsiteVisits            int                         `json:"onsite_visits"`
	WorkMinutes             int                         `json:"work_minutes"`
	FourHourCalls           int                         `json:"four_hour_calls"`
	Reopened                int                         `json:"reopened"`
	AwaitingApproval        int                         `json:"awaiting_approval"`
	Trend                   []reportTrendJSON           `json:"trend"`
	ComputedAt              string                      `json:"computed_at"`
}

type reportPriorityJS struct {
	Tickets               int      `json:"tickets"`
	Met                   int      `json:"met"`
	Breached              int      `json:"breached"`
	SLAMetPercent         *float64 `json:"sla_met_percent"`
	MedianResponseMinutes *int     `json:"median_response_minutes"`
	P90ResponseMinutes    *int     `json:"p90_response_minutes"`
	WorstResponseMinutes  *int     `json:"worst_response_minutes"`
}

type reportBreachJSON struct {
	ID       string  `json:"id"`
	Priority int     `json:"priority"`
	Subject  string  `json:"subject"`
	Deadline string  `json:"deadline"`
	Started  *string `json:"started"`
}

type reportTrendJSON struct {
	Quarter       string   `json:"quarter"`
	Tickets       int      `json:"tickets"`
	Met           int      `json:"met"`
	Breached      int      `json:"breached"`
	SLAMetPercent *float64 `json:"sla_met_percent"`
}

func reportJSONOf(r tickets.Report, loc *time.Location) reportJSON {
	out := reportJSON{
		Customer: r.Customer, Quarter: r.Quarter.String(),
		From: r.From.In(loc).Format(rfc3339Offset), To: r.To.In(loc).Format(rfc3339Offset),
		Tickets: r.Tickets, Met: r.Met, Breached: r.Breached, SLAMetPercent: r.SLAMetPercent(),
		ByPriority: map[string]reportPriorityJS{}, ByApplication: r.ByApplication, Breaches: []reportBreachJSON{},
		ResolutionMedianMinutes: r.ResolutionMedian, ResolutionP90Minutes: r.ResolutionP90, ResolutionWorstMinutes: r.ResolutionWorst,
		OnsiteVisits: r.OnsiteVisits, WorkMinutes: r.WorkMinutes, FourHourCalls: r.FourHourCalls,
		Reopened: r.Reopened, AwaitingApproval: r.AwaitingApproval, Trend: []reportTrendJSON{},
		ComputedAt: r.Now.In(loc).Format(rfc3339Offset),
	}
	for p, ps := range r.ByPriority {
		out.ByPriority[strconv.Itoa(p)] = reportPriorityJS{
			Tickets: ps.Tickets, Met: ps.Met, Breached: ps.Breached,
			SLAMetPercent:         ps.SLAMetPercent(),
			MedianResponseMinutes: ps.MedianResponse, P90ResponseMinutes: ps.P90Response, WorstResponseMinutes: ps.WorstResponse,
		}
	}
	for _, b := range r.Breaches {
		bj := reportBreachJSON{ID: b.ID.String(), Priority: b.Priority, Subject: b.Subject, Deadline: b.Deadline.In(loc).Format(rfc3339Offset)}
		if !b.Started.IsZero() {
			s := b.Started.In(loc).Format(rfc3339Offset)
			bj.Started = &s
		}
		out.Breaches = append(out.Breaches, bj)
	}
	for _, tp := range r.Trend {
		out.Trend = append(out.Trend, reportTrendJSON{Quarter: tp.Quarter.String(), Tickets: tp.Tickets, Met: tp.Met, Breached: tp.Breached, SLAMetPercent: tp.SLAMetPercent})
	}
	return out
}
