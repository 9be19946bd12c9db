package mail

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The cutter below finds where the sender's own words end. It walks the lines once, top to
// bottom, and applies these rules (SPEC §5), each because a client writes it that way:
//
//   - a signature delimiter ("-- ", RFC 3676 §4.3) or a mobile client's footer ("Skickat från
//     min iPhone", "Get Outlook for iOS") ends the text;
//   - lines quoted with ">" are dropped wherever they are, so that an interleaved or
//     bottom-posted answer (Thunderbird, mailing-list style) keeps its own lines;
//   - an attribution line ("On … wrote:", "Den … skrev:", "Le … a écrit :", Gmail's
//     "ср, 30 апр. 2025 г. в 15:19, X <x@y>:"), also when the client wrapped it over two or
//     three lines, is dropped when a ">" quote follows it and otherwise ends the text, because
//     the unquoted history below it is not the sender's (Yahoo, Finnish Gmail);
//   - a separator line ("-----Ursprungligt meddelande-----", "---------- Forwarded message
//     ---------", Outlook's "________________________________", which HTMLToText also writes at
//     Outlook's reply div) ends the text;
//   - an Outlook header block ("Från:/Skickat:/Till:/Ämne:", "From:/Sent:/To:/Subject:", and
//     the Danish, Norwegian, German, French, Spanish, … labels) ends the text, but a lone
//     "From:" line of the sender's own prose does not;
//   - trailing separator lines and runs of blank lines left over are removed.

// NewText returns the part of a mail's text written by its sender: the text above the quoted
// history and above the signature, with quoted (">") lines dropped wherever they are. Every
// line it returns is a line of text, in order, trimmed of trailing white space (the first also
// of leading), with runs of blank lines made one; so it is never longer than text. The raw
// mail is kept, so a bad cut can be redone.
func NewText(text string) string {
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	var out []string
	var src []int // the index in lines of each line of out
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		t := strings.TrimSpace(l)
		if t == "" {
			out, src = append(out, ""), append(src, i)
			continue
		}
		if replySigDelim(l) || replyMobileSig(t) {
			break
		}
		if start, strong, ok := replyAttribution(lines, i); ok {
			// Take back the wrapped attribution's first lines, already written.
			for len(src) > 0 && src[len(src)-1] >= start {
				out, src = out[:len(out)-1], src[:len(src)-1]
			}
			if replyQuoteFollows(lines, i+1) {
				continue
			}
			if strong {
				break
			}
		}
		if strings.HasPrefix(t, ">") {
			continue
		}
		if replySeparator(t) || replyHeaderBlock(lines, i) {
			break
		}
		out, src = append(out, strings.TrimRightFunc(l, unicode.IsSpace)), append(src, i)
	}
	return replyFinish(out)
}

// replyFinish drops the separator lines and blank lines left at the end (the dashes above an
// Outlook header block), blank lines at the start, and runs of blank lines in between (left
// where quoted lines were dropped).
func replyFinish(out []string) string {
	for len(out) > 0 {
		t := strings.TrimSpace(out[len(out)-1])
		if t != "" && strings.Trim(t, "-_=*~ ") != "" {
			break
		}
		out = out[:len(out)-1]
	}
	kept := out[:0]
	for _, l := range out {
		if l == "" && (len(kept) == 0 || kept[len(kept)-1] == "") {
			continue
		}
		kept = append(kept, l)
	}
	return strings.TrimSpace(strings.Join(kept, "\n"))
}

// replySigDelim reports whether l is the signature delimiter "-- " (RFC 3676 §4.3), also with
// its trailing space lost on the way (HTMLToText, editors).
func replySigDelim(l string) bool {
	return strings.TrimRightFunc(l, unicode.IsSpace) == "--"
}

// replyMobileRe matches the footer a mobile or webmail client adds under the sender's text.
var replyMobileRe = regexp.MustCompile(`(?i)^(sent from my|sent from outlook|sent from mail for|skickat från (min|mitt|e-post|outlook)|skickades från min|sendt fra min|sendt fra (outlook|e-post)|von meinem|envoyé de mon|enviado desde mi|enviado do meu|inviato da(l mio| iphone| ipad)|verzonden (vanaf|met) mijn|get outlook for|hämta outlook för|skaffa outlook för|få outlook för|hent outlook til|sent with sparrow|sent using|diese nachricht wurde von meinem)\b`)

// replyMobileSig reports whether t is a mobile client's footer. Only short lines count: a
// sentence that happens to begin "Sent from my" and goes on is the sender's.
func replyMobileSig(t string) bool {
	return utf8.RuneCountInString(t) <= 80 && replyMobileRe.MatchString(t)
}

// replySeparatorRe matches the line Outlook, Thunderbird, Gmail and others write above a quoted
// or forwarded message, in the languages of our customers and of the corpus.
var replySeparatorRe = regexp.MustCompile(`(?i)^[-=_* ]*-{2,}[-=_* ]*(original message|original e-mail|ursprungligt meddelande|ursprungligt e-postmeddelande|opprinnelig melding|oprindelig (besked|meddelelse|e-mail)|ursprüngliche nachricht|alkuperäinen viesti|message d'origine|message original|mensaje original|mensagem original|messaggio originale|oorspronkelijk bericht|wiadomość oryginalna|oryginalna wiadomość|исходное сообщение|forwarded message|vidarebefordrat meddelande|videresendt (melding|meddelelse|besked)|weitergeleitete nachricht|message transféré|mensaje reenviado|doorgestuurd bericht|välitetty viesti)[-=_* :]*$`)

// replyBeginForwardRe matches Apple Mail's "Begin forwarded message:" in its languages.
var replyBeginForwardRe = regexp.MustCompile(`(?i)^(begin forwarded message|början på vidarebefordrat meddelande|vidarebefordrat brev|videresendt e-post|start på videresendt besked|anfang der weitergeleiteten nachricht|début du message réexpédié)\s*:$`)

// replySeparator reports whether t begins a quoted or forwarded message: a named separator
// line, or the run of underscores Outlook writes (and HTMLToText writes for <hr> and for
// Outlook's reply div).
func replySeparator(t string) bool {
	if len(t) >= 20 && strings.Trim(t, "_") == "" {
		return true
	}
	return replySeparatorRe.MatchString(t) || replyBeginForwardRe.MatchString(t)
}

// replyFromLabels and replyFieldLabels are the labels of a quoted header block: the sender's,
// and the others (date, recipients, subject), as localized Outlook, Gmail and Apple Mail write
// them.
var (
	replyFromLabels  = replySet("from från fra von de da van od от lähettäjä feladó")
	replyFieldLabels = replySet("sent skickat sendt gesendet envoyé enviado inviato verzonden wysłano отправлено " +
		"lähetetty date datum dato data fecha päivämäärä to till til an à a para aan do кому vastaanottaja " +
		"cc kopia kopie bcc subject ämne emne betreff objet asunto assunto oggetto onderwerp temat тема aihe " +
		"reply-to importance prioritet")
	// replyInlineFieldRe finds a second label on a "From:" line: a header block flattened into
	// one line ("Från: Eva Skickat: den 1 december … Ämne: …").
	replyInlineFieldRe = regexp.MustCompile(`(?i)\s(sent|skickat|sendt|gesendet|date|datum|dato|subject|ämne|emne|betreff)\s*:\s`)
)

func replySet(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

// replyLabelOf returns the lower-cased label of a "Label: value" line, or "" when t is not one.
// A map lookup rather than a regexp: it runs on every line of a long mail.
func replyLabelOf(t string) string {
	t = replyLabel(t)
	i := strings.IndexByte(t, ':')
	if i <= 0 || i > 40 {
		return ""
	}
	if rest := t[i+1:]; rest != "" {
		if r, _ := utf8.DecodeRuneInString(rest); !unicode.IsSpace(r) {
			return "" // "de:fr" or a URL, not a label
		}
	}
	return strings.ToLower(strings.TrimSpace(t[:i]))
}

// replyLabel returns t without the asterisks of a bold label ("*From:* Eva"), as Gmail and
// others render Outlook's <b>From:</b> in plain text.
func replyLabel(t string) string {
	if strings.HasPrefix(t, "*") {
		return strings.Replace(strings.TrimPrefix(t, "*"), "*", "", 1)
	}
	return t
}

// replyHeaderBlock reports whether lines[i] begins a quoted header block: a "From:" line
// followed, before the next blank line and within six lines, by another header label; or a
// "From:" line carrying the other labels itself. A "From:" line in the sender's own prose
// has neither.
func replyHeaderBlock(lines []string, i int) bool {
	t := strings.TrimSpace(lines[i])
	if !replyFromLabels[replyLabelOf(t)] {
		return false
	}
	if replyInlineFieldRe.MatchString(t) {
		return true
	}
	for j := i + 1; j < len(lines) && j <= i+6; j++ {
		n := strings.TrimSpace(lines[j])
		if n == "" {
			return false
		}
		if replyFieldLabels[replyLabelOf(n)] {
			return true
		}
	}
	return false
}

// replyVerbRe finds the verb of an attribution line, in the languages of our customers and of
// the corpus. Go's \b is ASCII only, so word edges are spelled out. It is matched against
// htmlASCIILower's copy (same byte offsets) rather than with (?i): case folding every rune
// made it the slowest step of the cut.
var replyVerbRe = regexp.MustCompile(`(?:^|[^\p{L}])(wrote|writes|skrev|skriver|schrieb|schreef|geschreven|a écrit|a ecrit|escribió|escribio|escreveu|ha scritto|kirjoitti|napisał|napisała|napisal|написал|написала|написав|пише|пишет|写道|寫道)(?:[^\p{L}]|$)`)

// replyVerbs returns the submatch indexes of every verb in s.
func replyVerbs(s string) [][]int {
	return replyVerbRe.FindAllStringSubmatchIndex(htmlASCIILower(s), -1)
}

// replyEvidenceRe finds what every real attribution carries: a time, a numeric date or a year.
var replyEvidenceRe = regexp.MustCompile(`\d{1,2}[:.]\d{2}|\d{1,4}[-/.]\d{1,2}[-/.]\d{2,4}|(?:^|\D)(19|20)\d{2}(?:\D|$)`)

// replyNoVerbRe matches Gmail's attribution in the locales that write no verb (Russian: "ср, 30
// апр. 2025 г. в 15:19, John Doe <doe@example.com>:"): a time, then an address just before the
// colon.
var replyNoVerbRe = regexp.MustCompile(`\d{1,2}[:.]\d{2}.*<[^<>\s@]+@[^<>\s]+>\s*[:：]$`)

// replyOpenerRe matches the first word of an attribution whose date the client wrapped onto a
// line of its own ("Den 1 dec. 2026 kl. 10:00" / "Eva Ek <eva@acme.se> skrev:").
var replyOpenerRe = regexp.MustCompile(`(?i)^(on|den|am|le|el|il|op|em|dnia|w dniu)\s`)

// replyMaxAttribution bounds an attribution, in bytes: a paragraph is never one.
const replyMaxAttribution = 400

// replyAttribution reports whether lines[e] ends an attribution line ("On … wrote:"), and the
// index of the attribution's first line: clients wrap it over up to three lines, splitting the
// address ("… Eva <" / "eva@acme.se> wrote:") or the verb ("… <x@y>" / "a écrit :"). A strong
// attribution has a time, date or address and ends the text when no quote follows; a weak one
// ("Marc Slemko wrote:") counts only in front of a quote.
func replyAttribution(lines []string, e int) (start int, strong, ok bool) {
	last := strings.TrimSpace(lines[e])
	if strings.HasPrefix(last, ">") && strings.TrimSpace(last[1:]) != ":" {
		return 0, false, false // a quoted line; only Gmail's wrapped ">:" can end an attribution
	}
	// Zoho and Yahoo frame it in dashes: "---- On … wrote ----", "--- On … wrote:".
	dashed := false
	if strings.HasSuffix(last, "--") {
		last, dashed = strings.TrimRight(last, "- "), true
	}
	if strings.HasPrefix(last, "--") {
		last = strings.TrimLeft(last, "- ")
	}
	if last == "" || !dashed && !strings.HasSuffix(last, ":") && !strings.HasSuffix(last, "：") {
		return 0, false, false
	}
	joined := last
	for k := 0; k <= 2 && e-k >= 0; k++ {
		f := e - k
		if k > 0 {
			t := strings.TrimSpace(lines[f])
			if t == "" || strings.HasPrefix(t, ">") {
				break
			}
			if strings.HasSuffix(t, "<") || strings.HasPrefix(joined, ">") {
				joined = t + joined // an address wrapped at its bracket
			} else {
				joined = t + " " + joined
			}
		}
		if len(joined) > replyMaxAttribution {
			break
		}
		if replyContinues(lines, f) {
			continue
		}
		verbs := replyVerbs(joined)
		if replyStrong(joined, verbs) {
			return replyAbsorbDate(lines, f, len(joined)), true, true
		}
		if k == 0 && len(verbs) > 0 && verbs[0][2] > 0 {
			// Someone is named before the verb: the line is complete, so the lines above
			// are not part of it ("Marc Slemko wrote:").
			return f, false, replyNameTail(joined, verbs)
		}
	}
	return 0, false, false
}

// replyContinues reports whether lines[f] cannot be the first line of an attribution: it
// continues an address opened on the line above ("<eva@acme.se> wrote:", "eva@acme.se>
// wrote:", ">:").
func replyContinues(lines []string, f int) bool {
	t := strings.TrimSpace(lines[f])
	if strings.HasPrefix(t, "<") || strings.HasPrefix(t, ">") {
		return true
	}
	if gt := strings.IndexByte(t, '>'); gt >= 0 {
		if lt := strings.IndexByte(t, '<'); lt < 0 || lt > gt {
			return true
		}
	}
	return f > 0 && strings.HasSuffix(strings.TrimSpace(lines[f-1]), "<")
}

// replyStrong reports whether s (an attribution candidate, joined into one line) is an
// attribution beyond doubt: a verb, a time, date or bracketed address, and after the verb only
// a name or an address ("skrev Eva Ek <eva@acme.se>:", not "skrev jag till er:"); or Gmail's
// verbless form. A bare address is no evidence: "Som jag skrev till support@sos.example i
// går:" is the sender's.
// verbs are replyVerbs(s).
func replyStrong(s string, verbs [][]int) bool {
	if replyNoVerbRe.MatchString(s) {
		return true
	}
	if len(verbs) == 0 || !replyEvidenceRe.MatchString(s) && !replyAddrRe.MatchString(s) {
		return false
	}
	return replyNameTail(s, verbs)
}

// replyAddrRe finds a bracketed address; replyTailAddrRe one that ends the attribution, as
// Gmail writes it after the verb ("skrev Supporten hos SOS <support@sos.example>:").
var (
	replyAddrRe     = regexp.MustCompile(`<[^<>\s]+@[^<>\s]+>`)
	replyTailAddrRe = regexp.MustCompile(`<[^<>\s]+@[^<>\s]+>$`)
)

// replyNameTail reports whether what follows the last verb of s is empty, ends with a
// bracketed address, or is a name: at most eight words, each capitalised, an address, a number
// or a German "am … um … Uhr". verbs are replyVerbs(s).
func replyNameTail(s string, verbs [][]int) bool {
	if len(verbs) == 0 {
		return false
	}
	tail := strings.TrimRight(s[verbs[len(verbs)-1][3]:], ":：- \u00a0")
	if replyTailAddrRe.MatchString(tail) {
		return true
	}
	words := strings.Fields(tail)
	if len(words) > 8 {
		return false
	}
	for _, w := range words {
		r, _ := utf8.DecodeRuneInString(w)
		if unicode.IsLower(r) && w != "am" && w != "um" && !strings.Contains(w, "@") {
			return false
		}
	}
	return true
}

// replyAbsorbDate returns f, or the line above it when that line is the attribution's date
// that the client put on a line of its own ("Den 1 dec. 2026 kl. 10:00" above "Eva Ek
// <eva@acme.se> skrev:").
func replyAbsorbDate(lines []string, f, size int) int {
	if f == 0 {
		return f
	}
	p := strings.TrimSpace(lines[f-1])
	if p == "" || len(p)+size > replyMaxAttribution || strings.HasSuffix(p, "!") || strings.HasSuffix(p, "?") {
		return f
	}
	if replyOpenerRe.MatchString(p) && replyEvidenceRe.MatchString(p) && len(replyVerbs(p)) == 0 {
		return f - 1
	}
	return f
}

// replyQuoteFollows reports whether a ">" quote follows from lines[j] on, after at most three
// blank lines.
func replyQuoteFollows(lines []string, j int) bool {
	for blanks := 0; j < len(lines); j++ {
		t := strings.TrimSpace(lines[j])
		if t != "" {
			return strings.HasPrefix(t, ">")
		}
		if blanks++; blanks > 3 {
			return false
		}
	}
	return false
}

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
