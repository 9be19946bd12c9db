package tickets

import (
	"bytes"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var testChartWords = ChartWords{Met: "Inom tid", Breached: "För sent", Open: "Öppna, ej förfallna", Tickets: "Ärenden", Unknown: "Okänd applikation"}

// chartReport is a report with the figures charts are drawn from; the
// ticket list is left empty, charts do not read it.
func chartReport(scale int) Report {
	pct := func(met, breached int) *float64 {
		return Stats{Met: met, Breached: breached}.SLAMetPercent()
	}
	r := Report{Quarter: Quarter{Year: 2026, Q: 4}}
	r.Customer = "acme"
	r.Tickets = 12 * scale
	r.Met, r.Breached = 9*scale, 2*scale
	r.ByPriority = map[int]*PriorityStats{
		1: {Tickets: 2 * scale, Met: 2 * scale},
		2: {Tickets: 4 * scale, Met: 3 * scale, Breached: 1 * scale},
		3: {Tickets: 6 * scale, Met: 4 * scale, Breached: 1 * scale},
	}
	r.ByApplication = map[string]int{"ekonomi": 5 * scale, "intranat": 6 * scale, "unknown": 1 * scale}
	r.Trend = []TrendPoint{
		{Quarter: Quarter{2026, 1}, Tickets: 9 * scale, Met: 8 * scale, Breached: 1 * scale, SLAMetPercent: pct(8, 1)},
		{Quarter: Quarter{2026, 2}, Tickets: 0},
		{Quarter: Quarter{2026, 3}, Tickets: 7 * scale, Met: 7 * scale, SLAMetPercent: pct(7, 0)},
		{Quarter: Quarter{2026, 4}, Tickets: 12 * scale, Met: 9 * scale, Breached: 2 * scale, SLAMetPercent: pct(9, 2)},
	}
	return r
}

var testAppNames = map[string]string{"ekonomi": "Ekonomisystemet", "intranat": "Intranät (Följ-upp)"}

func checkCharts(t *testing.T, charts []Chart, r Report) {
	t.Helper()
	wantKinds := []string{"priority", "applications", "trend"}
	if len(charts) != len(wantKinds) {
		t.Fatalf("got %d charts, want %d", len(charts), len(wantKinds))
	}
	seen := map[string]bool{}
	for i, c := range charts {
		if c.Kind != wantKinds[i] {
			t.Errorf("chart %d kind = %q, want %q", i, c.Kind, wantKinds[i])
		}
		if c.Filename != c.Kind+".png" {
			t.Errorf("%s: filename %q", c.Kind, c.Filename)
		}
		if seen[c.CID] {
			t.Errorf("%s: Content-ID %q used twice", c.Kind, c.CID)
		}
		seen[c.CID] = true
		if !strings.HasSuffix(c.CID, "@sosd") || strings.ContainsAny(c.CID, " <>\"") {
			t.Errorf("%s: Content-ID %q", c.Kind, c.CID)
		}
		img, err := png.Decode(bytes.NewReader(c.PNG))
		if err != nil {
			t.Fatalf("%s: not a PNG: %v", c.Kind, err)
		}
		b := img.Bounds()
		if b.Dx() != 640 || b.Dy() != 320 || c.Width != 640 || c.Height != 320 {
			t.Errorf("%s: %d×%d px (Chart says %d×%d), want 640×320", c.Kind, b.Dx(), b.Dy(), c.Width, c.Height)
		}
		// Something besides the white background was drawn: at least
		// the axes and their labels.
		inked := 0
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				if r, g, bl, _ := img.At(x, y).RGBA(); r+g+bl < 3*0xc000 {
					inked++
				}
			}
		}
		if inked < 100 {
			t.Errorf("%s: only %d inked pixels: nothing drawn?", c.Kind, inked)
		}
		if dir := os.Getenv("SOSD_CHART_DIR"); dir != "" {
			// For looking at the charts by eye.
			name := fmt.Sprintf("%s-%d-%s", t.Name(), r.Tickets, c.Filename)
			if err := os.WriteFile(filepath.Join(dir, strings.ReplaceAll(name, "/", "_")), c.PNG, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func TestReportChartsSizeAndKinds(t *testing.T) {
	t.Parallel()
	for _, scale := range []int{1, 1667} { // 12 and 20,004 tickets
		r := chartReport(scale)
		charts, err := ReportCharts(r, testChartWords, testAppNames)
		if err != nil {
			t.Fatal(err)
		}
		checkCharts(t, charts, r)
		for i, want := range []string{"priority.2026q4.acme@sosd", "applications.2026q4.acme@sosd", "trend.2026q4.acme@sosd"} {
			if charts[i].CID != want {
				t.Errorf("CID = %q, want %q", charts[i].CID, want)
			}
		}
	}
}

func TestReportChartsEmptyReport(t *testing.T) {
	t.Parallel()
	// A customer with no tickets in the quarter, nor in the trend.
	r := Report{Quarter: Quarter{Year: 2026, Q: 4}}
	r.Customer = "tom"
	r.ByPriority = map[int]*PriorityStats{1: {}, 2: {}, 3: {}}
	r.ByApplication = map[string]int{}
	for _, q := range []Quarter{{2026, 1}, {2026, 2}, {2026, 3}, {2026, 4}} {
		r.Trend = append(r.Trend, TrendPoint{Quarter: q})
	}
	charts, err := ReportCharts(r, testChartWords, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkCharts(t, charts, r)

	// The zero Report, too: no maps, no trend.
	charts, err = ReportCharts(Report{}, ChartWords{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkCharts(t, charts, Report{})
}

func TestReportChartsSwedishAndManyApplications(t *testing.T) {
	t.Parallel()
	r := chartReport(3)
	r.Customer = "Åkeri & Söner AB"
	names := map[string]string{}
	for i := range 25 {
		id := fmt.Sprintf("app%02d", i)
		r.ByApplication[id] = i % 7
		names[id] = fmt.Sprintf("Lönesystem för ÅÄÖ-avdelningen nummer %d med ett mycket långt namn", i)
	}
	words := ChartWords{Met: "Åtgärdade i tid", Breached: "Överskridna", Open: "Öppna – ej förfallna", Tickets: "Ärenden (st)", Unknown: "Okänd"}
	charts, err := ReportCharts(r, words, names)
	if err != nil {
		t.Fatal(err)
	}
	checkCharts(t, charts, r)
	for _, c := range charts {
		if strings.ContainsAny(c.CID, "Åö &") {
			t.Errorf("CID %q keeps characters a dot-atom cannot hold", c.CID)
		}
	}
}

func TestReportChartsDeterministic(t *testing.T) {
	t.Parallel()
	r := chartReport(2)
	a, err := ReportCharts(r, testChartWords, testAppNames)
	if err != nil {
		t.Fatal(err)
	}
	for range 3 { // map order differs from run to run; the bytes must not
		b, err := ReportCharts(r, testChartWords, testAppNames)
		if err != nil {
			t.Fatal(err)
		}
		for i := range a {
			if !bytes.Equal(a[i].PNG, b[i].PNG) {
				t.Fatalf("%s: two renderings of the same report differ", a[i].Kind)
			}
		}
	}
}

func TestPercentLabel(t *testing.T) {
	t.Parallel()
	p := 91.7
	h := 100.0
	for _, c := range []struct {
		in   *float64
		want string
	}{{&p, "91.7 %"}, {&h, "100.0 %"}, {nil, "–"}} {
		if got := percentLabel(c.in); got != c.want {
			t.Errorf("percentLabel(%v) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestCountStep(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ top, want float64 }{{1, 1}, {6, 1}, {7, 2}, {12, 2}, {13, 5}, {30, 5}, {31, 10}, {20000, 5000}} {
		if got := countStep(c.top); got != c.want {
			t.Errorf("countStep(%v) = %v, want %v", c.top, got, c.want)
		}
	}
}

// BenchmarkReportCharts renders the three charts of a report whose
// figures add up to 20,000 tickets (the charts read figures, not the
// ticket list, so this is their cost at that size).
func BenchmarkReportCharts(b *testing.B) {
	r := chartReport(20000 / 12)
	for i := range 12 {
		r.ByApplication[fmt.Sprintf("app%d", i)] = 100 * i
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ReportCharts(r, testChartWords, testAppNames); err != nil {
			b.Fatal(err)
		}
	}
}
