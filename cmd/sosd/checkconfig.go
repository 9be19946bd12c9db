package main

import (
	"fmt"
	"strings"

	"sosd/sla"
)

func checkConfigCommand() *command {
	return &command{
		name: "check-config",
		args: "[--config F]",
		help: "validate the configuration without starting; print a summary, or every error and exit 1",
		run:  (*app).checkConfig,
	}
}

// checkConfig runs exactly the loading and validation serve runs.
func (a *app) checkConfig(c *command, args []string) int {
	fs := c.flagSet()
	cfgPath := fs.String("config", "", "configuration file (default ./config.yaml, then /etc/sosd/config.yaml)")
	if code, done := a.parse(c, fs, args); done {
		return code
	}
	cfg, _, err := a.loadConfig(*cfgPath)
	if err != nil {
		a.printConfigErrors(err)
		return exitError
	}
	a.writeSummary(cfg)
	return exitOK
}

// nextSpecialDays is how many closed days and eves check-config shows.
const nextSpecialDays = 5

func (a *app) writeSummary(cfg *config) {
	f := cfg.File
	w := a.stdout
	fmt.Fprintf(w, "%s: OK\n", cfg.Path)
	ids := make([]string, len(f.Customers))
	apps := 0
	for i, c := range f.Customers {
		ids[i] = c.ID
		apps += len(c.Applications)
	}
	fmt.Fprintf(w, "customers:    %d (%s)\n", len(ids), strings.Join(ids, ", "))
	fmt.Fprintf(w, "applications: %d\n", apps)
	fmt.Fprintf(w, "consultants:  %d\n", len(f.Consultants))
	cc := cfg.Calendar.Config()
	closedEves := "none"
	if cc.Holidays != sla.HolidaysNone && len(cc.ClosedEves) > 0 {
		closedEves = strings.Join(cc.ClosedEves, ", ")
	}
	fmt.Fprintf(w, "calendar:     %s, holidays %s, %s %s, eves %s, closed eves %s, %d extra closed days\n",
		cc.Timezone, cc.Holidays, strings.Join(cc.Days, " "), cc.Hours, cc.EveHours, closedEves, len(cc.ExtraClosed))
	var prios []string
	for _, k := range []int{1, 2, 3} {
		p := cfg.Priorities[k]
		prios = append(prios, fmt.Sprintf("%d %s %s", k, p.Name, formatDuration(p.StartWithin)))
	}
	fmt.Fprintf(w, "priorities:   %s\n", strings.Join(prios, ", "))
	fmt.Fprintf(w, "smtp:         %s, support address %s\n", f.Listen.SMTP, f.Support.Address)
	if f.Outbound.Relay != "" {
		fmt.Fprintf(w, "outbound:     relay %s (starttls %s)\n", f.Outbound.Relay, f.Outbound.StartTLS)
	} else {
		fmt.Fprintf(w, "outbound:     no relay, mail is written to %s\n", f.Outbound.SpoolDir)
	}
	fmt.Fprintln(w, "next closed days and eves:")
	today := sla.DateOf(a.now().In(cfg.Calendar.Location()))
	var days []sla.Day
	// Scan a year at a time: a calendar with no holidays has none to show.
	for from := today; len(days) < nextSpecialDays && from.Before(today.AddDays(3*366)); from = from.AddDays(366) {
		days = append(days, cfg.Calendar.Exceptions(from, from.AddDays(365))...)
	}
	if len(days) == 0 {
		fmt.Fprintln(w, "  none")
	}
	for _, d := range days[:min(len(days), nextSpecialDays)] {
		fmt.Fprintf(w, "  %s\n", formatDay(d))
	}
}
