// Package mail is sosd's mail side: the SMTP server that accepts mail for
// the support address, MIME parsing, classification (SPEC §5), reply
// addresses, composing outgoing mail, and writing or relaying it.
//
// It knows nothing of SQL: what must be stored is handed to a Filer, and
// what must be sent is read from an Outbox, both interfaces defined here and
// implemented by package tickets. It never imports tickets.
package mail
