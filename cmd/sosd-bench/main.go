// Command sosd-bench loads a running sosd over SMTP and, in the same run,
// a go-smtp server that only discards what it gets, and prints both rates
// and their ratio, the time from the end of DATA to the 250 (p50, p99),
// sosd's peak memory, and how long acknowledgements take to reach the
// relay. It sizes a server; CI does not run it.
//
//	go run ./cmd/sosd-bench                      # 2 KB and 32 KB, 32 senders
//	go run ./cmd/sosd-bench -sizes 2048 -mails 20000 -senders 64
//	go run ./cmd/sosd-bench -rate 100 -mails 3000 # acknowledgement latency at 100 mails/s
//	go run ./cmd/sosd-bench -storm 10000         # one sender floods; another customer's ack latency
//
// sosd runs as a child process built from this checkout, on a copy of
// config.example.yaml in a temp folder, with its relay pointed at a sink
// in this process that notes when each acknowledgement arrives.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emersion/go-smtp"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

type options struct {
	senders int
	mails   int
	sizes   []int
	storm   int
	rate    int
	keep    bool
	// senderLimit replaces listen.max_messages_per_sender_per_hour; 0
	// keeps the example's.
	senderLimit int
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sosd-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o options
	sizes := fs.String("sizes", "2048,32768", "mail sizes in bytes, comma-separated")
	fs.IntVar(&o.senders, "senders", 32, "concurrent senders, one connection per mail")
	fs.IntVar(&o.mails, "mails", 5000, "mails per run")
	fs.IntVar(&o.rate, "rate", 0, "offer mails at this rate (mails/s) instead of as fast as possible: for the acknowledgement latency")
	fs.IntVar(&o.storm, "storm", 0, "instead: this many mails from one sender while another customer writes every 100 ms")
	fs.BoolVar(&o.keep, "keep", false, "keep sosd's temp folder")
	fs.IntVar(&o.senderLimit, "sender-limit", 0, "listen.max_messages_per_sender_per_hour for sosd (default: config.example.yaml's), e.g. to let a storm in")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 256 {
			fmt.Fprintf(stderr, "sosd-bench: bad size %q\n", s)
			return 2
		}
		o.sizes = append(o.sizes, n)
	}
	if err := bench(o, stdout); err != nil {
		fmt.Fprintf(stderr, "sosd-bench: %v\n", err)
		return 1
	}
	return 0
}

func bench(o options, out io.Writer) error {
	sink, err := startSink()
	if err != nil {
		return err
	}
	defer sink.close()
	discard, err := startDiscard()
	if err != nil {
		return err
	}
	defer discard.close()
	d, err := startSosd(sink.addr, o)
	if err != nil {
		return err
	}
	defer d.stop()
	fmt.Fprintf(out, "sosd-bench: %d senders, one connection per mail; sosd at %s (pid %d), discard server at %s\n",
		o.senders, d.addr, d.cmd.Process.Pid, discard.addr)
	if o.storm > 0 {
		return storm(o, d, sink, out)
	}
	fmt.Fprintf(out, "%-8s %-8s %10s %10s %9s %9s %9s\n", "size", "server", "mails/s", "ratio", "p50", "p99", "errors")
	for _, size := range o.sizes {
		base, err := load(discard.addr, o, size, fmt.Sprintf("d%d", size))
		if err != nil {
			return err
		}
		sink.reset()
		res, err := load(d.addr, o, size, fmt.Sprintf("s%d", size))
		if err != nil {
			return err
		}
		fmt.Fprintf(out, "%-8d %-8s %10.0f %10s %9s %9s %9d\n", size, "discard", base.rate, "", ms(base.p50), ms(base.p99), base.errors)
		fmt.Fprintf(out, "%-8d %-8s %10.0f %9.2fx %9s %9s %9d\n", size, "sosd", res.rate, res.rate/base.rate, ms(res.p50), ms(res.p99), res.errors)
		lat := sink.ackLatencies(res.accepted, 30*time.Second)
		fmt.Fprintf(out, "         acks at the relay: %d of %d, 250→relay p50 %s p99 %s\n", len(lat), len(res.accepted), ms(pct(lat, 50)), ms(pct(lat, 99)))
	}
	fmt.Fprintf(out, "sosd peak RSS: %s\n", d.peakRSS())
	return nil
}

// result is one load run.
type result struct {
	rate     float64
	p50, p99 time.Duration
	errors   int
	accepted map[string]time.Time // Message-ID → when its 250 came
}

// load sends o.mails mails of size bytes from o.senders goroutines.
func load(addr string, o options, size int, tag string) (result, error) {
	body := bytes.Repeat([]byte("Servern svarar inte, loggen visar fel.\r\n"), size/40+1)[:size]
	var mu sync.Mutex
	res := result{accepted: map[string]time.Time{}}
	var lat []time.Duration
	next := make(chan int)
	var wg sync.WaitGroup
	start := time.Now()
	for range o.senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				id := fmt.Sprintf("%s-%d@bench.acme.se", tag, i)
				raw := fmt.Appendf(nil, "From: user%d@acme.se\r\nTo: support@sos.example\r\nSubject: Larm %d\r\nMessage-ID: <%s>\r\n\r\n%s", i, i, id, body)
				took, err := send(addr, fmt.Sprintf("user%d@acme.se", i), raw)
				mu.Lock()
				if err != nil {
					res.errors++
				} else {
					lat = append(lat, took)
					res.accepted[id] = time.Now()
				}
				mu.Unlock()
			}
		}()
	}
	var tick <-chan time.Time
	if o.rate > 0 {
		t := time.NewTicker(time.Second / time.Duration(o.rate))
		defer t.Stop()
		tick = t.C
	}
	for i := range o.mails {
		if tick != nil {
			<-tick
		}
		next <- i
	}
	close(next)
	wg.Wait()
	res.rate = float64(len(lat)) / time.Since(start).Seconds()
	res.p50, res.p99 = pct(lat, 50), pct(lat, 99)
	if len(lat) == 0 {
		return res, fmt.Errorf("no mail accepted by %s", addr)
	}
	return res, nil
}

// send sends one mail on its own connection and returns the time from the
// end of DATA to the 250.
func send(addr, from string, raw []byte) (time.Duration, error) {
	c, err := smtp.Dial(addr)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	if err := c.Hello("bench.example"); err != nil {
		return 0, err
	}
	if err := c.Mail(from, nil); err != nil {
		return 0, err
	}
	if err := c.Rcpt("support@sos.example", nil); err != nil {
		return 0, err
	}
	w, err := c.Data()
	if err != nil {
		return 0, err
	}
	if _, err := w.Write(raw); err != nil {
		return 0, err
	}
	t := time.Now()
	if err := w.Close(); err != nil {
		return 0, err
	}
	took := time.Since(t)
	c.Quit()
	return took, nil
}

// storm sends o.storm mails from one sender while another customer
// writes every 100 ms, and reports that customer's acknowledgement times.
func storm(o options, d *sosd, sink *sink, out io.Writer) error {
	body := bytes.Repeat([]byte("Larm: disken full\r\n"), 100)
	done := make(chan struct{})
	var wg sync.WaitGroup
	var accepted sync.Map
	start := time.Now()
	wg.Add(1)
	go func() { // the other customer
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-done:
				return
			case <-time.After(100 * time.Millisecond):
			}
			// Another customer, a different person each time (one person
			// writing ten times a second would trip the loop breaker too).
			from := fmt.Sprintf("staff%d@nordlog.example", i)
			id := fmt.Sprintf("other-%d@nordlog.example", i)
			raw := fmt.Appendf(nil, "From: %s\r\nSubject: Question %d\r\nMessage-ID: <%s>\r\n\r\nHello\r\n", from, i, id)
			if _, err := send(d.addr, from, raw); err == nil {
				accepted.Store(id, time.Now())
			}
		}
	}()
	next := make(chan int)
	var swg sync.WaitGroup
	var stormOK atomic.Int64 // 250s; the rest meet the per-sender limit's 450
	for range o.senders {
		swg.Add(1)
		go func() {
			defer swg.Done()
			for i := range next {
				raw := fmt.Appendf(nil, "From: monitor@acme.se\r\nSubject: Larm %d\r\nMessage-ID: <storm-%d@acme.se>\r\n\r\n%s", i, i, body)
				if _, err := send(d.addr, "monitor@acme.se", raw); err == nil {
					stormOK.Add(1)
				}
			}
		}()
	}
	for i := range o.storm {
		next <- i
	}
	close(next)
	swg.Wait()
	close(done)
	wg.Wait()
	stormRate := float64(o.storm) / time.Since(start).Seconds()
	acc := map[string]time.Time{}
	accepted.Range(func(k, v any) bool { acc[k.(string)] = v.(time.Time); return true })
	lat := sink.ackLatencies(acc, 30*time.Second)
	fmt.Fprintf(out, "storm: %d mails from one sender at %.0f mails/s, %d accepted (the rest refused by listen.max_messages_per_sender_per_hour); meanwhile another customer: %d acks of %d, 250→relay p50 %s p99 %s max %s\n",
		o.storm, stormRate, stormOK.Load(), len(lat), len(acc), ms(pct(lat, 50)), ms(pct(lat, 99)), ms(pct(lat, 100)))
	fmt.Fprintf(out, "sosd peak RSS: %s\n", d.peakRSS())
	return nil
}

func pct(xs []time.Duration, p int) time.Duration {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	i := (p*len(s) + 99) / 100
	return s[max(0, min(i, len(s))-1)]
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.1fms", float64(d.Microseconds())/1000)
}

// sosd is the daemon under test.
type sosd struct {
	cmd  *exec.Cmd
	dir  string
	addr string
	keep bool
}

func startSosd(relay string, o options) (*sosd, error) {
	dir, err := os.MkdirTemp("", "sosd-bench-")
	if err != nil {
		return nil, err
	}
	d := &sosd{dir: dir, keep: o.keep}
	bin := filepath.Join(dir, "sosd")
	if out, err := exec.Command("go", "build", "-o", bin, "./cmd/sosd").CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build ./cmd/sosd (run from the checkout's root): %v\n%s", err, out)
	}
	example, err := os.ReadFile("config.example.yaml")
	if err != nil {
		return nil, err
	}
	cfg := strings.NewReplacer(`smtp: "127.0.0.1:2525"`, `smtp: "127.0.0.1:0"`,
		`relay: ""  `, `relay: "`+relay+`"`, `starttls: required`, `starttls: none`,
	).Replace(string(example))
	if o.senderLimit > 0 {
		cfg = strings.Replace(cfg, "max_messages_per_sender_per_hour: 200", fmt.Sprintf("max_messages_per_sender_per_hour: %d", o.senderLimit), 1)
	}
	if err := os.WriteFile(filepath.Join(dir, "config.yaml"), []byte(cfg), 0o600); err != nil {
		return nil, err
	}
	d.cmd = exec.Command(bin, "serve", "--config", filepath.Join(dir, "config.yaml"))
	stderr, err := d.cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := d.cmd.Start(); err != nil {
		return nil, err
	}
	ready := make(chan string, 1)
	go func() {
		re := regexp.MustCompile(`msg=ready smtp=(\S+)`)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				ready <- m[1]
			}
		}
	}()
	select {
	case d.addr = <-ready:
		return d, nil
	case <-time.After(20 * time.Second):
		d.stop()
		return nil, fmt.Errorf("sosd did not get ready")
	}
}

// peakRSS is the child's VmHWM from /proc.
func (d *sosd) peakRSS() string {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", d.cmd.Process.Pid))
	if err != nil {
		return "unknown"
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

func (d *sosd) stop() {
	if d.cmd != nil && d.cmd.Process != nil {
		d.cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { d.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			d.cmd.Process.Kill()
		}
	}
	if !d.keep {
		os.RemoveAll(d.dir)
	}
}

// discard is a go-smtp server that reads and drops every mail: the
// ceiling of SMTP on this machine.
type discard struct {
	addr string
	srv  *smtp.Server
}

type discardBackend struct{}

func (discardBackend) NewSession(*smtp.Conn) (smtp.Session, error) { return discardSession{}, nil }

type discardSession struct{}

func (discardSession) Mail(string, *smtp.MailOptions) error { return nil }
func (discardSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (discardSession) Data(r io.Reader) error {
	_, err := io.Copy(io.Discard, r)
	return err
}
func (discardSession) Reset()        {}
func (discardSession) Logout() error { return nil }

func startDiscard() (*discard, error) {
	return listen(discardBackend{}, func(addr string, srv *smtp.Server) *discard { return &discard{addr: addr, srv: srv} })
}

func (d *discard) close() { d.srv.Close() }

func listen[T any](be smtp.Backend, mk func(string, *smtp.Server) T) (T, error) {
	var zero T
	srv := smtp.NewServer(be)
	srv.Domain = "bench.local"
	srv.MaxMessageBytes = 64 << 20
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return zero, err
	}
	go srv.Serve(l)
	return mk(l.Addr().String(), srv), nil
}

// sink is sosd's relay: it notes when each acknowledgement arrives, by the
// Message-ID it answers (In-Reply-To).
type sink struct {
	addr string
	srv  *smtp.Server
	mu   sync.Mutex
	acks map[string]time.Time
}

func startSink() (*sink, error) {
	s := &sink{acks: map[string]time.Time{}}
	return listen(s, func(addr string, srv *smtp.Server) *sink { s.addr, s.srv = addr, srv; return s })
}

func (s *sink) close() { s.srv.Close() }

func (s *sink) reset() {
	s.mu.Lock()
	s.acks = map[string]time.Time{}
	s.mu.Unlock()
}

func (s *sink) NewSession(*smtp.Conn) (smtp.Session, error) { return &sinkSession{s: s}, nil }

type sinkSession struct{ s *sink }

var inReplyTo = regexp.MustCompile(`(?mi)^In-Reply-To: <([^>]+)>`)

func (ss *sinkSession) Mail(string, *smtp.MailOptions) error { return nil }
func (ss *sinkSession) Rcpt(string, *smtp.RcptOptions) error { return nil }
func (ss *sinkSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	if m := inReplyTo.FindSubmatch(raw); m != nil && bytes.Contains(raw, []byte("Auto-Submitted: auto-replied")) {
		ss.s.mu.Lock()
		if _, ok := ss.s.acks[string(m[1])]; !ok {
			ss.s.acks[string(m[1])] = time.Now()
		}
		ss.s.mu.Unlock()
	}
	return nil
}
func (ss *sinkSession) Reset()        {}
func (ss *sinkSession) Logout() error { return nil }

// ackLatencies waits (up to wait) for the acknowledgements of accepted
// mails and returns, for each that arrived, the time from its 250 to the
// relay.
func (s *sink) ackLatencies(accepted map[string]time.Time, wait time.Duration) []time.Duration {
	deadline := time.Now().Add(wait)
	for {
		s.mu.Lock()
		n := 0
		for id := range accepted {
			if _, ok := s.acks[id]; ok {
				n++
			}
		}
		s.mu.Unlock()
		if n == len(accepted) || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var lat []time.Duration
	for id, at := range accepted {
		if got, ok := s.acks[id]; ok {
			lat = append(lat, got.Sub(at))
		}
	}
	return lat
}
