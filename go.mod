module sosd

go 1.26.8

require (
	github.com/goccy/go-yaml v1.19.2
	github.com/rickar/cal/v2 v2.1.13
	github.com/robfig/cron/v3 v3.0.1
)

require github.com/mattn/go-sqlite3 v1.14.53 // indirect
