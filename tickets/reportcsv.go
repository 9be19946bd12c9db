package tickets

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"
)

// reportCSVHeader names the columns of WriteReportCSV.
var reportCSVHeader = []string{
	"id", "status", "priority", "application", "reporter", "subject",
	"received", "deadline", "started", "resolved", "closed", "breached",
	"response_minutes", "resolution_minutes", "work_minutes",
	"called", "onsite_visits", "reopened",
}

// WriteReportCSV writes the tickets of report r, one row per ticket
// after a header row, as RFC 4180 CSV: comma-separated, CRLF line ends,
// UTF-8 without a byte order mark. Times are RFC 3339 in loc with its
// offset and empty when absent; breached is as of r.Now; response
// (received → started) and resolution (received → closed) are business
// minutes on each ticket's stored calendar, as in the report's figures,
// and empty when the ticket has not got that far.
//
// Customers open this file in a spreadsheet, and subjects and reporters
// come from mail: a cell that starts with a character a spreadsheet
// reads as a formula gets a leading apostrophe, so it shows as text and
// never runs (OWASP, "CSV Injection").
func WriteReportCSV(w io.Writer, r Report, loc *time.Location) error {
	cw := csv.NewWriter(w)
	// RFC 4180 §2: records end with CRLF.
	cw.UseCRLF = true
	if err := cw.Write(reportCSVHeader); err != nil {
		return fmt.Errorf("report csv: %w", err)
	}
	cals := r.cals
	if cals == nil {
		cals = &calendars{}
	}
	row := make([]string, len(reportCSVHeader))
	for _, t := range r.List {
		cal, err := cals.of(t)
		if err != nil {
			return fmt.Errorf("report csv: %w", err)
		}
		response, resolution := "", ""
		if !t.Started.IsZero() {
			response = strconv.Itoa(int(cal.Elapsed(t.Received, t.Started) / time.Minute))
		}
		if !t.Closed.IsZero() {
			resolution = strconv.Itoa(int(cal.Elapsed(t.Received, t.Closed) / time.Minute))
		}
		row = append(row[:0],
			t.ID.String(),
			string(t.Status),
			strconv.Itoa(t.Priority),
			t.Application,
			t.Reporter,
			t.Subject,
			csvTime(t.Received, loc),
			csvTime(t.Deadline, loc),
			csvTime(t.Started, loc),
			csvTime(t.Resolved, loc),
			csvTime(t.Closed, loc),
			strconv.FormatBool(t.Breached(r.Now)),
			response,
			resolution,
			strconv.Itoa(t.WorkMinutes),
			strconv.FormatBool(t.Called),
			strconv.Itoa(t.Onsite),
			strconv.Itoa(t.Reopened),
		)
		for i, c := range row {
			row[i] = neutraliseFormula(c)
		}
		if err := cw.Write(row); err != nil {
			return fmt.Errorf("report csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("report csv: %w", err)
	}
	return nil
}

// csvTime formats t as RFC 3339 in loc, or "" for the zero time.
func csvTime(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	return t.In(loc).Format(time.RFC3339)
}

// neutraliseFormula puts an apostrophe before a cell that a spreadsheet
// would take for a formula: one starting with =, +, - or @, or with a tab
// or carriage return, which Excel skips before looking for one (OWASP,
// "CSV Injection"). The apostrophe makes Excel and LibreOffice show the
// rest as text. Every cell goes through here; none that sosd makes
// itself (ids, times, counts, booleans) starts with these characters.
func neutraliseFormula(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}
