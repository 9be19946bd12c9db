package templates

import "time"

// The data of the mails of jobs.go, and the bad data of each kind for
// TestRenderErrors. The fixed ticket is warned about, breached and due for
// its call; the report is of the fourth quarter of 2026, sent on Monday 4
// January 2027, the first open day of 2027. The tests of these mails are
// in jobs_test.go.

func pct(p float64) *float64 { return &p }
func mins(m int) *int        { return &m }

func warningData(lang string, assignee bool) WarningData {
	d := WarningData{Ticket: ticket(lang, 1, true), Percent: 75}
	if assignee {
		d.Assignee = consultantName
	}
	return d
}

func breachData(lang string, assignee bool) BreachData {
	d := BreachData{Ticket: ticket(lang, 2, true)}
	if assignee {
		d.Assignee = consultantName
	}
	return d
}

// callData is the four-hour reminder: with a phone, logged work passed
// the limit; without, business time since the start did, and nobody is
// known to call.
func callData(lang string, phone bool) CallReminderData {
	if phone {
		return CallReminderData{Ticket: ticket(lang, 3, true), WorkMinutes: 270, BusinessMinutes: 190, LimitMinutes: 240,
			Contact: map[string]string{"sv": "Eva Ek", "en": "Sam Hill"}[lang], Phone: "+46 70 123 45 67"}
	}
	return CallReminderData{Ticket: ticket(lang, 3, false), WorkMinutes: 150, BusinessMinutes: 245, LimitMinutes: 240}
}

// q4 is the fourth quarter of 2026 in the calendar's zone.
var q4From, q4To = at(2026, time.October, 1, 0, 0), at(2027, time.January, 1, 0, 0)

// reportWords are the names a report of one language shows.
var reportWords = map[string]struct{ manager, app2, breach1, breach2 string }{
	"sv": {"Karin Lund", "Intranätet", "Lönekörningen avbryts med fel", "Skrivaren på lagret skriver inte ut"},
	"en": {"Karin Lund", "Customer portal", "Payroll run stops with an error", "Label printer in warehouse 2 does not print"},
}

// reportData is a realistic quarter: 14 tickets of all three priorities,
// three applications (one unknown), two breaches (one started late, one
// never started), one ticket not yet due, and a trend with a quiet summer
// quarter that had nothing to measure.
func reportData(lang string) ReportData {
	w := reportWords[lang]
	chart := func(kind string, h int) ReportChart {
		return ReportChart{Kind: kind, CID: "chart-" + kind + ".2026q4.k3xq7v@sos.example", Width: 600, Height: h}
	}
	return ReportData{
		Customer: customers[lang].name, Quarter: "2026Q4", From: q4From, To: q4To,
		Tickets: 14, Met: 11, Breached: 2, SLAMetPercent: pct(84.6),
		ByPriority: []ReportPriority{
			{Priority: 1, Name: priorityNames[1], Tickets: 2, Met: 1, Breached: 1, SLAMetPercent: pct(50), Median: mins(70), P90: mins(160), Worst: mins(160)},
			{Priority: 2, Name: priorityNames[2], Tickets: 3, Met: 3, SLAMetPercent: pct(100), Median: mins(65), P90: mins(195), Worst: mins(195)},
			{Priority: 3, Name: priorityNames[3], Tickets: 9, Met: 7, Breached: 1, SLAMetPercent: pct(87.5), Median: mins(140), P90: mins(405), Worst: mins(470)},
		},
		ByApplication: []ReportCount{{Name: customers[lang].app, Tickets: 8}, {Name: w.app2, Tickets: 4}, {Tickets: 2}},
		Breaches: []ReportBreach{
			{ID: "SOS-31", Subject: w.breach1, Priority: 1, Deadline: at(2026, time.October, 13, 10, 0), Started: at(2026, time.October, 13, 12, 40)},
			{ID: "SOS-44", Subject: w.breach2, Priority: 3, Deadline: at(2026, time.December, 28, 8, 30)},
		},
		ResolutionMedian: mins(375), ResolutionP90: mins(1180), ResolutionWorst: mins(1865),
		OnsiteVisits: 2, WorkMinutes: 2910, FourHourCalls: 3, Reopened: 1, AwaitingApproval: 2,
		Trend: []ReportTrend{
			{Quarter: "2026Q1", Tickets: 9, SLAMetPercent: pct(88.9)},
			{Quarter: "2026Q2", Tickets: 12, SLAMetPercent: pct(91.7)},
			{Quarter: "2026Q3", Tickets: 0},
			{Quarter: "2026Q4", Tickets: 14, SLAMetPercent: pct(84.6)},
		},
		Charts:         []ReportChart{chart("priority", 300), chart("applications", 240), chart("trend", 300)},
		AccountManager: w.manager,
	}
}

// emptyReportData is a quarter without tickets, for a customer without
// an account manager: only the trend has figures, and only its chart is
// shown.
func emptyReportData(lang string) ReportData {
	return ReportData{
		Customer: customers[lang].name, Quarter: "2026Q4", From: q4From, To: q4To,
		ByPriority: []ReportPriority{{Priority: 1, Name: priorityNames[1]}, {Priority: 2, Name: priorityNames[2]}, {Priority: 3, Name: priorityNames[3]}},
		Trend: []ReportTrend{
			{Quarter: "2026Q1", Tickets: 3, SLAMetPercent: pct(100)},
			{Quarter: "2026Q2", Tickets: 1, SLAMetPercent: pct(100)},
			{Quarter: "2026Q3", Tickets: 0},
			{Quarter: "2026Q4", Tickets: 0},
		},
		Charts: []ReportChart{{Kind: "trend", CID: "chart-trend.2026q4.r5dzq3@sos.example", Width: 600, Height: 300}},
	}
}

// meetingStart is the proposed quarterly status meeting: Tuesday 12
// January 2027 10:00, the week after the report.
var meetingStart = at(2027, time.January, 12, 10, 0)

// meetingReportData is the realistic quarter's report proposing the
// status meeting, an hour with the account manager.
func meetingReportData(lang string) ReportData {
	d := reportData(lang)
	d.Meeting = &ReportMeeting{Start: meetingStart, Minutes: 60, Organizer: d.AccountManager}
	return d
}

// meetingData is the invitation of that meeting; consultancy false
// leaves the consultancy's name unknown.
func meetingData(lang string, consultancy bool) MeetingData {
	d := MeetingData{Customer: customers[lang].name, Quarter: "2026Q4", Start: meetingStart, Minutes: 60,
		Organizer: reportWords[lang].manager}
	if consultancy {
		d.Consultancy = "SOS Konsult AB"
	}
	return d
}

// jobsRenderErrors are the bad data of the kinds of jobs.go, for
// TestRenderErrors.
func jobsRenderErrors() []renderErrorCase {
	warn := func(f func(*WarningData)) WarningData { d := warningData("sv", true); f(&d); return d }
	call := func(f func(*CallReminderData)) CallReminderData { d := callData("sv", true); f(&d); return d }
	breach := breachData("en", false)
	breach.Ticket.Deadline = time.Time{}
	report := func(f func(*ReportData)) ReportData { d := reportData("sv"); f(&d); return d }
	chart := func(c ReportChart) ReportData { return report(func(d *ReportData) { d.Charts = append(d.Charts, c) }) }
	goodChart := reportData("sv").Charts[0]
	meet := func(m ReportMeeting) ReportData { return report(func(d *ReportData) { d.Meeting = &m }) }
	invite := func(f func(*MeetingData)) MeetingData { d := meetingData("sv", true); f(&d); return d }
	return []renderErrorCase{
		{"warning at 0 percent", Warning, "sv", warn(func(d *WarningData) { d.Percent = 0 })},
		{"warning at 101 percent", Warning, "en", warn(func(d *WarningData) { d.Percent = 101 })},
		{"warning without ticket id", Warning, "sv", warn(func(d *WarningData) { d.Ticket.ID = "" })},
		{"warning priority 0", Warning, "sv", warn(func(d *WarningData) { d.Ticket.Priority = 0 })},
		{"warning as breach", Breach, "sv", warningData("sv", true)},
		{"nil warning", Warning, "sv", (*WarningData)(nil)},
		{"breach without deadline", Breach, "en", breach},
		{"breach without ticket", Breach, "sv", BreachData{}},
		{"call limit 0", CallReminder, "sv", call(func(d *CallReminderData) { d.LimitMinutes = 0 })},
		{"call negative work", CallReminder, "sv", call(func(d *CallReminderData) { d.WorkMinutes, d.BusinessMinutes = -1, 300 })},
		{"call limit not reached", CallReminder, "en", call(func(d *CallReminderData) { d.WorkMinutes, d.BusinessMinutes = 239, 239 })},
		{"call without received time", CallReminder, "sv", call(func(d *CallReminderData) { d.Ticket.Received = time.Time{} })},
		{"call as warning", Warning, "sv", callData("sv", true)},
		{"report without customer", Report, "sv", report(func(d *ReportData) { d.Customer = " \n" })},
		{"report quarter with dash", Report, "sv", report(func(d *ReportData) { d.Quarter = "2026-Q4" })},
		{"report quarter 5", Report, "en", report(func(d *ReportData) { d.Quarter = "2026Q5" })},
		{"report quarter lower case", Report, "sv", report(func(d *ReportData) { d.Quarter = "2026q4" })},
		{"report quarter reversed", Report, "sv", report(func(d *ReportData) { d.Quarter = "Q42026" })},
		{"report without start", Report, "sv", report(func(d *ReportData) { d.From = time.Time{} })},
		{"report ending before it starts", Report, "sv", report(func(d *ReportData) { d.From, d.To = d.To, d.From })},
		{"report empty period", Report, "en", report(func(d *ReportData) { d.To = d.From })},
		{"more met than tickets", Report, "sv", report(func(d *ReportData) { d.Tickets = 12 })},
		{"negative tickets", Report, "sv", ReportData{Customer: "x", Quarter: "2026Q4", From: q4From, To: q4To, Tickets: -1,
			Trend: []ReportTrend{{Quarter: "2026Q4"}}}},
		{"percentage without a due ticket", Report, "sv", report(func(d *ReportData) { d.Tickets, d.Met, d.Breached, d.Breaches = 3, 0, 0, nil })},
		{"no percentage with due tickets", Report, "en", report(func(d *ReportData) { d.SLAMetPercent = nil })},
		{"percentage over 100", Report, "sv", report(func(d *ReportData) { d.SLAMetPercent = pct(100.1) })},
		{"priority 4", Report, "sv", report(func(d *ReportData) { d.ByPriority[2].Priority = 4 })},
		{"priority row over its tickets", Report, "sv", report(func(d *ReportData) { d.ByPriority[0].Breached = 5 })},
		{"priority row without percentage", Report, "sv", report(func(d *ReportData) { d.ByPriority[1].SLAMetPercent = nil })},
		{"negative application count", Report, "sv", report(func(d *ReportData) { d.ByApplication[2].Tickets = -2 })},
		{"breach missing from the list", Report, "en", report(func(d *ReportData) { d.Breaches = d.Breaches[:1] })},
		{"breach without id", Report, "sv", report(func(d *ReportData) { d.Breaches[0].ID = "" })},
		{"breach without deadline", Report, "sv", report(func(d *ReportData) { d.Breaches[1].Deadline = time.Time{} })},
		{"breach priority 0", Report, "sv", report(func(d *ReportData) { d.Breaches[1].Priority = 0 })},
		{"negative work", Report, "sv", report(func(d *ReportData) { d.WorkMinutes = -60 })},
		{"negative awaiting approval", Report, "sv", report(func(d *ReportData) { d.AwaitingApproval = -1 })},
		{"no trend", Report, "sv", report(func(d *ReportData) { d.Trend = nil })},
		{"trend not ending with the quarter", Report, "en", report(func(d *ReportData) { d.Trend = d.Trend[:3] })},
		{"trend quarter", Report, "sv", report(func(d *ReportData) { d.Trend[0].Quarter = "Q1" })},
		{"trend percentage", Report, "sv", report(func(d *ReportData) { d.Trend[0].SLAMetPercent = pct(-1) })},
		{"unknown chart", Report, "sv", chart(ReportChart{Kind: "pie", CID: goodChart.CID, Width: 10, Height: 10})},
		{"chart kind case", Report, "en", chart(ReportChart{Kind: "Trend", CID: goodChart.CID, Width: 10, Height: 10})},
		{"empty chart kind", Report, "sv", chart(ReportChart{CID: goodChart.CID, Width: 10, Height: 10})},
		{"chart without cid", Report, "sv", chart(ReportChart{Kind: "trend", Width: 10, Height: 10})},
		{"chart cid in brackets", Report, "sv", chart(ReportChart{Kind: "trend", CID: "<" + goodChart.CID + ">", Width: 10, Height: 10})},
		{"chart cid with a quote", Report, "sv", chart(ReportChart{Kind: "trend", CID: `x"onerror="y`, Width: 10, Height: 10})},
		{"chart cid with a space", Report, "sv", chart(ReportChart{Kind: "trend", CID: "a b@c", Width: 10, Height: 10})},
		{"chart without width", Report, "sv", chart(ReportChart{Kind: "trend", CID: goodChart.CID, Height: 10})},
		{"chart negative height", Report, "en", chart(ReportChart{Kind: "trend", CID: goodChart.CID, Width: 10, Height: -1})},
		{"meeting without start", Report, "sv", meet(ReportMeeting{Minutes: 60, Organizer: "Karin Lund"})},
		{"meeting of 14 minutes", Report, "en", meet(ReportMeeting{Start: meetingStart, Minutes: 14, Organizer: "Karin Lund"})},
		{"meeting of no minutes", Report, "sv", meet(ReportMeeting{Start: meetingStart, Organizer: "Karin Lund"})},
		{"meeting without organizer", Report, "sv", meet(ReportMeeting{Start: meetingStart, Minutes: 60, Organizer: " \n"})},
		{"nil report", Report, "sv", (*ReportData)(nil)},
		{"report as warning", Warning, "sv", reportData("sv")},
		{"warning as report", Report, "sv", warningData("sv", true)},
		{"invitation without customer", Meeting, "sv", invite(func(d *MeetingData) { d.Customer = "\r\n" })},
		{"invitation quarter with dash", Meeting, "en", invite(func(d *MeetingData) { d.Quarter = "2026-Q4" })},
		{"invitation without quarter", Meeting, "sv", invite(func(d *MeetingData) { d.Quarter = "" })},
		{"invitation without start", Meeting, "sv", invite(func(d *MeetingData) { d.Start = time.Time{} })},
		{"invitation of no minutes", Meeting, "en", invite(func(d *MeetingData) { d.Minutes = 0 })},
		{"invitation of 14 minutes", Meeting, "sv", invite(func(d *MeetingData) { d.Minutes = 14 })},
		{"invitation without organizer", Meeting, "sv", invite(func(d *MeetingData) { d.Organizer = "" })},
		{"nil invitation", Meeting, "sv", (*MeetingData)(nil)},
		{"report as invitation", Meeting, "sv", meetingReportData("sv")},
		{"report meeting as invitation", Meeting, "sv", *meetingReportData("sv").Meeting},
		{"invitation as report", Report, "en", meetingData("en", true)},
	}
}
