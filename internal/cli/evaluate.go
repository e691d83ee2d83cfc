package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"

	"github.com/sslkit/terraform-provider-ssl/internal/backend"
	"github.com/sslkit/terraform-provider-ssl/internal/notify"
)

const evaluateUsage = `Usage: terraform-provider-ssl evaluate [--data-dir DIR | --database-url URL]

Evaluates every expiration alarm once (rules A3–A5) and delivers what is due in the
notification outbox: email over SMTP, SMS through the gateway, and webhooks. Run it
every minute (cron, a systemd timer) where no serve process does it. Prints one line:
"written N, sent N, failed N".

Options:
  --data-dir DIR       embedded backend in DIR (env SSL_DATA_DIR; default %s)
  --database-url URL   backend on PostgreSQL (env SSL_DATABASE_URL; needs SSL_MASTER_KEY)

A flag beats its environment variable. SSL_MASTER_KEY opens the sealed secrets.
Delivery settings: SSL_SMTP_ADDR (host:port), SSL_SMTP_FROM, SSL_SMTP_USERNAME,
SSL_SMTP_PASSWORD, SSL_SMTP_TLS (starttls | tls | none) and SSL_SMS_GATEWAY_URL; a
channel without its settings keeps its notifications pending. A webhook's URL and
secret belong to its alarm.

Exit status: 0 when the evaluation worked and nothing failed to deliver; 1 when the
evaluation or a delivery failed (failed deliveries are retried with backoff by later
runs); 2 for a mistake in the command line.
`

// deliverBatch is how many outbox rows one Deliver call claims.
const deliverBatch = 100

// maxReportedFailures bounds the delivery errors printed on stderr.
const maxReportedFailures = 10

// evaluateArgs is a parsed evaluate command line.
type evaluateArgs struct {
	dataDir, dbURL, masterKey string
}

// where names the backend for messages; a database URL is never repeated (it may
// hold a password).
func (a *evaluateArgs) where() string {
	if a.dbURL != "" {
		return "the PostgreSQL database of --database-url (SSL_DATABASE_URL)"
	}
	return "the data dir " + a.dataDir
}

// Evaluate runs `terraform-provider-ssl evaluate [--data-dir DIR | --database-url URL]`:
// one alarm evaluation, then delivery of every due notification with the delivery
// settings of the environment. It returns the exit code.
func Evaluate(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return evaluate(ctx, args, stdout, stderr, os.Getenv)
}

func evaluate(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	const name = "terraform-provider-ssl evaluate"
	a, err := parseEvaluateArgs(args, getenv)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprintf(stdout, evaluateUsage, backend.DefaultDataDir())
		return ExitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "%s: %s\n\n", name, err)
		fmt.Fprintf(stderr, evaluateUsage, backend.DefaultDataDir())
		return ExitUsage
	}

	// Delivery settings first: a mistake there is reported before anything is written.
	cfg, err := notify.ConfigFromEnv(getenv)
	if err != nil {
		fmt.Fprintf(stderr, "%s: delivery settings: %s\n", name, err)
		return ExitError
	}
	d, err := notify.NewDispatcher(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "%s: delivery settings: %s\n", name, err)
		return ExitError
	}

	b, err := backend.Open(ctx, backend.Settings{DataDir: a.dataDir, DatabaseURL: a.dbURL, MasterKey: a.masterKey})
	if err != nil {
		fmt.Fprintf(stderr, "%s: opening the certificate backend in %s: %s\n", name, a.where(), err)
		return ExitError
	}
	defer b.Close()

	code := ExitOK
	written, err := b.Service.Evaluate(ctx)
	if err != nil {
		// What earlier runs queued is still delivered.
		fmt.Fprintf(stderr, "%s: evaluating the alarms in %s: %s\n", name, a.where(), err)
		code = ExitError
	}

	rec := &failureRecorder{inner: d}
	sent, failed := 0, 0
	for ctx.Err() == nil {
		s, f, err := b.Service.Deliver(ctx, rec, deliverBatch)
		sent, failed = sent+s, failed+f
		if err != nil {
			fmt.Fprintf(stderr, "%s: delivering notifications from %s: %s\n", name, a.where(), err)
			code = ExitError
			break
		}
		// Every row a call claims ends sent, failed or rescheduled: a short batch is the last.
		if s+f < deliverBatch {
			break
		}
	}
	if err := ctx.Err(); err != nil {
		fmt.Fprintf(stderr, "%s: interrupted: %s\n", name, err)
		code = ExitError
	}
	fmt.Fprintf(stdout, "written %d, sent %d, failed %d\n", written, sent, failed)
	if failed > 0 {
		fmt.Fprintf(stderr, "%s: %d notification(s) failed to deliver; they are retried with backoff by later runs, up to 8 attempts (last_error in the ssl_notifications data source):\n", name, failed)
		for _, line := range rec.lines() {
			fmt.Fprintf(stderr, "  %s\n", line)
		}
		code = ExitError
	}
	return code
}

// parseEvaluateArgs reads the command line and the environment twins.
func parseEvaluateArgs(args []string, getenv func(string) string) (*evaluateArgs, error) {
	a := &evaluateArgs{}
	fs := flag.NewFlagSet("evaluate", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&a.dataDir, "data-dir", "", "")
	fs.StringVar(&a.dbURL, "database-url", "", "")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, usagef("%s", err)
	}
	if fs.NArg() > 0 {
		return nil, usagef("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	for _, n := range []string{"data-dir", "database-url"} {
		if set[n] && strings.TrimSpace(fs.Lookup(n).Value.String()) == "" {
			return nil, usagef("--%s is empty", n)
		}
	}
	// A backend chosen by a flag wins over every environment variable; otherwise
	// SSL_DATABASE_URL, then SSL_DATA_DIR, then the default data dir.
	switch {
	case set["data-dir"] && set["database-url"]:
		return nil, usagef("--data-dir and --database-url choose different backends; give only one")
	case set["data-dir"]:
	case set["database-url"]:
	case getenv(EnvDatabaseURL) != "":
		a.dbURL = getenv(EnvDatabaseURL)
	default:
		a.dataDir = getenv(EnvDataDir)
		if a.dataDir == "" {
			a.dataDir = backend.DefaultDataDir()
		}
	}
	a.masterKey = getenv(EnvMasterKey)
	return a, nil
}

// failureRecorder passes messages to inner and keeps the first delivery errors, to
// print them (notify's errors and Message.String show no secret).
type failureRecorder struct {
	inner notify.Sender
	mu    sync.Mutex
	errs  []string
	more  int
}

func (r *failureRecorder) Send(ctx context.Context, m notify.Message) error {
	err := r.inner.Send(ctx, m)
	if err != nil {
		r.mu.Lock()
		if len(r.errs) < maxReportedFailures {
			r.errs = append(r.errs, fmt.Sprintf("%s: %s", m, err))
		} else {
			r.more++
		}
		r.mu.Unlock()
	}
	return err
}

func (r *failureRecorder) lines() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := append([]string(nil), r.errs...)
	if r.more > 0 {
		out = append(out, fmt.Sprintf("… and %d more", r.more))
	}
	return out
}
