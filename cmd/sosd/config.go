package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"time"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/parser"
	"github.com/robfig/cron/v3"

	"sosd/mail"
	"sosd/sla"
	"sosd/tickets"
)

// fileConfig is the configuration file exactly as SPEC §4 shapes it. Field
// names are binding; durations are strings so that a bad one is reported
// with its line like any other value.
type fileConfig struct {
	Database     string                 `yaml:"database"`
	Listen       listenConfig           `yaml:"listen"`
	Support      supportConfig          `yaml:"support"`
	Outbound     outboundConfig         `yaml:"outbound"`
	Calendar     sla.CalendarConfig     `yaml:"calendar"`
	Priorities   map[int]priorityConfig `yaml:"priorities"`
	Escalation   escalationConfig       `yaml:"escalation"`
	FourHourRule string                 `yaml:"four_hour_rule"`
	Reports      reportsConfig          `yaml:"reports"`
	Consultants  []consultantConfig     `yaml:"consultants"`
	Customers    []customerConfig       `yaml:"customers"`
}

type listenConfig struct {
	SMTP string `yaml:"smtp"`
	HTTP string `yaml:"http"`
	// TLSCert and TLSKey enable STARTTLS on the SMTP listener (PEM files).
	TLSCert string `yaml:"tls_cert"`
	TLSKey  string `yaml:"tls_key"`
	// MaxMessageSize refuses bigger mail with 552, e.g. "25MB".
	MaxMessageSize string `yaml:"max_message_size"`
	// MaxConnectionsPerIP refuses more connections at once from one
	// client address (an IPv6 /64) with 421 at connect.
	MaxConnectionsPerIP int `yaml:"max_connections_per_ip"`
	// MaxMessagesPerSenderPerHour refuses MAIL FROM with 450 once one
	// envelope sender started that many mails within the last hour.
	MaxMessagesPerSenderPerHour int `yaml:"max_messages_per_sender_per_hour"`
}

type supportConfig struct {
	Address    string `yaml:"address"`
	Phone      string `yaml:"phone"`
	SecretFile string `yaml:"secret_file"`
	// LoopLimit: more mails than this from one sender within an hour
	// produce no outgoing mail to that sender (SPEC §5).
	LoopLimit int `yaml:"loop_limit"`
	// ReopenWithin: a reply to a closed ticket within it reopens the
	// ticket; later it opens a new one (SPEC §7). "7d" or "168h".
	ReopenWithin string `yaml:"reopen_within"`
	// TrustedAuthservIDs: the authserv-ids of the relays in front of sosd
	// whose Authentication-Results headers vouch for a consultant's mail
	// (RFC 8601; SPEC §6). Such a relay must remove headers carrying its
	// id that arrive from outside.
	TrustedAuthservIDs []string `yaml:"trusted_authserv_ids"`
	// TrustedRelays: the addresses (IP or CIDR) those relays connect
	// from; their Authentication-Results count only on mail from there.
	TrustedRelays []string `yaml:"trusted_relays"`
}

type outboundConfig struct {
	Relay        string `yaml:"relay"`
	SpoolDir     string `yaml:"spool_dir"`
	StartTLS     string `yaml:"starttls"`
	Username     string `yaml:"username"`
	PasswordFile string `yaml:"password_file"`
}

type priorityConfig struct {
	Name        string `yaml:"name"`
	StartWithin string `yaml:"start_within"`
}

type escalationConfig struct {
	WarnAt float64  `yaml:"warn_at"`
	Notify []string `yaml:"notify"`
}

type reportsConfig struct {
	Schedule string `yaml:"schedule"`
	// Meeting, when set, makes each quarterly report propose the status
	// meeting: an invitation from the account manager to the contacts.
	Meeting *meetingConfig `yaml:"meeting"`
}

// meetingConfig is the weekly slot the quarterly status meeting is
// proposed in, in the first two weeks of the quarter.
type meetingConfig struct {
	Weekday  string `yaml:"weekday"`  // mon … sun
	Time     string `yaml:"time"`     // "10:00", in the calendar's zone
	Duration string `yaml:"duration"` // "1h"
}

type consultantConfig struct {
	Name  string `yaml:"name"`
	Email string `yaml:"email"`
}

type customerConfig struct {
	ID             string              `yaml:"id"`
	Name           string              `yaml:"name"`
	Language       string              `yaml:"language"`
	Domains        []string            `yaml:"domains"`
	Addresses      []string            `yaml:"addresses"`
	Contacts       []contactConfig     `yaml:"contacts"`
	AccountManager string              `yaml:"account_manager"`
	Applications   []applicationConfig `yaml:"applications"`
}

type contactConfig struct {
	Name  string `yaml:"name"`
	Email string `yaml:"email"`
	Phone string `yaml:"phone"`
}

type applicationConfig struct {
	ID      string   `yaml:"id"`
	Name    string   `yaml:"name"`
	Aliases []string `yaml:"aliases"`
}

// Built-in defaults for keys a file may leave out (SPEC §4: the calendar
// and priorities shown there are the defaults).
const (
	defaultSMTPListen   = "127.0.0.1:2525"
	defaultStartTLS     = "required"
	defaultWarnAt       = 0.75
	defaultFourHourRule = "4h"
	defaultSchedule     = "0 7 * * *"
	defaultLanguage     = "sv"
	// Defaults of SPEC §5 and §7.
	defaultLoopLimit      = 20
	defaultReopenWithin   = "7d"
	defaultMaxMessageSize = "25MB"
)

func defaultFileConfig() fileConfig {
	prios := make(map[int]priorityConfig)
	for k, p := range sla.DefaultPriorities() {
		prios[k] = priorityConfig{Name: p.Name, StartWithin: p.StartWithin.String()}
	}
	return fileConfig{
		Listen: listenConfig{SMTP: defaultSMTPListen, MaxMessageSize: defaultMaxMessageSize,
			MaxConnectionsPerIP: mail.DefaultMaxConnectionsPerIP, MaxMessagesPerSenderPerHour: mail.DefaultMaxMessagesPerSenderPerHour},
		Support:      supportConfig{LoopLimit: defaultLoopLimit, ReopenWithin: defaultReopenWithin},
		Outbound:     outboundConfig{StartTLS: defaultStartTLS},
		Calendar:     sla.DefaultCalendarConfig(),
		Priorities:   prios,
		Escalation:   escalationConfig{WarnAt: defaultWarnAt},
		FourHourRule: defaultFourHourRule,
		Reports:      reportsConfig{Schedule: defaultSchedule},
	}
}

// config is a loaded, validated configuration with everything derived from
// it built: what serve, check-config and the sla commands work with.
type config struct {
	Path         string // the file it came from; "" for the built-in defaults
	File         fileConfig
	Calendar     *sla.Calendar
	Priorities   map[int]sla.Priority
	FourHourRule time.Duration
	Schedule     cron.Schedule
	// TrustedRelays is support.trusted_relays, parsed.
	TrustedRelays []netip.Prefix
	// Meeting is reports.meeting, validated; nil when not set.
	Meeting      *tickets.MeetingSlot
	ReopenWithin time.Duration
	MaxMessage   int64 // bytes

	loc locator // places later errors about the file, e.g. unreadable files
}

// defaultConfig is the configuration used by `sosd sla …` when no file
// exists: the built-in calendar and priorities.
func defaultConfig() (*config, error) {
	c := &config{File: defaultFileConfig(), FourHourRule: 4 * time.Hour, Priorities: sla.DefaultPriorities()}
	cal, err := sla.NewCalendar(c.File.Calendar)
	if err != nil {
		return nil, fmt.Errorf("built-in calendar: %w", err)
	}
	c.Calendar = cal
	return c, nil
}

// loadConfig reads, strictly decodes and validates the file at path. On
// failure the error is a configErrors listing every problem found, each
// with file, line and key.
func loadConfig(path string) (*config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, configErrors{{File: path, Msg: fmt.Sprintf("cannot read: %v", errors.Unwrap(err))}}
	}
	loc := locator{name: path}
	file, err := parser.ParseBytes(data, 0)
	if err != nil {
		return nil, configErrors{loc.fromYAMLError(err)}
	}
	loc.file = file
	fc := defaultFileConfig()
	var errs configErrors
	for _, doc := range file.Docs {
		if doc.Body != nil {
			errs = append(errs, loc.unknownKeys(doc.Body, reflect.TypeOf(fc), "")...)
		}
	}
	// An empty file decodes to io.EOF and leaves the defaults. Strict
	// decoding is the rule; when the walk above has already listed
	// unknown keys, decode leniently so the values can still be checked.
	var opts []yaml.DecodeOption
	if len(errs) == 0 {
		opts = append(opts, yaml.Strict())
	}
	if err := yaml.NewDecoder(bytes.NewReader(data), opts...).Decode(&fc); err != nil && !errors.Is(err, io.EOF) {
		return nil, append(errs, loc.fromYAMLError(err))
	}
	c := &config{Path: path, File: fc, loc: loc}
	errs = append(errs, c.validate(loc, filepath.Dir(path))...)
	if len(errs) > 0 {
		sortErrors(errs)
		return nil, errs
	}
	return c, nil
}

// policy is what the tickets store computes new deadlines with.
func (c *config) policy() *tickets.Policy {
	return &tickets.Policy{Calendar: c.Calendar, Priorities: c.Priorities}
}
