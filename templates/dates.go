package templates

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// locale holds the few words the date and hours phrases are built from,
// the number format of percentages and the words of the report's charts.
// It is the only language data kept in Go code; everything longer lives in
// the embedded templates.
type locale struct {
	weekdays    [7]string  // indexed by time.Weekday (Sunday first)
	months      [12]string // January first
	at          string     // between the date and the time
	deadline    string     // before a committed start time
	and         string     // the last separator of a list
	everyDay    string     // all seven days
	aroundClock string     // 00:00–24:00
	eve         string     // the day before a holiday
	holidays    string     // closed on holidays
	decimal     string     // the decimal separator
	percent     string     // after a percentage, with its space if any
	chart       ChartWordsData
}

var locales = map[string]*locale{
	"sv": {
		weekdays:    [7]string{"söndag", "måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag"},
		months:      [12]string{"januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober", "november", "december"},
		at:          "kl.",
		deadline:    "senast",
		and:         "och",
		everyDay:    "alla dagar",
		aroundClock: "dygnet runt",
		eve:         "dag före helgdag",
		holidays:    "stängt på helgdagar",
		decimal:     ",",
		percent:     " %",
		chart:       ChartWordsData{Met: "Inom tid", Breached: "Försenade", Open: "Ej förfallna", Tickets: "Ärenden", Unknown: "Okänd"},
	},
	"en": {
		weekdays:    [7]string{"Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"},
		months:      [12]string{"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
		at:          "at",
		deadline:    "no later than",
		and:         "and",
		everyDay:    "every day",
		aroundClock: "around the clock",
		eve:         "the day before a public holiday",
		holidays:    "closed on public holidays",
		decimal:     ".",
		percent:     "%",
		chart:       ChartWordsData{Met: "Met", Breached: "Breached", Open: "Not yet due", Tickets: "Tickets", Unknown: "Unknown"},
	},
}

// localeOf returns the words of lang; any language but "sv" gets English.
func localeOf(lang string) *locale {
	if l, ok := locales[lang]; ok {
		return l
	}
	return locales["en"]
}

// LongDate writes t, in its own location, as a weekday, the day without a
// leading zero, the month, the year and the 24-hour time: "tisdag 1
// december 2026 kl. 14:00" in Swedish (lang "sv") and "Tuesday 1 December
// 2026 at 14:00" in English (any other lang). Callers pass times already in
// the calendar's zone.
func LongDate(t time.Time, lang string) string {
	l := localeOf(lang)
	return l.weekdays[t.Weekday()] + " " + strconv.Itoa(t.Day()) + " " + l.months[t.Month()-1] + " " +
		strconv.Itoa(t.Year()) + " " + l.at + " " + t.Format("15:04")
}

// LongDeadline writes a committed start time as the acknowledgement
// promises it: "senast tisdag 1 december 2026 kl. 14:00" in Swedish and
// "no later than Tuesday 1 December 2026 at 14:00" in English.
func LongDeadline(t time.Time, lang string) string {
	return localeOf(lang).deadline + " " + LongDate(t, lang)
}

// LongSpan writes the time from start to minutes later, in start's
// location, as LongDate writes start followed by the end's time:
// "tisdag 12 januari 2027 kl. 10:00–11:00" in Swedish and "Tuesday 12
// January 2027 at 10:00–11:00" in English. An end on another day is
// written in full after a spaced en dash ("… kl. 23:30 – onsdag 13
// januari 2027 kl. 00:30").
func LongSpan(start time.Time, minutes int, lang string) string {
	end := start.Add(time.Duration(minutes) * time.Minute)
	if y, m, d := start.Date(); end.Year() == y && end.Month() == m && end.Day() == d {
		return LongDate(start, lang) + "–" + end.Format("15:04")
	}
	return LongDate(start, lang) + " – " + LongDate(end, lang)
}

// Period writes the days from from to to, to exclusive, as a span of
// dates in their own location: "1 oktober – 31 december 2026" in Swedish
// and "1 October – 31 December 2026" in English; the year is written once
// when both ends share it, and the month too ("1–31 oktober 2026"). The
// last day is the day before to, so a quarter's bounds give its first
// and last day.
func Period(from, to time.Time, lang string) string {
	l := localeOf(lang)
	last := to.AddDate(0, 0, -1)
	day := func(t time.Time) string { return strconv.Itoa(t.Day()) }
	month := func(t time.Time) string { return l.months[t.Month()-1] }
	year := func(t time.Time) string { return strconv.Itoa(t.Year()) }
	switch {
	case from.Year() != last.Year():
		return day(from) + " " + month(from) + " " + year(from) + " – " + day(last) + " " + month(last) + " " + year(last)
	case from.Month() != last.Month():
		return day(from) + " " + month(from) + " – " + day(last) + " " + month(last) + " " + year(last)
	case from.Day() != last.Day():
		return day(from) + "–" + day(last) + " " + month(last) + " " + year(last)
	}
	return day(last) + " " + month(last) + " " + year(last)
}

// Percent writes a percentage with one decimal: "91,7 %" in Swedish and
// "91.7%" in English; nil (nothing to measure) is an en dash, "–".
func Percent(p *float64, lang string) string {
	if p == nil {
		return "–"
	}
	l := localeOf(lang)
	return strings.Replace(strconv.FormatFloat(*p, 'f', 1, 64), ".", l.decimal, 1) + l.percent
}

// duration writes minutes (an int, or a *int where nil means none) as
// hours and minutes: "1 h 35 min", "2 h", "45 min", "0 min"; nil is an en
// dash, "–". The units read the same in Swedish and English.
func duration(minutes any) (string, error) {
	var m int
	switch v := minutes.(type) {
	case int:
		m = v
	case *int:
		if v == nil {
			return "–", nil
		}
		m = *v
	default:
		return "", fmt.Errorf("duration of %T, want minutes", minutes)
	}
	h, m := m/60, m%60
	switch {
	case h == 0:
		return strconv.Itoa(m) + " min", nil
	case m == 0:
		return strconv.Itoa(h) + " h", nil
	}
	return strconv.Itoa(h) + " h " + strconv.Itoa(m) + " min", nil
}

// HoursText writes the support hours as one phrase, e.g. "måndag–fredag
// 08:00–17:00, dag före helgdag 08:30–14:00, stängt på helgdagar" or
// "Monday–Friday 08:00–17:00, the day before a public holiday 08:30–14:00,
// closed on public holidays". Three or more consecutive days are a range
// with an en dash, other days a list ("måndag, onsdag och fredag"); all
// seven days are "alla dagar"/"every day", and 00:00–24:00 is "dygnet
// runt"/"around the clock". The eve part is left out when EveOpen or
// EveClose is empty, the holiday part when Holidays is false.
func HoursText(h Hours, lang string) string {
	l := localeOf(lang)
	parts := []string{l.days(h.Days) + " " + l.span(h.Open, h.Close)}
	if h.EveOpen != "" && h.EveClose != "" {
		parts = append(parts, l.eve+" "+l.span(h.EveOpen, h.EveClose))
	}
	if h.Holidays {
		parts = append(parts, l.holidays)
	}
	return strings.Join(parts, ", ")
}

// span writes open hours, "08:00–17:00" or the round-the-clock phrase.
func (l *locale) span(open, close string) string {
	if open == "00:00" && close == "24:00" {
		return l.aroundClock
	}
	return open + "–" + close
}

// days writes a set of weekdays, Monday first: runs of three or more
// consecutive days as ranges (a run may wrap past Sunday, as in
// "fredag–måndag"), the rest as single days, joined as a list.
func (l *locale) days(days []time.Weekday) string {
	var open [7]bool // Monday first
	n := 0
	for _, d := range days {
		if i := mondayFirst(d); i >= 0 && !open[i] {
			open[i] = true
			n++
		}
	}
	switch n {
	case 0:
		return ""
	case 7:
		return l.everyDay
	}
	// Start at an open day that follows a closed one, so that no run is
	// split at the end of the week.
	start := 0
	for i := range 7 {
		if open[i] && !open[(i+6)%7] {
			start = i
			break
		}
	}
	var items []string
	for i := 0; i < 7; {
		if !open[(start+i)%7] {
			i++
			continue
		}
		j := i
		for j+1 < 7 && open[(start+j+1)%7] {
			j++
		}
		first, last := l.weekdays[weekdayOf((start+i)%7)], l.weekdays[weekdayOf((start+j)%7)]
		switch j - i {
		case 0:
			items = append(items, first)
		case 1:
			items = append(items, first, last)
		default:
			items = append(items, first+"–"+last)
		}
		i = j + 1
	}
	return l.list(items)
}

// list joins items as "a, b och c" / "a, b and c".
func (l *locale) list(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " " + l.and + " " + items[len(items)-1]
}

// mondayFirst maps a weekday to 0 (Monday) … 6 (Sunday); -1 if invalid.
func mondayFirst(d time.Weekday) int {
	if d < time.Sunday || d > time.Saturday {
		return -1
	}
	return (int(d) + 6) % 7
}

// weekdayOf is the inverse of mondayFirst.
func weekdayOf(i int) time.Weekday {
	return time.Weekday((i + 1) % 7)
}
