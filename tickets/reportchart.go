package tickets

import (
	"bytes"
	"cmp"
	"fmt"
	"image/color"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// Chart is one PNG chart of a report, referenced from the report mail's
// HTML as cid:<CID> (RFC 2392) and sent beside it in a multipart/related
// (RFC 2387).
type Chart struct {
	Kind     string // "priority", "applications" or "trend"
	CID      string // Content-ID without <>, unique per mail, e.g. "priority.2026q4.acme@sosd"
	Filename string // e.g. "priority.png"
	PNG      []byte
	Width    int // pixels
	Height   int // pixels
}

// ChartWords are the few words drawn inside charts, in the reader's
// language. The caller takes them from the templates package: Go code
// holds no user-facing Swedish or English (DEVELOPERS.md).
type ChartWords struct {
	Met, Breached, Open, Tickets, Unknown string
}

// The charts' fixed size. A mail client shows an image at its pixel
// size, so the PNG must be exactly this many pixels: gonum measures in
// points (1/72 in), and vgimg renders at chartDPI, so the canvas is
// px × 72 / chartDPI points, which is exact for these numbers.
const (
	ChartWidth  = 640
	ChartHeight = 320
	chartDPI    = 96
)

// Colours from Okabe and Ito's palette, told apart also by readers with
// red–green colour blindness, who would lose a green/red pair.
var (
	colourMet      = color.RGBA{R: 0x00, G: 0x72, B: 0xb2, A: 0xff} // blue
	colourBreached = color.RGBA{R: 0xd5, G: 0x5e, B: 0x00, A: 0xff} // vermillion
	colourOpen     = color.RGBA{R: 0xbb, G: 0xbb, B: 0xbb, A: 0xff} // grey
	colourBar      = colourMet                                      // one series: the same blue
	colourGrid     = color.RGBA{R: 0xdd, G: 0xdd, B: 0xdd, A: 0xff}
)

// chartFont is Liberation Sans, which gonum embeds: no font files are
// needed on the server, and it has å, ä, ö and the en dash.
var chartFont = font.Font{Typeface: "Liberation", Variant: "Sans"}

// maxChartLabel is the longest application name drawn, in runes; a
// longer one would squeeze the bars.
const maxChartLabel = 28

// ReportCharts renders the charts of report r (SPEC §8: "and charts"):
//
//   - "priority": per priority, a stacked bar of met, breached and
//     neither (open, not yet due), with a legend;
//   - "applications": tickets per application, most first;
//   - "trend": tickets per quarter of r.Trend, each bar labelled with the
//     quarter's SLA met percentage, or "–" when it has none.
//
// appNames maps application ids to the names customers know; an id
// missing from it is shown as is. The output depends only on the
// arguments: the same report gives the same bytes.
func ReportCharts(r Report, words ChartWords, appNames map[string]string) ([]Chart, error) {
	kinds := []struct {
		kind string
		plot func(Report, ChartWords, map[string]string) (chartDrawing, error)
	}{
		{"priority", priorityChart},
		{"applications", applicationsChart},
		{"trend", trendChart},
	}
	charts := make([]Chart, 0, len(kinds))
	for _, k := range kinds {
		d, err := k.plot(r, words, appNames)
		if err != nil {
			return nil, fmt.Errorf("report chart %s: %w", k.kind, err)
		}
		png, err := renderPNG(d)
		if err != nil {
			return nil, fmt.Errorf("report chart %s: %w", k.kind, err)
		}
		charts = append(charts, Chart{
			Kind:     k.kind,
			CID:      chartCID(k.kind, r),
			Filename: k.kind + ".png",
			PNG:      png,
			Width:    ChartWidth,
			Height:   ChartHeight,
		})
	}
	return charts, nil
}

// chartCID builds a Content-ID (RFC 2392: an addr-spec, here a
// dot-atom on both sides) from the chart kind, the quarter and the
// customer, so that it is unique within the mail and says what it is.
// The customer id is reduced to characters that need no quoting in a
// dot-atom (RFC 5322 §3.2.3) nor escaping in a cid: URL.
func chartCID(kind string, r Report) string {
	var b strings.Builder
	for _, c := range strings.ToLower(r.Customer) {
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '_':
			b.WriteRune(c)
		default:
			b.WriteByte('-')
		}
	}
	cust := strings.Trim(b.String(), "-")
	if cust == "" {
		cust = "customer"
	}
	return fmt.Sprintf("%s.%s.%s@sosd", kind, strings.ToLower(r.Quarter.String()), cust)
}

// chartDrawing is a chart laid out and ready to draw.
type chartDrawing struct {
	plot   *plot.Plot
	legend *plot.Legend // drawn to the right of the plot; nil for none
}

// renderPNG draws d on a ChartWidth × ChartHeight pixel canvas and
// encodes it. vgimg's PNG encoder writes no time or other varying
// chunk, so equal input gives equal bytes.
func renderPNG(d chartDrawing) ([]byte, error) {
	w := vg.Length(ChartWidth) * vg.Inch / chartDPI
	h := vg.Length(ChartHeight) * vg.Inch / chartDPI
	img := vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(chartDPI), vgimg.UseBackgroundColor(color.White))
	dc := draw.New(img)
	// A margin, so that nothing touches the image's edge.
	m := vg.Points(8)
	dc = draw.Crop(dc, m, -m, m, -m)
	if d.legend != nil {
		lw := d.legend.Rectangle(dc).Size().X
		lc := draw.Crop(dc, dc.Size().X-lw, 0, 0, 0)
		d.legend.Draw(lc)
		dc = draw.Crop(dc, 0, -(lw + vg.Points(12)), 0, 0)
	}
	d.plot.Draw(dc)
	var buf bytes.Buffer
	if _, err := (vgimg.PngCanvas{Canvas: img}).WriteTo(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// newChartPlot returns a plot styled for the report: Liberation Sans,
// grey axes, and no title (the HTML around the image has it).
func newChartPlot() *plot.Plot {
	p := plot.New()
	for _, ax := range []*plot.Axis{&p.X, &p.Y} {
		ax.Label.TextStyle.Font = font.From(chartFont, 11)
		ax.Tick.Label.Font = font.From(chartFont, 10)
		ax.Tick.Color = color.Gray{Y: 0x66}
		ax.Color = color.Gray{Y: 0x66}
	}
	return p
}

// styleLabels sets the font and size of a Labels plotter's texts.
func styleLabels(l *plotter.Labels, size vg.Length) {
	for i := range l.TextStyle {
		l.TextStyle[i].Font = font.From(chartFont, size)
		l.TextStyle[i].XAlign = text.XCenter
		l.TextStyle[i].YAlign = text.YBottom
		l.TextStyle[i].Color = color.Gray{Y: 0x22}
	}
}

// countAxis makes ax a count axis from 0 to at least largest × headroom
// (room for labels above the bars): whole-number ticks only (half a
// ticket means nothing), a step of 1, 2 or 5 × 10ⁿ, and never an empty
// range, so an empty report still draws.
func countAxis(ax *plot.Axis, largest, headroom float64) {
	top := math.Max(1, largest*headroom)
	step := countStep(top)
	ax.Min = 0
	ax.Max = math.Ceil(top/step) * step
	ax.Tick.Marker = plot.TickerFunc(func(_, hi float64) []plot.Tick {
		var ts []plot.Tick
		for v := 0.0; v <= hi+step/2; v += step {
			ts = append(ts, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', 0, 64)})
		}
		return ts
	})
}

// countStep is the smallest of 1, 2, 5, 10, 20, 50, … that divides
// [0, top] into at most six steps.
func countStep(top float64) float64 {
	for mag := 1.0; ; mag *= 10 {
		for _, m := range []float64{1, 2, 5} {
			if top/(m*mag) <= 6 {
				return m * mag
			}
		}
	}
}

// grid returns light grid lines at the ticks of both axes; each chart
// then drops those of its category axis, which would cut through bars.
func grid() *plotter.Grid {
	ls := draw.LineStyle{Color: colourGrid, Width: vg.Points(0.5)}
	return &plotter.Grid{Vertical: ls, Horizontal: ls}
}

// categories sets nominal tick labels on ax, like plot.NominalX/Y, but
// without their panic on an empty list: an empty report still draws.
func categories(ax *plot.Axis, names []string) {
	ax.Tick.Width = 0
	ax.Tick.Length = 0
	ax.Width = 0
	ticks := make([]plot.Tick, len(names))
	for i, n := range names {
		ticks[i] = plot.Tick{Value: float64(i), Label: n}
	}
	ax.Tick.Marker = plot.ConstantTicks(ticks)
	ax.Min, ax.Max = -0.5, math.Max(float64(len(names))-0.5, 0.5)
}

func bars(vals plotter.Values, width vg.Length, c color.Color) (*plotter.BarChart, error) {
	b, err := plotter.NewBarChart(vals, width)
	if err != nil {
		return nil, err
	}
	b.Color = c
	b.LineStyle.Width = 0
	return b, nil
}

// priorityChart: per priority 1–3, met at the bottom, then breached,
// then neither (SPEC §9: met + breached ≤ tickets; the rest are open
// tickets not yet due).
func priorityChart(r Report, words ChartWords, _ map[string]string) (chartDrawing, error) {
	var met, breached, open plotter.Values
	names := []string{"P1", "P2", "P3"}
	top := 0.0
	for prio := 1; prio <= 3; prio++ {
		var ps PriorityStats
		if p := r.ByPriority[prio]; p != nil {
			ps = *p
		}
		rest := max(ps.Tickets-ps.Met-ps.Breached, 0)
		met = append(met, float64(ps.Met))
		breached = append(breached, float64(ps.Breached))
		open = append(open, float64(rest))
		top = math.Max(top, float64(ps.Met+ps.Breached+rest))
	}
	p := newChartPlot()
	p.Y.Label.Text = words.Tickets
	w := vg.Points(56)
	bm, err := bars(met, w, colourMet)
	if err != nil {
		return chartDrawing{}, err
	}
	bb, err := bars(breached, w, colourBreached)
	if err != nil {
		return chartDrawing{}, err
	}
	bo, err := bars(open, w, colourOpen)
	if err != nil {
		return chartDrawing{}, err
	}
	bb.StackOn(bm)
	bo.StackOn(bb)
	g := grid()
	g.Vertical.Color = nil
	p.Add(g, bm, bb, bo)
	categories(&p.X, names)
	countAxis(&p.Y, top, 1.1)

	l := plot.NewLegend()
	l.TextStyle.Font = font.From(chartFont, 10)
	l.Top, l.Left = true, true
	l.Padding = vg.Points(4)
	l.ThumbnailWidth = vg.Points(12)
	l.Add(words.Met, bm)
	l.Add(words.Breached, bb)
	l.Add(words.Open, bo)
	return chartDrawing{plot: p, legend: &l}, nil
}

// applicationsChart: horizontal bars, so that application names read
// left to right; the most tickets at the top. Ties go by name, so the
// order does not depend on map iteration.
func applicationsChart(r Report, words ChartWords, appNames map[string]string) (chartDrawing, error) {
	type app struct {
		name string
		n    int
	}
	apps := make([]app, 0, len(r.ByApplication))
	for id, n := range r.ByApplication {
		name := id
		switch {
		case id == "unknown" || id == "":
			name = words.Unknown
		case appNames[id] != "":
			name = appNames[id]
		}
		apps = append(apps, app{shorten(name, maxChartLabel), n})
	}
	slices.SortFunc(apps, func(a, b app) int {
		return cmp.Or(cmp.Compare(b.n, a.n), strings.Compare(a.name, b.name))
	})
	// Category 0 is drawn at the bottom: reverse, so the largest is on top.
	slices.Reverse(apps)
	names := make([]string, len(apps))
	vals := make(plotter.Values, len(apps))
	top := 0.0
	for i, a := range apps {
		names[i], vals[i] = a.name, float64(a.n)
		top = math.Max(top, float64(a.n))
	}

	p := newChartPlot()
	p.X.Label.Text = words.Tickets
	// Rows share about 230 points of height; shrink the font (to 6 pt
	// at the least) and the bars when there are many applications.
	row := vg.Points(230) / vg.Length(max(len(apps), 1))
	size := min(vg.Points(10), max(vg.Points(6), row*0.7))
	p.Y.Tick.Label.Font = font.From(chartFont, size)
	categories(&p.Y, names)
	countAxis(&p.X, top, 1.1)
	g := grid()
	g.Horizontal.Color = nil
	p.Add(g)
	if len(apps) > 0 {
		b, err := bars(vals, min(vg.Points(28), row*0.7), colourBar)
		if err != nil {
			return chartDrawing{}, err
		}
		b.Horizontal = true
		p.Add(b)
		// Write each count at the end of its bar: exact numbers matter
		// more to the reader than the axis.
		xys := make(plotter.XYs, len(apps))
		labels := make([]string, len(apps))
		for i, a := range apps {
			xys[i] = plotter.XY{X: float64(a.n), Y: float64(i)}
			labels[i] = strconv.Itoa(a.n)
		}
		lb, err := plotter.NewLabels(plotter.XYLabels{XYs: xys, Labels: labels})
		if err != nil {
			return chartDrawing{}, err
		}
		styleLabels(lb, size)
		for i := range lb.TextStyle {
			lb.TextStyle[i].XAlign = text.XLeft
			lb.TextStyle[i].YAlign = text.YCenter
		}
		lb.Offset = vg.Point{X: vg.Points(3)}
		p.Add(lb)
	}
	return chartDrawing{plot: p}, nil
}

// trendChart: tickets per quarter, oldest first, each bar labelled with
// the quarter's SLA met percentage (SPEC §9 trend).
func trendChart(r Report, words ChartWords, _ map[string]string) (chartDrawing, error) {
	names := make([]string, len(r.Trend))
	vals := make(plotter.Values, len(r.Trend))
	xys := make(plotter.XYs, len(r.Trend))
	labels := make([]string, len(r.Trend))
	top := 0.0
	for i, t := range r.Trend {
		names[i] = t.Quarter.String()
		vals[i] = float64(t.Tickets)
		xys[i] = plotter.XY{X: float64(i), Y: float64(t.Tickets)}
		labels[i] = percentLabel(t.SLAMetPercent)
		top = math.Max(top, float64(t.Tickets))
	}
	p := newChartPlot()
	p.Y.Label.Text = words.Tickets
	categories(&p.X, names)
	countAxis(&p.Y, top, 1.15)
	g := grid()
	g.Vertical.Color = nil
	p.Add(g)
	if len(r.Trend) > 0 {
		b, err := bars(vals, vg.Points(64), colourBar)
		if err != nil {
			return chartDrawing{}, err
		}
		lb, err := plotter.NewLabels(plotter.XYLabels{XYs: xys, Labels: labels})
		if err != nil {
			return chartDrawing{}, err
		}
		styleLabels(lb, 10)
		lb.Offset = vg.Point{Y: vg.Points(3)}
		p.Add(b, lb)
	}
	return chartDrawing{plot: p}, nil
}

// percentLabel formats an SLA met percentage as "91.7 %", or "–" when
// the quarter had neither met nor breached tickets (SPEC §9: null).
func percentLabel(p *float64) string {
	if p == nil {
		return "–"
	}
	return strconv.FormatFloat(*p, 'f', 1, 64) + " %"
}

// shorten cuts s to at most n runes, marking the cut with an ellipsis.
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}
