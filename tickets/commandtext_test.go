package tickets

import (
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// ctContext is what a consultant's mail about an acme ticket is read
// against: acme's applications, two consultants, the calendar's zone.
func ctContext(t testing.TB) CommandContext {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Stockholm")
	if err != nil {
		t.Fatal(err)
	}
	return CommandContext{
		Applications: []string{"ekonomi", "lager"},
		Consultants:  []string{"anna@sos.example", "bo@sos.example"},
		Location:     loc,
	}
}

// ctOnsite is 2026-12-01 09:00 in Stockholm: CET, 08:00 UTC.
func ctOnsite(t testing.TB) time.Time {
	t.Helper()
	return stockholm(t, 2026, 12, 1, 9, 0)
}

// Every command, each value form the spec and the parser promise.
func TestParseCommandsValid(t *testing.T) {
	t.Parallel()
	cc := ctContext(t)
	onsite := ctOnsite(t)
	tests := []struct {
		line string
		want Command
	}{
		{"#start", Command{Kind: CmdStart}},
		{"#START", Command{Kind: CmdStart}},
		{"#Start", Command{Kind: CmdStart}},
		{"#priority 1", Command{Kind: CmdPriority, Priority: 1}},
		{"#priority 2", Command{Kind: CmdPriority, Priority: 2}},
		{"#priority 3", Command{Kind: CmdPriority, Priority: 3}},
		{"#priority P1", Command{Kind: CmdPriority, Priority: 1}},
		{"#priority p2", Command{Kind: CmdPriority, Priority: 2}},
		{"#priority: 1", Command{Kind: CmdPriority, Priority: 1}},
		{"#priority:3", Command{Kind: CmdPriority, Priority: 3}},
		{"#PRIORITY 2", Command{Kind: CmdPriority, Priority: 2}},
		{"#app ekonomi", Command{Kind: CmdApp, Application: "ekonomi"}},
		{"#app Ekonomi", Command{Kind: CmdApp, Application: "ekonomi"}},
		{"#APP LAGER", Command{Kind: CmdApp, Application: "lager"}},
		{"#assign anna@sos.example", Command{Kind: CmdAssign, Assignee: "anna@sos.example"}},
		{"#assign Anna Svensson <anna@sos.example>", Command{Kind: CmdAssign, Assignee: "anna@sos.example"}},
		{`#assign "Bo B." <Bo@SOS.example>`, Command{Kind: CmdAssign, Assignee: "bo@sos.example"}},
		{"#assign BO@SOS.EXAMPLE", Command{Kind: CmdAssign, Assignee: "bo@sos.example"}},
		{"#time 1h30m", Command{Kind: CmdTime, Work: 90 * time.Minute}},
		{"#time 1h 30m", Command{Kind: CmdTime, Work: 90 * time.Minute}},
		{"#time 90m", Command{Kind: CmdTime, Work: 90 * time.Minute}},
		{"#time 90 min", Command{Kind: CmdTime, Work: 90 * time.Minute}},
		{"#time 1,5h", Command{Kind: CmdTime, Work: 90 * time.Minute}},
		{"#time 1.5 tim", Command{Kind: CmdTime, Work: 90 * time.Minute}},
		{"#time 2 timmar", Command{Kind: CmdTime, Work: 2 * time.Hour}},
		{"#time 45min", Command{Kind: CmdTime, Work: 45 * time.Minute}},
		{"#time 1 tim. 15 min.", Command{Kind: CmdTime, Work: 75 * time.Minute}},
		{"#time 24h", Command{Kind: CmdTime, Work: 24 * time.Hour}},
		{"#time 1m", Command{Kind: CmdTime, Work: time.Minute}},
		{"#Time: 2H", Command{Kind: CmdTime, Work: 2 * time.Hour}},
		{"#called", Command{Kind: CmdCalled}},
		{"#onsite 2026-12-01 09:00", Command{Kind: CmdOnsite, Onsite: onsite}},
		{"#onsite 2026-12-01 9:00", Command{Kind: CmdOnsite, Onsite: onsite}},
		{"#onsite 2026-12-01T09:00", Command{Kind: CmdOnsite, Onsite: onsite}},
		{"#onsite 2026-12-01 kl. 09.00", Command{Kind: CmdOnsite, Onsite: onsite}},
		{"#onsite 2026-12-01 kl 9.00", Command{Kind: CmdOnsite, Onsite: onsite}},
		{"#onsite: 2026-12-01 09:00", Command{Kind: CmdOnsite, Onsite: onsite}},
		{"#resolve", Command{Kind: CmdResolve}},
		{"#close", Command{Kind: CmdClose}},
		{"#internal", Command{Kind: CmdInternal}},
		{"#Internal", Command{Kind: CmdInternal}},
	}
	for _, tc := range tests {
		t.Run(tc.line, func(t *testing.T) {
			t.Parallel()
			got := ParseCommands(tc.line, cc)
			if len(got.Problems) != 0 {
				t.Fatalf("Problems = %v, want none", got.Problems)
			}
			if len(got.Commands) != 1 {
				t.Fatalf("Commands = %+v, want one", got.Commands)
			}
			c := got.Commands[0]
			want := tc.want
			want.Line = tc.line
			// Compare the instant apart: Equal, not ==, for times.
			gotAt, wantAt := c.Onsite, want.Onsite
			c.Onsite, want.Onsite = time.Time{}, time.Time{}
			if c != want {
				t.Errorf("Command = %+v, want %+v", c, want)
			}
			if !gotAt.Equal(wantAt) {
				t.Errorf("Onsite = %v, want %v", gotAt, wantAt)
			}
			if got.Text != "" {
				t.Errorf("Text = %q, want empty", got.Text)
			}
		})
	}
}

// #onsite is written in the calendar's zone: 09:00 in Stockholm on
// 1 December is CET, +01:00, 08:00 UTC.
func TestParseCommandsOnsiteZone(t *testing.T) {
	t.Parallel()
	got := ParseCommands("#onsite 2026-12-01 09:00", ctContext(t))
	if len(got.Commands) != 1 {
		t.Fatalf("Commands = %+v, Problems = %v", got.Commands, got.Problems)
	}
	at := got.Commands[0].Onsite
	if want := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC); !at.Equal(want) {
		t.Errorf("Onsite = %v, want %v", at.UTC(), want)
	}
	if name, off := at.Zone(); name != "CET" || off != 3600 {
		t.Errorf("zone = %s %+d, want CET +3600", name, off)
	}
	if at.Location().String() != "Europe/Stockholm" {
		t.Errorf("location = %s, want Europe/Stockholm", at.Location())
	}
	// Summer time: 09:00 on 1 June is CEST, 07:00 UTC.
	got = ParseCommands("#onsite 2026-06-01 09:00", ctContext(t))
	if len(got.Commands) != 1 || !got.Commands[0].Onsite.Equal(time.Date(2026, 6, 1, 7, 0, 0, 0, time.UTC)) {
		t.Errorf("June onsite = %+v %v, want 07:00 UTC", got.Commands, got.Problems)
	}
}

// Each bad line becomes a Problem with its code, and Valid lists what
// would have been accepted where that helps.
func TestParseCommandsProblems(t *testing.T) {
	t.Parallel()
	cc := ctContext(t)
	tests := []struct {
		line  string
		code  string
		valid []string
	}{
		{"#foo", ProblemUnknownCommand, nil},
		{"#prio 1", ProblemUnknownCommand, nil},
		{"#", ProblemUnknownCommand, nil},
		{"#starta", ProblemUnknownCommand, nil},
		{"#start now", ProblemUnexpectedValue, nil},
		{"#called: yes", ProblemUnexpectedValue, nil},
		{"#resolve it", ProblemUnexpectedValue, nil},
		{"#close 1", ProblemUnexpectedValue, nil},
		{"#internal x", ProblemUnexpectedValue, nil},
		{"#priority", ProblemMissingValue, nil},
		{"#priority:", ProblemMissingValue, nil},
		{"#priority 0", ProblemBadPriority, nil},
		{"#priority 4", ProblemBadPriority, nil},
		{"#priority x", ProblemBadPriority, nil},
		{"#priority P", ProblemBadPriority, nil},
		{"#priority -1", ProblemBadPriority, nil},
		{"#app", ProblemMissingValue, cc.Applications},
		{"#app crm", ProblemBadApplication, cc.Applications},
		{"#app ekonomi lager", ProblemBadApplication, cc.Applications},
		{"#assign", ProblemMissingValue, cc.Consultants},
		{"#assign anna", ProblemBadAddress, nil},
		{"#assign <anna@", ProblemBadAddress, nil},
		{"#assign eva@acme.se", ProblemNotConsultant, cc.Consultants},
		{"#assign Eva <eva@acme.se>", ProblemNotConsultant, cc.Consultants},
		{"#time", ProblemMissingValue, nil},
		{"#time 90", ProblemBadDuration, nil},
		{"#time 0m", ProblemBadDuration, nil},
		{"#time 30s", ProblemBadDuration, nil},
		{"#time 25h", ProblemBadDuration, nil},
		{"#time abc", ProblemBadDuration, nil},
		{"#time 1h30", ProblemBadDuration, nil},
		{"#time -1h", ProblemBadDuration, nil},
		{"#time 1.2.3h", ProblemBadDuration, nil},
		{"#time 10 days", ProblemBadDuration, nil},
		{"#onsite", ProblemMissingValue, nil},
		{"#onsite 2026-13-01 09:00", ProblemBadDatetime, nil},
		{"#onsite tomorrow", ProblemBadDatetime, nil},
		{"#onsite 2026-12-01", ProblemBadDatetime, nil},
		{"#onsite 2026-12-01 25:00", ProblemBadDatetime, nil},
		{"#onsite 2026-12-01 09:00 10:00", ProblemBadDatetime, nil},
		{"#onsite 01/12/2026 09:00", ProblemBadDatetime, nil},
	}
	for _, tc := range tests {
		t.Run(tc.line, func(t *testing.T) {
			t.Parallel()
			got := ParseCommands(tc.line, cc)
			if len(got.Commands) != 0 {
				t.Errorf("Commands = %+v, want none", got.Commands)
			}
			if len(got.Problems) != 1 {
				t.Fatalf("Problems = %v, want one", got.Problems)
			}
			p := got.Problems[0]
			if p.Code != tc.code {
				t.Errorf("Code = %q, want %q", p.Code, tc.code)
			}
			if !slices.Equal(p.Valid, tc.valid) {
				t.Errorf("Valid = %q, want %q", p.Valid, tc.valid)
			}
			if p.Index != 0 || p.Command.Line != tc.line || p.Err == nil {
				t.Errorf("Index %d, Line %q, Err %v; want 0, %q, an error", p.Index, p.Command.Line, p.Err, tc.line)
			}
			if p.Err != nil && !strings.Contains(p.Err.Error(), tc.line) {
				t.Errorf("Err %q does not quote the line", p.Err)
			}
		})
	}
}

// The commands stop at the first line that is not one; blank lines
// around and between them do not; the rest is the customer's text,
// trimmed.
func TestParseCommandsLayout(t *testing.T) {
	t.Parallel()
	cc := ctContext(t)
	tests := []struct {
		name  string
		in    string
		kinds []CommandKind
		lines []string
		text  string
	}{
		{"commands and text", "#start\n#time 1h30m\n#called\nHej, vi tittar på det.",
			[]CommandKind{CmdStart, CmdTime, CmdCalled}, []string{"#start", "#time 1h30m", "#called"}, "Hej, vi tittar på det."},
		{"blank lines between", "\n\n#start\n\n  \n#priority 1\n\n\nHej!\n\nMvh Anna\n\n",
			[]CommandKind{CmdStart, CmdPriority}, []string{"#start", "#priority 1"}, "Hej!\n\nMvh Anna"},
		{"CRLF", "#start\r\n#internal\r\n\r\nNotering.\r\nRad två.\r\n",
			[]CommandKind{CmdStart, CmdInternal}, []string{"#start", "#internal"}, "Notering.\nRad två."},
		{"indented command", "  #start  \n\tHej", []CommandKind{CmdStart}, []string{"#start"}, "Hej"},
		{"hash below the text is text", "#start\nHej!\n#close\n#priority 1\nMvh",
			[]CommandKind{CmdStart}, []string{"#start"}, "Hej!\n#close\n#priority 1\nMvh"},
		{"no commands", "  Hej!\n#close\n\nMvh Anna \n", nil, nil, "Hej!\n#close\n\nMvh Anna"},
		{"only commands", "#resolve\n\n", []CommandKind{CmdResolve}, []string{"#resolve"}, ""},
		{"empty", "", nil, nil, ""},
		{"text keeps inner indentation", "#start\n\nHej\n    kod();\n", []CommandKind{CmdStart}, []string{"#start"}, "Hej\n    kod();"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := ParseCommands(tc.in, cc)
			if len(got.Problems) != 0 {
				t.Errorf("Problems = %v, want none", got.Problems)
			}
			var kinds []CommandKind
			var lines []string
			for _, c := range got.Commands {
				kinds = append(kinds, c.Kind)
				lines = append(lines, c.Line)
			}
			if !slices.Equal(kinds, tc.kinds) || !slices.Equal(lines, tc.lines) {
				t.Errorf("Commands = %v %q, want %v %q", kinds, lines, tc.kinds, tc.lines)
			}
			if got.Text != tc.text {
				t.Errorf("Text = %q, want %q", got.Text, tc.text)
			}
		})
	}
}

// A bad line does not stop the lines after it from being read; each
// Problem's Index is its line's position among all the command lines, in
// order; Command.Line is the line as written.
func TestParseCommandsBadLineKeepsReading(t *testing.T) {
	t.Parallel()
	in := "#foo\n#start\n\n#priority 9\n#Time: 1h 30m\n#assign eva@acme.se\n#onsite 2026-12-01 kl. 09.00\nHej!\n#bar"
	got := ParseCommands(in, ctContext(t))
	var kinds, lines []string
	for _, c := range got.Commands {
		kinds = append(kinds, string(c.Kind))
		lines = append(lines, c.Line)
	}
	if want := []string{"start", "time", "onsite"}; !slices.Equal(kinds, want) {
		t.Errorf("Commands = %v, want %v", kinds, want)
	}
	if want := []string{"#start", "#Time: 1h 30m", "#onsite 2026-12-01 kl. 09.00"}; !slices.Equal(lines, want) {
		t.Errorf("Lines = %q, want %q", lines, want)
	}
	type problem struct {
		index int
		code  string
		line  string
		kind  CommandKind
	}
	want := []problem{
		{0, ProblemUnknownCommand, "#foo", "foo"},
		{2, ProblemBadPriority, "#priority 9", CmdPriority},
		{4, ProblemNotConsultant, "#assign eva@acme.se", CmdAssign},
	}
	var gotP []problem
	for _, p := range got.Problems {
		gotP = append(gotP, problem{p.Index, p.Code, p.Command.Line, p.Command.Kind})
	}
	if !slices.Equal(gotP, want) {
		t.Errorf("Problems = %+v, want %+v", gotP, want)
	}
	if got.Text != "Hej!\n#bar" {
		t.Errorf("Text = %q", got.Text)
	}
	if e := got.Problems.Error(); !strings.Contains(e, "3 invalid") || !strings.Contains(e, "#foo") {
		t.Errorf("Problems.Error() = %q", e)
	}
}

// A #time line whose parts add up past what a Duration holds must not wrap
// around into a small, valid-looking amount of work.
func TestParseCommandsTimeOverflow(t *testing.T) {
	t.Parallel()
	// Each part is within the 10000 a part may be; 512 of 10000h wrap the
	// sum to -14744073709551616ns, and 4095h 36m bring it to +86s.
	in := "#time " + strings.Repeat("10000h ", 512) + "4095h 36m"
	got := ParseCommands(in, ctContext(t))
	if len(got.Commands) != 0 || len(got.Problems) != 1 || got.Problems[0].Code != ProblemBadDuration {
		t.Errorf("Commands = %+v, Problems = %v; want one bad_duration", got.Commands, got.Problems)
	}
}

// ctReply is anna's mail with text parsed the way intake does it.
func ctReply(t testing.TB, at time.Time, text string) ConsultantReply {
	t.Helper()
	r := lcReply(at, false)
	ct := ParseCommands(text, ctContext(t))
	r.Commands, r.Unreadable, r.HasText = ct.Commands, ct.Problems, ct.Text != ""
	return r
}

// Parsed commands run through a real Store: a start, ninety minutes of
// work and a call, with the text for the customer.
func TestParseCommandsApply(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	received := stockholm(t, 2026, 11, 30, 10, 0)
	tk := fileOne(t, s, "ct-apply@acme.se", received).Ticket
	at := received.Add(30 * time.Minute)

	res := lcApply(t, s, tk.ID, ctReply(t, at, "#start\n#time 1h30m\n#called\nHej, vi tittar på det."), nil)
	if res.Outcome != OutcomeApplied {
		t.Fatalf("Outcome = %s, Problems %v; want applied", res.Outcome, res.Problems)
	}
	var kinds []string
	for _, c := range res.Changes {
		kinds = append(kinds, c.Kind)
	}
	if want := []string{"started", "work", "called"}; !slices.Equal(kinds, want) {
		t.Errorf("Changes = %v, want %v", kinds, want)
	}
	if !res.ToCustomer || res.Internal {
		t.Errorf("ToCustomer %v, Internal %v; want true, false", res.ToCustomer, res.Internal)
	}
	got := lcGet(t, s, tk.ID).Ticket
	if got.Status != StatusStarted || !got.Started.Equal(at) || got.WorkMinutes != 90 || !got.Called {
		t.Errorf("ticket: status %s, started %v, work %d, called %v; want started at %v, 90, true",
			got.Status, got.Started, got.WorkMinutes, got.Called, at)
	}
	if n := count(t, s, `SELECT COUNT(*) FROM work_log WHERE ticket_id = ? AND minutes = 90`, int64(tk.ID)); n != 1 {
		t.Errorf("work_log rows of 90 minutes = %d, want 1", n)
	}
}

// One unreadable line rejects the whole mail: the readable commands do
// not run either (SPEC §6).
func TestParseCommandsUnreadableChangesNothing(t *testing.T) {
	t.Parallel()
	s := openTestStore(t)
	received := stockholm(t, 2026, 11, 30, 10, 0)
	tk := fileOne(t, s, "ct-reject@acme.se", received).Ticket
	before := lcGet(t, s, tk.ID).Ticket

	r := ctReply(t, received.Add(time.Hour), "#start\n#time 90\n#priority 1\n#called\nHej!")
	if len(r.Unreadable) != 1 || len(r.Commands) != 3 {
		t.Fatalf("parsed %d commands, %d unreadable; want 3 and 1", len(r.Commands), len(r.Unreadable))
	}
	res := lcApply(t, s, tk.ID, r, nil)
	if res.Outcome != OutcomeRejectedCommands {
		t.Fatalf("Outcome = %s, want %s", res.Outcome, OutcomeRejectedCommands)
	}
	if len(res.Problems) != 1 || res.Problems[0].Code != ProblemBadDuration || res.Problems[0].Command.Line != "#time 90" {
		t.Errorf("Problems = %+v, want the #time 90 line as bad_duration", res.Problems)
	}
	if len(res.Changes) != 0 || res.ToCustomer {
		t.Errorf("Changes %v, ToCustomer %v; want none, false", res.Changes, res.ToCustomer)
	}
	after := lcGet(t, s, tk.ID).Ticket
	if after.Status != StatusNew || after.WorkMinutes != 0 || after.Called || after.Priority != 3 {
		t.Errorf("ticket after: status %s, work %d, called %v, priority %d; want new, 0, false, 3",
			after.Status, after.WorkMinutes, after.Called, after.Priority)
	}
	if !lcSame(t, before, after) {
		t.Errorf("ticket changed:\nbefore %+v\nafter  %+v", before, after)
	}
	if n := count(t, s, `SELECT COUNT(*) FROM work_log WHERE ticket_id = ?`, int64(tk.ID)); n != 0 {
		t.Errorf("work_log rows = %d, want 0", n)
	}
}

// ctKnown are the command kinds ParseCommands may return.
var ctKnown = []CommandKind{CmdStart, CmdPriority, CmdApp, CmdAssign, CmdTime, CmdCalled, CmdOnsite, CmdResolve, CmdClose, CmdInternal}

func FuzzParseCommands(f *testing.F) {
	for _, s := range []string{
		"#start\n#time 1h30m\n#called\nHej, vi tittar på det.",
		"#priority: 1\n\n#app Ekonomi\n#assign Anna <anna@sos.example>\nText\n#close",
		"#time 1,5h\n#time 1.5 tim\n#time 2 timmar\n#time 45min\n#time 1 tim. 15 min.",
		"#onsite 2026-12-01 kl. 09.00\r\n#onsite 2026-12-01T09:00\r\n#onsite 2026-12-01 9:00",
		"#foo\n#prio 1\n#start now\n#priority 4\n#time 90\n#onsite tomorrow\n",
		"#time " + strings.Repeat("10000h ", 3) + "1m",
		"  \n\t#internal\n\nNotering",
		"#\n#:\n# :x\n#time:\n",
		"",
	} {
		f.Add(s)
	}
	cc := ctContext(f)
	f.Fuzz(func(t *testing.T, in string) {
		got := ParseCommands(in, cc)
		for _, c := range got.Commands {
			if !slices.Contains(ctKnown, c.Kind) {
				t.Errorf("command of unknown kind %q from %q", c.Kind, c.Line)
			}
			if !strings.HasPrefix(c.Line, "#") {
				t.Errorf("command line %q does not begin with #", c.Line)
			}
			switch c.Kind {
			case CmdPriority:
				if c.Priority < 1 || c.Priority > 3 {
					t.Errorf("%q: priority %d", c.Line, c.Priority)
				}
			case CmdApp:
				if !slices.Contains(cc.Applications, c.Application) {
					t.Errorf("%q: application %q", c.Line, c.Application)
				}
			case CmdAssign:
				if !slices.Contains(cc.Consultants, c.Assignee) {
					t.Errorf("%q: assignee %q", c.Line, c.Assignee)
				}
			case CmdTime:
				if c.Work < time.Minute || c.Work > maxWork || c.Work%time.Minute != 0 {
					t.Errorf("%q: work %v", c.Line, c.Work)
				}
			case CmdOnsite:
				if c.Onsite.IsZero() {
					t.Errorf("%q: zero onsite", c.Line)
				}
			}
		}
		for i, p := range got.Problems {
			if p.Code == "" {
				t.Errorf("problem %d (%q) has no code", i, p.Command.Line)
			}
			if p.Err == nil {
				t.Errorf("problem %d (%q) has no error", i, p.Command.Line)
			}
			if i > 0 && p.Index <= got.Problems[i-1].Index {
				t.Errorf("problem indices not increasing: %d after %d", p.Index, got.Problems[i-1].Index)
			}
			if p.Index >= len(got.Commands)+len(got.Problems) {
				t.Errorf("problem index %d past %d command lines", p.Index, len(got.Commands)+len(got.Problems))
			}
		}
		if len(got.Text) > len(in) {
			t.Errorf("Text is %d bytes, longer than the input's %d", len(got.Text), len(in))
		}
		if utf8.ValidString(in) && !utf8.ValidString(got.Text) {
			t.Errorf("Text %q is not valid UTF-8 though the input was", got.Text)
		}
	})
}
