package main

import (
	"errors"
	"fmt"
	"net"
	netmail "net/mail"
	"net/netip"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"sosd/mail"
	"sosd/sla"
	"sosd/tickets"
)

// slugRE is the shape of customer and application ids: they appear in
// commands (#app ekonomi), CLI flags and reports.
var slugRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

// validate checks every value of c.File (SPEC §4), normalises addresses
// and domains to lower case, resolves relative paths against dir (the
// config file's folder), and builds the derived values. It returns every
// problem, not the first.
func (c *config) validate(loc locator, dir string) configErrors {
	v := &validator{loc: loc}
	f := &c.File

	v.path("database", &f.Database, dir, true)
	v.hostPort("listen.smtp", f.Listen.SMTP, true)
	v.hostPort("listen.http", f.Listen.HTTP, false)

	f.Support.Address = v.address("support.address", f.Support.Address, true)
	if strings.Contains(localPart(f.Support.Address), "+") {
		v.errorf("support.address", "must not contain '+': sosd accepts support+<token>@ forms of it by itself")
	}
	v.path("support.secret_file", &f.Support.SecretFile, dir, true)
	if f.Support.LoopLimit < 1 {
		v.errorf("support.loop_limit", "must be at least 1 (mails per sender per hour)")
	}
	if d := v.duration("support.reopen_within", f.Support.ReopenWithin); d > 0 {
		c.ReopenWithin = d
	} else if !v.has("support.reopen_within") {
		v.errorf("support.reopen_within", "must be a positive duration such as 7d")
	}
	for i, r := range f.Support.TrustedRelays {
		if p, err := parsePrefix(r); err != nil {
			v.errorf(fmt.Sprintf("support.trusted_relays[%d]", i), "%q is not an IP address or CIDR range such as 10.0.0.25 or 10.0.0.0/24", r)
		} else {
			c.TrustedRelays = append(c.TrustedRelays, p)
		}
	}
	if len(f.Support.TrustedAuthservIDs) > 0 && len(f.Support.TrustedRelays) == 0 {
		v.errorf("support.trusted_authserv_ids", "needs support.trusted_relays: the addresses those relays connect from (anyone else could write the header)")
	}
	for i, id := range f.Support.TrustedAuthservIDs {
		if id == "" || strings.ContainsAny(id, " \t;()\"") {
			v.errorf(fmt.Sprintf("support.trusted_authserv_ids[%d]", i), "must be an authserv-id such as mx.sos.example (RFC 8601 §2.5)")
		}
	}
	if (f.Listen.TLSCert == "") != (f.Listen.TLSKey == "") {
		v.errorf("listen.tls_cert", "tls_cert and tls_key go together")
	}
	v.path("listen.tls_cert", &f.Listen.TLSCert, dir, false)
	v.path("listen.tls_key", &f.Listen.TLSKey, dir, false)
	if n, err := parseSize(f.Listen.MaxMessageSize); err != nil {
		v.errorf("listen.max_message_size", "%v", err)
	} else {
		c.MaxMessage = n
	}
	if f.Listen.MaxConnectionsPerIP < 1 {
		v.errorf("listen.max_connections_per_ip", "must be at least 1 (connections at once from one address)")
	}
	if n := f.Listen.MaxMessagesPerSenderPerHour; n < 1 {
		v.errorf("listen.max_messages_per_sender_per_hour", "must be at least 1 (mails per sender per hour)")
	} else if n <= f.Support.LoopLimit && f.Support.LoopLimit >= 1 {
		// At or below the loop breaker's limit, a looping autoresponder is
		// refused before the loop breaker can take over, and gets our
		// answers up to this limit every hour.
		v.errorf("listen.max_messages_per_sender_per_hour", "%d must be more than support.loop_limit (%d), so the loop breaker stops answering first", n, f.Support.LoopLimit)
	}

	if f.Outbound.Relay != "" {
		v.hostPort("outbound.relay", f.Outbound.Relay, true)
	}
	v.path("outbound.spool_dir", &f.Outbound.SpoolDir, dir, f.Outbound.Relay == "")
	if !slices.Contains([]string{"required", "opportunistic", "none"}, f.Outbound.StartTLS) {
		v.errorf("outbound.starttls", "%q is not one of required, opportunistic, none", f.Outbound.StartTLS)
	}
	v.path("outbound.password_file", &f.Outbound.PasswordFile, dir, f.Outbound.Relay != "" && f.Outbound.Username != "")

	for _, err := range f.Calendar.Validate() {
		v.fieldError("calendar", err)
	}
	if cal, err := sla.NewCalendar(f.Calendar); err == nil {
		c.Calendar = cal
	}

	c.Priorities = make(map[int]sla.Priority)
	prios := make(map[int]sla.Priority)
	for k, p := range f.Priorities {
		d := v.duration(fmt.Sprintf("priorities.%d.start_within", k), p.StartWithin)
		prios[k] = sla.Priority{Name: p.Name, StartWithin: d}
	}
	errs := sla.ValidatePriorities(prios)
	for _, err := range errs {
		v.fieldError("priorities", err)
	}
	if len(errs) == 0 {
		c.Priorities = prios
	}

	if w := f.Escalation.WarnAt; !(w > 0 && w < 1) {
		v.errorf("escalation.warn_at", "%v must be a fraction between 0 and 1, e.g. 0.75", w)
	}
	for i := range f.Escalation.Notify {
		f.Escalation.Notify[i] = v.address(fmt.Sprintf("escalation.notify[%d]", i), f.Escalation.Notify[i], true)
	}
	if d := v.duration("four_hour_rule", f.FourHourRule); d > 0 {
		c.FourHourRule = d
	} else if !v.has("four_hour_rule") {
		v.errorf("four_hour_rule", "must be a positive duration such as 4h")
	}
	if f.Reports.Schedule == "" {
		v.errorf("reports.schedule", "must be a cron schedule such as \"0 7 * * *\"")
	} else if s, err := cron.ParseStandard(f.Reports.Schedule); err != nil {
		v.errorf("reports.schedule", "%q is not a cron schedule: %v", f.Reports.Schedule, err)
	} else {
		c.Schedule = s
	}

	if m := f.Reports.Meeting; m != nil {
		c.Meeting = v.meeting(m)
	}

	v.consultants(f.Consultants)
	v.customers(f.Customers, mail.DomainOf(f.Support.Address))
	return v.errs
}

// meeting checks reports.meeting: a weekday, a time of day and a length
// of 15 minutes to 4 hours.
func (v *validator) meeting(m *meetingConfig) *tickets.MeetingSlot {
	slot := &tickets.MeetingSlot{}
	ok := true
	if d, found := sla.ParseWeekday(strings.ToLower(m.Weekday)); found {
		slot.Weekday = d
	} else {
		v.errorf("reports.meeting.weekday", "%q is not a weekday: mon, tue, wed, thu, fri, sat or sun", m.Weekday)
		ok = false
	}
	if t, err := time.Parse("15:04", m.Time); err == nil && len(m.Time) == 5 {
		slot.Hour, slot.Minute = t.Hour(), t.Minute()
	} else {
		v.errorf("reports.meeting.time", "%q is not a time of day such as \"10:00\"", m.Time)
		ok = false
	}
	if d := v.duration("reports.meeting.duration", m.Duration); d >= 15*time.Minute && d <= 4*time.Hour {
		slot.Duration = d
	} else {
		v.errorf("reports.meeting.duration", "%q must be between 15m and 4h", m.Duration)
		ok = false
	}
	if !ok {
		return nil
	}
	return slot
}

// validator collects errors with their places.
type validator struct {
	loc  locator
	errs configErrors
}

func (v *validator) errorf(path, format string, args ...any) {
	v.errs = append(v.errs, v.loc.at(path, format, args...))
}

// has reports whether a problem with path was already found, so one bad
// value is reported once.
func (v *validator) has(path string) bool {
	return slices.ContainsFunc(v.errs, func(e *configError) bool { return e.Path == path })
}

// fieldError places an error of a package's own Validate under prefix,
// unless that key was already reported.
func (v *validator) fieldError(prefix string, err error) {
	var fe *sla.FieldError
	if !errors.As(err, &fe) {
		v.errorf(prefix, "%v", err)
		return
	}
	if p := prefix + "." + fe.Field; !v.has(p) {
		v.errorf(p, "%s", fe.Msg)
	}
}

// path checks a file or folder name and makes it absolute relative to dir,
// so the daemon finds its files whatever folder it was started from.
func (v *validator) path(key string, p *string, dir string, required bool) {
	if *p == "" {
		if required {
			v.errorf(key, "must name a file or folder")
		}
		return
	}
	if !filepath.IsAbs(*p) {
		abs, err := filepath.Abs(filepath.Join(dir, *p))
		if err != nil {
			v.errorf(key, "%v", err)
			return
		}
		*p = abs
	}
}

func (v *validator) hostPort(key, s string, required bool) {
	if s == "" {
		if required {
			v.errorf(key, "must be host:port, e.g. 127.0.0.1:2525")
		}
		return
	}
	_, port, err := net.SplitHostPort(s)
	if ae := (*net.AddrError)(nil); errors.As(err, &ae) {
		v.errorf(key, "%q is not host:port: %s", s, ae.Err)
		return
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		v.errorf(key, "%q: port %q is not a number from 0 to 65535", s, port)
	}
}

func (v *validator) duration(key, s string) time.Duration {
	if s == "" {
		v.errorf(key, "must be a duration such as 8h or 1h30m")
		return 0
	}
	d, err := parseDuration(s)
	if err != nil {
		v.errorf(key, "%q is not a duration such as 8h or 1h30m", s)
		return 0
	}
	return d
}

// parseDuration is time.ParseDuration that also takes whole days, "7d",
// as admins write them.
func parseDuration(s string) (time.Duration, error) {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil || days < 0 || days > 3650 {
			return 0, fmt.Errorf("bad number of days %q", s)
		}
		return time.Duration(days) * 24 * time.Hour, nil
	}
	return time.ParseDuration(s)
}

// parseSize parses a size such as 25MB, 512KB or 1048576 (bytes); units
// are powers of 1024.
func parseSize(s string) (int64, error) {
	num, mult := strings.TrimSpace(strings.ToUpper(s)), int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"GB", 1 << 30}, {"MB", 1 << 20}, {"KB", 1 << 10}, {"B", 1}} {
		if n, ok := strings.CutSuffix(num, u.suffix); ok {
			num, mult = strings.TrimSpace(n), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n < 1 || n > 1<<40/mult {
		return 0, fmt.Errorf("%q is not a size such as 25MB", s)
	}
	if n*mult < 1<<10 {
		return 0, fmt.Errorf("%q is too small for a mail", s)
	}
	return n * mult, nil
}

// address checks a bare e-mail address (no display name, no brackets) with
// a well-formed domain, and returns it in lower case: sosd compares
// addresses case-insensitively everywhere (RFC 5321 §2.4 leaves the local
// part's case to the receiving host; ours ignores it).
func (v *validator) address(key, s string, required bool) string {
	if s == "" {
		if required {
			v.errorf(key, "must be an e-mail address")
		}
		return s
	}
	a, err := netmail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		v.errorf(key, "%q is not a bare e-mail address like name@example.se", s)
		return s
	}
	if err := checkDomain(mail.DomainOf(s)); err != nil {
		v.errorf(key, "%q: %v", s, err)
		return s
	}
	return strings.ToLower(s)
}

func (v *validator) domain(key, s string) string {
	if err := checkDomain(s); err != nil {
		v.errorf(key, "%q: %v", s, err)
		return s
	}
	return strings.ToLower(s)
}

// checkDomain accepts a DNS name of at least two labels of letters, digits
// and hyphens (RFC 1035 §2.3.1; letters may be non-ASCII for IDNs).
func checkDomain(d string) error {
	if strings.HasPrefix(d, "@") {
		return errors.New("write the domain without '@'")
	}
	labels := strings.Split(d, ".")
	if len(labels) < 2 || len(d) > 253 {
		return errors.New("is not a domain name like example.se")
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 || strings.HasPrefix(l, "-") || strings.HasSuffix(l, "-") {
			return errors.New("is not a domain name like example.se")
		}
		for _, r := range l {
			if !(r == '-' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r > 127 && r != '\uFFFD') {
				return fmt.Errorf("is not a domain name like example.se (%q)", r)
			}
		}
	}
	return nil
}

func localPart(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return addr[:i]
	}
	return addr
}

func (v *validator) slug(key, s string) {
	if !slugRE.MatchString(s) {
		if s == "" {
			v.errorf(key, "must not be empty")
			return
		}
		v.errorf(key, "%q must be lower-case letters, digits, '-' and '_', starting with a letter or digit", s)
	}
}

func (v *validator) consultants(cs []consultantConfig) {
	if len(cs) == 0 {
		v.errorf("consultants", "at least one consultant is needed: they receive every new ticket")
	}
	seen := make(map[string]int)
	for i := range cs {
		key := fmt.Sprintf("consultants[%d]", i)
		if strings.TrimSpace(cs[i].Name) == "" {
			v.errorf(key+".name", "must not be empty")
		}
		cs[i].Email = v.address(key+".email", cs[i].Email, true)
		if j, ok := seen[cs[i].Email]; ok && cs[i].Email != "" {
			v.errorf(key+".email", "%q is already consultants[%d] (line %d)", cs[i].Email, j, v.loc.line(fmt.Sprintf("consultants[%d].email", j)))
		} else {
			seen[cs[i].Email] = i
		}
	}
}

// customers checks each customer and the rules between them: unique ids,
// and no address or domain claimed by two customers (SPEC §4), since a
// sender must map to exactly one customer.
func (v *validator) customers(cs []customerConfig, supportDomain string) {
	ids := make(map[string]int)
	type claim struct {
		customer string
		path     string
	}
	addrs := make(map[string]claim)
	domains := make(map[string]claim)
	for i := range cs {
		c := &cs[i]
		key := fmt.Sprintf("customers[%d]", i)
		v.slug(key+".id", c.ID)
		if j, ok := ids[c.ID]; ok && c.ID != "" {
			v.errorf(key+".id", "%q is already the id of customers[%d] (line %d)", c.ID, j, v.loc.line(fmt.Sprintf("customers[%d].id", j)))
		} else {
			ids[c.ID] = i
		}
		if strings.TrimSpace(c.Name) == "" {
			v.errorf(key+".name", "must not be empty")
		}
		if c.Language == "" {
			c.Language = defaultLanguage
		} else if c.Language != "sv" && c.Language != "en" {
			v.errorf(key+".language", "%q is not a language sosd writes (sv or en)", c.Language)
		}
		if len(c.Domains) == 0 && len(c.Addresses) == 0 {
			v.errorf(key, "needs domains or addresses: otherwise no mail is ever from this customer")
		}
		for j := range c.Domains {
			p := fmt.Sprintf("%s.domains[%d]", key, j)
			c.Domains[j] = v.domain(p, c.Domains[j])
			d := c.Domains[j]
			if d == supportDomain {
				v.errorf(p, "%q is the support address's own domain", d)
			}
			if prev, ok := domains[d]; ok {
				v.errorf(p, "%q already belongs to customer %q (line %d)", d, prev.customer, v.loc.line(prev.path))
			} else {
				domains[d] = claim{c.ID, p}
			}
		}
		for j := range c.Addresses {
			p := fmt.Sprintf("%s.addresses[%d]", key, j)
			c.Addresses[j] = v.address(p, c.Addresses[j], true)
			a := c.Addresses[j]
			if prev, ok := addrs[a]; ok {
				v.errorf(p, "%q already belongs to customer %q (line %d)", a, prev.customer, v.loc.line(prev.path))
			} else {
				addrs[a] = claim{c.ID, p}
			}
		}
		for j := range c.Contacts {
			p := fmt.Sprintf("%s.contacts[%d]", key, j)
			if strings.TrimSpace(c.Contacts[j].Name) == "" {
				v.errorf(p+".name", "must not be empty")
			}
			c.Contacts[j].Email = v.address(p+".email", c.Contacts[j].Email, true)
		}
		c.AccountManager = v.address(key+".account_manager", c.AccountManager, false)
		v.applications(key, c.Applications)
	}
}

// applications checks one customer's applications. Ids, names and aliases
// are all markers found in mail (SPEC §5), so none may name two
// applications of the same customer.
func (v *validator) applications(key string, apps []applicationConfig) {
	ids := make(map[string]int)
	type owner struct {
		app  string
		path string
	}
	markers := make(map[string]owner)
	mark := func(p, app, word string) {
		w := strings.ToLower(strings.TrimSpace(word))
		if w == "" {
			return
		}
		if prev, ok := markers[w]; ok && prev.app != app {
			v.errorf(p, "%q already names application %q (line %d)", word, prev.app, v.loc.line(prev.path))
			return
		}
		if _, ok := markers[w]; !ok {
			markers[w] = owner{app, p}
		}
	}
	for i, a := range apps {
		p := fmt.Sprintf("%s.applications[%d]", key, i)
		v.slug(p+".id", a.ID)
		if j, ok := ids[a.ID]; ok && a.ID != "" {
			v.errorf(p+".id", "%q is already the id of %s.applications[%d] (line %d)", a.ID, key, j, v.loc.line(fmt.Sprintf("%s.applications[%d].id", key, j)))
			continue
		}
		ids[a.ID] = i
		if strings.TrimSpace(a.Name) == "" {
			v.errorf(p+".name", "must not be empty")
		}
		mark(p+".id", a.ID, a.ID)
		mark(p+".name", a.ID, a.Name)
		for j, alias := range a.Aliases {
			ap := fmt.Sprintf("%s.aliases[%d]", p, j)
			if strings.TrimSpace(alias) == "" {
				v.errorf(ap, "must not be empty")
				continue
			}
			if slices.Index(a.Aliases, alias) < j {
				v.errorf(ap, "%q is listed twice", alias)
				continue
			}
			mark(ap, a.ID, alias)
		}
	}
}

// sortErrors orders errors by their place in the file; errors without a
// place come first.
func sortErrors(es configErrors) {
	slices.SortStableFunc(es, func(a, b *configError) int {
		if a.Line != b.Line {
			return a.Line - b.Line
		}
		return a.Col - b.Col
	})
}

// parsePrefix reads an IP address (one host) or a CIDR range.
func parsePrefix(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		return p.Masked(), err
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}
