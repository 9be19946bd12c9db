package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"sosd/tickets"
)

// ticketsFixture writes the example config into a temp dir and files
// tickets into its database through the store's API.
type ticketsFixture struct {
	dir, config string
	store       *tickets.Store
	loc         *time.Location
}

func newTicketsFixture(t testing.TB) *ticketsFixture {
	t.Helper()
	dir := t.TempDir()
	data, err := os.ReadFile("../../config.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfgPath := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfgPath, data, 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := loadConfig(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Dir(cfg.File.Database), 0o750)
	s, err := tickets.Open(context.Background(), cfg.File.Database, cfg.policy())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return &ticketsFixture{dir: dir, config: cfgPath, store: s, loc: cfg.Calendar.Location()}
}

func (f *ticketsFixture) file(t testing.TB, customer, app string, prio int, at time.Time) tickets.Ticket {
	t.Helper()
	n := at.UnixNano()
	id := fmt.Sprintf("m%d@%s.example", n, customer)
	compose := func(o tickets.Outcome) ([]tickets.Outgoing, error) {
		mid := fmt.Sprintf("%s.ack@sos.example", o.Ticket.ID)
		return []tickets.Outgoing{{Kind: "ack", MessageID: mid, From: "support@sos.example", To: []string{o.Ticket.Reporter},
			Subject: "[" + o.Ticket.ID.String() + "] ack", Raw: []byte("Subject: ack\r\n\r\nok\r\n")}}, nil
	}
	res, err := f.store.File(context.Background(), tickets.Inbound{MessageID: id, From: "eva@acme.se", To: []string{"support@sos.example"},
		Subject: "Problem " + id, Received: at, Raw: []byte("Subject: x\r\n\r\ny\r\n")},
		tickets.NewTicket{Customer: customer, Application: app, Priority: prio, Reporter: "eva@acme.se", Subject: "Problem " + id}, compose)
	if err != nil {
		t.Fatal(err)
	}
	return res.Ticket
}

func (f *ticketsFixture) run(t *testing.T, now time.Time, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	a := &app{ctx: context.Background(), stdout: &stdout, stderr: &stderr,
		configSearch: []string{filepath.Join(f.dir, "none.yaml")}, now: func() time.Time { return now }}
	code := a.run(append(args, "--config", f.config))
	return code, stdout.String(), stderr.String()
}

func TestTicketsListJSON(t *testing.T) {
	t.Parallel()
	f := newTicketsFixture(t)
	mon := time.Date(2026, 11, 30, 15, 0, 0, 0, f.loc)
	f.file(t, "acme", "ekonomi", 3, mon)
	f.file(t, "acme", "", 1, mon.Add(time.Hour))
	f.file(t, "nordlog", "wms", 2, mon.Add(2*time.Hour))

	code, out, errOut := f.run(t, mon.Add(3*time.Hour), "tickets", "list", "--json")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	var list []map[string]any
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(list) != 3 || list[0]["id"] != "SOS-3" || list[2]["id"] != "SOS-1" {
		t.Fatalf("want SOS-3, SOS-2, SOS-1 (newest first), got %v", list)
	}
	for _, key := range []string{"id", "status", "customer", "application", "priority", "reporter", "subject", "received",
		"deadline", "started", "resolved", "closed", "breached", "work_minutes", "called", "onsite_visits", "assignee"} {
		if _, ok := list[0][key]; !ok {
			t.Errorf("key %q missing", key)
		}
	}
	first := list[2]
	if first["status"] != "new" || first["customer"] != "acme" || first["application"] != "ekonomi" || first["priority"] != 3.0 ||
		first["received"] != "2026-11-30T15:00:00+01:00" || first["deadline"] != "2026-12-01T14:00:00+01:00" ||
		first["started"] != nil || first["assignee"] != nil || first["breached"] != false || first["called"] != false ||
		first["onsite_visits"] != 0.0 || first["work_minutes"] != 0.0 {
		t.Errorf("SOS-1 = %v", first)
	}
	if list[1]["application"] != nil {
		t.Errorf("unknown application = %v, want null", list[1]["application"])
	}
	// SOS-2 is priority 1, received 16:00: deadline Tue 09:00; breached
	// once that has passed without a start.
	_, out, _ = f.run(t, time.Date(2026, 12, 1, 9, 0, 1, 0, f.loc), "tickets", "list", "--json", "--customer", "acme")
	list = nil
	json.Unmarshal([]byte(out), &list)
	if len(list) != 2 || list[0]["id"] != "SOS-2" || list[0]["deadline"] != "2026-12-01T09:00:00+01:00" || list[0]["breached"] != true {
		t.Errorf("acme's tickets at Tue 09:00:01 = %v", list)
	}
}

func TestTicketsListTableAndFilters(t *testing.T) {
	t.Parallel()
	f := newTicketsFixture(t)
	mon := time.Date(2026, 11, 30, 10, 0, 0, 0, f.loc)
	f.file(t, "acme", "ekonomi", 3, mon)
	f.file(t, "nordlog", "wms", 2, mon.Add(time.Minute))
	code, out, _ := f.run(t, mon, "tickets", "list")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 3 || !strings.HasPrefix(lines[0], "ID") || !strings.HasPrefix(lines[1], "SOS-2") {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	// Aligned: every row's STATUS column starts where the header's does.
	col := strings.Index(lines[0], "STATUS")
	for _, l := range lines[1:] {
		if !strings.HasPrefix(l[col:], "new") {
			t.Errorf("not aligned:\n%s", out)
		}
	}
	_, out, _ = f.run(t, mon, "tickets", "list", "--customer", "nordlog")
	if strings.Contains(out, "SOS-1 ") || !strings.Contains(out, "SOS-2") {
		t.Errorf("--customer nordlog:\n%s", out)
	}
	code, out, errOut := f.run(t, mon, "tickets", "list", "--customer", "nobody")
	if code != 1 || out != "" || strings.Count(errOut, "\n") != 1 {
		t.Errorf("unknown customer: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	// --open leaves out closed tickets.
	ctx := context.Background()
	if _, err := f.store.Apply(ctx, 1, tickets.ConsultantReply{Consultant: "anna@sos.example",
		Mail:     tickets.Inbound{MessageID: "close@sos.example", From: "anna@sos.example", Received: mon.Add(time.Hour), Raw: []byte("x")},
		Commands: []tickets.Command{{Kind: tickets.CmdClose}}}, nil); err != nil {
		t.Fatal(err)
	}
	_, out, _ = f.run(t, mon, "tickets", "list", "--open", "--json")
	var list []map[string]any
	json.Unmarshal([]byte(out), &list)
	if len(list) != 1 || list[0]["id"] != "SOS-2" {
		t.Errorf("--open = %v", list)
	}
}

func TestTicketsShow(t *testing.T) {
	t.Parallel()
	f := newTicketsFixture(t)
	mon := time.Date(2026, 11, 30, 15, 0, 0, 0, f.loc)
	f.file(t, "acme", "ekonomi", 3, mon)
	code, out, errOut := f.run(t, mon, "tickets", "show", "SOS-1", "--json")
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var d struct {
		ID     string `json:"id"`
		Events []struct {
			At, Kind, Actor, Detail string
		} `json:"events"`
		Messages []struct {
			At        string   `json:"at"`
			Direction string   `json:"direction"`
			From      string   `json:"from"`
			To        []string `json:"to"`
			Subject   string   `json:"subject"`
			MessageID string   `json:"message_id"`
		} `json:"messages"`
		Explained []map[string]string `json:"deadline_explained"`
	}
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if d.ID != "SOS-1" || len(d.Events) != 1 || d.Events[0].Kind != "filed" || d.Events[0].At != "2026-11-30T15:00:00+01:00" {
		t.Errorf("events = %+v", d.Events)
	}
	if len(d.Messages) != 2 || d.Messages[0].Direction != "in" || d.Messages[1].Direction != "out" || d.Messages[1].To[0] != "eva@acme.se" {
		t.Errorf("messages = %+v", d.Messages)
	}
	if len(d.Explained) != 2 || d.Explained[1]["end"] != "2026-12-01T14:00:00+01:00" {
		t.Errorf("deadline explained = %v", d.Explained)
	}
	// The text form explains the deadline line by line.
	code, out, _ = f.run(t, mon, "tickets", "show", "sos-1")
	for _, want := range []string{"SOS-1", "2026-11-30 Mon 15:00:00-17:00:00", "2026-12-01 Tue 08:00:00-14:00:00", "filed", "history:", "messages:"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("show text lacks %q:\n%s", want, out)
		}
	}
	// An unknown id: one line on stderr, exit 1, nothing on stdout.
	code, out, errOut = f.run(t, mon, "tickets", "show", "SOS-99")
	if code != 1 || out != "" || errOut != "sosd: SOS-99: no such ticket\n" {
		t.Errorf("unknown id: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	code, out, errOut = f.run(t, mon, "tickets", "show", "ticket-1")
	if code != 2 || out != "" || strings.Count(errOut, "\n") != 1 {
		t.Errorf("malformed id: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

// Without a database file yet, list shows nothing and creates nothing.
func TestTicketsListNoDatabase(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	data, _ := os.ReadFile("../../config.example.yaml")
	cfgPath := filepath.Join(dir, "config.yaml")
	os.WriteFile(cfgPath, data, 0o600)
	var stdout, stderr bytes.Buffer
	a := &app{ctx: context.Background(), stdout: &stdout, stderr: &stderr, now: time.Now}
	if code := a.run([]string{"tickets", "list", "--json", "--config", cfgPath}); code != 0 || strings.TrimSpace(stdout.String()) != "[]" {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout.String(), stderr.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "var", "sosd.db")); err == nil {
		t.Error("tickets list created the database")
	}
}
