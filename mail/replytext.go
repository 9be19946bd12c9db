package mail

import (
	"regexp"
	"strings"
)

// quoteStarts match the first line of a quoted history in the clients our
// customers use: Gmail and Apple Mail ("On … wrote:", "Den … skrev:"),
// Outlook ("-----Original Message-----", "-----Ursprungligt
// meddelande-----", a "From:"/"Från:" header block) and Thunderbird.
var quoteStarts = []*regexp.Regexp{
	regexp.MustCompile(`(?i)^-{2,}\s*(original message|ursprungligt meddelande|forwarded message|vidarebefordrat meddelande)\s*-{2,}`),
	regexp.MustCompile(`(?i)^(on|den|am|le|el|il|op)\s.+\s(wrote|skrev|schrieb|a écrit|escribió|ha scritto|schreef)(\s.*)?:\s*$`),
	regexp.MustCompile(`(?i)^(from|från|fra|von|de|van)\s*:\s*.+`),
	regexp.MustCompile(`^_{20,}\s*$`),
}

// NewText returns the part of a mail's text written by its sender: the text
// above the quoted history and above the signature ("-- "). Lines quoted
// with ">" are dropped wherever they are. The raw mail is kept, so a bad
// cut can be redone.
func NewText(text string) string {
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	var out []string
	for i, l := range lines {
		t := strings.TrimSpace(l)
		if l == "-- " || l == "--" {
			break
		}
		if quoteStart(t, lines[i+1:]) {
			break
		}
		if strings.HasPrefix(t, ">") {
			continue
		}
		out = append(out, strings.TrimRight(l, " \t"))
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}

// quoteStart reports whether line t begins a quoted history. A "From:"
// line counts only when a "Sent:"/"Skickat:"/"Date:"/"Datum:" or
// "Subject:"/"Ämne:" line follows soon, as in Outlook's header block.
func quoteStart(t string, rest []string) bool {
	for i, re := range quoteStarts {
		if !re.MatchString(t) {
			continue
		}
		if i != 2 {
			return true
		}
		for j := 0; j < len(rest) && j < 6; j++ {
			if headerLine.MatchString(strings.TrimSpace(rest[j])) {
				return true
			}
		}
	}
	return false
}

var headerLine = regexp.MustCompile(`(?i)^(sent|skickat|date|datum|subject|ämne|to|till)\s*:`)

// approvalWords approve a resolved ticket when they are the first word of
// the new text (SPEC §7). "OK" counts only as the whole first word, so
// "okänt fel" does not approve.
var approvalWords = map[string]bool{"godkänd": true, "godkänt": true, "godkänner": true, "approved": true, "approve": true, "ok": true, "okay": true}

// Approves reports whether a customer's new text approves a resolution:
// its first word is "godkänd", "godkänner", "approved" or "OK".
func Approves(newText string) bool {
	ws := words(newText)
	return len(ws) > 0 && approvalWords[ws[0]]
}

// thanksWords make up a message that only thanks.
var thanksWords = map[string]bool{
	"tack": true, "så": true, "mycket": true, "tusen": true, "stort": true, "för": true, "hjälpen": true, "er": true, "dig": true,
	"thanks": true, "thank": true, "you": true, "very": true, "much": true, "many": true, "a": true, "lot": true, "for": true, "the": true, "help": true, "your": true,
	"hälsningar": true, "mvh": true, "vänliga": true, "regards": true, "best": true, "kind": true, "cheers": true, "hej": true, "hi": true,
}

// OnlyThanks reports whether a new text is only a thank-you ("Tack!",
// "Tack så mycket för hjälpen", "Thanks a lot") with at most a greeting and
// a name: such a reply to a closed ticket reopens nothing (SPEC §7).
func OnlyThanks(newText string) bool {
	ws := words(newText)
	if len(ws) == 0 || len(ws) > 12 {
		return false
	}
	thanked, unknown := false, 0
	for _, w := range ws {
		switch {
		case w == "tack" || w == "thanks" || w == "thank" || w == "tackar":
			thanked = true
		case thanksWords[w]:
		default:
			unknown++ // a name in the signature
		}
	}
	return thanked && unknown <= 2
}
