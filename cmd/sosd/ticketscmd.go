package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"text/tabwriter"
	"time"

	"sosd/tickets"
)

func ticketsListCommand() *command {
	return &command{
		name: "tickets list",
		args: "[--open] [--customer ID] [--json] [--config F]",
		help: "list tickets, newest first",
		run:  (*app).ticketsList,
	}
}

func ticketsShowCommand() *command {
	return &command{
		name: "tickets show",
		args: "SOS-n [--json] [--config F]",
		help: "show one ticket: its fields, its deadline explained, its history and its mail",
		run:  (*app).ticketsShow,
	}
}

// openTickets opens the configured database for reading. A database that
// does not exist yet holds no tickets; it is not created here, so a CLI
// run as another user never leaves files the daemon cannot write.
func (a *app) openTickets(cfgPath string) (*tickets.Store, *config, int) {
	cfg, _, err := a.loadConfig(cfgPath)
	if err != nil {
		a.printConfigErrors(err)
		return nil, nil, exitError
	}
	s, err := tickets.OpenReader(a.ctx, cfg.File.Database)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, cfg, exitOK
	}
	if err != nil {
		return nil, nil, a.errorf(exitError, "%v", err)
	}
	return s, cfg, exitOK
}

func (a *app) ticketsList(c *command, args []string) int {
	fs := c.flagSet()
	open := fs.Bool("open", false, "only tickets that are not closed")
	customer := fs.String("customer", "", "only this customer's tickets (config id)")
	asJSON := fs.Bool("json", false, "print a JSON array")
	cfgPath := fs.String("config", "", "configuration file (default ./config.yaml, then /etc/sosd/config.yaml)")
	if code, done := a.parse(c, fs, args); done {
		return code
	}
	s, cfg, code := a.openTickets(*cfgPath)
	if cfg == nil {
		return code
	}
	if *customer != "" && !hasCustomer(cfg, *customer) {
		return a.errorf(exitError, "unknown customer %q", *customer)
	}
	loc := cfg.Calendar.Location()
	now := a.now()
	each := func(fn func(tickets.Ticket) error) error {
		if s == nil {
			return nil
		}
		defer s.Close()
		return s.Each(a.ctx, tickets.Filter{OpenOnly: *open, Customer: *customer}, fn)
	}
	w := bufio.NewWriterSize(a.stdout, 64<<10)
	var err error
	if *asJSON {
		err = writeTicketsJSON(w, each, loc, now)
	} else {
		err = writeTicketsTable(w, each, loc, now)
	}
	if err == nil {
		err = w.Flush()
	}
	if err != nil {
		return a.errorf(exitError, "%v", err)
	}
	return exitOK
}

func (a *app) ticketsShow(c *command, args []string) int {
	// The id may stand before or after the flags: tickets show SOS-3 --json.
	var idArg string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		idArg, args = args[0], args[1:]
	}
	fs := c.flagSet()
	asJSON := fs.Bool("json", false, "print a JSON object")
	cfgPath := fs.String("config", "", "configuration file (default ./config.yaml, then /etc/sosd/config.yaml)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return a.help(c, fs)
		}
		return a.usageError(c, "%v", err)
	}
	if idArg == "" && fs.NArg() > 0 {
		idArg = fs.Arg(0)
		if fs.NArg() > 1 {
			return a.usageError(c, "unexpected argument %q", fs.Arg(1))
		}
	} else if fs.NArg() > 0 {
		return a.usageError(c, "unexpected argument %q", fs.Arg(0))
	}
	if idArg == "" {
		return a.usageError(c, "which ticket? give its id, e.g. SOS-12")
	}
	id, err := tickets.ParseID(idArg)
	if err != nil {
		return a.usageError(c, "%v", err)
	}
	s, cfg, code := a.openTickets(*cfgPath)
	if cfg == nil {
		return code
	}
	if s == nil {
		return a.errorf(exitError, "%s: no such ticket", id)
	}
	defer s.Close()
	d, err := s.Get(a.ctx, id)
	if errors.Is(err, tickets.ErrNotFound) {
		return a.errorf(exitError, "%s: no such ticket", id)
	}
	if err != nil {
		return a.errorf(exitError, "%v", err)
	}
	loc := cfg.Calendar.Location()
	if *asJSON {
		return a.printJSON(toDetailsJSON(d, loc, a.now()))
	}
	writeDetails(a.stdout, d, loc, a.now())
	return exitOK
}

func hasCustomer(cfg *config, id string) bool {
	for _, c := range cfg.File.Customers {
		if c.ID == id {
			return true
		}
	}
	return false
}

// writeTicketsJSON streams the array one object per line, so a listing
// of 100,000 tickets is never held whole.
func writeTicketsJSON(w *bufio.Writer, each func(func(tickets.Ticket) error) error, loc *time.Location, now time.Time) error {
	w.WriteString("[")
	first := true
	err := each(func(t tickets.Ticket) error {
		b, err := json.Marshal(toTicketJSON(t, loc, now))
		if err != nil {
			return fmt.Errorf("encode %s: %w", t.ID, err)
		}
		if !first {
			w.WriteString(",")
		}
		first = false
		w.WriteString("\n  ")
		_, err = w.Write(b)
		return err
	})
	if err != nil {
		return err
	}
	if !first {
		w.WriteString("\n")
	}
	_, err = w.WriteString("]\n")
	return err
}

// writeTicketsTable prints an aligned table. Column widths are those of the
// header and the longest values, so it holds the rows it prints.
func writeTicketsTable(w *bufio.Writer, each func(func(tickets.Ticket) error) error, loc *time.Location, now time.Time) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSTATUS\tPRIO\tCUSTOMER\tAPPLICATION\tRECEIVED\tDEADLINE\tBREACHED\tSUBJECT")
	err := each(func(t tickets.Ticket) error {
		breached := ""
		if t.Breached(now) {
			breached = "yes"
		}
		_, err := fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Status, t.Priority, t.Customer,
			orDash(t.Application), t.Received.In(loc).Format("2006-01-02 15:04"), t.Deadline.In(loc).Format("2006-01-02 15:04"),
			breached, oneLine(t.Subject, 60))
		return err
	})
	if err != nil {
		return err
	}
	return tw.Flush()
}

func (a *app) printJSON(v any) int {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return a.errorf(exitError, "encode JSON: %v", err)
	}
	fmt.Fprintf(a.stdout, "%s\n", b)
	return exitOK
}

// writeDetails prints a ticket for people: fields, the deadline explained
// interval by interval from the stored facts, the history and the mail.
func writeDetails(w io.Writer, d tickets.Details, loc *time.Location, now time.Time) {
	t := d.Ticket
	at := func(x time.Time) string {
		if x.IsZero() {
			return "-"
		}
		return x.In(loc).Format(rfc3339Offset)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 1, ' ', 0)
	fmt.Fprintf(tw, "%s\t%s\n", t.ID, t.Subject)
	rows := [][2]string{
		{"status", string(t.Status)},
		{"customer", t.Customer},
		{"application", orDash(t.Application)},
		{"priority", fmt.Sprint(t.Priority)},
		{"reporter", t.Reporter},
		{"assignee", orDash(t.Assignee)},
		{"received", at(t.Received)},
		{"deadline", at(t.Deadline)},
		{"started", at(t.Started)},
		{"resolved", at(t.Resolved)},
		{"closed", at(t.Closed)},
		{"breached", fmt.Sprint(t.Breached(now))},
		{"work", formatDuration(time.Duration(t.WorkMinutes) * time.Minute)},
		{"called", fmt.Sprint(t.Called)},
		{"on-site visits", fmt.Sprint(t.Onsite)},
		{"reopened", fmt.Sprint(t.Reopened)},
	}
	if t.RefersTo != 0 {
		rows = append(rows, [2]string{"refers to", t.RefersTo.String()})
	}
	for _, r := range rows {
		fmt.Fprintf(tw, "  %s:\t%s\n", r[0], r[1])
	}
	tw.Flush()
	f := t.Facts
	fmt.Fprintf(w, "\ndeadline: priority %d, %s of business time from %s, on %s %s (eves %s):\n",
		f.Priority, f.Window, at(f.FromInstant), f.Calendar.Timezone, f.Calendar.Hours, f.Calendar.EveHours)
	var total time.Duration
	for _, iv := range f.Intervals {
		d := iv.End.Sub(iv.Start)
		total += d
		name := iv.Kind
		if iv.Name != "" {
			name += " " + iv.Name
		}
		fmt.Fprintf(w, "  %s %s-%s  %-6s total %-7s %s (%s)\n", iv.Start.In(loc).Format("2006-01-02 Mon"),
			iv.Start.In(loc).Format("15:04:05"), iv.End.In(loc).Format("15:04:05"), formatDuration(d), formatDuration(total), name, iv.Hours)
	}
	fmt.Fprintln(w, "\nhistory:")
	for _, e := range d.Events {
		fmt.Fprintf(w, "  %s  %-18s %s  %s\n", e.At.In(loc).Format("2006-01-02 15:04:05"), e.Kind, e.Actor, e.Detail)
	}
	fmt.Fprintln(w, "\nmessages:")
	for _, m := range d.Messages {
		fmt.Fprintf(w, "  %s  %-3s %s → %s  %s  <%s>\n", m.At.In(loc).Format("2006-01-02 15:04:05"), m.Direction,
			m.From, strings.Join(m.To, ", "), m.Subject, m.MessageID)
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// oneLine shortens s to n runes on one line, for the table.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}
