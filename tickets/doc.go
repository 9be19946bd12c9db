// Package tickets owns the database: the ticket model, the SQLite store and
// its migrations, the lifecycle of SPEC §3, consultant commands (SPEC §6),
// customer replies (SPEC §7) and the queries the jobs and reports read.
//
// Nothing else opens the database. Every operation that changes something
// is one immediate transaction holding the change, its history events, the
// mail that caused it and the outgoing mail it causes, so a crash at any
// moment leaves all of it or none. The package knows nothing of SMTP or
// MIME: callers hand it parsed facts and rendered mail.
package tickets
