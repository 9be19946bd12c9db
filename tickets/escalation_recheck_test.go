package tickets

import (
	"context"
	"testing"
)

// A ticket started between the scan and its notice gets no warning: the
// scan reads a snapshot, the notice checks again in its transaction.
func TestNoticeCheckedAgainInItsTransaction(t *testing.T) {
	t.Parallel()
	e := newJobsIntake(t)
	id := e.file(3, "eva@acme.se", stockholm(t, 2026, 11, 30, 10, 0))
	now := stockholm(t, 2026, 11, 30, 16, 0)
	ctx := context.Background()
	due, err := e.s.DueEscalations(ctx, now, 0.75)
	if err != nil || len(due) != 1 || due[0].Level != NoticeWarning {
		t.Fatalf("due %+v, %v; want one warning", due, err)
	}
	e.apply(id, now, Command{Kind: CmdStart})
	composed := false
	sent, err := e.s.SendNotice(ctx, id, NoticeWarning, now, func() ([]Outgoing, error) {
		composed = true
		return nil, nil
	})
	if err != nil || sent || composed {
		t.Errorf("warning for a started ticket: sent %v, composed %v, err %v", sent, composed, err)
	}
	if n := count(t, e.s, "SELECT COUNT(*) FROM notices"); n != 0 {
		t.Errorf("%d notice rows", n)
	}
}
