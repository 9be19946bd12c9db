package templates

import (
	"html"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// Tests of the mails of jobs.go: the warning, the breach notice, the
// call reminder, the quarterly report and the meeting invitation, and the
// words, figures and dates they show. Their data is in jobs_data_test.go.

func TestChartWords(t *testing.T) {
	want := map[string]ChartWordsData{
		"sv": {Met: "Inom tid", Breached: "Försenade", Open: "Ej förfallna", Tickets: "Ärenden", Unknown: "Okänd"},
		"en": {Met: "Met", Breached: "Breached", Open: "Not yet due", Tickets: "Tickets", Unknown: "Unknown"},
	}
	for _, lang := range Languages() {
		if got := ChartWords(lang); got != want[lang] {
			t.Errorf("ChartWords(%s) = %+v, want %+v", lang, got, want[lang])
		}
	}
	if got := ChartWords("de"); got != want["en"] {
		t.Errorf("ChartWords(de) = %+v, want the English words", got)
	}

	// The report's tables use the chart's words, so that a chart and
	// the table below it agree.
	s := newSet(t)
	for _, lang := range Languages() {
		w := ChartWords(lang)
		r := render(t, s, Report, lang, reportData(lang))
		header := regexp.MustCompile(`(?m)^\S.*  ` + regexp.QuoteMeta(w.Tickets) + `  +` + regexp.QuoteMeta(w.Met) + `  +` +
			regexp.QuoteMeta(w.Breached) + `  +` + regexp.QuoteMeta(w.Open) + `  `)
		if !header.MatchString(r.Text) {
			t.Errorf("%s: the priority table's header does not use the chart words %+v:\n%s", lang, w, r.Text)
		}
		if !strings.Contains(r.Text, "      2  "+w.Unknown+"\n") {
			t.Errorf("%s: the unknown application is not %q:\n%s", lang, w.Unknown, r.Text)
		}
		for _, word := range []string{w.Met, w.Breached, w.Open, w.Tickets, w.Unknown} {
			if !strings.Contains(r.HTML, ">"+word+"</t") {
				t.Errorf("%s: no table cell %q in the HTML part", lang, word)
			}
		}
	}
}

func TestPercent(t *testing.T) {
	for _, tt := range []struct {
		p      *float64
		sv, en string
	}{
		{nil, "–", "–"},
		{pct(91.7), "91,7 %", "91.7%"},
		{pct(100), "100,0 %", "100.0%"},
		{pct(0), "0,0 %", "0.0%"},
		{pct(100.0 / 3), "33,3 %", "33.3%"},
		{pct(200.0 / 3), "66,7 %", "66.7%"},
	} {
		if got := Percent(tt.p, "sv"); got != tt.sv {
			t.Errorf("Percent(%v, sv) = %q, want %q", tt.p, got, tt.sv)
		}
		if got := Percent(tt.p, "en"); got != tt.en {
			t.Errorf("Percent(%v, en) = %q, want %q", tt.p, got, tt.en)
		}
	}
}

func TestPeriod(t *testing.T) {
	day := func(y int, m time.Month, d int) time.Time { return at(y, m, d, 0, 0) }
	for _, tt := range []struct {
		from, to time.Time
		sv, en   string
	}{
		// The quarters; Q1 and Q4 cross a change of daylight saving time.
		{day(2026, time.January, 1), day(2026, time.April, 1), "1 januari – 31 mars 2026", "1 January – 31 March 2026"},
		{day(2026, time.April, 1), day(2026, time.July, 1), "1 april – 30 juni 2026", "1 April – 30 June 2026"},
		{day(2026, time.July, 1), day(2026, time.October, 1), "1 juli – 30 september 2026", "1 July – 30 September 2026"},
		{q4From, q4To, "1 oktober – 31 december 2026", "1 October – 31 December 2026"},
		// Across a new year, within a month, one day.
		{day(2025, time.December, 1), day(2026, time.March, 1), "1 december 2025 – 28 februari 2026", "1 December 2025 – 28 February 2026"},
		{day(2026, time.October, 1), day(2026, time.November, 1), "1–31 oktober 2026", "1–31 October 2026"},
		{day(2028, time.February, 1), day(2028, time.March, 1), "1–29 februari 2028", "1–29 February 2028"},
		{day(2026, time.December, 24), day(2026, time.December, 25), "24 december 2026", "24 December 2026"},
	} {
		if got := Period(tt.from, tt.to, "sv"); got != tt.sv {
			t.Errorf("Period(%v, %v, sv) = %q, want %q", tt.from, tt.to, got, tt.sv)
		}
		if got := Period(tt.from, tt.to, "en"); got != tt.en {
			t.Errorf("Period(%v, %v, en) = %q, want %q", tt.from, tt.to, got, tt.en)
		}
	}
}

func TestDuration(t *testing.T) {
	for in, want := range map[any]string{
		0: "0 min", 1: "1 min", 45: "45 min", 60: "1 h", 95: "1 h 35 min", 125: "2 h 5 min", 600: "10 h", 2910: "48 h 30 min",
		mins(95): "1 h 35 min", mins(0): "0 min", (*int)(nil): "–",
	} {
		if got, err := duration(in); err != nil || got != want {
			t.Errorf("duration(%v) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := duration(int64(5)); err == nil {
		t.Error("duration of an int64 succeeded")
	}
}

func TestAlign(t *testing.T) {
	for _, tt := range []struct {
		s           string
		width       int
		left, right string
	}{
		{"Ärenden", 9, "Ärenden  ", "  Ärenden"},
		{"100,0 %", 7, "100,0 %", "100,0 %"},
		{"–", 3, "–  ", "  –"},
		{"too long", 3, "too long", "too long"},
		{"", 2, "  ", "  "},
	} {
		if got := alignLeft(tt.s, tt.width); got != tt.left {
			t.Errorf("alignLeft(%q, %d) = %q, want %q", tt.s, tt.width, got, tt.left)
		}
		if got := alignRight(tt.s, tt.width); got != tt.right {
			t.Errorf("alignRight(%q, %d) = %q, want %q", tt.s, tt.width, got, tt.right)
		}
	}
}

// TestJobsTextWidth: the text parts of the job mails keep to the width of
// a plain-text mail with the golden data.
func TestJobsTextWidth(t *testing.T) {
	s := newSet(t)
	for _, lang := range Languages() {
		for _, c := range goldenCases {
			if c.kind != Warning && c.kind != Breach && c.kind != CallReminder && c.kind != Report {
				continue
			}
			r := render(t, s, c.kind, lang, c.data(lang))
			for _, line := range strings.Split(r.Text, "\n") {
				if n := utf8.RuneCountInString(line); n > 78 || strings.HasSuffix(line, " ") {
					t.Errorf("%s/%s: line of %d characters or with trailing blanks: %q", lang, c.name, n, line)
				}
			}
		}
	}
}

func TestWarningAndBreachContent(t *testing.T) {
	s := newSet(t)
	for _, tt := range []struct {
		lang                           string
		warning, breach, named, nobody []string
	}{
		{"sv",
			[]string{"Ärende SOS-12 från ACME AB är ännu inte påbörjat", "75 % av svarstiden har gått", "senast måndag 30 november 2026 kl. 17:00", "#start"},
			[]string{"Svarstiden för ärende SOS-12 från ACME AB har överskridits", "skulle ha påbörjats senast tisdag 1 december 2026 kl. 10:00", "kundens kvartalsrapport"},
			[]string{"Ärendet är tilldelat Anna Berg."},
			[]string{"Ingen konsult är tilldelad ärendet.", "#assign <e-post>"}},
		{"en",
			[]string{"Ticket SOS-12 from Nordic Logistics Ltd has not been started", "75% of its response time has been used", "no later than Monday 30 November 2026 at 17:00", "#start"},
			[]string{"The response time of ticket SOS-12 from Nordic Logistics Ltd has been breached", "should have started no later than Tuesday 1 December 2026 at 10:00", "customer's quarterly report"},
			[]string{"The ticket is assigned to Anna Berg."},
			[]string{"No consultant is assigned to the ticket.", "#assign <email>"}},
	} {
		for _, assigned := range []bool{true, false} {
			w := render(t, s, Warning, tt.lang, warningData(tt.lang, assigned))
			b := render(t, s, Breach, tt.lang, breachData(tt.lang, assigned))
			both(t, tt.lang+" warning", w, tt.warning...)
			both(t, tt.lang+" breach", b, tt.breach...)
			if assigned {
				both(t, tt.lang+" assigned", w, tt.named...)
				both(t, tt.lang+" assigned", b, tt.named...)
				never(t, tt.lang+" assigned", b, tt.nobody[0])
			} else {
				both(t, tt.lang+" unassigned", w, tt.nobody...)
				both(t, tt.lang+" unassigned", b, tt.nobody...)
				never(t, tt.lang+" unassigned", w, "Anna")
			}
		}
	}
	// The percentage is the one given.
	d := warningData("sv", false)
	d.Percent = 90
	both(t, "90 percent", render(t, s, Warning, "sv", d), "90 % av svarstiden")
	if r := render(t, s, Warning, "en", warningData("en", true)); !strings.Contains(r.Subject, "75% of the response time used") {
		t.Errorf("subject %q", r.Subject)
	}
}

func TestCallReminderContent(t *testing.T) {
	s := newSet(t)
	reached := map[string]string{"sv": ", gränsen är nådd", "en": ", limit reached"}
	for _, tt := range []struct {
		lang          string
		phone, nobody []string
	}{
		{"sv", []string{"Ring Eva Ek på +46 70 123 45 67.", "Loggad arbetstid: 4 h 30 min, gränsen är nådd", "Tid sedan start: 3 h 10 min inom öppettiderna", "Gräns: 4 h", "#called", "en gång per ärende"},
			[]string{"Vi har inget telefonnummer till kunden. Be om ett genom att mejla anmälaren, eva.ek@acme.se.", "4 h 5 min inom öppettiderna, gränsen är nådd"}},
		{"en", []string{"Call Sam Hill on +46 70 123 45 67.", "Work logged: 4 h 30 min, limit reached", "Time since start: 3 h 10 min within support hours", "Limit: 4 h", "#called", "once per ticket"},
			[]string{"We have no phone number for the customer. Ask for one by emailing the reporter, sam.hill@nordlog.example.", "4 h 5 min within support hours, limit reached"}},
	} {
		page := func(r Rendered) string {
			return html.UnescapeString(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(r.HTML, " "))
		}
		// Labels end in a colon in the text part and are cells in the HTML part.
		squash := func(s string) string { return strings.Join(strings.Fields(strings.ReplaceAll(s, ":", "")), " ") }
		r := render(t, s, CallReminder, tt.lang, callData(tt.lang, true))
		for _, w := range tt.phone {
			if w := squash(w); !strings.Contains(squash(r.Text), w) || !strings.Contains(squash(page(r)), w) {
				t.Errorf("%s: mail lacks %q:\n%s", tt.lang, w, r.Text)
			}
		}
		if n := strings.Count(r.Text, reached[tt.lang]); n != 1 {
			t.Errorf("%s: the limit is reached %d times, want 1", tt.lang, n)
		}
		r = render(t, s, CallReminder, tt.lang, callData(tt.lang, false))
		for _, w := range tt.nobody {
			if w := squash(w); !strings.Contains(squash(r.Text), w) || !strings.Contains(squash(page(r)), w) {
				t.Errorf("%s without phone: mail lacks %q:\n%s", tt.lang, w, r.Text)
			}
		}
		// A known contact without a phone number is named.
		d := callData(tt.lang, true)
		d.Phone = ""
		both(t, tt.lang+" contact without phone", render(t, s, CallReminder, tt.lang, d), d.Contact+".", d.Ticket.Reporter)
	}
}

func TestReportContent(t *testing.T) {
	s := newSet(t)
	want := map[string][]string{
		"sv": {
			"Här kommer statusrapporten för ACME AB\nför fjärde kvartalet 2026, 1 oktober – 31 december 2026.",
			"\nÄrenden:                           14\n",
			"\nPåbörjade inom avtalad tid:        84,6 % (11 av 13)\n",
			"\nSvarstiden överskriden:            2\n",
			"\nÄnnu inte förfallna:               1\n",
			"\nPlatsbesök:                        2\n",
			"\nLoggad arbetstid:                  48 h 30 min\n",
			"\nSamtal enligt fyratimmarsregeln:   3\n",
			"\nÅteröppnade:                       1 gång\n",
			"\nLösta, väntar på ert godkännande:  2\n",
			"\n1 (Affärskritiskt)        2         1          1             0          50,0 %\n",
			"\n3 (Standard)              9         7          1             1          87,5 %\n",
			"\n2 (Kritiskt)          1 h 5 min      3 h 15 min   3 h 15 min\n",
			"\n      8  Ekonomisystemet\n      4  Intranätet\n      2  Okänd\n",
			"\nMedian:          6 h 15 min\n90:e percentil:  19 h 40 min\nLängst:          31 h 5 min\n",
			"\nSOS-31: Lönekörningen avbryts med fel\n  Prioritet:        1 (Affärskritiskt)\n  Påbörjas senast:  tisdag 13 oktober 2026 kl. 10:00\n  Påbörjades:       tisdag 13 oktober 2026 kl. 12:40\n",
			"\nSOS-44: Skrivaren på lagret skriver inte ut\n  Prioritet:        3 (Standard)\n  Påbörjas senast:  måndag 28 december 2026 kl. 08:30\n  Påbörjades:       ej påbörjat\n",
			"\nQ3 2026        0               –\nQ4 2026       14          84,6 %\n",
			"finns bifogad som CSV-fil", "Diagrammen finns i mejlets HTML-version.",
			"Karin Lund, kundansvarig hos oss, hör av sig för att boka\nkvartalets statusmöte",
		},
		"en": {
			"Here is the status report for Nordic Logistics Ltd\nfor the fourth quarter of 2026, 1 October – 31 December 2026.",
			"\nTickets:                           14\n",
			"\nStarted within the agreed time:    84.6% (11 of 13)\n",
			"\nResponse time breached:            2\n",
			"\nNot yet due:                       1\n",
			"\nOn-site visits:                    2\n",
			"\nWork logged:                       48 h 30 min\n",
			"\nFour-hour-rule calls:              3\n",
			"\nReopened:                          1 time\n",
			"\nResolved, awaiting your approval:  2\n",
			"\n1 (Affärskritiskt)        2    1         1            0      50.0%\n",
			"\n3 (Standard)         2 h 20 min       6 h 45 min   7 h 50 min\n",
			"\n      8  Warehouse system\n      4  Customer portal\n      2  Unknown\n",
			"\nMedian:           6 h 15 min\n90th percentile:  19 h 40 min\nLongest:          31 h 5 min\n",
			"\nSOS-44: Label printer in warehouse 2 does not print\n  Priority:   3 (Standard)\n  Start by:   Monday 28 December 2026 at 08:30\n  Started:    not started\n",
			"\nQ3 2026        0          –\nQ4 2026       14      84.6%\n",
			"attached as a CSV file", "The charts are in the HTML version of this email.",
			"Karin Lund, your account manager, will contact you to book the\nquarterly status meeting",
		},
	}
	subjects := map[string]string{"sv": "Statusrapport för ACME AB: fjärde kvartalet 2026", "en": "Status report for Nordic Logistics Ltd: fourth quarter of 2026"}
	for _, lang := range Languages() {
		r := render(t, s, Report, lang, reportData(lang))
		for _, w := range want[lang] {
			if !strings.Contains(r.Text, w) {
				t.Errorf("%s: text lacks %q:\n%s", lang, w, r.Text)
			}
		}
		if r.Subject != subjects[lang] {
			t.Errorf("%s: subject %q, want %q", lang, r.Subject, subjects[lang])
		}

		// The HTML part shows every chart, in the given order, as an
		// inline image with its size, alternative text and caption.
		last := -1
		for _, c := range reportData(lang).Charts {
			img := regexp.MustCompile(`<img src="cid:` + regexp.QuoteMeta(c.CID) + `" width="` + strconv.Itoa(c.Width) + `" height="` +
				strconv.Itoa(c.Height) + `" style="[^"]*" alt="[^"]{20,}">\n<p style="[^"]*">[^<]{10,}</p>`)
			loc := img.FindStringIndex(r.HTML)
			switch {
			case loc == nil:
				t.Errorf("%s: no image for chart %q:\n%s", lang, c.Kind, r.HTML)
			case loc[0] < last:
				t.Errorf("%s: chart %q out of order", lang, c.Kind)
			default:
				last = loc[0]
			}
		}
		// Every figure of the text part is in the HTML part too.
		page := html.UnescapeString(r.HTML)
		for _, w := range []string{">14<", ">84,6 %<", ">84.6%<", ">48 h 30 min<", ">1 h 5 min<", ">31 h 5 min<", ">SOS-31<", ">SOS-44<",
			">ej påbörjat<", ">not started<", ">Q3 2026<", ">–<", "CSV", "Karin Lund"} {
			if strings.Contains(r.Text, strings.Trim(w, "<>")) && !strings.Contains(page, w) {
				t.Errorf("%s: HTML lacks %q", lang, w)
			}
		}
	}
}

func TestReportVariants(t *testing.T) {
	s := newSet(t)
	words := map[string]map[string]string{
		"sv": {"empty": "Inga ärenden anmäldes under kvartalet.", "summary": "SAMMANFATTNING", "csv": "CSV", "chart": "Diagrammet finns",
			"noDue": "– (inget ärende har förfallit ännu)", "noBreach": "Ingen svarstid överskreds under kvartalet.",
			"noClosed": "Inget av kvartalets ärenden har stängts ännu.", "noManager": "Vi hör av oss för att boka",
			"short": "UTVECKLING PER KVARTAL", "html": "HTML-version", "q1": "första kvartalet 2027", "q2": "andra", "q3": "tredje"},
		"en": {"empty": "No tickets were reported during the quarter.", "summary": "SUMMARY", "csv": "CSV", "chart": "The chart is",
			"noDue": "– (no ticket was due yet)", "noBreach": "No response time was breached during the quarter.",
			"noClosed": "None of the quarter's tickets has been closed yet.", "noManager": "We will contact you to book",
			"short": "TREND BY QUARTER", "html": "HTML version", "q1": "first quarter of 2027", "q2": "second", "q3": "third"},
	}
	for _, lang := range Languages() {
		w := words[lang]
		// No tickets: no summary and no tables but the trend, no CSV.
		r := render(t, s, Report, lang, emptyReportData(lang))
		both(t, lang+" empty", r, w["empty"], w["noManager"])
		never(t, lang+" empty", r, w["summary"], w["csv"], "SOS-", "Karin")
		if !strings.Contains(r.Text, w["chart"]) || strings.Count(r.HTML, "<img ") != 1 {
			t.Errorf("%s empty: not one chart:\n%s", lang, r.Text)
		}

		// Tickets, none due, none breached or closed, no charts; a
		// trend of two quarters; the first quarter of the next year.
		d := emptyReportData(lang)
		d.Quarter, d.From, d.To = "2027Q1", q4To, at(2027, time.April, 1, 0, 0)
		d.Tickets, d.Charts = 2, nil
		d.ByPriority[2].Tickets = 2
		d.ByApplication = []ReportCount{{Tickets: 2}}
		d.Trend = []ReportTrend{{Quarter: "2026Q4"}, {Quarter: "2027Q1", Tickets: 2}}
		r = render(t, s, Report, lang, d)
		both(t, lang+" none due", r, w["noDue"], w["noBreach"], w["noClosed"], w["csv"], w["q1"])
		if !strings.Contains(r.Text, w["short"]) || !strings.Contains(r.Subject, w["q1"]) {
			t.Errorf("%s: the trend of two quarters or the quarter's name:\n%s\n%s", lang, r.Subject, r.Text)
		}
		never(t, lang+" no charts", r, w["html"], "<img", "cid:")
		for q, name := range map[string]string{"2026Q2": w["q2"], "2026Q3": w["q3"]} {
			d := emptyReportData(lang)
			d.Quarter = q
			d.Trend = []ReportTrend{{Quarter: q}}
			if r := render(t, s, Report, lang, d); !strings.Contains(r.Subject, name) || !strings.Contains(r.Text, name) {
				t.Errorf("%s %s: not named %q: %s", lang, q, name, r.Subject)
			}
		}

		// A breach whose priority has no row is shown by its number.
		d = reportData(lang)
		d.ByPriority = d.ByPriority[1:]
		r = render(t, s, Report, lang, d)
		if !regexp.MustCompile(`\n  (Prioritet|Priority): +1\n`).MatchString(r.Text) || !strings.Contains(r.HTML, ">1</td>") {
			t.Errorf("%s: a breach of a priority without a row:\n%s", lang, r.Text)
		}
	}
}

// TestReportMeeting: a report with a meeting proposes it in place of the
// promise to get in touch; a printed report speaks of no attachment, no
// mail and no invitation, but keeps its charts.
func TestReportMeeting(t *testing.T) {
	s := newSet(t)
	words := map[string]map[string]string{
		"sv": {"propose": "Vi föreslår en tid för kvartalets statusmöte med Karin Lund, kundansvarig hos oss,",
			"time": "tisdag 12 januari 2027 kl. 10:00–11:00", "invite": "Inbjudan finns i det här mejlet: svara på den i din kalender, eller föreslå en annan tid till Karin.",
			"printed": "Passar tiden inte? Hör av dig till Karin, så hittar vi en annan tid.", "book": "för att boka",
			"csv": "CSV", "mail": "mejl", "invitation": "Inbjudan", "calendar": "kalender"},
		"en": {"propose": "We propose a time for the quarterly status meeting with Karin Lund, your account manager,",
			"time": "Tuesday 12 January 2027 at 10:00–11:00 (Europe/Stockholm time)", "invite": "The invitation is in this email: respond to it in your calendar, or suggest another time to Karin.",
			"printed": "If the time does not suit you, let Karin know and we will find another one.", "book": "to book",
			"csv": "CSV", "mail": "email", "invitation": "invitation", "calendar": "calendar"},
	}
	for _, lang := range Languages() {
		w := words[lang]
		mailed := render(t, s, Report, lang, meetingReportData(lang))
		both(t, lang+" meeting", mailed, w["propose"], w["time"], w["invite"], w["csv"])
		never(t, lang+" meeting", mailed, w["book"], w["printed"])
		if n := strings.Count(mailed.Text, "Karin Lund"); n != 1 {
			t.Errorf("%s: the account manager is named %d times, want 1:\n%s", lang, n, mailed.Text)
		}

		// Printed: the same proposal without the invitation; the charts
		// are shown, but no sentence says where they or the list are.
		d := meetingReportData(lang)
		d.Printed = true
		printed := render(t, s, Report, lang, d)
		both(t, lang+" printed", printed, w["propose"], w["time"], w["printed"])
		never(t, lang+" printed", printed, w["csv"], w["mail"], w["invitation"], w["calendar"], w["book"])
		if n := strings.Count(printed.HTML, "<img src=\"cid:"); n != len(d.Charts) {
			t.Errorf("%s printed: %d images, want %d", lang, n, len(d.Charts))
		}

		// Printed without a meeting: the account manager gets in touch.
		d.Meeting = nil
		printed = render(t, s, Report, lang, d)
		both(t, lang+" printed without meeting", printed, "Karin Lund", w["book"])
		never(t, lang+" printed without meeting", printed, w["csv"], w["mail"], w["invitation"])

		// The organizer is named as given; the proposal is the same
		// without tickets, and its second mention of an address is the
		// address.
		e := emptyReportData(lang)
		e.Meeting = &ReportMeeting{Start: meetingStart, Minutes: 45, Organizer: "karin.lund@sos.example"}
		r := render(t, s, Report, lang, e)
		both(t, lang+" empty with meeting", r, map[string]string{"sv": "kl. 10:00–10:45", "en": "at 10:00–10:45"}[lang],
			map[string]string{"sv": "föreslå en annan tid till karin.lund@sos.example.", "en": "suggest another time to karin.lund@sos.example."}[lang])
		never(t, lang+" empty with meeting", r, w["book"], "Karin")
	}
}

// TestMeetingContent: the invitation's title and description say what
// the meeting is about, which mail the report came in and who organises
// it; the description leaves the time to the calendar.
func TestMeetingContent(t *testing.T) {
	s := newSet(t)
	want := map[string]struct {
		title, titleUnknown string
		words               []string
		quarters            map[string]string
	}{
		"sv": {"Kvartalsmöte: ACME AB och SOS Konsult AB, fjärde kvartalet 2026", "Kvartalsmöte: ACME AB, fjärde kvartalet 2026",
			[]string{"Statusmöte om supporten från SOS Konsult AB till ACME AB under fjärde kvartalet 2026.", "svarstiderna per prioritet",
				"svarstiden överskreds", "utvecklingen", "kom med mejl samma dag som den här inbjudan",
				"Mötet är bokat av Karin Lund, er kundansvariga på SOS Konsult AB.", "Föreslå en annan tid till Karin"},
			map[string]string{"2027Q1": "första kvartalet 2027", "2027Q2": "andra kvartalet 2027", "2027Q3": "tredje kvartalet 2027"}},
		"en": {"Quarterly meeting: Nordic Logistics Ltd and SOS Konsult AB, fourth quarter of 2026", "Quarterly meeting: Nordic Logistics Ltd, fourth quarter of 2026",
			[]string{"Status meeting on the support from SOS Konsult AB to Nordic Logistics Ltd in the fourth quarter of 2026.", "response times by priority",
				"response time was breached", "trend", "came by email on the same day as this invitation",
				"The meeting was arranged by Karin Lund, your account manager at SOS Konsult AB.", "suggest another time to Karin"},
			map[string]string{"2027Q1": "first quarter of 2027", "2027Q2": "second quarter of 2027", "2027Q3": "third quarter of 2027"}},
	}
	for _, lang := range Languages() {
		w := want[lang]
		r := render(t, s, Meeting, lang, meetingData(lang, true))
		if r.Subject != w.title {
			t.Errorf("%s: title %q, want %q", lang, r.Subject, w.title)
		}
		both(t, lang, r, w.words...)
		// The description names the report's subject, so that it can be
		// found in the mailbox.
		report := render(t, s, Report, lang, reportData(lang))
		both(t, lang, r, `"`+report.Subject+`"`)
		// No time: the calendar shows it, and it may be moved.
		never(t, lang, r, "10:00", "11:00", "2027", "Europe/Stockholm")
		// A DESCRIPTION value: no final line break, no line break inside a
		// paragraph.
		if strings.HasSuffix(r.Text, "\n") || strings.HasPrefix(r.Text, "\n") {
			t.Errorf("%s: the description begins or ends with a line break: %q", lang, r.Text)
		}
		for _, para := range strings.Split(r.Text, "\n\n") {
			if strings.Contains(para, "\n") && !strings.HasPrefix(para, "- ") {
				t.Errorf("%s: a paragraph is wrapped: %q", lang, para)
			}
		}

		u := render(t, s, Meeting, lang, meetingData(lang, false))
		if u.Subject != w.titleUnknown {
			t.Errorf("%s: title without consultancy %q, want %q", lang, u.Subject, w.titleUnknown)
		}
		never(t, lang+" without consultancy", u, "SOS Konsult", " och ,", " and ,", "  ")

		for q, name := range w.quarters {
			d := meetingData(lang, true)
			d.Quarter = q
			if r := render(t, s, Meeting, lang, d); !strings.HasSuffix(r.Subject, ", "+name) || !strings.Contains(r.Text, name) {
				t.Errorf("%s %s: not named %q: %s", lang, q, name, r.Subject)
			}
		}
	}
}

func TestLongSpan(t *testing.T) {
	for _, tt := range []struct {
		start   time.Time
		minutes int
		sv, en  string
	}{
		{meetingStart, 60, "tisdag 12 januari 2027 kl. 10:00–11:00", "Tuesday 12 January 2027 at 10:00–11:00"},
		{meetingStart, 15, "tisdag 12 januari 2027 kl. 10:00–10:15", "Tuesday 12 January 2027 at 10:00–10:15"},
		{at(2027, time.January, 12, 23, 30), 30, "tisdag 12 januari 2027 kl. 23:30 – onsdag 13 januari 2027 kl. 00:00",
			"Tuesday 12 January 2027 at 23:30 – Wednesday 13 January 2027 at 00:00"},
		// Across the change to summer time: 01:30 + 60 minutes is 03:30.
		{at(2027, time.March, 28, 1, 30), 60, "söndag 28 mars 2027 kl. 01:30–03:30", "Sunday 28 March 2027 at 01:30–03:30"},
	} {
		if got := LongSpan(tt.start, tt.minutes, "sv"); got != tt.sv {
			t.Errorf("LongSpan(%v, %d, sv) = %q, want %q", tt.start, tt.minutes, got, tt.sv)
		}
		if got := LongSpan(tt.start, tt.minutes, "en"); got != tt.en {
			t.Errorf("LongSpan(%v, %d, en) = %q, want %q", tt.start, tt.minutes, got, tt.en)
		}
	}
}

func TestFirstName(t *testing.T) {
	for in, want := range map[string]string{
		"Karin Lund": "Karin", "  Anna-Karin  Berg ": "Anna-Karin", "Karin": "Karin", "": "",
		"karin.lund@sos.example": "karin.lund@sos.example", "Karin Lund <karin@sos.example>": "Karin Lund <karin@sos.example>",
		"Lund, Karin": "Lund, Karin",
	} {
		if got := firstName(in); got != want {
			t.Errorf("firstName(%q) = %q, want %q", in, got, want)
		}
	}
}
