package tickets

import (
	"context"
	"errors"
	"fmt"

	"github.com/mattn/go-sqlite3"
)

// Errors a caller can tell apart with errors.Is.
var (
	// ErrNotFound: no ticket with that id.
	ErrNotFound = errors.New("no such ticket")
	// ErrTemporary: the database is busy or the operation's context ended;
	// trying again later may succeed (SMTP 451). It has Temporary() true,
	// which is how package mail, which does not import tickets, tells.
	ErrTemporary error = &storageKind{msg: "storage temporarily unavailable", temporary: true}
	// ErrStorageFull: the disk or database is full (SMTP 452). It has
	// StorageFull() true.
	ErrStorageFull error = &storageKind{msg: "storage full", temporary: true, full: true}
	// ErrClosed: the store was closed.
	ErrClosed = errors.New("store closed")
	// ErrSchemaNewer: the database was migrated by a newer sosd.
	ErrSchemaNewer = errors.New("database schema is newer than this sosd")
)

// storageKind is an error that says what kind of failure it is.
type storageKind struct {
	msg             string
	temporary, full bool
}

func (e *storageKind) Error() string     { return e.msg }
func (e *storageKind) Temporary() bool   { return e.temporary }
func (e *storageKind) StorageFull() bool { return e.full }

// TransitionError is an action that the ticket's status does not allow,
// e.g. resolving a closed ticket. Nothing was changed.
type TransitionError struct {
	Ticket ID
	Status Status
	Action string
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("%s is %s: cannot %s", e.Ticket, e.Status, e.Action)
}

// CommandErrors lists every command of a mail that could not be applied;
// none was (SPEC §6: a mail with any invalid command changes nothing).
type CommandErrors []CommandError

// CommandError is one command that could not be applied, and why.
type CommandError struct {
	Index   int // position in the list given to Apply
	Command Command
	// Code is the problem as a machine word (Problem* constants), for the
	// reply to the consultant; Valid lists what would have been accepted
	// (application ids, consultants) where that helps.
	Code  string
	Valid []string
	Err   error
}

// Status is the ticket's status when a not_allowed command would have run.
func (e CommandError) Status() Status {
	var te *TransitionError
	if errors.As(e.Err, &te) {
		return te.Status
	}
	return ""
}

func (es CommandErrors) Error() string {
	s := fmt.Sprintf("%d invalid command(s):", len(es))
	for _, e := range es {
		s += fmt.Sprintf(" #%s: %v;", e.Command.Kind, e.Err)
	}
	return s
}

// storageError classifies a database error so that the SMTP layer can
// answer 451 or 452 instead of a permanent failure (STYLE L7).
func storageError(op string, err error) error {
	if err == nil {
		return nil
	}
	var se sqlite3.Error
	if errors.As(err, &se) {
		switch se.Code {
		case sqlite3.ErrBusy, sqlite3.ErrLocked:
			return fmt.Errorf("%s: %w: %w", op, ErrTemporary, err)
		case sqlite3.ErrFull:
			return fmt.Errorf("%s: %w: %w", op, ErrStorageFull, err)
		}
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return fmt.Errorf("%s: %w: %w", op, ErrTemporary, err)
	}
	return fmt.Errorf("%s: %w", op, err)
}
