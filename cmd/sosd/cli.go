package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"
	"time"
)

// Exit codes. 78 is EX_CONFIG from sysexits(3): the systemd unit does not
// restart a daemon whose configuration is broken (RestartPreventExitStatus).
const (
	exitOK     = 0
	exitError  = 1
	exitUsage  = 2
	exitConfig = 78
)

// version is the release this source tree is.
const version = "0.1.0-dev"

// app is one invocation: where output goes and what the environment
// provides, so every command runs in-process in tests.
type app struct {
	ctx    context.Context
	stdout io.Writer
	stderr io.Writer
	// configSearch is where a command looks for its configuration when
	// --config is not given (SPEC §4).
	configSearch []string
	// now is the wall clock; only check-config's summary reads it.
	now func() time.Time
}

// command is one entry of the command table (SPEC §9).
type command struct {
	name string // words after "sosd", e.g. "sla deadline"
	args string // the synopsis of its arguments
	help string
	run  func(a *app, cmd *command, args []string) int
}

func commands() []*command {
	return []*command{
		serveCommand(),
		checkConfigCommand(),
		slaDeadlineCommand(),
		slaCalendarCommand(),
		ticketsListCommand(),
		ticketsShowCommand(),
		reportCommand(),
		versionCommand(),
	}
}

// run executes one command line and returns the process's exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	a := &app{
		ctx:          ctx,
		stdout:       stdout,
		stderr:       stderr,
		configSearch: []string{"config.yaml", "/etc/sosd/config.yaml"},
		now:          time.Now,
	}
	return a.run(args)
}

func (a *app) run(args []string) int {
	if len(args) == 0 {
		a.usage(a.stderr)
		return exitUsage
	}
	if args[0] == "help" || args[0] == "-h" || args[0] == "--help" || args[0] == "-help" {
		a.usage(a.stdout)
		return exitOK
	}
	var best *command
	var rest []string
	for _, c := range commands() {
		words := strings.Fields(c.name)
		if len(args) >= len(words) && slicesEqual(args[:len(words)], words) {
			if best == nil || len(words) > len(strings.Fields(best.name)) {
				best, rest = c, args[len(words):]
			}
		}
	}
	if best == nil {
		fmt.Fprintf(a.stderr, "sosd: unknown command %q; run 'sosd help' for the list\n", strings.Join(args, " "))
		return exitUsage
	}
	return best.run(a, best, rest)
}

func slicesEqual(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func (a *app) usage(w io.Writer) {
	fmt.Fprintln(w, "usage: sosd <command> [flags]")
	fmt.Fprintln(w)
	for _, c := range commands() {
		fmt.Fprintf(w, "  sosd %-14s %s\n", c.name, c.args)
		fmt.Fprintf(w, "      %s\n", c.help)
	}
}

// flagSet returns the command's flag set; it prints nothing by itself, so
// that a usage error is one line on stderr (SPEC §9).
func (c *command) flagSet() *flag.FlagSet {
	fs := flag.NewFlagSet("sosd "+c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// parse parses args; on -h it prints the command's help on stdout. done
// reports that the command must return code without running.
func (a *app) parse(c *command, fs *flag.FlagSet, args []string) (code int, done bool) {
	err := fs.Parse(args)
	if errors.Is(err, flag.ErrHelp) {
		return a.help(c, fs), true
	}
	if err != nil {
		return a.usageError(c, "%v", err), true
	}
	if fs.NArg() > 0 {
		return a.usageError(c, "unexpected argument %q", fs.Arg(0)), true
	}
	return 0, false
}

// help prints the command's synopsis and flags on stdout.
func (a *app) help(c *command, fs *flag.FlagSet) int {
	fmt.Fprintf(a.stdout, "usage: %s\n%s\n", strings.TrimSpace("sosd "+c.name+" "+c.args), c.help)
	fs.SetOutput(a.stdout)
	fs.PrintDefaults()
	return exitOK
}

// usageError prints one line and returns the usage exit code.
func (a *app) usageError(c *command, format string, args ...any) int {
	fmt.Fprintf(a.stderr, "sosd %s: %s (usage: %s)\n", c.name, fmt.Sprintf(format, args...), strings.TrimSpace("sosd "+c.name+" "+c.args))
	return exitUsage
}

// errorf prints one error line and returns code.
func (a *app) errorf(code int, format string, args ...any) int {
	fmt.Fprintf(a.stderr, "sosd: "+format+"\n", args...)
	return code
}

// configResult says how loading went, for the command to pick its exit code.
type configResult int

const (
	configLoaded configResult = iota
	configMissing
	configInvalid
)

// loadConfig loads --config, or the first file of the search path that
// exists. With no file at all it returns configMissing and no error.
func (a *app) loadConfig(path string) (*config, configResult, error) {
	if path == "" {
		for _, p := range a.configSearch {
			if _, err := os.Stat(p); err == nil {
				path = p
				break
			}
		}
		if path == "" {
			return nil, configMissing, fmt.Errorf("no configuration file: looked for %s; pass --config FILE", strings.Join(a.configSearch, " and "))
		}
	}
	c, err := loadConfig(path)
	if err != nil {
		return nil, configInvalid, err
	}
	return c, configLoaded, nil
}

// printConfigErrors writes each problem on its own line of stderr.
func (a *app) printConfigErrors(err error) {
	var ce configErrors
	if errors.As(err, &ce) {
		for _, e := range ce {
			fmt.Fprintln(a.stderr, e.Error())
		}
		return
	}
	fmt.Fprintf(a.stderr, "sosd: %v\n", err)
}

func versionCommand() *command {
	return &command{
		name: "version",
		help: "print the version",
		run: func(a *app, c *command, args []string) int {
			fs := c.flagSet()
			if code, done := a.parse(c, fs, args); done {
				return code
			}
			rev := ""
			if bi, ok := debug.ReadBuildInfo(); ok {
				for _, s := range bi.Settings {
					if s.Key == "vcs.revision" && len(s.Value) >= 12 {
						rev = " " + s.Value[:12]
					}
				}
				fmt.Fprintf(a.stdout, "sosd %s%s (%s)\n", version, rev, bi.GoVersion)
				return exitOK
			}
			fmt.Fprintf(a.stdout, "sosd %s\n", version)
			return exitOK
		},
	}
}
