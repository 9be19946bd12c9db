package templates

import (
	"io/fs"
	"slices"
	"testing"
	"time"
)

// The fixed ticket and customers the tests render, the helpers that
// render them, and checks of the template set itself. The golden files are
// compared in golden_test.go, the mails' content in content_test.go,
// rendering's edge cases and errors in render_test.go, dates and hours in
// dates_test.go.

// stockholm is the calendar's zone in every test.
var stockholm = mustZone("Europe/Stockholm")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// at is a wall time in Stockholm.
func at(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, stockholm)
}

// The fixed clock: reported Monday 30 November 2026 15:00; the deadlines
// are those the calendar gives for 2, 4 and 8 business hours.
var (
	received  = at(2026, time.November, 30, 15, 0)
	deadlines = map[int]time.Time{
		1: at(2026, time.November, 30, 17, 0),
		2: at(2026, time.December, 1, 10, 0),
		3: at(2026, time.December, 1, 14, 0),
	}
	priorityNames = map[int]string{1: "Affärskritiskt", 2: "Kritiskt", 3: "Standard"}
)

// hours are the agreement's default support hours.
var hours = Hours{
	Days:    []time.Weekday{time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday},
	Open:    "08:00",
	Close:   "17:00",
	EveOpen: "08:30", EveClose: "14:00",
	Holidays: true,
}

// customer is the realistic customer of one language.
type customer struct {
	name, reporter, subject, app, text, reply string
	apps                                      []string
}

var customers = map[string]customer{
	"sv": {
		name: "ACME AB", reporter: "eva.ek@acme.se", subject: "Ekonomisystemet startar inte",
		app: "Ekonomisystemet", apps: []string{"ekonomi", "intranat"},
		text:  "Hej!\n\nEkonomisystemet startar inte sedan i morse. Vi får felmeddelandet\n\"Databasen kan inte nås\" på alla datorer.\n\nMvh\nEva Ek\nACME AB",
		reply: "Hej!\n\nNu fungerar det igen, tack för hjälpen.\n\nMvh\nEva",
	},
	"en": {
		name: "Nordic Logistics Ltd", reporter: "sam.hill@nordlog.example", subject: "Warehouse system is down",
		app: "Warehouse system", apps: []string{"wms"},
		text:  "Hi,\n\nThe warehouse system has been down since this morning. Scanners\nshow \"Server unavailable\" in all three warehouses.\n\nBest regards,\nSam Hill\nNordic Logistics Ltd",
		reply: "Hi,\n\nIt works again now, thank you for your help.\n\nSam",
	},
}

// ticket is the fixed ticket of lang with priority p; app false leaves
// the application unknown.
func ticket(lang string, p int, app bool) Ticket {
	c := customers[lang]
	t := Ticket{
		ID: "SOS-12", Subject: c.subject, Priority: p, PriorityName: priorityNames[p],
		Customer: c.name, Reporter: c.reporter, Received: received, Deadline: deadlines[p],
	}
	if app {
		t.Application = c.app
	}
	return t
}

func ackData(lang string, p int, app bool) AckData {
	return AckData{Ticket: ticket(lang, p, app), Hours: hours, Phone: "+46 8 000 00 00", SupportAddress: "support@sos.example"}
}

func noticeData(lang string, p int, app bool, commands bool) ConsultantNoticeData {
	return ConsultantNoticeData{
		Ticket: ticket(lang, p, app), NewText: customers[lang].text,
		ReplyHint: "support+sos-12.k3xq7v@sos.example", Commands: commands,
		ApplicationUnknown: !app, Applications: customers[lang].apps,
	}
}

func replyData(lang, note string) ReplyNoticeData {
	t := ticket(lang, 3, true)
	return ReplyNoticeData{Ticket: t, From: t.Reporter, NewText: customers[lang].reply, StatusNote: note}
}

func newSet(t *testing.T) *Set {
	t.Helper()
	s, err := New()
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

func render(t *testing.T, s *Set, kind Kind, lang string, data any) Rendered {
	t.Helper()
	r, err := s.Render(kind, lang, data)
	if err != nil {
		t.Fatalf("Render(%s, %s): %v", kind, lang, err)
	}
	return r
}

func TestNew(t *testing.T) {
	s := newSet(t)
	if got, want := len(s.mails), len(kinds)*len(Languages()); got != want {
		t.Errorf("New parsed %d mails, want %d", got, want)
	}
}

// TestLanguagesCounterparts checks that both languages have the same
// template files: three per kind plus the shared pieces, and nothing else.
func TestLanguagesCounterparts(t *testing.T) {
	if got := Languages(); !slices.Equal(got, []string{"en", "sv"}) {
		t.Fatalf("Languages() = %q", got)
	}
	want := []string{"common.html.tmpl", "common.txt.tmpl"}
	for _, k := range kinds {
		for _, part := range []string{"subject", "txt", "html"} {
			want = append(want, string(k)+"."+part+".tmpl")
		}
	}
	slices.Sort(want)
	for _, lang := range Languages() {
		entries, err := fs.ReadDir(files, lang)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range entries {
			got = append(got, e.Name())
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s has templates\n%q\nwant\n%q", lang, got, want)
		}
		if _, ok := locales[lang]; !ok {
			t.Errorf("no date words for %s", lang)
		}
	}
	if len(locales) != len(Languages()) {
		t.Errorf("date words for %d languages, want %d", len(locales), len(Languages()))
	}
}
