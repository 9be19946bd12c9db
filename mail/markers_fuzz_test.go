package mail

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzMarkers: the marker finders and the new-text cut never panic, and
// agree with themselves: a priority is 1, 2 or 3; "Affärskritiskt" alone is
// always 1; the new text is a part of the text.
func FuzzMarkers(f *testing.F) {
	for _, s := range []string{"[P1] Servern", "Affärskritiskt", "prio 2", "Kritiskt\n> P1", "Den 1 dec skrev x:\n> P1", "Visma\r\n-- \nsig", "\xff\xfe", ""} {
		f.Add(s, s)
	}
	apps := []Application{{ID: "ekonomi", Name: "Ekonomisystemet", Aliases: []string{"visma"}}, {ID: "intranat", Name: "Intranätet"}}
	f.Fuzz(func(t *testing.T, subject, body string) {
		nt := NewText(body)
		if utf8.ValidString(body) && !utf8.ValidString(nt) {
			t.Fatalf("NewText made invalid UTF-8 of %q", body)
		}
		for _, line := range strings.Split(nt, "\n") {
			if !strings.Contains(strings.ReplaceAll(body, "\r\n", "\n"), strings.TrimSpace(line)) {
				t.Fatalf("NewText line %q is not in the text", line)
			}
		}
		p := Priority(subject, nt)
		if p < 1 || p > 3 {
			t.Fatalf("Priority = %d", p)
		}
		if Priority("Affärskritiskt "+subject, nt) != 1 {
			t.Fatalf("Affärskritiskt with %q is not priority 1", subject)
		}
		if id := FindApplication(apps, subject, nt); id != "" && id != "ekonomi" && id != "intranat" {
			t.Fatalf("FindApplication = %q", id)
		}
		Approves(nt)
		OnlyThanks(nt)
	})
}
