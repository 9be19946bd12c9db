package main

import (
	"fmt"
	"net"
	"strings"

	"golang.org/x/sys/unix"
)

// notifier speaks systemd's readiness protocol (sd_notify(3)): datagrams
// of KEY=VALUE lines to the socket named by $NOTIFY_SOCKET. Without the
// variable (not under systemd, or a unit without Type=notify) it does
// nothing. The protocol is a few lines of text; it needs no library.
type notifier struct {
	addr *net.UnixAddr
}

// newNotifier reads $NOTIFY_SOCKET through getenv. An abstract socket
// is written "@name" there, which is also how Go's net package names it.
func newNotifier(getenv func(string) string) *notifier {
	path := getenv("NOTIFY_SOCKET")
	if path == "" {
		return &notifier{}
	}
	return &notifier{addr: &net.UnixAddr{Name: path, Net: "unixgram"}}
}

// send sends one state message. Errors are for the log only: a missing
// supervisor must not stop the daemon.
func (n *notifier) send(state ...string) error {
	if n == nil || n.addr == nil {
		return nil
	}
	c, err := net.DialUnix("unixgram", nil, n.addr)
	if err != nil {
		return fmt.Errorf("sd_notify: %w", err)
	}
	defer c.Close()
	if _, err := c.Write([]byte(strings.Join(state, "\n") + "\n")); err != nil {
		return fmt.Errorf("sd_notify: %w", err)
	}
	return nil
}

// ready: migrations ran and the listeners are bound.
func (n *notifier) ready() error { return n.send("READY=1", "STATUS=accepting mail") }

// reloading starts a reload; the READY=1 that follows ends it. systemd
// matches the two by MONOTONIC_USEC, CLOCK_MONOTONIC in microseconds
// (sd_notify(3), "RELOADING=1").
func (n *notifier) reloading() error {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		return fmt.Errorf("sd_notify: clock_gettime: %w", err)
	}
	usec := ts.Sec*1_000_000 + ts.Nsec/1_000
	return n.send("RELOADING=1", fmt.Sprintf("MONOTONIC_USEC=%d", usec), "STATUS=reloading the configuration")
}

// stopping: shutdown began.
func (n *notifier) stopping() error { return n.send("STOPPING=1", "STATUS=stopping") }
