package main

import (
	"time"

	"sosd/tickets"
)

// ticketJSON is a ticket as `tickets list --json` and `tickets show --json`
// print it (SPEC §9): times RFC 3339 in the calendar's zone, absent ones
// null.
type ticketJSON struct {
	ID           string  `json:"id"`
	Status       string  `json:"status"`
	Customer     string  `json:"customer"`
	Application  *string `json:"application"`
	Priority     int     `json:"priority"`
	Reporter     string  `json:"reporter"`
	Subject      string  `json:"subject"`
	Received     *string `json:"received"`
	Deadline     *string `json:"deadline"`
	Started      *string `json:"started"`
	Resolved     *string `json:"resolved"`
	Closed       *string `json:"closed"`
	Breached     bool    `json:"breached"`
	WorkMinutes  int     `json:"work_minutes"`
	Called       bool    `json:"called"`
	OnsiteVisits int     `json:"onsite_visits"`
	Assignee     *string `json:"assignee"`
	Reopened     int     `json:"reopened"`
	RefersTo     *string `json:"refers_to"`
}

type eventJSON struct {
	At     string `json:"at"`
	Kind   string `json:"kind"`
	Actor  string `json:"actor"`
	Detail string `json:"detail"`
}

type messageJSON struct {
	At        string   `json:"at"`
	Direction string   `json:"direction"`
	From      string   `json:"from"`
	To        []string `json:"to"`
	Subject   string   `json:"subject"`
	MessageID string   `json:"message_id"`
}

type intervalJSON struct {
	Start string `json:"start"`
	End   string `json:"end"`
	Kind  string `json:"kind"`
	Name  string `json:"name,omitempty"`
	Hours string `json:"hours"`
}

type detailsJSON struct {
	ticketJSON
	DeadlineExplained []intervalJSON `json:"deadline_explained"`
	Events            []eventJSON    `json:"events"`
	Messages          []messageJSON  `json:"messages"`
}

func jsonTime(t time.Time, loc *time.Location) *string {
	if t.IsZero() {
		return nil
	}
	s := t.In(loc).Format(rfc3339Offset)
	return &s
}

func jsonString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func toTicketJSON(t tickets.Ticket, loc *time.Location, now time.Time) ticketJSON {
	j := ticketJSON{
		ID: t.ID.String(), Status: string(t.Status), Customer: t.Customer, Application: jsonString(t.Application),
		Priority: t.Priority, Reporter: t.Reporter, Subject: t.Subject,
		Received: jsonTime(t.Received, loc), Deadline: jsonTime(t.Deadline, loc), Started: jsonTime(t.Started, loc),
		Resolved: jsonTime(t.Resolved, loc), Closed: jsonTime(t.Closed, loc), Breached: t.Breached(now),
		WorkMinutes: t.WorkMinutes, Called: t.Called, OnsiteVisits: t.Onsite, Assignee: jsonString(t.Assignee),
		Reopened: t.Reopened,
	}
	if t.RefersTo != 0 {
		j.RefersTo = jsonString(t.RefersTo.String())
	}
	return j
}

func toDetailsJSON(d tickets.Details, loc *time.Location, now time.Time) detailsJSON {
	out := detailsJSON{ticketJSON: toTicketJSON(d.Ticket, loc, now),
		DeadlineExplained: []intervalJSON{}, Events: []eventJSON{}, Messages: []messageJSON{}}
	for _, iv := range d.Ticket.Facts.Intervals {
		out.DeadlineExplained = append(out.DeadlineExplained, intervalJSON{
			Start: *jsonTime(iv.Start, loc), End: *jsonTime(iv.End, loc), Kind: iv.Kind, Name: iv.Name, Hours: iv.Hours})
	}
	for _, e := range d.Events {
		out.Events = append(out.Events, eventJSON{At: *jsonTime(e.At, loc), Kind: e.Kind, Actor: e.Actor, Detail: e.Detail})
	}
	for _, m := range d.Messages {
		to := m.To
		if to == nil {
			to = []string{}
		}
		out.Messages = append(out.Messages, messageJSON{At: *jsonTime(m.At, loc), Direction: m.Direction, From: m.From,
			To: to, Subject: m.Subject, MessageID: m.MessageID})
	}
	return out
}
