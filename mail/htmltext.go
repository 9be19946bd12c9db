package mail

import (
	htmlstd "html"
	"strings"
	"unicode/utf8"
)

// HTMLToText renders HTML as readable plain text: block elements become line breaks, <br> a
// newline, list items "- " lines, links "text (url)" when the url differs from the text,
// <blockquote> lines prefixed "> ", <hr> the "________________________________" line Outlook
// writes in its own plain-text alternative, script/style/title/head dropped, character
// references decoded, runs of blank lines collapsed. It is a small tolerant tokenizer, not an
// HTML5 parser: unclosed or stray tags, unbalanced quotes and a lone '<' never stop it.
// Paragraphs of Outlook's Word HTML (class "MsoNormal") are single lines, as Outlook shows them.
func HTMLToText(html string) string {
	r := htmlRenderer{dropHead: true}
	r.run(html)
	if r.inHead && strings.TrimSpace(r.out.String()) == "" {
		// A <head> that is never closed would swallow everything: render again keeping it.
		r = htmlRenderer{}
		r.run(html)
	}
	return strings.ToValidUTF8(htmlFinish(r.out.String()), "\uFFFD")
}

// htmlMaxNesting caps the quote prefixes and list indentation written, so that thousands of
// unclosed <blockquote> tags cannot make every line huge.
const htmlMaxNesting = 20

// htmlRenderer turns a token stream into text. Line breaks are owed (nl) rather than written
// at once, so that nested blocks give one break and a block ending the text gives none.
type htmlRenderer struct {
	out       strings.Builder
	nl        int  // line breaks owed before the next text
	space     bool // a space is owed before the next text on the same line
	started   bool // some text has been written
	bullet    bool // a list item's "- " is owed
	pre       int  // <pre> depth: white space is kept
	quote     int  // <blockquote> depth
	lastQuote int  // quote depth of the last text written
	lists     int  // <ul>/<ol> depth
	dropHead  bool // ignore text inside <head>
	inHead    bool
	links     []htmlLink
}

// htmlLink is an open <a>: its target and where its text starts in out.
type htmlLink struct {
	href string
	pos  int
}

// run tokenizes s: text, comments, <!…>/<?…?> declarations, start and end tags.
func (r *htmlRenderer) run(s string) {
	lower := htmlASCIILower(s)
	for i := 0; i < len(s); {
		lt := strings.IndexByte(s[i:], '<')
		if lt < 0 {
			r.text(s[i:])
			return
		}
		if lt > 0 {
			r.text(s[i : i+lt])
		}
		i += lt
		switch {
		case strings.HasPrefix(s[i:], "<!--"):
			end := strings.Index(s[i+4:], "-->")
			if end < 0 {
				return
			}
			i += 4 + end + 3
		case i+1 < len(s) && (s[i+1] == '!' || s[i+1] == '?'):
			i = htmlSkipPast(s, i, '>')
		case i+1 < len(s) && s[i+1] == '/':
			j := i + 2
			for j < len(s) && htmlNameByte(s[j]) {
				j++
			}
			name := lower[i+2 : j]
			i = htmlSkipPast(s, j, '>')
			if name != "" {
				r.endTag(name)
			}
		case i+1 < len(s) && htmlLetter(s[i+1]):
			name, attrs, next := htmlParseTag(s, lower, i+1)
			i = next
			switch name {
			case "script", "style", "title", "textarea":
				// Raw text elements (HTML §13.1.2): skip to the matching end tag.
				end := strings.Index(lower[i:], "</"+name)
				if end < 0 {
					return
				}
				i = htmlSkipPast(s, i+end, '>')
				continue
			}
			r.startTag(name, attrs)
		default:
			r.text("<")
			i++
		}
	}
}

// htmlSkipPast returns the index after the next c at or after i, or len(s).
func htmlSkipPast(s string, i int, c byte) int {
	if i >= len(s) {
		return len(s)
	}
	end := strings.IndexByte(s[i:], c)
	if end < 0 {
		return len(s)
	}
	return i + end + 1
}

func htmlLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func htmlNameByte(c byte) bool {
	return htmlLetter(c) || c >= '0' && c <= '9' || c == '-' || c == ':' || c == '_'
}

// htmlASCIILower lower-cases ASCII letters only, so byte offsets stay the same as in s.
func htmlASCIILower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// htmlParseTag reads a start tag's name and attributes from s[i:] (just after '<') and returns
// the index after its '>'. An unclosed quote ends at the next '>' instead.
func htmlParseTag(s, lower string, i int) (string, map[string]string, int) {
	j := i
	for j < len(s) && htmlNameByte(s[j]) {
		j++
	}
	name := lower[i:j]
	var attrs map[string]string
	for j < len(s) {
		for j < len(s) && (s[j] == ' ' || s[j] == '\t' || s[j] == '\n' || s[j] == '\r' || s[j] == '\f' || s[j] == '/') {
			j++
		}
		if j >= len(s) {
			break
		}
		if s[j] == '>' {
			return name, attrs, j + 1
		}
		k := j
		for j < len(s) && strings.IndexByte(" \t\n\r\f/>=", s[j]) < 0 {
			j++
		}
		if j == k { // a stray '=': skip it
			j++
			continue
		}
		key := lower[k:j]
		val := ""
		for j < len(s) && (s[j] == ' ' || s[j] == '\t' || s[j] == '\n' || s[j] == '\r') {
			j++
		}
		if j < len(s) && s[j] == '=' {
			j++
			for j < len(s) && (s[j] == ' ' || s[j] == '\t' || s[j] == '\n' || s[j] == '\r') {
				j++
			}
			if j < len(s) && (s[j] == '"' || s[j] == '\'') {
				q := s[j]
				end := strings.IndexByte(s[j+1:], q)
				if end < 0 {
					gt := htmlSkipPast(s, j, '>')
					return name, attrs, gt
				}
				val = s[j+1 : j+1+end]
				j += end + 2
			} else {
				v := j
				for j < len(s) && strings.IndexByte(" \t\n\r\f>", s[j]) < 0 {
					j++
				}
				val = s[v:j]
			}
		}
		if key == "href" || key == "class" || key == "id" || key == "style" {
			if attrs == nil {
				attrs = map[string]string{}
			}
			if _, dup := attrs[key]; !dup {
				attrs[key] = htmlstd.UnescapeString(val)
			}
		}
	}
	return name, attrs, len(s)
}

// htmlBreak returns how many line breaks an element asks for around itself: 2 for a paragraph
// (a blank line), 1 for other blocks, 0 for inline elements.
func htmlBreak(name string, attrs map[string]string) int {
	switch name {
	case "p":
		if strings.Contains(strings.ToLower(attrs["class"]), "mso") {
			return 1
		}
		return 2
	case "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "blockquote":
		return 2
	case "div", "li", "tr", "table", "pre", "address", "article", "aside", "center",
		"dd", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "header", "main",
		"nav", "section", "caption", "hr", "body", "html", "details", "summary":
		return 1
	}
	return 0
}

func (r *htmlRenderer) startTag(name string, attrs map[string]string) {
	switch name {
	case "head":
		r.inHead = r.dropHead
		return
	case "body":
		r.inHead = false
	case "br":
		if r.started {
			r.nl++
		}
		return
	case "a":
		if len(r.links) > 0 { // an <a> inside an <a> closes the first (HTML §13.2.6.4.7)
			r.endTag("a")
		}
		r.links = append(r.links, htmlLink{href: strings.TrimSpace(attrs["href"]), pos: r.out.Len()})
		return
	case "td", "th":
		r.space = true
		return
	}
	if n := htmlBreak(name, attrs); n > 0 {
		if (name == "ul" || name == "ol") && r.lists > 0 {
			n = 1
		}
		r.block(n)
	}
	if htmlOutlookReply(attrs, r.started) {
		r.rule()
	}
	switch name {
	case "blockquote":
		r.quote++
	case "pre":
		r.pre++
	case "ul", "ol":
		r.lists++
	case "li":
		r.bullet = true
	case "hr":
		r.rule()
	}
}

// htmlRule is the line Outlook writes above the quoted message in its plain-text alternative.
const htmlRule = "________________________________"

// rule writes htmlRule on a line of its own, once: Outlook's reply div usually follows its <hr>.
func (r *htmlRenderer) rule() {
	if !strings.HasSuffix(strings.TrimRight(r.out.String(), " \n"), htmlRule) {
		r.block(1)
		r.emit(htmlRule)
	}
	r.block(1)
}

// htmlOutlookReply reports whether an element is where Outlook puts the message replied to or
// forwarded: OWA and new Outlook's <div id="divRplyFwdMsg">, <div id="appendonsend"> and
// <div id="mail-editor-reference-message-container"> (with "x_" prefixes once the HTML has
// been quoted through Exchange), and Outlook for Windows' header div with its blue-grey top
// border. HTMLToText writes htmlRule there, so that NewText cuts the history even when its
// header block is in a language NewText does not know. The empty "appendonsend" div counts
// only after some text (started): should a client ever put it at the top of a new message, the
// whole message would otherwise read as history.
func htmlOutlookReply(attrs map[string]string, started bool) bool {
	id := attrs["id"]
	for strings.HasPrefix(id, "x_") {
		id = id[2:]
	}
	switch strings.ToLower(id) {
	case "divrplyfwdmsg", "mail-editor-reference-message-container":
		return true
	case "appendonsend":
		return started
	}
	style := strings.ToLower(attrs["style"])
	return strings.Contains(style, "border-top:solid #e1e1e1") || strings.Contains(style, "border-top:solid #b5c4df")
}

func (r *htmlRenderer) endTag(name string) {
	switch name {
	case "head":
		r.inHead = false
		return
	case "a":
		if len(r.links) == 0 {
			return
		}
		l := r.links[len(r.links)-1]
		r.links = r.links[:len(r.links)-1]
		text := strings.TrimSpace(r.out.String()[l.pos:])
		if htmlShowHref(l.href, text) {
			r.space = true
			r.emit("(" + l.href + ")")
			r.space = true
		}
		return
	}
	n := htmlBreak(name, nil)
	if name == "p" || (name == "ul" || name == "ol") && r.lists > 1 {
		n = 1 // a closing </p> only ends the line: the opening tag chose the spacing
	}
	if n > 0 {
		r.block(n)
	}
	switch name {
	case "blockquote":
		if r.quote > 0 {
			r.quote--
		}
	case "pre":
		if r.pre > 0 {
			r.pre--
		}
	case "ul", "ol":
		if r.lists > 0 {
			r.lists--
		}
	}
}

// htmlShowHref reports whether a link target adds something to its text.
func htmlShowHref(href, text string) bool {
	lh := strings.ToLower(href)
	if href == "" || text == "" || strings.HasPrefix(lh, "#") || strings.HasPrefix(lh, "javascript:") ||
		strings.HasPrefix(lh, "cid:") {
		return false
	}
	norm := func(s string) string {
		s = strings.ToLower(strings.TrimSpace(s))
		for _, p := range []string{"mailto:", "tel:", "https://", "http://", "www."} {
			s = strings.TrimPrefix(s, p)
		}
		return strings.TrimRight(s, "/")
	}
	return norm(href) != norm(text)
}

// block owes n line breaks (at least) before the next text.
func (r *htmlRenderer) block(n int) {
	if !r.started || r.bullet {
		return
	}
	if r.nl < n {
		r.nl = n
	}
}

// text handles character data: references decoded, white space collapsed outside <pre>.
func (r *htmlRenderer) text(s string) {
	if r.inHead {
		return
	}
	if strings.IndexByte(s, '&') >= 0 {
		s = htmlstd.UnescapeString(s)
	}
	if !htmlASCII(s) {
		s = strings.Map(func(c rune) rune {
			switch c {
			case '\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad':
				return -1 // zero-width and soft hyphen
			}
			return c
		}, s)
	}
	if r.pre > 0 {
		s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\u00a0", " ")
		for i, line := range strings.Split(s, "\n") {
			if i > 0 {
				r.nl++
			}
			if line != "" {
				r.emit(line)
			}
		}
		return
	}
	words := strings.Fields(s)
	if len(words) == 0 {
		if strings.ContainsRune(s, '\u00a0') && r.nl > 0 {
			r.emit("") // Outlook's <p>&nbsp;</p> is an empty line
		} else if s != "" {
			r.space = true
		}
		return
	}
	if htmlSpace(s[0]) {
		r.space = true
	}
	for i, w := range words {
		if i > 0 {
			r.space = true
		}
		r.emit(w)
	}
	if htmlSpace(s[len(s)-1]) {
		r.space = true
	}
}

func htmlSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'
}

func htmlASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// emit writes w after the owed line breaks (with quote prefixes) or space.
func (r *htmlRenderer) emit(w string) {
	if !r.started {
		r.nl, r.space = 0, false
	}
	if r.nl > 0 || !r.started {
		// Blank lines between quoted lines carry the shallower of the two quote depths.
		blank := strings.TrimSpace(strings.Repeat("> ", min(r.quote, r.lastQuote, htmlMaxNesting)))
		for i := 0; i < r.nl; i++ {
			if i > 0 {
				r.out.WriteString(blank)
			}
			r.out.WriteByte('\n')
		}
		r.out.WriteString(strings.Repeat("> ", min(r.quote, htmlMaxNesting)))
		r.nl, r.space = 0, false
	}
	if r.bullet {
		r.out.WriteString(strings.Repeat("  ", min(max(r.lists-1, 0), htmlMaxNesting)) + "- ")
		r.bullet, r.space = false, false
	}
	if r.space {
		r.out.WriteByte(' ')
		r.space = false
	}
	r.out.WriteString(w)
	r.started = true
	r.lastQuote = r.quote
}

// htmlFinish trims trailing white space on each line, collapses runs of blank lines into one
// and drops blank lines at both ends.
func htmlFinish(s string) string {
	lines := strings.Split(s, "\n")
	out := lines[:0]
	blank := true // suppresses leading blank lines
	for _, l := range lines {
		l = strings.TrimRight(l, " \t")
		switch {
		case l == "":
			if !blank {
				out = append(out, "")
			}
			blank = true
		case strings.Trim(l, "> ") == "" && len(out) > 0 && out[len(out)-1] == l:
			// a repeated empty quote line
		default:
			blank = false
			out = append(out, l)
		}
	}
	for len(out) > 0 && out[len(out)-1] == "" {
		out = out[:len(out)-1]
	}
	return strings.Join(out, "\n")
}
