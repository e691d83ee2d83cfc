package server

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/sslkit/terraform-provider-ssl/internal/api"
	"github.com/sslkit/terraform-provider-ssl/internal/api/wire"
	"github.com/sslkit/terraform-provider-ssl/internal/backend"
	"github.com/sslkit/terraform-provider-ssl/internal/notify"
)

// Config is what the serve command was given.
type Config struct {
	Listen    string
	Tokens    []Token
	TLSConfig *tls.Config // nil: plain HTTP (tests only; serve always sets one)
	// EvaluateEvery is the alarm evaluator's period (0: one minute; < 0: off).
	EvaluateEvery time.Duration
	Sender        notify.Sender // nil: alarms are evaluated but not delivered
	Logger        *slog.Logger
}

// Server is a running backend server.
type Server struct {
	cfg     Config
	b       *backend.Backend
	http    *http.Server
	ln      net.Listener
	ready   atomic.Bool
	stopped chan struct{}
	cancel  context.CancelFunc
	// loopDone is closed when the alarm loop has returned (nil: no loop).
	loopDone chan struct{}
}

// publicPath tells the routes that need no token: health, and the CA's CRL, OCSP
// and issuer certificate, public by nature.
func publicPath(r *http.Request) bool {
	p := r.URL.Path
	if p == "/healthz" || p == "/readyz" {
		return true
	}
	if strings.HasPrefix(p, "/v1/ca/") {
		rest := strings.TrimPrefix(p, "/v1/ca/")
		if i := strings.IndexByte(rest, '/'); i > 0 {
			switch tail := rest[i+1:]; {
			case tail == "crl", tail == "issuer.crt", tail == "ocsp", strings.HasPrefix(tail, "ocsp/"):
				return true
			}
		}
	}
	return false
}

// New assembles a server over b; Start opens its listener.
func New(b *backend.Backend, cfg Config) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewJSONHandler(nopWriter{}, nil))
	}
	if cfg.EvaluateEvery == 0 {
		cfg.EvaluateEvery = time.Minute
	}
	s := &Server{cfg: cfg, b: b, stopped: make(chan struct{})}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if !s.ready.Load() {
			http.Error(w, `{"status":"starting"}`, http.StatusServiceUnavailable)
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if _, err := b.Store.GetIdempotency(ctx, "readiness-probe"); err != nil && !isNotFound(err) {
			http.Error(w, `{"status":"store unavailable"}`, http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"ready"}`))
	})
	mux.Handle("/", b.Handler())
	s.http = &http.Server{
		Handler:           s.accessLog(s.authenticate(mux)),
		TLSConfig:         cfg.TLSConfig,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	return s
}

type nopWriter struct{}

func (nopWriter) Write(p []byte) (int, error) { return len(p), nil }

func unauthorized(w http.ResponseWriter, msg string) {
	w.Header().Set("WWW-Authenticate", `Bearer realm="terraform-provider-ssl"`)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusUnauthorized)
	_, _ = fmt.Fprintf(w, `{"error":{"status":401,"code":%q,"summary":"Token Refused","message":%q}}`, wire.CodeUnauthenticated, msg)
}

// authenticate checks the bearer token of every non-public request and puts the
// token's scope into the request context.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if publicPath(r) {
			next.ServeHTTP(w, r)
			return
		}
		h := r.Header.Get("Authorization")
		presented, ok := strings.CutPrefix(h, "Bearer ")
		if !ok || presented == "" {
			unauthorized(w, "This server needs a bearer token: set the provider's token (SSL_TOKEN).")
			return
		}
		t, ok := match(s.cfg.Tokens, presented)
		if !ok {
			unauthorized(w, "The token is not one this server knows: check the provider's token (SSL_TOKEN).")
			return
		}
		if slot, ok := r.Context().Value(logSlot{}).(*string); ok {
			*slot = t.ID
		}
		next.ServeHTTP(w, r.WithContext(api.WithScope(r.Context(), t.Scope)))
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) { r.status = code; r.ResponseWriter.WriteHeader(code) }

// accessLog writes one structured line per request: method, path, status,
// duration and the token's id — never a token, a key or a body.
func (s *Server) accessLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
		var tokenID string
		next.ServeHTTP(rec, r.WithContext(context.WithValue(r.Context(), logSlot{}, &tokenID)))
		s.cfg.Logger.Info("request", "method", r.Method, "path", r.URL.Path, "status", rec.status,
			"duration_ms", time.Since(start).Milliseconds(), "remote", r.RemoteAddr, "token", tokenID)
	})
}

// logSlot carries, down the handler chain, where authenticate writes the token's id
// for the access log.
type logSlot struct{}

// Start listens and serves in the background.
func (s *Server) Start(ctx context.Context) error {
	ln, err := net.Listen("tcp", s.cfg.Listen)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", s.cfg.Listen, err)
	}
	if s.cfg.TLSConfig != nil {
		ln = tls.NewListener(ln, s.cfg.TLSConfig)
	}
	s.ln = ln
	loopCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s.cancel = cancel
	go func() {
		defer close(s.stopped)
		if err := s.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.cfg.Logger.Error("server stopped", "error", err.Error())
		}
	}()
	if s.cfg.EvaluateEvery > 0 {
		s.loopDone = make(chan struct{})
		go func() {
			defer close(s.loopDone)
			s.alarmLoop(loopCtx)
		}()
	}
	s.ready.Store(true)
	return nil
}

// Addr is the address the server listens on.
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Shutdown stops accepting requests and waits for in-flight ones and for the alarm
// loop to return (up to ctx), so the caller may close the backend afterwards.
func (s *Server) Shutdown(ctx context.Context) error {
	s.ready.Store(false)
	if s.cancel != nil {
		s.cancel()
	}
	err := s.http.Shutdown(ctx)
	<-s.stopped
	if s.loopDone != nil {
		select {
		case <-s.loopDone:
		case <-ctx.Done():
			if err == nil {
				err = fmt.Errorf("the alarm loop did not stop: %w", ctx.Err())
			}
		}
	}
	return err
}

// alarmLoop evaluates the alarms and delivers the outbox every period. Replicas on
// one PostgreSQL need no leader for correctness: evaluation runs under the store's
// write lock and its firing records make a second evaluation in the same minute
// write nothing, and delivery claims rows before sending them.
func (s *Server) alarmLoop(ctx context.Context) {
	t := time.NewTicker(s.cfg.EvaluateEvery)
	defer t.Stop()
	for {
		s.runAlarms(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (s *Server) runAlarms(ctx context.Context) {
	n, err := s.b.Service.Evaluate(ctx)
	if err != nil {
		if ctx.Err() == nil { // not a shutdown cancelling the evaluation
			s.cfg.Logger.Error("alarm evaluation failed", "error", err.Error())
		}
		return
	}
	if s.cfg.Sender == nil {
		return
	}
	sent, failed, err := s.b.Service.Deliver(ctx, s.cfg.Sender, 500)
	if err != nil && ctx.Err() == nil {
		s.cfg.Logger.Error("alarm delivery failed", "error", err.Error())
	}
	if n+sent+failed > 0 {
		s.cfg.Logger.Info("alarms", "written", n, "sent", sent, "failed", failed)
	}
}
