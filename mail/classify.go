package mail

import (
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Envelope is what the SMTP session knows of a mail besides its bytes.
type Envelope struct {
	MailFrom string   // reverse path; "" is the null path <> of bounces
	RcptTo   []string // accepted recipients
	Remote   string   // the client's address
	Received time.Time
	Raw      []byte
}

// Class is the outcome of classification (SPEC §5), in its order.
type Class string

// The classes.
const (
	// ClassAutomatic: auto-replies, bounces, lists, loops: stored, never
	// answered, never a ticket.
	ClassAutomatic Class = "automatic"
	// ClassReply: about an existing ticket.
	ClassReply Class = "reply"
	// ClassConsultant: from a consultant about no ticket: opens nothing.
	ClassConsultant Class = "consultant"
	// ClassCustomer: from a customer: a new ticket.
	ClassCustomer Class = "customer"
	// ClassUnknown: from anyone else: no ticket, kept for review.
	ClassUnknown Class = "unknown"
)

// Classification is what sosd makes of one mail.
type Classification struct {
	Class Class
	// Reason says why, for logs and the history (e.g. "Auto-Submitted:
	// auto-replied", "subject tag").
	Reason string
	// Ticket is the ticket the mail is about (replies; automatic mail that
	// names one of ours), 0 if none.
	Ticket int64
	// Signed: it came to a valid signed reply address for this sender.
	Signed bool
	// Sender is the From address, lower case (the reverse path when From
	// is unusable).
	Sender string
	// Customer is the sender's customer, nil if none.
	Customer *Customer
	// Consultant: the sender is a configured consultant.
	Consultant bool
	// NewText is the sender's own text, quoted history removed.
	NewText string
	// Priority and Application are the markers' reading for a new ticket
	// (SPEC §5); Application "" is unknown.
	Priority    int
	Application string
}

var subjectTag = regexp.MustCompile(`(?i)\[SOS-([0-9]{1,18})\]`)

// Classify classifies a parsed mail in SPEC §5's order: automatic mail
// first, before anything that could answer it (loop safety), then replies
// to tickets, consultants, customers, and anyone else.
func Classify(env Envelope, msg *Message, dir *Directory, signer *Signer) Classification {
	c := Classification{Sender: msg.From, NewText: NewText(msg.Text)}
	if c.Sender == "" {
		c.Sender = strings.ToLower(env.MailFrom)
	}
	c.Consultant = dir.IsConsultant(c.Sender)
	c.Customer = dir.CustomerOf(c.Sender)
	c.Ticket, c.Signed, c.Reason = ticketOf(env, msg, dir, signer, c.Sender)

	if why := automatic(env, msg, dir); why != "" {
		c.Class, c.Reason = ClassAutomatic, why
		return c
	}
	if c.Ticket != 0 {
		c.Class = ClassReply
		return c
	}
	return c.bySender(msg)
}

// AsNew reclassifies a mail whose ticket does not exist (a stray [SOS-n]
// tag) by its sender alone.
func (c Classification) AsNew(msg *Message) Classification {
	c.Ticket, c.Signed = 0, false
	return c.bySender(msg)
}

// bySender classifies a mail about no ticket by who sent it (SPEC §5
// classes 3 to 5), reading the markers for a new ticket.
func (c Classification) bySender(msg *Message) Classification {
	switch {
	case c.Consultant:
		c.Class, c.Reason = ClassConsultant, "a consultant's mail about no ticket"
	case c.Customer != nil:
		c.Class, c.Reason = ClassCustomer, "customer "+c.Customer.ID
		c.Priority = Priority(msg.Subject, c.NewText)
		c.Application = FindApplication(c.Customer.Applications, msg.Subject, c.NewText)
	default:
		c.Class, c.Reason = ClassUnknown, "sender is neither a customer nor a consultant"
	}
	return c
}

// ticketOf finds the ticket a mail is about: a signed reply address, a
// [SOS-n] subject tag, or In-Reply-To/References naming one of sosd's
// Message-IDs (SPEC §5).
func ticketOf(env Envelope, msg *Message, dir *Directory, signer *Signer, sender string) (int64, bool, string) {
	if signer != nil {
		for _, r := range env.RcptTo {
			if n, ok := signer.Verify(r, sender); ok {
				return n, true, "signed reply address"
			}
		}
	}
	if m := subjectTag.FindStringSubmatch(msg.Subject); m != nil {
		if n, err := strconv.ParseInt(m[1], 10, 64); err == nil && n > 0 {
			return n, false, "subject tag"
		}
	}
	domain := DomainOf(dir.Support)
	ids := append(append([]string{}, msg.InReplyTo...), msg.References...)
	for i := len(ids) - 1; i >= 0; i-- {
		if n := TicketOfMessageID(ids[i], domain); n != 0 {
			return n, false, "references"
		}
	}
	// A bounce or auto-reply quotes the mail it answers in its body (RFC
	// 3464 §2.1: the returned message or its headers): one of our
	// Message-IDs there ties it to its ticket (SPEC §5).
	if msg.Report != "" || len(msg.References)+len(msg.InReplyTo) == 0 {
		if n := quotedMessageID(env.Raw, domain); n != 0 {
			return n, false, "quoted Message-ID"
		}
	}
	// A signed address whose mac is wrong for this sender still names
	// the ticket; it just proves nothing.
	if signer != nil {
		for _, r := range env.RcptTo {
			if tok, ok := signer.Token(r); ok && tok != "" {
				num, _, _ := strings.Cut(tok, "-")
				if n, err := strconv.ParseInt(num, 10, 64); err == nil && n > 0 {
					return n, false, "reply address (not signed for this sender)"
				}
			}
		}
	}
	return 0, false, ""
}

// TicketOfMessageID returns the ticket named by one of sosd's own
// Message-IDs (sos-<n>.<rest>@domain, see NewMessageID), or 0.
func TicketOfMessageID(id, domain string) int64 {
	id = strings.ToLower(strings.Trim(id, "<> "))
	local, dom, ok := strings.Cut(id, "@")
	if !ok || dom != domain {
		return 0
	}
	rest, ok := strings.CutPrefix(local, "sos-")
	if !ok {
		return 0
	}
	num, _, _ := strings.Cut(rest, ".")
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n < 1 {
		return 0
	}
	return n
}

// automatic returns why a mail is automatic, or "" (SPEC §5 class 1).
func automatic(env Envelope, msg *Message, dir *Directory) string {
	h := msg.Header
	// RFC 3834 §5: any Auto-Submitted value other than "no".
	if v := strings.ToLower(strings.TrimSpace(h.Get("Auto-Submitted"))); v != "" && !strings.HasPrefix(v, "no") {
		return "Auto-Submitted: " + v
	}
	for _, k := range []string{"X-Autoreply", "X-Autorespond", "X-Autoresponder", "X-Auto-Response-Suppress-Reply"} {
		if h.Get(k) != "" {
			return k + " present"
		}
	}
	if p := strings.ToLower(strings.TrimSpace(h.Get("Precedence"))); p == "bulk" || p == "junk" || p == "list" || p == "auto_reply" {
		return "Precedence: " + p
	}
	// Exchange marks its own automatic replies with it.
	if h.Get("X-Auto-Response-Suppress") != "" {
		return "X-Auto-Response-Suppress present"
	}
	for _, k := range []string{"List-Id", "List-Unsubscribe", "List-Post", "Mailing-List", "X-Mailing-List"} {
		if h.Get(k) != "" {
			return k + " present"
		}
	}
	if strings.TrimSpace(env.MailFrom) == "" {
		return "null return path"
	}
	local := msg.From
	if at := strings.LastIndexByte(local, '@'); at >= 0 {
		local = local[:at]
	}
	if automaticSenders[strings.NewReplacer("-", "", "_", "", ".", "").Replace(local)] {
		return "sender " + msg.From
	}
	if msg.Report != "" {
		return "report (" + msg.Report + ")"
	}
	if p := automaticSubject(msg.Subject); p != "" {
		return "subject " + strconv.Quote(p)
	}
	max := dir.MaxHops
	if max <= 0 {
		max = DefaultMaxHops
	}
	if n := h.Count("Received"); n > max {
		return "too many Received: headers (" + strconv.Itoa(n) + "), a loop"
	}
	return ""
}

// automaticSenders are local parts (without '-', '_' and '.') of senders
// that are machines: bounces, and addresses that say not to answer them.
var automaticSenders = map[string]bool{
	"mailerdaemon": true, "maildaemon": true, "postmaster": true,
	"noreply": true, "donotreply": true, "noreplies": true, "bounce": true, "bounces": true,
}

// automaticPrefixes begin the subjects of out-of-office replies and
// bounces from servers that set no header saying so (Exchange, iCloud and
// older MTAs). Each ends with its colon or is a whole bounce subject, so a
// customer's "Automatic reply not working" is not one.
var automaticPrefixes = []string{
	"automatic reply:", "auto reply:", "autoreply:", "auto response", "auto-response:", "out of office:", "out of the office:",
	"automatiskt svar:", "autosvar:", "frånvaromeddelande:", "frånvaro:", "abwesenheitsnotiz:", "automatische antwort:",
	"réponse automatique:", "automatyczna odpowiedź:", "automaattinen vastaus:", "automatisk svar:",
	"undeliverable:", "undelivered mail returned to sender", "mail delivery failed", "delivery status notification",
	"returned mail:", "failure notice", "delivery failure", "mail delivery failure", "olevererbart:", "kan inte levereras:",
}

// automaticSubject returns the automatic prefix the subject starts with,
// or "".
func automaticSubject(subject string) string {
	s := strings.ToLower(strings.TrimSpace(subject))
	for _, p := range automaticPrefixes {
		if strings.HasPrefix(s, p) {
			return p
		}
	}
	return ""
}

// quotedMessageID finds the first <sos-n.…@domain> Message-ID of ours in
// raw and returns its ticket, or 0.
func quotedMessageID(raw []byte, domain string) int64 {
	for rest := raw; ; {
		i := bytes.Index(rest, []byte("<sos-"))
		if i < 0 {
			return 0
		}
		rest = rest[i+1:]
		end := bytes.IndexByte(rest, '>')
		if end < 0 || end > 200 {
			continue
		}
		if n := TicketOfMessageID(string(rest[:end]), domain); n != 0 {
			return n
		}
	}
}
