package tickets

import (
	"bytes"
	"context"
	"io"
	"mime"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-message"

	"sosd/sla"
)

// The status meeting is proposed on the slot's weekday, on an open day at
// least three days after the quarter's first open day, within the first
// two weeks.
func TestMeetingTime(t *testing.T) {
	t.Parallel()
	cal, err := sla.NewCalendar(sla.DefaultCalendarConfig())
	if err != nil {
		t.Fatal(err)
	}
	at := func(y int, m time.Month, d, hh int) time.Time { return time.Date(y, m, d, hh, 0, 0, 0, cal.Location()) }
	tests := []struct {
		name string
		q    Quarter
		slot MeetingSlot
		want time.Time // zero: none
	}{
		// First open day Monday 4 January (1 Jan holiday, 2–3 weekend);
		// from Thursday 7 January (Trettondagen, 6 Jan, is closed anyway).
		{"after New Year", Quarter{2027, 1}, MeetingSlot{Weekday: time.Tuesday, Hour: 10}, at(2027, 1, 12, 10)},
		// 1 April 2026 is a Wednesday; from Saturday 4 April; Tuesday 7
		// April is the day after Easter Monday.
		{"Easter, Tuesday", Quarter{2026, 2}, MeetingSlot{Weekday: time.Tuesday, Hour: 10}, at(2026, 4, 7, 10)},
		// Monday 6 April is Easter Monday, closed: the Monday after.
		{"Easter Monday skipped", Quarter{2026, 2}, MeetingSlot{Weekday: time.Monday, Hour: 9}, at(2026, 4, 13, 9)},
		{"a Saturday slot has no open day", Quarter{2026, 4}, MeetingSlot{Weekday: time.Saturday, Hour: 10}, time.Time{}},
		// 1 October 2026 is a Thursday: from Sunday 4 October.
		{"autumn", Quarter{2026, 4}, MeetingSlot{Weekday: time.Thursday, Hour: 14}, at(2026, 10, 8, 14)},
	}
	for _, tc := range tests {
		got, ok := MeetingTime(cal, tc.q, tc.slot)
		if ok != !tc.want.IsZero() || !got.Equal(tc.want) {
			t.Errorf("%s: %v %v, want %v", tc.name, got, ok, tc.want)
		}
	}
}

// With reports.meeting set, the report mail carries an invitation from
// the account manager to the contacts (METHOD:REQUEST) and says so; a
// report made after the slot has passed carries none.
func TestReportMeetingInvitation(t *testing.T) {
	t.Parallel()
	e := newJobsIntake(t)
	e.cfg.Jobs.Meeting = &MeetingSlot{Weekday: time.Tuesday, Hour: 10, Duration: time.Hour}
	info := e.cfg.Jobs.Customers["acme"]
	info.AccountManager = "anna@sos.example"
	e.cfg.Jobs.Customers["acme"] = info
	e.cfg.ConsultantNames = map[string]string{"anna@sos.example": "Anna Berg"}
	e.file(3, "eva@acme.se", stockholm(t, 2026, 11, 30, 10, 0))

	mails, _, err := e.in.ComposeReport(context.Background(), "acme", Quarter{2026, 4}, stockholm(t, 2027, 1, 4, 7, 0))
	if err != nil {
		t.Fatal(err)
	}
	if len(mails) != 4 { // three contacts and the account manager
		t.Fatalf("%d mails", len(mails))
	}
	text, ics := reportParts(t, mails[0].Raw)
	for _, want := range []string{"METHOD:REQUEST", "DTSTART:20270112T090000Z", "DTEND:20270112T100000Z",
		`ORGANIZER;CN="Anna Berg":mailto:anna@sos.example`, "mailto:eva@acme.se", "mailto:per@acme.se", "RSVP=TRUE",
		"UID:meeting.2026q4.acme@sos.example"} {
		if !strings.Contains(strings.ReplaceAll(ics, "\r\n ", ""), want) {
			t.Errorf("invitation lacks %q:\n%s", want, ics)
		}
	}
	if !strings.Contains(text, "12 januari 2027") {
		t.Errorf("the report does not propose the meeting:\n%s", text)
	}
	// The organiser's own copy carries no invitation.
	for _, m := range mails {
		if _, ics := reportParts(t, m.Raw); (m.To[0] == "anna@sos.example") != (ics == "") {
			t.Errorf("copy to %s: invitation %v", m.To[0], ics != "")
		}
	}

	// Made on demand after the slot: no invitation.
	mails, _, err = e.in.ComposeReport(context.Background(), "acme", Quarter{2026, 4}, stockholm(t, 2027, 2, 1, 9, 0))
	if err != nil {
		t.Fatal(err)
	}
	if _, ics := reportParts(t, mails[0].Raw); ics != "" {
		t.Errorf("an invitation to a meeting in the past:\n%s", ics)
	}
}

// reportParts returns a report mail's text part and its calendar part.
func reportParts(t *testing.T, raw []byte) (text, ics string) {
	t.Helper()
	m, err := message.Read(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	err = m.Walk(func(_ []int, part *message.Entity, err error) error {
		if err != nil {
			return err
		}
		ct, params, _ := mime.ParseMediaType(part.Header.Get("Content-Type"))
		switch ct {
		case "text/plain":
			b, _ := io.ReadAll(part.Body)
			text = string(b)
		case "text/calendar":
			if params["method"] != "REQUEST" {
				t.Errorf("calendar part method %q", params["method"])
			}
			b, _ := io.ReadAll(part.Body)
			ics = string(b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return text, ics
}
