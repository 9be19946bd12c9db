package mail

import "testing"

func TestPriority(t *testing.T) {
	t.Parallel()
	cases := []struct {
		subject, body string
		want          int
	}{
		{"Servern är nere", "Hej, servern svarar inte.", 3},
		{"[P1] Servern är nere", "", 1},
		{"p1: servern", "", 1},
		{"Servern är nere", "Prio 1\nHej", 1},
		{"Prioritet 1 - ekonomisystemet", "", 1},
		{"Priority 1: ERP down", "", 1},
		{"AFFÄRSKRITISKT: fakturering stoppad", "", 1},
		{"Affärskritiskt", "", 1},
		{"Business critical outage", "", 1},
		{"[P2] Långsamt", "", 2},
		{"Prio 2", "", 2},
		{"Prioritet 2", "", 2},
		{"Priority 2", "", 2},
		{"Kritiskt fel i intranätet", "", 2},
		{"Critical: VPN", "", 2},
		{"Hej", "Det här är kritiskt för oss.", 2},
		// "Affärskritiskt" must never read as "Kritiskt": it is 1, not 2,
		// and a word merely containing a marker is no marker.
		{"Affärskritiskt läge", "", 1},
		{"Okritiskt problem", "", 3},
		{"P10 is a part number", "", 3},
		{"Prio 3", "", 3},
		{"critical and business critical", "", 1},
		// Only the first lines of the sender's text count.
		{"Hej", "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\nkritiskt", 3},
	}
	for _, c := range cases {
		if got := Priority(c.subject, c.body); got != c.want {
			t.Errorf("Priority(%q, %q) = %d, want %d", c.subject, c.body, got, c.want)
		}
	}
}

func TestFindApplication(t *testing.T) {
	t.Parallel()
	apps := []Application{
		{ID: "ekonomi", Name: "Ekonomisystemet", Aliases: []string{"visma", "faktura"}},
		{ID: "intranat", Name: "Intranätet"},
		{ID: "wms", Name: "Warehouse system"},
	}
	cases := []struct {
		subject, body, want string
	}{
		{"Visma startar inte", "", "ekonomi"},
		{"Problem", "Intranätet är segt", "intranat"},
		{"Fel i ekonomisystemet", "intranätet också", "ekonomi"},
		{"Fel", "Faktura och intranätet", "ekonomi"},
		{"Fel", "Intranätet och faktura", "intranat"},
		{"The warehouse system is down", "", "wms"},
		{"warehouse", "", ""},
		{"Fakturaportalen", "", ""},
		{"INTRANAT nere", "", "intranat"},
		{"Hej", "", ""},
	}
	for _, c := range cases {
		if got := FindApplication(apps, c.subject, c.body); got != c.want {
			t.Errorf("FindApplication(%q, %q) = %q, want %q", c.subject, c.body, got, c.want)
		}
	}
	if got := FindApplication(apps[:1], "Hej", ""); got != "ekonomi" {
		t.Errorf("one application: %q", got)
	}
}
