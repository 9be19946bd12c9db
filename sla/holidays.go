package sla

import (
	"github.com/rickar/cal/v2"
	"github.com/rickar/cal/v2/se"
)

// Holiday sets a CalendarConfig may name.
const (
	// HolidaysSE is the Swedish set of SPEC §2.
	HolidaysSE = "se"
	// HolidaysNone has no holidays at all, for round-the-clock agreements.
	HolidaysNone = "none"
)

// The three eves that Swedish practice and Lag (1930:173) treat as holidays,
// as CalendarConfig.ClosedEves names them. An eve that is not closed is an
// ordinary eve ("dag före helgdag") with the eve hours, since the day after
// it is a holiday.
const (
	Midsommarafton = "midsommarafton"
	Julafton       = "julafton"
	Nyarsafton     = "nyarsafton"
)

// holiday is one rule of a holiday set: when it falls (from rickar/cal, so
// no Easter arithmetic lives here), its name, and the name of the day before
// it when that day is an eve.
type holiday struct {
	rule *cal.Holiday
	name string
	// eveName names the open day before the holiday, e.g. Skärtorsdagen
	// before Långfredagen.
	eveName string
	// closedEve is the ClosedEves key of a holiday that only counts when
	// the configuration closes it; empty for the public holidays.
	closedEve string
}

// swedishHolidays lists the public holidays of Lag (1989:253) and the three
// closable eves (SPEC §2), with the names the agreement's customers know.
// It is built on each call so no package-level table can be mutated. The
// set is today's and is applied to every year: Sveriges nationaldag
// replaced Annandag pingst only in 2005, which matters to no deadline sosd
// computes.
func swedishHolidays() []holiday {
	return []holiday{
		{rule: se.Nyarsdagen, name: "Nyårsdagen", eveName: "Nyårsafton"},
		{rule: se.TrettondedagJul, name: "Trettondedag jul", eveName: "Trettondagsafton"},
		{rule: se.Langfredagen, name: "Långfredagen", eveName: "Skärtorsdagen"},
		{rule: se.Paskdagen, name: "Påskdagen", eveName: "Påskafton"},
		{rule: se.AnnandagPask, name: "Annandag påsk", eveName: "Dag före annandag påsk"},
		{rule: se.ForstaMaj, name: "Första maj", eveName: "Valborgsmässoafton"},
		{rule: se.KristiHimmelfardsdag, name: "Kristi himmelsfärds dag", eveName: "Dag före Kristi himmelsfärds dag"},
		{rule: se.Pingstdagen, name: "Pingstdagen", eveName: "Pingstafton"},
		{rule: se.Nationaldagen, name: "Sveriges nationaldag", eveName: "Dag före nationaldagen"},
		{rule: se.Midsommarafton, name: "Midsommarafton", eveName: "Dag före midsommarafton", closedEve: Midsommarafton},
		{rule: se.Midsommardagen, name: "Midsommardagen", eveName: "Midsommarafton"},
		{rule: se.AllaHelgonsDag, name: "Alla helgons dag", eveName: "Allhelgonaafton"},
		{rule: se.Julafton, name: "Julafton", eveName: "Dag före julafton", closedEve: Julafton},
		{rule: se.Juldagen, name: "Juldagen", eveName: "Julafton"},
		{rule: se.AnnandagJul, name: "Annandag jul", eveName: "Juldagen"},
		{rule: se.Nyarsafton, name: "Nyårsafton", eveName: "Dag före nyårsafton", closedEve: Nyarsafton},
	}
}

// date returns the date the holiday falls on in year.
func (h holiday) date(year int) Date {
	actual, _ := h.rule.Calc(year)
	return DateOf(actual)
}
