package mail

import (
	"strings"
	"testing"
)

func TestSigner(t *testing.T) {
	t.Parallel()
	s, err := NewSigner([]byte("0123456789abcdef0123456789abcdef"), "Support@SOS.example")
	if err != nil {
		t.Fatal(err)
	}
	addr := s.Address(12, "Eva@Acme.se")
	if !strings.HasPrefix(addr, "support+12-") || !strings.HasSuffix(addr, "@sos.example") || len(addr) != len("support+12-")+macChars+len("@sos.example") {
		t.Fatalf("Address = %q", addr)
	}
	if n, ok := s.Verify(addr, "eva@acme.se"); !ok || n != 12 {
		t.Errorf("Verify(own address) = %d, %v", n, ok)
	}
	if n, ok := s.Verify(strings.ToUpper(addr), "EVA@ACME.SE"); !ok || n != 12 {
		t.Errorf("Verify is not case-insensitive: %d, %v", n, ok)
	}
	// Another sender, another ticket number, a changed mac: not signed.
	if _, ok := s.Verify(addr, "mallory@acme.se"); ok {
		t.Error("address verified for another sender")
	}
	if _, ok := s.Verify(strings.Replace(addr, "+12-", "+13-", 1), "eva@acme.se"); ok {
		t.Error("address verified for another ticket")
	}
	other, _ := NewSigner([]byte("another key, also 32 bytes long!"), "support@sos.example")
	if _, ok := other.Verify(addr, "eva@acme.se"); ok {
		t.Error("address verified under another key")
	}
	for _, bad := range []string{"support@sos.example", "support+@sos.example", "support+x-y@sos.example", "support+12@sos.example", "other+12-abc@sos.example", addr + ".evil"} {
		if _, ok := s.Verify(bad, "eva@acme.se"); ok {
			t.Errorf("Verify(%q) ok", bad)
		}
	}
	if _, err := NewSigner([]byte("short"), "support@sos.example"); err == nil {
		t.Error("short key accepted")
	}
}

func TestSupportToken(t *testing.T) {
	t.Parallel()
	cases := []struct {
		rcpt, token string
		ok          bool
	}{
		{"support@sos.example", "", true},
		{"<Support@SOS.Example>", "", true},
		{"support+abc@sos.example", "abc", true},
		{"support+12-xyz@sos.example", "12-xyz", true},
		{"supportx@sos.example", "", false},
		{"support@other.example", "", false},
		{"sales@sos.example", "", false},
		{"support", "", false},
	}
	for _, c := range cases {
		tok, ok := supportToken(c.rcpt, "support", "sos.example")
		if tok != c.token || ok != c.ok {
			t.Errorf("supportToken(%q) = %q, %v; want %q, %v", c.rcpt, tok, ok, c.token, c.ok)
		}
	}
}

func TestTicketOfMessageID(t *testing.T) {
	t.Parallel()
	id := NewMessageID(42, "ack", "sos.example")
	if n := TicketOfMessageID("<"+id+">", "sos.example"); n != 42 {
		t.Errorf("TicketOfMessageID(%q) = %d", id, n)
	}
	if NewMessageID(42, "ack", "sos.example") == id {
		t.Error("two Message-IDs alike")
	}
	for _, bad := range []string{"sos-42.ack.x@other.example", "abc@sos.example", "sos-x.ack@sos.example", "sos-0.a@sos.example", ""} {
		if n := TicketOfMessageID(bad, "sos.example"); n != 0 {
			t.Errorf("TicketOfMessageID(%q) = %d", bad, n)
		}
	}
}

func TestApprovesAndThanks(t *testing.T) {
	t.Parallel()
	for text, want := range map[string]bool{
		"Godkänd!": true, "godkänner lösningen": true, "OK, funkar nu": true, "Approved, thanks": true, "ok": true,
		"Okänt fel kvar": false, "Det är inte ok": false, "Nej, fungerar inte": false, "": false,
	} {
		if got := Approves(text); got != want {
			t.Errorf("Approves(%q) = %v", text, got)
		}
	}
	for text, want := range map[string]bool{
		"Tack!": true, "Tack så mycket för hjälpen!\n\nMvh Eva": true, "Thanks a lot!": true, "Thank you\nSam Hill": true,
		"Tack, men det fungerar fortfarande inte": false, "Hej, servern är nere igen": false, "": false,
	} {
		if got := OnlyThanks(text); got != want {
			t.Errorf("OnlyThanks(%q) = %v", text, got)
		}
	}
}

func TestNewText(t *testing.T) {
	t.Parallel()
	cases := []struct{ in, want string }{
		{"Hej!\nNu funkar det.\n\nDen 30 nov. 2026 kl. 15:00 skrev Support <support@sos.example>:\n> Hej\n", "Hej!\nNu funkar det."},
		{"Thanks\n\nOn Mon, Nov 30, 2026 at 3:00 PM Support <support@sos.example> wrote:\n> text", "Thanks"},
		{"Svar här\n\n-----Ursprungligt meddelande-----\nFrån: Support\nSkickat: den 30 november\n", "Svar här"},
		{"Answer\n\nFrom: Support <support@sos.example>\nSent: Monday\nTo: Eva\nSubject: x\n\nold", "Answer"},
		{"Text\n-- \nEva Ek\nACME", "Text"},
		{"> quoted\nmy line\n> more", "my line"},
		{"From: the start I said\nno header block follows", "From: the start I said\nno header block follows"},
	}
	for _, c := range cases {
		if got := NewText(c.in); got != c.want {
			t.Errorf("NewText(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
