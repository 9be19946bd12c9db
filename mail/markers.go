package mail

import (
	"strings"
	"unicode"
)

// words splits text into lower-case words of letters and digits. Matching
// on words, not on regexp \b (which is ASCII-only and sees a boundary after
// "ä"), is what keeps "Affärskritiskt" from reading as "Kritiskt" (SPEC §5).
func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// containsWords reports whether the word sequence phrase occurs in ws and
// where (the index of its first word), or -1.
func containsWords(ws, phrase []string) int {
	if len(phrase) == 0 {
		return -1
	}
outer:
	for i := 0; i+len(phrase) <= len(ws); i++ {
		for j, p := range phrase {
			if ws[i+j] != p {
				continue outer
			}
		}
		return i
	}
	return -1
}

// priorityMarkers are SPEC §5's markers, highest priority first, so that
// "business critical" is priority 1 although it contains "critical".
func priorityMarkers() []struct {
	priority int
	phrases  [][]string
} {
	return []struct {
		priority int
		phrases  [][]string
	}{
		{1, [][]string{{"p1"}, {"prio", "1"}, {"prioritet", "1"}, {"priority", "1"}, {"affärskritiskt"}, {"business", "critical"}}},
		{2, [][]string{{"p2"}, {"prio", "2"}, {"prioritet", "2"}, {"priority", "2"}, {"kritiskt"}, {"critical"}}},
	}
}

// markerLines is how many lines of the sender's new text are searched for
// markers besides the subject ("the first lines of the body", SPEC §5).
const markerLines = 10

// Priority returns the priority the subject and the first lines of the
// sender's new text ask for: 1 or 2 when a marker says so, otherwise 3
// (SPEC §5). Quoted text must already be removed from newText.
func Priority(subject, newText string) int {
	ws := words(subject + "\n" + firstLines(newText, markerLines))
	for _, m := range priorityMarkers() {
		for _, p := range m.phrases {
			if containsWords(ws, p) >= 0 {
				return m.priority
			}
		}
	}
	return 3
}

// firstLines returns the first n non-blank lines of s.
func firstLines(s string, n int) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) == "" {
			continue
		}
		out = append(out, l)
		if len(out) == n {
			break
		}
	}
	return strings.Join(out, "\n")
}

// Application is one application of a customer's agreement as markers
// name it.
type Application struct {
	ID      string
	Name    string
	Aliases []string
}

// FindApplication returns the id of the application the mail names (SPEC
// §5): with one application in the agreement, that one; otherwise the id,
// name or an alias as whole words, the subject first, then the new text,
// the earliest mention winning. "" means unknown: consultants are asked to
// set it.
func FindApplication(apps []Application, subject, newText string) string {
	if len(apps) == 1 {
		return apps[0].ID
	}
	for _, text := range []string{subject, newText} {
		ws := words(text)
		best, bestAt := "", -1
		for _, a := range apps {
			for _, name := range append([]string{a.ID, a.Name}, a.Aliases...) {
				if at := containsWords(ws, words(name)); at >= 0 && (bestAt < 0 || at < bestAt) {
					best, bestAt = a.ID, at
				}
			}
		}
		if best != "" {
			return best
		}
	}
	return ""
}
