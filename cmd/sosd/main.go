// Command sosd is the email-driven ticketing daemon of the SOS support
// agreement: see README.md and SPEC.md. This package only wires the other
// packages together and owns the process: flags, configuration, signals and
// exit codes.
package main

import (
	"context"
	"os"

	// The calendar's zone must load on a machine without /usr/share/zoneinfo.
	_ "time/tzdata"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}
