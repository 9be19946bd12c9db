package main

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"sosd/tickets"
)

// jobRunner triggers the jobs of SPEC §8 with robfig/cron in the
// calendar's zone: escalation and the four-hour rule every minute, the
// quarterly reports on reports.schedule (the job itself decides whether
// today is the quarter's first open day). The jobs take now, so cron
// decides only when they run; a run that is still busy when the next is
// due is skipped, not stacked.
type jobRunner struct {
	cron   *cron.Cron
	intake *tickets.Intake
	log    *slog.Logger
	now    func() time.Time
	ctx    context.Context
	cancel context.CancelFunc

	mu      sync.Mutex
	reports cron.EntryID
}

// startJobs starts the cron jobs on cfg's calendar zone and schedule.
func startJobs(cfg *config, intake *tickets.Intake, now func() time.Time, log *slog.Logger) *jobRunner {
	ctx, cancel := context.WithCancel(context.Background())
	j := &jobRunner{intake: intake, log: log, now: now, ctx: ctx, cancel: cancel}
	// Recover first: a panic in a job (a chart library's, say) is logged
	// and that run ends; the daemon and its SMTP sessions go on.
	clog := cron.VerbosePrintfLogger(slog.NewLogLogger(log.Handler(), slog.LevelError))
	j.cron = cron.New(cron.WithLocation(cfg.Calendar.Location()),
		cron.WithChain(cron.Recover(clog), cron.SkipIfStillRunning(cron.DiscardLogger)))
	j.cron.Schedule(cron.Every(time.Minute), cron.FuncJob(j.everyMinute))
	j.reports = j.cron.Schedule(cfg.Schedule, cron.FuncJob(j.quarterly))
	j.cron.Start()
	return j
}

// reschedule moves the reports to a reloaded configuration's schedule.
// The zone of a running cron cannot change: a new timezone needs a
// restart (restartOnly says so).
func (j *jobRunner) reschedule(cfg *config) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.cron.Remove(j.reports)
	j.reports = j.cron.Schedule(cfg.Schedule, cron.FuncJob(j.quarterly))
}

// stop lets a job in progress finish its current notice and waits.
func (j *jobRunner) stop() {
	j.cancel()
	<-j.cron.Stop().Done()
}

func (j *jobRunner) everyMinute() {
	now := j.now()
	if n, err := j.intake.Escalate(j.ctx, now); err != nil {
		j.log.Error("escalation job", "err", err)
	} else if n > 0 {
		j.log.Info("escalation job", "notices", n)
	}
	if n, err := j.intake.FourHour(j.ctx, now); err != nil {
		j.log.Error("four-hour job", "err", err)
	} else if n > 0 {
		j.log.Info("four-hour job", "reminders", n)
	}
	if n, err := j.intake.ReportUnreported(j.ctx); err != nil {
		j.log.Error("reporting delivery failures", "err", err)
	} else if n > 0 {
		j.log.Info("delivery failures reported late", "failures", n)
	}
}

func (j *jobRunner) quarterly() {
	if n, err := j.intake.QuarterlyReports(j.ctx, j.now()); err != nil {
		j.log.Error("quarterly report job", "err", err)
	} else if n > 0 {
		j.log.Info("quarterly report job", "reports", n)
	}
}
