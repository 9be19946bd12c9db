package tickets

import (
	"context"
	"math"
	"slices"
	"time"
)

// PriorityStats are one priority's figures of a period (SPEC §9 report).
type PriorityStats struct {
	Tickets  int
	Met      int
	Breached int
	// Response times in business minutes, received → started, of the
	// started tickets; nil when none started.
	MedianResponse *int
	P90Response    *int
	WorstResponse  *int
}

// Breach is one broken response promise.
type Breach struct {
	ID       ID
	Subject  string
	Priority int
	Deadline time.Time
	Started  time.Time // zero when not started
}

// Stats are one customer's figures for tickets received in [From, To)
// as of Now (SPEC §8, §9).
type Stats struct {
	Customer         string
	From, To, Now    time.Time
	Tickets          int
	Met, Breached    int
	ByPriority       map[int]*PriorityStats
	ByApplication    map[string]int // "unknown" for tickets without one
	Breaches         []Breach
	ResolutionMedian *int // business minutes, received → closed
	ResolutionP90    *int
	ResolutionWorst  *int
	OnsiteVisits     int
	WorkMinutes      int
	FourHourCalls    int
	Reopened         int
	AwaitingApproval int
}

// SLAMetPercent is 100 × met ÷ (met + breached) with one decimal, or nil
// when both are 0 (SPEC §9).
func (s Stats) SLAMetPercent() *float64 { return slaMetPercent(s.Met, s.Breached) }

// SLAMetPercent is the priority's share met, as Stats.SLAMetPercent.
func (p PriorityStats) SLAMetPercent() *float64 { return slaMetPercent(p.Met, p.Breached) }

func slaMetPercent(met, breached int) *float64 {
	if met+breached == 0 {
		return nil
	}
	p := math.Round(1000*float64(met)/float64(met+breached)) / 10
	return &p
}

// Stats computes a customer's figures for tickets received in [from, to),
// as things stood at now, from one consistent snapshot. Business time is
// measured on each ticket's own stored calendar.
func (s *Store) Stats(ctx context.Context, customer string, from, to, now time.Time) (Stats, error) {
	list, err := s.Received(ctx, customer, from, to)
	if err != nil {
		return Stats{}, err
	}
	return statsOf(customer, list, from, to, now, &calendars{})
}

// statsOf computes the figures of tickets list, received in [from, to).
// Business time is measured on each ticket's calendar from cals.
func statsOf(customer string, list []Ticket, from, to, now time.Time, cals *calendars) (Stats, error) {
	if cals == nil {
		cals = &calendars{}
	}
	st := Stats{Customer: customer, From: from, To: to, Now: now,
		ByPriority: map[int]*PriorityStats{1: {}, 2: {}, 3: {}}, ByApplication: map[string]int{}}
	responses := map[int][]int{}
	var resolutions []int
	for _, t := range list {
		cal, err := cals.of(t)
		if err != nil {
			return Stats{}, err
		}
		st.Tickets++
		ps := st.ByPriority[t.Priority]
		if ps == nil {
			ps = &PriorityStats{}
			st.ByPriority[t.Priority] = ps
		}
		ps.Tickets++
		st.ByApplication[orUnknown(t.Application)]++
		switch {
		case t.Breached(now):
			ps.Breached++
			st.Breached++
			st.Breaches = append(st.Breaches, Breach{ID: t.ID, Subject: t.Subject, Priority: t.Priority, Deadline: t.Deadline, Started: t.Started})
		case !t.Started.IsZero():
			ps.Met++
			st.Met++
		}
		if !t.Started.IsZero() {
			responses[t.Priority] = append(responses[t.Priority], int(cal.Elapsed(t.Received, t.Started)/time.Minute))
		}
		if !t.Closed.IsZero() {
			resolutions = append(resolutions, int(cal.Elapsed(t.Received, t.Closed)/time.Minute))
		}
		st.OnsiteVisits += t.Onsite
		st.WorkMinutes += t.WorkMinutes
		if t.Called {
			st.FourHourCalls++
		}
		st.Reopened += t.Reopened
		if t.Status == StatusResolved {
			st.AwaitingApproval++
		}
	}
	for p, rs := range responses {
		ps := st.ByPriority[p]
		ps.MedianResponse, ps.P90Response, ps.WorstResponse = percentile(rs, 50), percentile(rs, 90), percentile(rs, 100)
	}
	st.ResolutionMedian = percentile(resolutions, 50)
	st.ResolutionP90 = percentile(resolutions, 90)
	st.ResolutionWorst = percentile(resolutions, 100)
	return st, nil
}

// percentile returns the p-th percentile of xs by the nearest-rank method
// (the smallest value with at least p% of the values at or below it), or
// nil for no values. The median of an even count is the lower middle
// value, so every figure is a response that really happened.
func percentile(xs []int, p int) *int {
	if len(xs) == 0 {
		return nil
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	rank := int(math.Ceil(float64(p) / 100 * float64(len(s))))
	if rank < 1 {
		rank = 1
	}
	v := s[rank-1]
	return &v
}
