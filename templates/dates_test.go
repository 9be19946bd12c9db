package templates

import (
	"testing"
	"time"
)

// Dates and support hours in words (dates.go), in both languages.

func TestLongDate(t *testing.T) {
	utc := time.UTC
	tests := []struct {
		t      time.Time
		sv, en string
	}{
		// Every weekday.
		{at(2026, time.November, 30, 15, 0), "måndag 30 november 2026 kl. 15:00", "Monday 30 November 2026 at 15:00"},
		{at(2026, time.December, 1, 14, 0), "tisdag 1 december 2026 kl. 14:00", "Tuesday 1 December 2026 at 14:00"},
		{at(2026, time.December, 2, 8, 0), "onsdag 2 december 2026 kl. 08:00", "Wednesday 2 December 2026 at 08:00"},
		{at(2026, time.December, 3, 9, 5), "torsdag 3 december 2026 kl. 09:05", "Thursday 3 December 2026 at 09:05"},
		{at(2026, time.December, 4, 17, 0), "fredag 4 december 2026 kl. 17:00", "Friday 4 December 2026 at 17:00"},
		{at(2026, time.December, 5, 12, 30), "lördag 5 december 2026 kl. 12:30", "Saturday 5 December 2026 at 12:30"},
		{at(2026, time.December, 6, 23, 59), "söndag 6 december 2026 kl. 23:59", "Sunday 6 December 2026 at 23:59"},
		// Every month; day 1 and 21 have no leading zero and no ordinal.
		{at(2026, time.January, 1, 8, 0), "torsdag 1 januari 2026 kl. 08:00", "Thursday 1 January 2026 at 08:00"},
		{at(2026, time.February, 21, 8, 0), "lördag 21 februari 2026 kl. 08:00", "Saturday 21 February 2026 at 08:00"},
		{at(2026, time.March, 1, 8, 0), "söndag 1 mars 2026 kl. 08:00", "Sunday 1 March 2026 at 08:00"},
		{at(2026, time.April, 21, 8, 0), "tisdag 21 april 2026 kl. 08:00", "Tuesday 21 April 2026 at 08:00"},
		{at(2026, time.May, 1, 8, 0), "fredag 1 maj 2026 kl. 08:00", "Friday 1 May 2026 at 08:00"},
		{at(2026, time.June, 21, 8, 0), "söndag 21 juni 2026 kl. 08:00", "Sunday 21 June 2026 at 08:00"},
		{at(2026, time.July, 1, 8, 0), "onsdag 1 juli 2026 kl. 08:00", "Wednesday 1 July 2026 at 08:00"},
		{at(2026, time.August, 21, 8, 0), "fredag 21 augusti 2026 kl. 08:00", "Friday 21 August 2026 at 08:00"},
		{at(2026, time.September, 1, 8, 0), "tisdag 1 september 2026 kl. 08:00", "Tuesday 1 September 2026 at 08:00"},
		{at(2026, time.October, 21, 8, 0), "onsdag 21 oktober 2026 kl. 08:00", "Wednesday 21 October 2026 at 08:00"},
		{at(2026, time.November, 1, 8, 0), "söndag 1 november 2026 kl. 08:00", "Sunday 1 November 2026 at 08:00"},
		{at(2026, time.December, 21, 8, 0), "måndag 21 december 2026 kl. 08:00", "Monday 21 December 2026 at 08:00"},
		// Midnight: 00:00 belongs to the new day; the zone of t decides
		// the day, so one instant is two dates in two zones.
		{at(2026, time.December, 1, 0, 0), "tisdag 1 december 2026 kl. 00:00", "Tuesday 1 December 2026 at 00:00"},
		{time.Date(2026, time.November, 30, 23, 30, 0, 0, utc).In(stockholm), "tisdag 1 december 2026 kl. 00:30", "Tuesday 1 December 2026 at 00:30"},
		{time.Date(2026, time.November, 30, 23, 30, 0, 0, utc), "måndag 30 november 2026 kl. 23:30", "Monday 30 November 2026 at 23:30"},
		{at(2026, time.December, 31, 23, 59), "torsdag 31 december 2026 kl. 23:59", "Thursday 31 December 2026 at 23:59"},
		{at(2027, time.January, 1, 0, 0), "fredag 1 januari 2027 kl. 00:00", "Friday 1 January 2027 at 00:00"},
		// Seconds are not written.
		{time.Date(2026, time.December, 1, 13, 59, 59, 0, stockholm), "tisdag 1 december 2026 kl. 13:59", "Tuesday 1 December 2026 at 13:59"},
	}
	for _, tt := range tests {
		if got := LongDate(tt.t, "sv"); got != tt.sv {
			t.Errorf("LongDate(%v, sv) = %q, want %q", tt.t, got, tt.sv)
		}
		if got := LongDate(tt.t, "en"); got != tt.en {
			t.Errorf("LongDate(%v, en) = %q, want %q", tt.t, got, tt.en)
		}
		if got, want := LongDeadline(tt.t, "sv"), "senast "+tt.sv; got != want {
			t.Errorf("LongDeadline(%v, sv) = %q, want %q", tt.t, got, want)
		}
		if got, want := LongDeadline(tt.t, "en"), "no later than "+tt.en; got != want {
			t.Errorf("LongDeadline(%v, en) = %q, want %q", tt.t, got, want)
		}
	}
	if got, want := LongDeadline(deadlines[3], "sv"), "senast tisdag 1 december 2026 kl. 14:00"; got != want {
		t.Errorf("LongDeadline = %q, want %q", got, want)
	}
	if got, want := LongDeadline(deadlines[3], "en"), "no later than Tuesday 1 December 2026 at 14:00"; got != want {
		t.Errorf("LongDeadline = %q, want %q", got, want)
	}
}

// TestEnglishNames checks the English words against the standard library.
func TestEnglishNames(t *testing.T) {
	en := locales["en"]
	for d := time.Sunday; d <= time.Saturday; d++ {
		if en.weekdays[d] != d.String() {
			t.Errorf("weekday %d: %q, want %q", d, en.weekdays[d], d.String())
		}
	}
	for m := time.January; m <= time.December; m++ {
		if en.months[m-1] != m.String() {
			t.Errorf("month %d: %q, want %q", m, en.months[m-1], m.String())
		}
	}
}

func TestHoursText(t *testing.T) {
	wd := func(days ...time.Weekday) []time.Weekday { return days }
	mon, tue, wed, thu, fri, sat, sun := time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday, time.Sunday
	tests := []struct {
		name   string
		h      Hours
		sv, en string
	}{
		{"agreement", hours,
			"måndag–fredag 08:00–17:00, dag före helgdag 08:30–14:00, stängt på helgdagar",
			"Monday–Friday 08:00–17:00, the day before a public holiday 08:30–14:00, closed on public holidays"},
		{"no eves, no holidays", Hours{Days: hours.Days, Open: "07:00", Close: "16:00"},
			"måndag–fredag 07:00–16:00", "Monday–Friday 07:00–16:00"},
		{"holidays without eves", Hours{Days: hours.Days, Open: "08:00", Close: "17:00", Holidays: true},
			"måndag–fredag 08:00–17:00, stängt på helgdagar", "Monday–Friday 08:00–17:00, closed on public holidays"},
		{"half an eve is no eve", Hours{Days: hours.Days, Open: "08:00", Close: "17:00", EveOpen: "08:30"},
			"måndag–fredag 08:00–17:00", "Monday–Friday 08:00–17:00"},
		{"round the clock", Hours{Days: wd(mon, tue, wed, thu, fri, sat, sun), Open: "00:00", Close: "24:00"},
			"alla dagar dygnet runt", "every day around the clock"},
		{"round the clock, unordered", Hours{Days: wd(sun, sat, fri, thu, wed, tue, mon, mon), Open: "00:00", Close: "24:00"},
			"alla dagar dygnet runt", "every day around the clock"},
		{"weekdays round the clock", Hours{Days: hours.Days, Open: "00:00", Close: "24:00", Holidays: true},
			"måndag–fredag dygnet runt, stängt på helgdagar", "Monday–Friday around the clock, closed on public holidays"},
		{"every day", Hours{Days: wd(mon, tue, wed, thu, fri, sat, sun), Open: "06:00", Close: "22:00"},
			"alla dagar 06:00–22:00", "every day 06:00–22:00"},
		{"00:00 to 23:59 is not round the clock", Hours{Days: wd(mon), Open: "00:00", Close: "23:59"},
			"måndag 00:00–23:59", "Monday 00:00–23:59"},
		{"list", Hours{Days: wd(mon, wed, fri), Open: "08:00", Close: "17:00"},
			"måndag, onsdag och fredag 08:00–17:00", "Monday, Wednesday and Friday 08:00–17:00"},
		{"list, unordered", Hours{Days: wd(fri, mon, wed, fri), Open: "08:00", Close: "17:00"},
			"måndag, onsdag och fredag 08:00–17:00", "Monday, Wednesday and Friday 08:00–17:00"},
		{"two days are a list", Hours{Days: wd(mon, tue), Open: "08:00", Close: "12:00"},
			"måndag och tisdag 08:00–12:00", "Monday and Tuesday 08:00–12:00"},
		{"weekend", Hours{Days: wd(sat, sun), Open: "10:00", Close: "14:00"},
			"lördag och söndag 10:00–14:00", "Saturday and Sunday 10:00–14:00"},
		{"one day", Hours{Days: wd(thu), Open: "08:00", Close: "17:00"},
			"torsdag 08:00–17:00", "Thursday 08:00–17:00"},
		{"range and a day", Hours{Days: wd(mon, tue, wed, fri), Open: "08:00", Close: "17:00"},
			"måndag–onsdag och fredag 08:00–17:00", "Monday–Wednesday and Friday 08:00–17:00"},
		{"day and a range", Hours{Days: wd(mon, wed, thu, fri), Open: "08:00", Close: "17:00"},
			"måndag och onsdag–fredag 08:00–17:00", "Monday and Wednesday–Friday 08:00–17:00"},
		{"range past Sunday", Hours{Days: wd(fri, sat, sun, mon), Open: "08:00", Close: "17:00"},
			"fredag–måndag 08:00–17:00", "Friday–Monday 08:00–17:00"},
		{"six days", Hours{Days: wd(mon, tue, wed, thu, fri, sat), Open: "08:00", Close: "17:00"},
			"måndag–lördag 08:00–17:00", "Monday–Saturday 08:00–17:00"},
		{"six days without Wednesday", Hours{Days: wd(mon, tue, thu, fri, sat, sun), Open: "08:00", Close: "17:00"},
			"torsdag–tisdag 08:00–17:00", "Thursday–Tuesday 08:00–17:00"},
		{"round-the-clock eves", Hours{Days: hours.Days, Open: "08:00", Close: "17:00", EveOpen: "00:00", EveClose: "24:00", Holidays: true},
			"måndag–fredag 08:00–17:00, dag före helgdag dygnet runt, stängt på helgdagar",
			"Monday–Friday 08:00–17:00, the day before a public holiday around the clock, closed on public holidays"},
	}
	for _, tt := range tests {
		if got := HoursText(tt.h, "sv"); got != tt.sv {
			t.Errorf("%s: HoursText(sv) = %q, want %q", tt.name, got, tt.sv)
		}
		if got := HoursText(tt.h, "en"); got != tt.en {
			t.Errorf("%s: HoursText(en) = %q, want %q", tt.name, got, tt.en)
		}
	}
}

func TestDateFuncsUnknownLanguage(t *testing.T) {
	d := deadlines[3]
	if got, want := LongDate(d, "de"), LongDate(d, "en"); got != want {
		t.Errorf("LongDate(de) = %q, want the English %q", got, want)
	}
	if got, want := HoursText(hours, ""), HoursText(hours, "en"); got != want {
		t.Errorf("HoursText(\"\") = %q, want the English %q", got, want)
	}
}
