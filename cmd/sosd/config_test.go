package main

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"sosd/sla"
)

const exampleConfig = "../../config.example.yaml"

// TestExampleConfig keeps the shipped example loadable: it is what the
// README's run command uses.
func TestExampleConfig(t *testing.T) {
	t.Parallel()
	cfg, err := loadConfig(exampleConfig)
	if err != nil {
		t.Fatalf("config.example.yaml: %v", err)
	}
	root, _ := filepath.Abs("../..")
	if want := filepath.Join(root, "var", "sosd.db"); cfg.File.Database != want {
		t.Errorf("database = %q, want %q (relative to the config's folder)", cfg.File.Database, want)
	}
	if cfg.File.Outbound.Relay != "" || cfg.File.Outbound.SpoolDir != filepath.Join(root, "var", "outbox") {
		t.Errorf("outbound = %+v, want no relay and spool in var/outbox", cfg.File.Outbound)
	}
	if cfg.File.Listen.SMTP != "127.0.0.1:2525" {
		t.Errorf("listen.smtp = %q", cfg.File.Listen.SMTP)
	}
	if len(cfg.File.Customers) != 2 || cfg.File.Customers[0].ID != "acme" {
		t.Errorf("customers = %+v", cfg.File.Customers)
	}
	if !reflect.DeepEqual(cfg.Calendar.Config(), withExtra(sla.DefaultCalendarConfig(), []string{})) {
		t.Errorf("calendar = %+v, want the defaults", cfg.Calendar.Config())
	}
	if !reflect.DeepEqual(cfg.Priorities, sla.DefaultPriorities()) {
		t.Errorf("priorities = %+v", cfg.Priorities)
	}
	if cfg.FourHourRule != 4*time.Hour || cfg.Schedule == nil {
		t.Errorf("four_hour_rule = %v, schedule = %v", cfg.FourHourRule, cfg.Schedule)
	}
}

func withExtra(c sla.CalendarConfig, extra []string) sla.CalendarConfig {
	c.ExtraClosed = extra
	return c
}

// TestBaseConfigDefaults: keys left out get the built-in defaults (SPEC §4).
func TestBaseConfigDefaults(t *testing.T) {
	t.Parallel()
	cfg, err := loadConfig("testdata/config/base.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(cfg.Calendar.Config(), sla.DefaultCalendarConfig()) {
		t.Errorf("calendar = %+v, want the defaults", cfg.Calendar.Config())
	}
	if !reflect.DeepEqual(cfg.Priorities, sla.DefaultPriorities()) {
		t.Errorf("priorities = %+v, want the defaults", cfg.Priorities)
	}
	if cfg.File.Escalation.WarnAt != 0.75 || cfg.File.Outbound.StartTLS != "required" || cfg.File.Customers[0].Language != "sv" {
		t.Errorf("defaults not applied: %+v", cfg.File)
	}
}

// writeConfig writes base.yaml with extra text appended into a temp dir.
func writeConfig(t *testing.T, replace map[string]string, extra string) string {
	t.Helper()
	data, err := os.ReadFile("testdata/config/base.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := string(data)
	for old, new := range replace {
		if !strings.Contains(s, old) {
			t.Fatalf("base.yaml has no %q", old)
		}
		s = strings.Replace(s, old, new, 1)
	}
	p := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(p, []byte(s+extra), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// A calendar section replaces the defaults key by key; an empty list is
// kept empty rather than defaulted.
func TestPartialCalendar(t *testing.T) {
	t.Parallel()
	p := writeConfig(t, nil, "calendar:\n  timezone: UTC\n  closed_eves: []\n")
	cfg, err := loadConfig(p)
	if err != nil {
		t.Fatal(err)
	}
	got := cfg.Calendar.Config()
	want := sla.DefaultCalendarConfig()
	want.Timezone = "UTC"
	want.ClosedEves = []string{}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("calendar = %+v, want %+v", got, want)
	}
	if d := cfg.Calendar.Day(sla.Date{Year: 2026, Month: time.December, Day: 24}); d.Kind != sla.Eve {
		t.Errorf("Julafton with no closed eves = %v, want an eve", d.Kind)
	}
}

// Addresses and domains are normalised to lower case.
func TestNormalisesCase(t *testing.T) {
	t.Parallel()
	p := writeConfig(t, map[string]string{
		"address: support@sos.example": "address: Support@SOS.Example",
		"domains: [acme.se]":           "domains: [ACME.se]",
		"email: anna@sos.example":      "email: Anna@Sos.Example",
	}, "")
	cfg, err := loadConfig(p)
	if err != nil {
		t.Fatal(err)
	}
	f := cfg.File
	if f.Support.Address != "support@sos.example" || f.Customers[0].Domains[0] != "acme.se" || f.Consultants[0].Email != "anna@sos.example" {
		t.Errorf("not lower-cased: %q %q %q", f.Support.Address, f.Customers[0].Domains[0], f.Consultants[0].Email)
	}
}

// TestBadConfigs loads every testdata/config/bad-*.yaml, one per rule. Each
// ends with "# want: LINE:COL: key.path: message" lines: exactly those
// errors, in that order, each prefixed with the file's name.
func TestBadConfigs(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("testdata/config/bad-*.yaml")
	if err != nil || len(files) < 50 {
		t.Fatalf("found %d bad configs (%v)", len(files), err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".yaml"), func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, line := range strings.Split(string(data), "\n") {
				if w, ok := strings.CutPrefix(line, "# want: "); ok {
					want = append(want, file+":"+w)
				}
			}
			if len(want) == 0 {
				t.Fatal("no '# want:' line")
			}
			_, err = loadConfig(file)
			var ce configErrors
			if !errors.As(err, &ce) {
				t.Fatalf("err = %v, want configErrors", err)
			}
			var got []string
			for _, e := range ce {
				got = append(got, e.Error())
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("errors:\n  %s\nwant:\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
			}
		})
	}
}

// Every error is reported, not only the first.
func TestCollectsEveryError(t *testing.T) {
	t.Parallel()
	p := writeConfig(t, map[string]string{
		`smtp: "127.0.0.1:2525"`:  `smtp: "127.0.0.1"`,
		"email: anna@sos.example": "email: anna",
	}, "calendar:\n  timezone: Mars/Olympus\n  hours: 8-17\nfour_hour_rule: 4\n")
	_, err := loadConfig(p)
	var ce configErrors
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v", err)
	}
	var keys []string
	for _, e := range ce {
		if e.Line == 0 {
			t.Errorf("error without a line: %v", e)
		}
		keys = append(keys, e.Path)
	}
	want := []string{"listen.smtp", "consultants[0].email", "calendar.timezone", "calendar.hours", "four_hour_rule"}
	if !reflect.DeepEqual(keys, want) {
		t.Errorf("keys = %v, want %v", keys, want)
	}
}

func TestUnreadableFile(t *testing.T) {
	t.Parallel()
	_, err := loadConfig(filepath.Join(t.TempDir(), "missing.yaml"))
	if err == nil || !strings.Contains(err.Error(), "missing.yaml: cannot read") {
		t.Errorf("err = %v", err)
	}
}

// An empty file is not an error of YAML, but lacks what has no default.
func TestEmptyFile(t *testing.T) {
	t.Parallel()
	p := filepath.Join(t.TempDir(), "empty.yaml")
	if err := os.WriteFile(p, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := loadConfig(p)
	for _, key := range []string{"database:", "support.address:", "consultants:"} {
		if err == nil || !strings.Contains(err.Error(), key) {
			t.Errorf("err = %v, want it to name %s", err, key)
		}
	}
}
