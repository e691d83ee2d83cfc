// Package cli holds the sub-commands of terraform-provider-ssl that a person runs by
// hand (DESIGN.md, "Command line"). Each takes its arguments, output streams and
// environment, and returns the process exit code.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/sslkit/terraform-provider-ssl/internal/backend"
	"github.com/sslkit/terraform-provider-ssl/internal/client"
)

// Exit codes of the sub-commands.
const (
	ExitOK    = 0
	ExitError = 1
	ExitUsage = 2
)

// Environment twins of the flags (a flag beats its twin), and the settings only the
// environment gives.
const (
	EnvDataDir          = "SSL_DATA_DIR"
	EnvDatabaseURL      = "SSL_DATABASE_URL"
	EnvEndpoint         = "SSL_ENDPOINT"
	EnvToken            = "SSL_TOKEN"
	EnvCACertificatePEM = "SSL_CA_CERTIFICATE_PEM"
	EnvMasterKey        = "SSL_MASTER_KEY"
	EnvPublicURL        = "SSL_PUBLIC_URL"
)

const reviewUsage = `Usage: terraform-provider-ssl review approve|reject CERTIFICATE_ID [--reason TEXT]
           [--data-dir DIR | --database-url URL | --endpoint URL --token TOKEN]

Approves or rejects what waits for the reviewer under review_policy = manual: an
order, a reissue or a revocation of the certificate CERTIFICATE_ID. Prints the
certificate's new status.

Options:
  --reason TEXT        why (shown to the user with the rejected order)
  --data-dir DIR       embedded backend in DIR (env SSL_DATA_DIR; default %s)
  --database-url URL   embedded backend on PostgreSQL (env SSL_DATABASE_URL; needs SSL_MASTER_KEY)
  --endpoint URL       a server started with terraform-provider-ssl serve (env SSL_ENDPOINT)
  --token TOKEN        an admin token of that server (env SSL_TOKEN)

A flag beats its environment variable; --endpoint selects the remote backend, and the
data dir and database settings are then ignored. SSL_CA_CERTIFICATE_PEM trusts a
server's private CA; SSL_MASTER_KEY and SSL_PUBLIC_URL apply to the embedded backend.
`

// usageError is a mistake in the command line (exit code 2).
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{msg: fmt.Sprintf(format, args...)} }

// reviewArgs is a parsed review command line.
type reviewArgs struct {
	approve   bool
	id        string
	reason    string
	dataDir   string
	dbURL     string
	endpoint  string
	token     string
	caPEM     string
	masterKey string
	publicURL string
}

// where names the backend for messages; a database URL is never repeated (it may
// hold a password).
func (a *reviewArgs) where() string {
	switch {
	case a.endpoint != "":
		return "the server at " + a.endpoint
	case a.dbURL != "":
		return "the PostgreSQL database of --database-url"
	}
	return "the data dir " + a.dataDir
}

// Review runs `terraform-provider-ssl review approve|reject CERTIFICATE_ID …`.
func Review(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	a, err := parseReviewArgs(args, getenv)
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprintf(stdout, reviewUsage, backend.DefaultDataDir())
		return ExitOK
	}
	if err != nil {
		fmt.Fprintf(stderr, "terraform-provider-ssl review: %s\n\n", err)
		fmt.Fprintf(stderr, reviewUsage, backend.DefaultDataDir())
		return ExitUsage
	}

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	c, closeBackend, err := a.connect(ctx)
	if err != nil {
		fmt.Fprintf(stderr, "terraform-provider-ssl review: %s\n", err)
		var ue *usageError
		if errors.As(err, &ue) {
			return ExitUsage
		}
		return ExitError
	}
	defer closeBackend()

	cert, err := c.Review(ctx, a.id, a.approve, a.reason)
	if err != nil {
		msg := err.Error()
		if client.IsNotFound(err) {
			msg = fmt.Sprintf("certificate %s was not found in %s: %s", a.id, a.where(), err)
		}
		fmt.Fprintf(stderr, "terraform-provider-ssl review: %s\n", msg)
		return ExitError
	}
	verb := "Rejected"
	if a.approve {
		verb = "Approved"
	}
	fmt.Fprintf(stdout, "%s certificate %s (%s): status %s\n", verb, cert.ID, cert.Domain, cert.Status)
	if cert.Order != nil && cert.Order.Pending != "" {
		fmt.Fprintln(stdout, strings.ReplaceAll(cert.Order.Pending, "<id>", cert.ID))
	}
	return ExitOK
}

// parseReviewArgs reads the command line (flags may come before, between or after
// the two positional arguments) and the environment twins.
func parseReviewArgs(args []string, getenv func(string) string) (*reviewArgs, error) {
	a := &reviewArgs{}
	fs := flag.NewFlagSet("review", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&a.reason, "reason", "", "")
	fs.StringVar(&a.dataDir, "data-dir", "", "")
	fs.StringVar(&a.dbURL, "database-url", "", "")
	fs.StringVar(&a.endpoint, "endpoint", "", "")
	fs.StringVar(&a.token, "token", "", "")

	var positional []string
	for rest := args; ; {
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, usagef("%s", err)
		}
		rest = fs.Args()
		if len(rest) == 0 {
			break
		}
		positional, rest = append(positional, rest[0]), rest[1:]
	}

	switch {
	case len(positional) == 0:
		return nil, usagef("say approve or reject, and the certificate id")
	case positional[0] != "approve" && positional[0] != "reject":
		return nil, usagef("the decision must be approve or reject, not %q", positional[0])
	case len(positional) == 1:
		return nil, usagef("the certificate id is missing")
	case len(positional) > 2:
		return nil, usagef("unexpected arguments after the certificate id: %s", strings.Join(positional[2:], " "))
	case strings.TrimSpace(positional[1]) == "":
		return nil, usagef("the certificate id is empty")
	}
	a.approve, a.id = positional[0] == "approve", positional[1]

	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	var modes []string
	for _, name := range []string{"data-dir", "database-url", "endpoint", "token"} {
		if !set[name] {
			continue
		}
		if strings.TrimSpace(fs.Lookup(name).Value.String()) == "" {
			return nil, usagef("--%s is empty", name)
		}
		if name != "token" {
			modes = append(modes, "--"+name)
		}
	}
	if len(modes) > 1 {
		return nil, usagef("%s choose different backends; give only one of --data-dir, --database-url and --endpoint", strings.Join(modes, " and "))
	}

	// A backend chosen by a flag wins over every environment variable; otherwise the
	// environment chooses: SSL_ENDPOINT, then SSL_DATABASE_URL, then SSL_DATA_DIR.
	switch {
	case set["endpoint"]:
		a.dataDir, a.dbURL = "", ""
	case set["database-url"]:
		a.dataDir = ""
	case set["data-dir"]:
	case getenv(EnvEndpoint) != "":
		a.endpoint = getenv(EnvEndpoint)
	case getenv(EnvDatabaseURL) != "":
		a.dbURL = getenv(EnvDatabaseURL)
	default:
		a.dataDir = getenv(EnvDataDir)
		if a.dataDir == "" {
			a.dataDir = backend.DefaultDataDir()
		}
	}

	if a.endpoint == "" {
		if set["token"] {
			return nil, usagef("--token is for a remote backend; give --endpoint (or SSL_ENDPOINT) with it")
		}
		a.masterKey, a.publicURL = getenv(EnvMasterKey), getenv(EnvPublicURL)
		return a, nil
	}
	if u, err := url.Parse(a.endpoint); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, usagef("the endpoint %q is not an http(s) URL such as https://certs.example.internal:8443", a.endpoint)
	}
	if !set["token"] {
		a.token = getenv(EnvToken)
	}
	if a.token == "" {
		return nil, usagef("the server at %s needs an admin token: give --token or set SSL_TOKEN", a.endpoint)
	}
	a.caPEM = getenv(EnvCACertificatePEM)
	return a, nil
}

// connect returns a client of the chosen backend and a function that releases it.
func (a *reviewArgs) connect(ctx context.Context) (*client.Client, func(), error) {
	if a.endpoint != "" {
		c, err := client.New(client.Config{Endpoint: a.endpoint, Token: a.token, CACertificatePEM: a.caPEM,
			UserAgent: "terraform-provider-ssl review"})
		if err != nil {
			return nil, nil, usagef("%s", err)
		}
		return c, func() {}, nil
	}
	b, err := backend.Open(ctx, backend.Settings{
		DataDir: a.dataDir, DatabaseURL: a.dbURL, MasterKey: a.masterKey,
		Service: backend.ServiceSettings{PublicURL: a.publicURL},
	})
	if err != nil {
		return nil, nil, fmt.Errorf("opening the certificate backend in %s: %w", a.where(), err)
	}
	c, err := client.New(client.Config{Handler: b.Handler(), UserAgent: "terraform-provider-ssl review"})
	if err != nil {
		_ = b.Close()
		return nil, nil, err
	}
	return c, func() { _ = b.Close() }, nil
}
