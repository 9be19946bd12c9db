package tickets

import (
	"fmt"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Reading commands from a consultant's mail (SPEC §6). The lines at the
// top of the new text that begin with '#' are commands; the first line
// that does not ends them, and everything from there on is the text for
// the customer. A '#' line further down is text: a consultant quoting a
// command to a customer must not run it.

// Problem codes of an invalid command, as the command_error mail writes
// them out (templates.Problem).
const (
	ProblemUnknownCommand  = "unknown_command"
	ProblemMissingValue    = "missing_value"
	ProblemUnexpectedValue = "unexpected_value"
	ProblemBadPriority     = "bad_priority"
	ProblemBadApplication  = "bad_application"
	ProblemBadAddress      = "bad_address"
	ProblemNotConsultant   = "not_consultant"
	ProblemBadDuration     = "bad_duration"
	ProblemBadDatetime     = "bad_datetime"
	ProblemNotAllowed      = "not_allowed"
)

// CommandContext is what reading commands needs to know besides the text.
type CommandContext struct {
	// Applications are the ids #app accepts: the ticket's customer's.
	Applications []string
	// Consultants are the addresses #assign accepts.
	Consultants []string
	// Location is the calendar's zone, in which #onsite times are written.
	Location *time.Location
}

// CommandText is a consultant's new text read as commands and text.
type CommandText struct {
	Commands []Command
	// Problems lists each command line that could not be read; Index is
	// the line's position among the command lines.
	Problems CommandErrors
	// Text is the new text below the commands: the part for the customer.
	Text string
}

// maxWork bounds one #time entry: more than a day in one line is a typo
// (#time 90 meant as minutes, say), not a day's work.
const maxWork = 24 * time.Hour

// ParseCommands reads the command lines at the top of newText.
func ParseCommands(newText string, cc CommandContext) CommandText {
	lines := strings.Split(strings.ReplaceAll(newText, "\r\n", "\n"), "\n")
	var out CommandText
	i := 0
	for ; i < len(lines); i++ {
		t := strings.TrimSpace(lines[i])
		if t == "" {
			continue // blank lines around and between commands
		}
		if !strings.HasPrefix(t, "#") {
			break
		}
		c, err := parseCommand(t, cc)
		if err != nil {
			err.Index = len(out.Commands) + len(out.Problems)
			out.Problems = append(out.Problems, *err)
			continue
		}
		out.Commands = append(out.Commands, c)
	}
	out.Text = strings.TrimSpace(strings.Join(lines[i:], "\n"))
	return out
}

// parseCommand reads one command line ("#time 1h30m").
func parseCommand(line string, cc CommandContext) (Command, *CommandError) {
	body := strings.TrimSpace(strings.TrimPrefix(line, "#"))
	end := strings.IndexFunc(body, func(r rune) bool { return unicode.IsSpace(r) || r == ':' })
	name, arg := body, ""
	if end >= 0 {
		name, arg = body[:end], strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(body[end:]), ":"))
	}
	c := Command{Kind: CommandKind(strings.ToLower(name)), Line: line}
	fail := func(code string, valid ...string) (Command, *CommandError) {
		return c, &CommandError{Command: c, Code: code, Valid: valid, Err: fmt.Errorf("%s: %s", line, strings.ReplaceAll(code, "_", " "))}
	}
	switch c.Kind {
	case CmdStart, CmdCalled, CmdResolve, CmdClose, CmdInternal:
		if arg != "" {
			return fail(ProblemUnexpectedValue)
		}
	case CmdPriority:
		if arg == "" {
			return fail(ProblemMissingValue)
		}
		n, err := strconv.Atoi(strings.TrimPrefix(strings.ToLower(arg), "p"))
		if err != nil || n < 1 || n > 3 {
			return fail(ProblemBadPriority)
		}
		c.Priority = n
	case CmdApp:
		if arg == "" {
			return fail(ProblemMissingValue, cc.Applications...)
		}
		id := strings.ToLower(arg)
		if !slices.Contains(cc.Applications, id) {
			return fail(ProblemBadApplication, cc.Applications...)
		}
		c.Application = id
	case CmdAssign:
		if arg == "" {
			return fail(ProblemMissingValue, cc.Consultants...)
		}
		a, err := mail.ParseAddress(arg)
		if err != nil {
			return fail(ProblemBadAddress)
		}
		addr := strings.ToLower(a.Address)
		if !slices.Contains(cc.Consultants, addr) {
			return fail(ProblemNotConsultant, cc.Consultants...)
		}
		c.Assignee = addr
	case CmdTime:
		if arg == "" {
			return fail(ProblemMissingValue)
		}
		d, ok := parseWork(arg)
		if !ok {
			return fail(ProblemBadDuration)
		}
		c.Work = d
	case CmdOnsite:
		if arg == "" {
			return fail(ProblemMissingValue)
		}
		at, ok := parseOnsite(arg, cc.Location)
		if !ok {
			return fail(ProblemBadDatetime)
		}
		c.Onsite = at
	default:
		return fail(ProblemUnknownCommand)
	}
	return c, nil
}

// workUnits maps the unit words consultants write, in Swedish and
// English, to Go's duration units.
var workUnits = map[string]string{
	"h": "h", "t": "h", "hr": "h", "hrs": "h", "hour": "h", "hours": "h", "tim": "h", "timme": "h", "timmar": "h",
	"m": "m", "min": "m", "mins": "m", "minute": "m", "minutes": "m", "minut": "m", "minuter": "m",
}

// parseWork reads logged work: "1h30m", "1h 30m", "90m", "90 min", "1,5h",
// "1.5 tim". A number needs its unit: "#time 90" could be minutes or hours.
// The result is whole minutes, at least one, at most maxWork.
func parseWork(s string) (time.Duration, bool) {
	s = strings.ToLower(strings.ReplaceAll(s, ",", "."))
	var total time.Duration
	seen := false
	for s != "" {
		s = strings.TrimLeft(s, " \t")
		if s == "" {
			break
		}
		n := strings.IndexFunc(s, func(r rune) bool { return !(r >= '0' && r <= '9' || r == '.') })
		if n <= 0 {
			return 0, false
		}
		num, err := strconv.ParseFloat(s[:n], 64)
		if err != nil || num < 0 || num > 10000 {
			return 0, false
		}
		s = strings.TrimLeft(s[n:], " \t")
		u := strings.IndexFunc(s, func(r rune) bool { return !unicode.IsLetter(r) })
		if u < 0 {
			u = len(s)
		}
		unit, ok := workUnits[strings.TrimSuffix(s[:u], ".")]
		if !ok {
			return 0, false
		}
		s = strings.TrimPrefix(s[u:], ".")
		if unit == "h" {
			total += time.Duration(num * float64(time.Hour))
		} else {
			total += time.Duration(num * float64(time.Minute))
		}
		seen = true
		if total > maxWork {
			return 0, false // also before many terms could overflow the sum
		}
	}
	total = total.Round(time.Minute)
	if !seen || total < time.Minute || total > maxWork {
		return 0, false
	}
	return total, true
}

// parseOnsite reads a visit's time in loc: "2026-12-01 09:00", also
// "2026-12-01 9:00", "2026-12-01T09:00", "2026-12-01 kl. 09.00".
func parseOnsite(s string, loc *time.Location) (time.Time, bool) {
	if loc == nil {
		loc = time.UTC
	}
	if len(s) > 10 && s[10] == 'T' {
		s = s[:10] + " " + s[11:]
	}
	f := strings.Fields(s)
	if len(f) == 3 && (strings.EqualFold(f[1], "kl") || strings.EqualFold(f[1], "kl.") || strings.EqualFold(f[1], "at")) {
		f = []string{f[0], f[2]}
	}
	if len(f) != 2 {
		return time.Time{}, false
	}
	clock := strings.ReplaceAll(f[1], ".", ":")
	if len(clock) == 4 && clock[1] == ':' {
		clock = "0" + clock
	}
	t, err := time.ParseInLocation("2006-01-02 15:04", f[0]+" "+clock, loc)
	if err != nil {
		return time.Time{}, false
	}
	return t, true
}
