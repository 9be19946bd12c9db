package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"sosd/sla"
)

func slaDeadlineCommand() *command {
	return &command{
		name: "sla deadline",
		args: "--priority N --reported RFC3339 [--config F] [--explain]",
		help: "print the committed start time of a ticket of priority N reported at the given instant",
		run:  (*app).slaDeadline,
	}
}

func slaCalendarCommand() *command {
	return &command{
		name: "sla calendar",
		args: "--year YYYY [--json] [--config F]",
		help: "list the holidays, closure days and eves of a year that fall on open days",
		run:  (*app).slaCalendar,
	}
}

// slaConfig loads the configuration for the sla commands; with no file
// anywhere the built-in calendar and priorities apply (SPEC §4).
func (a *app) slaConfig(path string) (*config, int) {
	c, res, err := a.loadConfig(path)
	switch res {
	case configMissing:
		c, err := defaultConfig()
		if err != nil {
			return nil, a.errorf(exitError, "%v", err)
		}
		return c, exitOK
	case configInvalid:
		a.printConfigErrors(err)
		return nil, exitError
	}
	return c, exitOK
}

func (a *app) slaDeadline(c *command, args []string) int {
	fs := c.flagSet()
	priority := fs.Int("priority", 0, "the ticket's priority: 1, 2 or 3")
	reported := fs.String("reported", "", "when the ticket was reported, RFC 3339 (2026-11-30T15:00:00+01:00)")
	cfgPath := fs.String("config", "", "configuration file (default ./config.yaml, then /etc/sosd/config.yaml, else built-in)")
	explain := fs.Bool("explain", false, "also list the open hours that make up the window")
	if code, done := a.parse(c, fs, args); done {
		return code
	}
	if *reported == "" {
		return a.usageError(c, "--reported is required")
	}
	at, err := time.Parse(time.RFC3339Nano, *reported)
	if err != nil {
		return a.usageError(c, "--reported %q is not an RFC 3339 time such as 2026-11-30T15:00:00+01:00", *reported)
	}
	if *priority < 1 || *priority > 3 {
		return a.usageError(c, "--priority must be 1, 2 or 3")
	}
	cfg, code := a.slaConfig(*cfgPath)
	if cfg == nil {
		return code
	}
	window := cfg.Priorities[*priority].StartWithin
	deadline := cfg.Calendar.Deadline(at, window)
	fmt.Fprintln(a.stdout, deadline.Format(rfc3339Offset))
	if *explain {
		writeExplanation(a.stdout, cfg.Calendar.Explain(at, window))
	}
	return exitOK
}

// rfc3339Offset is RFC 3339 that always writes the zone's offset, also
// +00:00 where time.RFC3339 would write Z (SPEC §9: "with the calendar
// zone's offset"); fractions of a second appear only when present.
const rfc3339Offset = "2006-01-02T15:04:05.999999999-07:00"

// writeExplanation prints one line per open interval: the day, the hours
// that counted, their length and why the day had those hours.
func writeExplanation(w io.Writer, ivs []sla.Interval) {
	var total time.Duration
	for _, iv := range ivs {
		total += iv.Duration()
		fmt.Fprintf(w, "  %s %s %s-%s  %-6s total %-7s %s\n",
			iv.Start.Format(time.DateOnly), iv.Start.Format("Mon"),
			iv.Start.Format("15:04:05"), clockAt(iv.End, iv.Day.Date),
			formatDuration(iv.Duration()), formatDuration(total), describeDay(iv.Day))
	}
}

// clockAt prints an interval's end, writing midnight at the end of day d
// as 24:00:00 as the configuration does.
func clockAt(t time.Time, d sla.Date) string {
	if sla.DateOf(t) != d {
		return "24:00:00"
	}
	return t.Format("15:04:05")
}

func describeDay(d sla.Day) string {
	if d.Name == "" {
		return fmt.Sprintf("%s (%s)", d.Kind, d.Hours)
	}
	return fmt.Sprintf("%s %s (%s)", d.Kind, d.Name, d.Hours)
}

// formatDuration writes 8h, 1h30m or 45m10s rather than 8h0m0s.
func formatDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// calendarDay is one element of `sla calendar --json` (SPEC §9), with the
// keys in the order the spec shows them.
type calendarDay struct {
	Date   string `json:"date"`
	Closed bool   `json:"closed"`
	Opens  string `json:"opens,omitempty"`
	Closes string `json:"closes,omitempty"`
	Name   string `json:"name"`
}

func (a *app) slaCalendar(c *command, args []string) int {
	fs := c.flagSet()
	year := fs.String("year", "", "the year to list, YYYY")
	asJSON := fs.Bool("json", false, "print a JSON array")
	cfgPath := fs.String("config", "", "configuration file (default ./config.yaml, then /etc/sosd/config.yaml, else built-in)")
	if code, done := a.parse(c, fs, args); done {
		return code
	}
	if *year == "" {
		return a.usageError(c, "--year is required")
	}
	y, err := strconv.Atoi(*year)
	if err != nil || len(*year) != 4 || y < 1900 || y > 2200 {
		return a.usageError(c, "--year %q is not a year from 1900 to 2200", *year)
	}
	cfg, code := a.slaConfig(*cfgPath)
	if cfg == nil {
		return code
	}
	days := cfg.Calendar.Exceptions(sla.Date{Year: y, Month: time.January, Day: 1}, sla.Date{Year: y, Month: time.December, Day: 31})
	if !*asJSON {
		for _, d := range days {
			fmt.Fprintln(a.stdout, formatDay(d))
		}
		return exitOK
	}
	out := make([]calendarDay, 0, len(days))
	for _, d := range days {
		cd := calendarDay{Date: d.Date.String(), Closed: !d.Open(), Name: d.Name}
		if d.Open() {
			cd.Opens, cd.Closes = d.Hours.Open.String(), d.Hours.Close.String()
		}
		out = append(out, cd)
	}
	b, err := json.Marshal(out)
	if err != nil {
		return a.errorf(exitError, "encode calendar: %v", err)
	}
	fmt.Fprintf(a.stdout, "%s\n", b)
	return exitOK
}

// formatDay is the text line of a special day, shared by `sla calendar` and
// `check-config`: 2026-04-02 Thu 08:30-14:00 Skärtorsdagen.
func formatDay(d sla.Day) string {
	hours := "closed     "
	if d.Open() {
		hours = d.Hours.String()
	}
	return fmt.Sprintf("%s %s %s %s", d.Date, d.Date.Weekday().String()[:3], hours, d.Name)
}
