package main

import (
	"os/exec"
	"path/filepath"
	"testing"
)

// BenchmarkSLADeadlineProcess measures `sosd sla deadline` as a whole
// process, start to exit (target: under 20 ms wall). It builds the binary
// once, outside the timed loop.
func BenchmarkSLADeadlineProcess(b *testing.B) {
	bin := filepath.Join(b.TempDir(), "sosd")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	for b.Loop() {
		cmd := exec.Command(bin, "sla", "deadline", "--priority", "3", "--reported", "2026-11-30T15:00:00+01:00")
		cmd.Dir = b.TempDir() // no ./config.yaml: the built-in calendar
		out, err := cmd.Output()
		if err != nil || string(out) != "2026-12-01T14:00:00+01:00\n" {
			b.Fatalf("sosd sla deadline = %q, %v", out, err)
		}
	}
}
