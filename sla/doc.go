// Package sla is the business calendar of the support agreement and the
// deadlines computed on it (SPEC §2).
//
// It is pure: it performs no I/O, never reads the clock (every instant is an
// argument) and holds no package-level mutable state. It must never import
// anything of sosd's own, nor anything that knows about mail or SQL.
//
// The agreement ("Servicenivå", "Supporten är tillgänglig…") promises that
// troubleshooting starts within 2, 4 or 8 business hours, where business
// hours are Monday–Friday 08:00–17:00 local time except Swedish public
// holidays, and 08:30–14:00 on the day before a holiday. A Calendar holds
// those rules, built once from a CalendarConfig; Deadline, Elapsed and
// Explain answer questions about open time on it.
package sla
