package templates

import (
	"html"
	"slices"
	"strings"
	"testing"
)

// The content of the acknowledgement, the loop notice and the delivery
// failure, in both languages.

func TestAckContent(t *testing.T) {
	s := newSet(t)
	tests := []struct {
		lang  string
		p     int
		app   bool
		want  []string
		never []string
	}{
		{"sv", 3, true, []string{
			"[SOS-12]", "3 (Standard)", "Ekonomisystemet", "måndag 30 november 2026 kl. 15:00",
			"påbörjar felsökningen", "senast tisdag 1 december 2026 kl. 14:00",
			"måndag–fredag 08:00–17:00, dag före helgdag 08:30–14:00, stängt på helgdagar",
			"Svara på det här mejlet och behåll\n[SOS-12] i ämnesraden",
		}, []string{"+46 8 000 00 00", "telefon", "ej angiven"}},
		{"sv", 1, true, []string{"1 (Affärskritiskt)", "senast måndag 30 november 2026 kl. 17:00", "+46 8 000 00 00", "både per mejl och per telefon", "bekräfta prioriteten"}, nil},
		{"sv", 2, true, []string{"2 (Kritiskt)", "senast tisdag 1 december 2026 kl. 10:00", "+46 8 000 00 00", "bekräfta prioriteten"}, nil},
		{"sv", 3, false, []string{"Applikation:  ej angiven", "en av våra\nkonsulter fastställer det"}, nil},
		{"en", 3, true, []string{
			"[SOS-12]", "3 (Standard)", "Warehouse system", "Monday 30 November 2026 at 15:00",
			"will start troubleshooting", "no later than Tuesday 1 December 2026 at 14:00",
			"Monday–Friday 08:00–17:00, the day before a public holiday 08:30–14:00, closed on public holidays",
			"reply to this email and keep [SOS-12]\nin the subject line",
		}, []string{"+46 8 000 00 00", "phone", "not specified"}},
		{"en", 1, true, []string{"1 (Affärskritiskt)", "no later than Monday 30 November 2026 at 17:00", "+46 8 000 00 00", "both by email and by phone", "confirm the priority"}, nil},
		{"en", 2, true, []string{"2 (Kritiskt)", "+46 8 000 00 00", "confirm the priority"}, nil},
		{"en", 3, false, []string{"Application:  not specified", "one of\nour consultants will determine it"}, nil},
	}
	for _, tt := range tests {
		r := render(t, s, Ack, tt.lang, ackData(tt.lang, tt.p, tt.app))
		page := html.UnescapeString(r.HTML)
		for _, w := range tt.want {
			if !strings.Contains(r.Text, w) {
				t.Errorf("%s P%d app=%v: text lacks %q:\n%s", tt.lang, tt.p, tt.app, w, r.Text)
			}
			// The HTML part has no line breaks in sentences and no
			// aligned labels.
			if w := strings.ReplaceAll(w, "\n", " "); !strings.Contains(page, w) && !strings.Contains(w, "  ") {
				t.Errorf("%s P%d app=%v: HTML lacks %q:\n%s", tt.lang, tt.p, tt.app, w, r.HTML)
			}
		}
		for _, n := range tt.never {
			if strings.Contains(r.Text, n) || strings.Contains(page, n) {
				t.Errorf("%s P%d app=%v: mail contains %q", tt.lang, tt.p, tt.app, n)
			}
		}
		if !strings.HasPrefix(r.Subject, "[SOS-12] ") {
			t.Errorf("%s: subject %q lacks the tag", tt.lang, r.Subject)
		}
	}
}

func TestAckWithoutPhone(t *testing.T) {
	s := newSet(t)
	for _, lang := range Languages() {
		d := ackData(lang, 1, true)
		d.Phone = ""
		r := render(t, s, Ack, lang, d)
		if strings.Contains(r.Text, " på  ") || strings.Contains(r.Text, " on  ") || strings.Contains(r.Text, "<no value>") {
			t.Errorf("%s: broken phone sentence:\n%s", lang, r.Text)
		}
	}
}

func TestLoopContent(t *testing.T) {
	s := newSet(t)
	tests := []struct {
		lang  string
		limit int
		want  []string
	}{
		{"sv", 20, []string{"Många mejl från alerts@monitor.acme.se: inga fler svar skickas",
			"Fler än 20 mejl från alerts@monitor.acme.se", "måndag 30 november 2026 kl. 15:00",
			"ärenden\nöppnas som vanligt", "skickas inga fler mejl till avsändaren", "högst en gång per dag och avsändare"}},
		{"sv", 1, []string{"Fler än 1 mejl från"}},
		{"en", 20, []string{"Many mails from alerts@monitor.acme.se: no more replies are sent",
			"has sent more than 20 mails within an hour", "Monday 30 November 2026 at 15:00",
			"tickets\nare opened as usual", "no more mail is sent to the sender", "at most once a day per sender"}},
		{"en", 1, []string{"more than 1 mail within an hour"}},
	}
	for _, tt := range tests {
		d := dataFor(LoopNotice, tt.lang).(LoopData)
		d.Limit = tt.limit
		r := render(t, s, LoopNotice, tt.lang, d)
		all := r.Subject + "\n" + r.Text
		page := html.UnescapeString(strings.NewReplacer("<strong>", "", "</strong>", "").Replace(r.HTML))
		for _, w := range tt.want {
			if !strings.Contains(all, w) {
				t.Errorf("%s limit %d: mail lacks %q:\n%s", tt.lang, tt.limit, w, all)
			}
			if w := strings.ReplaceAll(w, "\n", " "); !strings.HasPrefix(w, "M") && !strings.Contains(page, w) {
				t.Errorf("%s limit %d: HTML lacks %q:\n%s", tt.lang, tt.limit, w, r.HTML)
			}
		}
	}
}

func TestDeliveryFailedContent(t *testing.T) {
	s := newSet(t)
	ack := map[string]string{"sv": "kunden har inte fått", "en": "the customer has not received"}
	label := map[string]string{"sv": "Typ:         ", "en": "Type:        "}
	for _, lang := range Languages() {
		// With a ticket: the tag leads the subject, and an
		// acknowledgement asks for the customer to be contacted.
		r := render(t, s, DeliveryFailed, lang, failedAckData(lang))
		if !strings.HasPrefix(r.Subject, "[SOS-12] ") || !strings.HasSuffix(r.Subject, " "+customers[lang].reporter) {
			t.Errorf("%s: subject %q", lang, r.Subject)
		}
		for _, w := range []string{"550 5.1.1 no such user", "SOS-12", ack[lang], "<sos-12.ack.k3xq7vmz2pdw4ta6@sos.example>"} {
			if !strings.Contains(r.Text, w) || !strings.Contains(html.UnescapeString(r.HTML), w) {
				t.Errorf("%s: mail lacks %q:\n%s\n%s", lang, w, r.Text, r.HTML)
			}
		}

		// Without a ticket: no tag, no ticket row; only an
		// acknowledgement speaks of the customer.
		d := failedAckData(lang)
		d.Ticket, d.MailKind = "", string(ReplyNotice)
		r = render(t, s, DeliveryFailed, lang, d)
		if strings.Contains(r.Subject, "[") || strings.Contains(r.Text, "SOS-12\n") || strings.Contains(r.HTML, ">SOS-12<") {
			t.Errorf("%s: a mail without a ticket names one:\n%s\n%s", lang, r.Subject, r.Text)
		}
		if strings.Contains(r.Text, ack[lang]) || strings.Contains(r.HTML, ack[lang]) {
			t.Errorf("%s: the acknowledgement advice in a notice about a %s:\n%s", lang, d.MailKind, r.Text)
		}

		// Every kind of this package is written as words, the same in
		// both parts; any other kind is shown as is.
		seen := map[string]Kind{}
		for _, k := range append(slices.Clone(kinds), "digest", "") {
			d.MailKind = string(k)
			r := render(t, s, DeliveryFailed, lang, d)
			i := strings.Index(r.Text, "\n"+label[lang])
			if i < 0 {
				t.Fatalf("%s: no %q line:\n%s", lang, label[lang], r.Text)
			}
			words, _, _ := strings.Cut(r.Text[i+1+len(label[lang]):], "\n")
			switch {
			case k == "digest":
				if words != "digest" {
					t.Errorf("%s: unknown kind %q shown as %q", lang, k, words)
				}
			case k == "":
				if words != map[string]string{"sv": "(okänd)", "en": "(unknown)"}[lang] {
					t.Errorf("%s: empty kind shown as %q", lang, words)
				}
			case words == string(k) || strings.Contains(words, "_"):
				t.Errorf("%s: kind %q has no words", lang, k)
			case seen[words] != "":
				t.Errorf("%s: kinds %q and %q are both %q", lang, seen[words], k, words)
			}
			seen[words] = k
			if !strings.Contains(r.HTML, "<td>"+words+"</td>") {
				t.Errorf("%s: the HTML part does not write kind %q as %q:\n%s", lang, k, words, r.HTML)
			}
		}
	}
}
