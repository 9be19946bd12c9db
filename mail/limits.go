package mail

import (
	"container/list"
	"io"
	"net"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Limits against abuse of the SMTP server (issue 8). Each one answers in
// the way that loses nothing a real sender meant to send, and each refusal
// is logged and counted in sosd_smtp_refused_total by reason:
//
//	limit                        checked at     answer                                    reason label
//	connections per client       connect        421 4.7.0, then close                     connections_per_ip
//	mails per sender per hour    MAIL FROM      450 4.7.1 (temporary: retried later)      sender_rate
//	message size                 DATA, BDAT     552 5.3.4 (RFC 1870; go-smtp counts)      size
//	line length                  DATA           552 5.3.4, then go-smtp closes with 500   line_length
//	header fields, header bytes  after DATA     552 5.3.4 "Message header too big"        header_size
//	MIME depth, MIME parts       parsing        250, filed; what lies beyond is ignored   (none: noted in Message.Problems)
//	cannot be parsed at all      parsing        250, quarantined (SPEC §5)                (mails_in class quarantined)
//
// Why each answer: size, line length and header size are "simply too big",
// so a permanent 552 tells the sender's server to bounce rather than try
// again, and no legitimate mail comes near them (Postfix itself keeps at
// most 100 KB of header and 50 hops). Nesting and part counts beyond the
// limits do not stop reading what comes first, where the text is, and the
// raw mail is kept whole, so such mail is filed. The rate limits are
// temporary (4xx) because the sender may be a real customer whose server
// will retry once the hour has moved on; nothing is lost. Our own failures
// stay 451 (Session.fail), never a 5xx. (One more reason label is not a
// limit: "sequence", a DATA that go-smtp let through without an envelope
// of ours, answered 503.)
//
// A mail counts against its sender when its MAIL FROM is accepted, whether
// or not it ends in a 250, so a client cannot probe the limit for free; a
// MAIL FROM refused with 450 does not count, so a sender that retries
// gets in as soon as its oldest mail leaves the hour.

// Defaults of the daemon's listen.max_connections_per_ip and
// listen.max_messages_per_sender_per_hour. DefaultServerOptions leaves both
// limits off; the daemon sets them from its configuration.
const (
	// DefaultMaxConnectionsPerIP is Postfix's default_destination_concurrency_limit,
	// so a Postfix relay in front of sosd, whose connections all come from
	// one address, never meets the limit with its default settings.
	DefaultMaxConnectionsPerIP = 20
	// DefaultMaxMessagesPerSenderPerHour is ten times the loop breaker's
	// default of 20 (SPEC §5): the loop breaker keeps filing a chatty
	// sender's mail and stops answering it; this limit only stops a flood.
	DefaultMaxMessagesPerSenderPerHour = 200
)

// maxTrackedSenders bounds the per-sender counts kept in memory, so that a
// flood with a new random sender on every mail cannot grow them without
// bound. When full, the sender least recently counted is forgotten: such a
// flood is not one sender's, and this limit was never going to stop it.
const maxTrackedSenders = 10_000

// senderWindow is how far back the per-sender count looks.
const senderWindow = time.Hour

// refuseLinger bounds how long a refused connection is kept to deliver its
// 421; refusingMax bounds how many are being refused at once, beyond which
// excess connections are closed without a word.
const (
	refuseLinger = time.Second
	refusingMax  = 64
)

// LimitStats are the abuse limits' current counts, for diagnostics.
type LimitStats struct {
	Connections    int // connections open now
	Clients        int // client addresses (IPv6: /64 networks) with a connection open
	TrackedSenders int // senders whose mails within the last hour are counted
}

// LimitStats returns the current counts of the abuse limits.
func (s *Server) LimitStats() LimitStats {
	st := LimitStats{TrackedSenders: s.senders.size()}
	st.Connections, st.Clients = s.conns.size()
	return st
}

// SetRateLimits changes the per-client connection limit and the
// per-sender hourly limit of a running server (configuration reload); 0
// turns a limit off. Connections already open are not closed.
func (s *Server) SetRateLimits(maxConnectionsPerIP, maxMessagesPerSenderPerHour int) {
	s.conns.max.Store(int64(maxConnectionsPerIP))
	s.senders.max.Store(int64(maxMessagesPerSenderPerHour))
}

// clientKey is what the connection limit counts by: the client's IP
// address, or its /64 network for IPv6, since one IPv6 host commonly holds
// a whole /64. Addresses that are not IP (pipes in tests, Unix sockets)
// share one count.
func clientKey(a net.Addr) string {
	if a == nil {
		return ""
	}
	var ip netip.Addr
	if ta, ok := a.(*net.TCPAddr); ok {
		ip = ta.AddrPort().Addr()
	} else if ap, err := netip.ParseAddrPort(a.String()); err == nil {
		ip = ap.Addr()
	} else {
		return a.String()
	}
	ip = ip.Unmap()
	if ip.Is6() {
		p, _ := ip.Prefix(64)
		return p.String()
	}
	return ip.String()
}

// connLimiter counts the open connections of each client. A client's
// entry exists only while it has a connection open, so the map is bounded
// by the open connections.
type connLimiter struct {
	max  atomic.Int64 // 0: no limit
	mu   sync.Mutex
	open map[string]int
}

// acquire counts a new connection of key, unless key is at the limit; it
// returns how many key has open.
func (l *connLimiter) acquire(key string) (ok bool, open int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := l.open[key]
	if max := l.max.Load(); max > 0 && int64(n) >= max {
		return false, n
	}
	if l.open == nil {
		l.open = make(map[string]int)
	}
	l.open[key] = n + 1
	return true, n + 1
}

func (l *connLimiter) release(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.open[key] <= 1 {
		delete(l.open, key)
		return
	}
	l.open[key]--
}

func (l *connLimiter) size() (conns, clients int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, n := range l.open {
		conns += n
	}
	return conns, len(l.open)
}

// limitListener applies the connection limit at accept, before go-smtp
// sees the connection. go-smtp calls Backend.NewSession only at HELO/EHLO,
// and an error from it is answered to that command while the connection
// stays open; counting there would miss connections that never greet and
// could not close the ones refused. Counting the net.Conn instead covers
// every path: go-smtp closes each connection it handles when its session
// ends for any reason (QUIT, EOF, timeout, error, Close at shutdown), and
// the count drops in that Close.
type limitListener struct {
	net.Listener
	srv *Server
}

func (l *limitListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		key := clientKey(c.RemoteAddr())
		ok, open := l.srv.conns.acquire(key)
		if ok {
			return &countedConn{Conn: c, release: func() { l.srv.conns.release(key) }}, nil
		}
		l.srv.refuseConn(c, open)
	}
}

// countedConn gives its place back when first closed. The count drops
// before the socket closes, so a client that has seen the close can rely
// on its place being free.
type countedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *countedConn) Close() error {
	c.once.Do(c.release)
	return c.Conn.Close()
}

// refuseConn answers a connection over the limit with 421 in place of the
// greeting and closes it (RFC 5321 §3.8: 421 closes the channel and may
// answer anything; Postfix's smtpd_client_connection_count_limit answers
// the same way, so senders' servers know to retry). The answer is written
// in the background, bounded in time and in number, so that a flood of
// connections can neither stall Accept nor pile up goroutines.
func (s *Server) refuseConn(c net.Conn, open int) {
	s.log.Info("connection refused", "remote", c.RemoteAddr().String(), "reason", "too many connections from the address",
		"open", open, "limit", s.conns.max.Load())
	s.opts.Metrics.refuse("connections_per_ip")
	select {
	case s.refusing <- struct{}{}:
	default:
		c.Close()
		return
	}
	go func() {
		defer func() { <-s.refusing }()
		defer c.Close()
		c.SetDeadline(time.Now().Add(refuseLinger))
		if _, err := io.WriteString(c, "421 4.7.0 Too many connections from your address\r\n"); err != nil {
			return
		}
		// Close our side first and drain what the client sent meanwhile:
		// closing a socket with unread data resets it, and the client
		// might lose the 421 it has not read yet.
		if cw, ok := c.(interface{ CloseWrite() error }); ok {
			cw.CloseWrite()
			io.Copy(io.Discard, io.LimitReader(c, 64<<10))
		}
	}()
}

// senderKey is what the per-sender limit counts by: the reverse path in
// lower case (RFC 5321 §2.4 leaves the local part's case to us; sosd
// ignores it everywhere). The null reverse path of bounces and other
// automatic replies (RFC 5321 §4.5.5) names no sender, and many servers
// send such mail; it is counted per client address instead, so a flood of
// bounces (say backscatter of spam forged in our name) is limited per
// server sending it and cannot crowd out the bounces of another.
func senderKey(from, client string) string {
	if from == "" {
		return "<> from " + client
	}
	return strings.ToLower(from)
}

// senderLimiter counts each sender's mails over a sliding hour. Entries
// sit in a list by the time of their latest mail, most recent first, so
// entries whose hour has passed are dropped from the back and, when
// maxTrackedSenders is reached, the least recent one is forgotten.
type senderLimiter struct {
	max   atomic.Int64 // mails per sender per hour; 0: no limit
	mu    sync.Mutex
	byKey map[string]*list.Element // of *senderEntry
	lru   list.List
}

type senderEntry struct {
	key   string
	times []int64 // Unix nanoseconds of the mails counted, oldest first; at most max
}

// take counts a mail from key at now unless key already has max mails in
// the hour before now; it returns whether it was counted and how many key
// has in the hour, this one included.
func (l *senderLimiter) take(key string, now time.Time) (ok bool, n int) {
	max := int(l.max.Load())
	if max <= 0 {
		return true, 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	cutoff := now.Add(-senderWindow).UnixNano()
	l.expire(cutoff)
	el := l.byKey[key]
	if el == nil {
		if l.byKey == nil {
			l.byKey = make(map[string]*list.Element)
		}
		for len(l.byKey) >= maxTrackedSenders {
			l.remove(l.lru.Back())
		}
		el = l.lru.PushFront(&senderEntry{key: key})
		l.byKey[key] = el
	}
	e := el.Value.(*senderEntry)
	kept := e.times[:0]
	for _, t := range e.times {
		if t > cutoff {
			kept = append(kept, t)
		}
	}
	e.times = kept
	if len(e.times) >= max {
		return false, len(e.times)
	}
	e.times = append(e.times, now.UnixNano())
	l.lru.MoveToFront(el)
	return true, len(e.times)
}

// expire drops the entries whose latest mail is an hour old or older.
func (l *senderLimiter) expire(cutoff int64) {
	for el := l.lru.Back(); el != nil; el = l.lru.Back() {
		e := el.Value.(*senderEntry)
		if len(e.times) > 0 && e.times[len(e.times)-1] > cutoff {
			return
		}
		l.remove(el)
	}
}

func (l *senderLimiter) remove(el *list.Element) {
	delete(l.byKey, el.Value.(*senderEntry).key)
	l.lru.Remove(el)
}

func (l *senderLimiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.byKey)
}
