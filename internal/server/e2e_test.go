package server

// End-to-end tests: the real `terraform-provider-ssl serve` process, a real Terraform
// CLI with the built provider (dev_overrides), SQLite and PostgreSQL stores.

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/sslkit/terraform-provider-ssl/internal/api/wire"
	"github.com/sslkit/terraform-provider-ssl/internal/backend"
	"github.com/sslkit/terraform-provider-ssl/internal/certs/certstest"
	"github.com/sslkit/terraform-provider-ssl/internal/client"
	"github.com/sslkit/terraform-provider-ssl/internal/store/postgres/pgtest"
)

const apiToken = "api-token-0123456789abcdef"

// e2eTokens is the tokens file every e2e server reads.
const e2eTokens = adminToken + " admin\n" + webToken + " projects=web\n" + apiToken + " projects=api\n"

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		_ = os.RemoveAll(binDir)
	}
	os.Exit(code)
}

var (
	binOnce sync.Once
	binDir  string
	binErr  error
)

// providerBinary builds the module's binary once per test run and returns its path.
func providerBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "ssl-e2e-bin-")
		if err != nil {
			binErr = err
			return
		}
		binDir = dir
		start := time.Now()
		out, err := exec.Command("go", "build", "-o", filepath.Join(dir, "terraform-provider-ssl"), "../..").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
			return
		}
		t.Logf("built the provider binary in %s", time.Since(start).Round(time.Millisecond))
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return filepath.Join(binDir, "terraform-provider-ssl")
}

// e2eTerraform finds the Terraform CLI (TF_ACC_TERRAFORM_PATH or PATH) or skips.
func e2eTerraform(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("TF_ACC_TERRAFORM_PATH"); p != "" {
		return p
	}
	p, err := exec.LookPath("terraform")
	if err != nil {
		t.Skip("no terraform CLI: set TF_ACC_TERRAFORM_PATH or put terraform on PATH")
	}
	return p
}

// cleanEnv is the test's environment without SSL_* settings (the test passes its own)
// and without Terraform logging that would flood the output.
func cleanEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "SSL_") || strings.HasPrefix(kv, "TF_LOG") || strings.HasPrefix(kv, "TF_CLI_CONFIG_FILE=") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, extra...)
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
}

// lineWriter hands each complete line written to it to fn and keeps them all.
type lineWriter struct {
	mu    sync.Mutex
	buf   []byte
	lines []string
	fn    func(string)
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	w.buf = append(w.buf, p...)
	var done []string
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			break
		}
		line := string(w.buf[:i])
		w.buf = w.buf[i+1:]
		w.lines = append(w.lines, line)
		done = append(done, line)
	}
	fn := w.fn
	w.mu.Unlock()
	if fn != nil {
		for _, l := range done {
			fn(l)
		}
	}
	return len(p), nil
}

func (w *lineWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return strings.Join(w.lines, "\n") + string(w.buf)
}

// serveProc is one running `serve` process.
type serveProc struct {
	cmd    *exec.Cmd
	addr   string
	stdout bytes.Buffer
	stderr *lineWriter
	done   chan struct{}
	err    error // Wait's error, once done is closed
}

type serveOptions struct {
	addr, dataDir, tokensFile string
	databaseURL               string
	env                       []string
	onLog                     func(line string) // called for every stderr line
}

// startServe starts `serve` and waits until /readyz answers 200.
func startServe(t *testing.T, o serveOptions) *serveProc {
	t.Helper()
	p, err := launchServe(t, providerBinary(t), o)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// launchServe starts `serve` and waits for its readiness; it does not call t.Fatal,
// so other goroutines may use it. The process is killed at the end of the test if it
// still runs.
func launchServe(t *testing.T, bin string, o serveOptions) (*serveProc, error) {
	args := []string{"serve", "--listen", o.addr, "--tokens-file", o.tokensFile, "--data-dir", o.dataDir}
	if o.databaseURL != "" {
		args = append(args, "--database-url", o.databaseURL)
	}
	p := &serveProc{addr: o.addr, stderr: &lineWriter{fn: o.onLog}, done: make(chan struct{})}
	p.cmd = exec.Command(bin, args...)
	p.cmd.Env = cleanEnv(o.env...)
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, p.stderr
	if err := p.cmd.Start(); err != nil {
		return nil, err
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	})
	return p, p.waitReady(filepath.Join(o.dataDir, "server", "ca.pem"))
}

// waitReady polls /readyz over TLS, trusting the server's own CA, for up to 60 s.
func (p *serveProc) waitReady(caFile string) error {
	deadline := time.Now().Add(60 * time.Second)
	var last error
	for time.Now().Before(deadline) {
		select {
		case <-p.done:
			return fmt.Errorf("serve exited before it was ready (%v)\nstderr:\n%s", p.err, p.stderr)
		default:
		}
		if hc, err := httpsClient(caFile); err != nil {
			last = err
		} else if resp, err := hc.Get("https://" + p.addr + "/readyz"); err != nil {
			last = err
		} else {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			last = fmt.Errorf("readyz: %s", resp.Status)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("serve on %s not ready after 60 s: %v\nstderr:\n%s", p.addr, last, p.stderr)
}

// wait waits for the process to exit and returns its exit code.
func (p *serveProc) wait(t *testing.T, within time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(within):
		t.Fatalf("serve did not exit within %s\nstderr:\n%s", within, p.stderr)
	}
	return p.cmd.ProcessState.ExitCode()
}

func httpsClient(caFile string) (*http.Client, error) {
	pool, err := caPool(caFile)
	if err != nil {
		return nil, err
	}
	return &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}, DisableKeepAlives: true}}, nil
}

func caPool(caFile string) (*x509.CertPool, error) {
	pemBytes, err := os.ReadFile(caFile)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemBytes) {
		return nil, fmt.Errorf("%s holds no certificate", caFile)
	}
	return pool, nil
}

func remoteClient(t *testing.T, addr, caFile, token string) *client.Client {
	t.Helper()
	ca, err := os.ReadFile(caFile)
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.New(client.Config{Endpoint: "https://" + addr, Token: token, CACertificatePEM: string(ca), MaxRetries: 2})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestE2EServeProcess runs the real serve process with a self-issued TLS certificate:
// a client that trusts DATA_DIR/server/ca.pem uploads and lists; SIGTERM lets a
// request in flight complete, refuses new connections, and the process exits 0.
func TestE2EServeProcess(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	dataDir := filepath.Join(dir, "data") // does not exist yet: serve creates it
	tokensFile := filepath.Join(dir, "tokens")
	writeFile(t, tokensFile, e2eTokens)
	addr := freeAddr(t)
	p := startServe(t, serveOptions{addr: addr, dataDir: dataDir, tokensFile: tokensFile})
	caFile := filepath.Join(dataDir, "server", "ca.pem")
	ctx := context.Background()

	for _, f := range []string{"ca.pem", "cert.pem", "key.pem"} {
		info, err := os.Stat(filepath.Join(dataDir, "server", f))
		if err != nil {
			t.Fatal(err)
		}
		if info.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", f, info.Mode().Perm())
		}
	}
	if info, err := os.Stat(dataDir); err != nil || info.Mode().Perm() != 0o700 {
		t.Errorf("data dir: %v, mode %v; want 0700", err, info.Mode().Perm())
	}

	admin := remoteClient(t, addr, caFile, adminToken)
	web := remoteClient(t, addr, caFile, webToken)
	mine, err := upload(t, web, "web", "www.e2e.example.test")
	if err != nil {
		t.Fatalf("upload over HTTPS: %v", err)
	}
	list, err := admin.ListCertificates(ctx, wire.ListFilter{})
	if err != nil || len(list) != 1 || list[0].ID != mine.ID || list[0].Project != "web" {
		t.Fatalf("admin list: %+v %v", list, err)
	}
	if got, err := web.GetCertificate(ctx, mine.ID); err != nil || got.PrivateKeyPEM == "" {
		t.Fatalf("scoped read of its own certificate: %v (key returned: %v)", err, got != nil && got.PrivateKeyPEM != "")
	}
	if _, err := remoteClient(t, addr, caFile, "not-a-token-this-server-knows").ListCertificates(ctx, wire.ListFilter{}); err == nil {
		t.Fatal("an unknown token listed certificates")
	} else if we, ok := client.AsAPIError(err); !ok || we.Status != http.StatusUnauthorized {
		t.Fatalf("unknown token: want 401, got %v", err)
	}
	// A client that does not trust the server's CA is refused at the TLS handshake.
	if c, err := client.New(client.Config{Endpoint: "https://" + addr, Token: adminToken, MaxRetries: 1}); err != nil {
		t.Fatal(err)
	} else if _, err := c.ListCertificates(ctx, wire.ListFilter{}); err == nil {
		t.Fatal("a client without ca_certificate_pem trusted the self-issued certificate")
	}

	// A request in flight: headers and half the body are sent, then SIGTERM arrives.
	leaf := certstest.SelfSigned(t, certstest.LeafOptions{Alg: certstest.ECC, CommonName: "slow.e2e.example.test"})
	body, err := json.Marshal(wire.UploadRequest{Name: "in-flight", Project: "web",
		CertificatePEM: leaf.CertPEM, PrivateKeyPEM: leaf.KeyPEM(t, certstest.PKCS8)})
	if err != nil {
		t.Fatal(err)
	}
	pool, err := caPool(caFile)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12, NextProtos: []string{"http/1.1"}})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(30 * time.Second))
	head := fmt.Sprintf("POST /v1/certificates/uploads HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\n"+
		"Content-Type: application/json\r\nIdempotency-Key: e2e-in-flight-0001\r\nContent-Length: %d\r\n\r\n", addr, webToken, len(body))
	half := len(body) / 2
	if _, err := conn.Write(append([]byte(head), body[:half]...)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // the server reads the headers: the connection is active
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	// The listener closes at once: a new connection is refused while the old one finishes.
	refused := false
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			refused = true
			break
		}
		c.Close()
	}
	if !refused {
		t.Error("serve still accepted connections 5 s after SIGTERM")
	}
	select {
	case <-p.done:
		t.Fatalf("serve exited (%v) with a request in flight\nstderr:\n%s", p.err, p.stderr)
	default:
	}
	if _, err := conn.Write(body[half:]); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("in-flight request: %v", err)
	}
	var got wire.Certificate
	err = json.NewDecoder(resp.Body).Decode(&got)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated || err != nil || got.Name != "in-flight" {
		t.Fatalf("in-flight request: %s, %+v, %v", resp.Status, got, err)
	}
	if code := p.wait(t, 30*time.Second); code != 0 {
		t.Fatalf("serve exited %d after SIGTERM, want 0\nstderr:\n%s", code, p.stderr)
	}
	// Access logs are JSON lines naming the token by id, never the token itself.
	logs := p.stderr.String()
	for _, secret := range []string{adminToken, webToken, leaf.KeyPEM(t, certstest.PKCS8)[40:80]} {
		if strings.Contains(logs, secret) {
			t.Fatalf("the server's log holds a secret:\n%s", logs)
		}
	}
	if !strings.Contains(logs, `"path":"/v1/certificates/uploads"`) || !strings.Contains(logs, `"status":201`) {
		t.Errorf("no access log line for the uploads:\n%s", logs)
	}
	if !strings.Contains(p.stdout.String(), "serving on https://"+addr) {
		t.Errorf("stdout: %q", p.stdout.String())
	}

	// What the finished request wrote is in the store.
	if n := countStored(t, dataDir); n != 2 {
		t.Fatalf("after shutdown the store holds %d certificates, want 2", n)
	}
}

// TestE2EServeRefusesBadStartup: without a tokens file serve exits 2 with a usage
// message; a token shorter than 16 characters makes it exit 1; neither listens.
func TestE2EServeRefusesBadStartup(t *testing.T) {
	t.Parallel()
	bin := providerBinary(t)
	dir := t.TempDir()
	shortTokens := filepath.Join(dir, "short-tokens")
	writeFile(t, shortTokens, "tooshort123 admin\n")
	cases := []struct {
		name     string
		args     []string
		wantCode int
		wantMsg  string
	}{
		{"no tokens file", nil, 2, "--tokens-file (SSL_TOKENS_FILE) is required"},
		{"short token", []string{"--tokens-file", shortTokens}, 1, "shorter than 16"},
		{"missing tokens file", []string{"--tokens-file", filepath.Join(dir, "absent")}, 1, "tokens file"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			addr := freeAddr(t)
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			args := append([]string{"serve", "--listen", addr, "--data-dir", filepath.Join(t.TempDir(), "data")}, tc.args...)
			cmd := exec.CommandContext(ctx, bin, args...)
			cmd.Env = cleanEnv()
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			err := cmd.Run()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != tc.wantCode {
				t.Fatalf("serve %v: %v, want exit %d\nstderr:\n%s", tc.args, err, tc.wantCode, stderr.String())
			}
			if !strings.Contains(stderr.String(), tc.wantMsg) {
				t.Fatalf("stderr does not say %q:\n%s", tc.wantMsg, stderr.String())
			}
			if strings.Contains(stderr.String(), "tooshort123") {
				t.Fatalf("the message repeats the token:\n%s", stderr.String())
			}
		})
	}
}

// TestE2EServeSIGTERMRightAfterStart: a supervisor that sends SIGTERM as soon as
// serve says it is serving gets a graceful shutdown and exit 0, not a process killed
// by the signal's default action.
func TestE2EServeSIGTERMRightAfterStart(t *testing.T) {
	t.Parallel()
	bin := providerBinary(t)
	dir := t.TempDir()
	tokensFile := filepath.Join(dir, "tokens")
	writeFile(t, tokensFile, e2eTokens)
	dataDir := filepath.Join(dir, "data")
	for i := 0; i < 5; i++ {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		cmd := exec.CommandContext(ctx, bin, "serve", "--listen", freeAddr(t), "--tokens-file", tokensFile, "--data-dir", dataDir)
		cmd.Env = cleanEnv()
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		signalled := false
		cmd.Stdout = &lineWriter{fn: func(line string) {
			if strings.HasPrefix(line, "serving on ") && !signalled {
				signalled = true
				_ = cmd.Process.Signal(syscall.SIGTERM)
			}
		}}
		err := cmd.Run()
		cancel()
		if !signalled {
			t.Fatalf("run %d: serve never said it was serving (%v)\nstderr:\n%s", i, err, stderr.String())
		}
		if err != nil {
			t.Fatalf("run %d: SIGTERM right after start: %v, want exit 0\nstderr:\n%s", i, err, stderr.String())
		}
		if strings.Contains(stderr.String(), `"level":"ERROR"`) {
			t.Fatalf("run %d: errors logged during a clean shutdown:\n%s", i, stderr.String())
		}
	}
}

// tfRunner is one Terraform working directory using the built provider.
type tfRunner struct {
	tf, dir string
	env     []string
}

func newTFRunner(t *testing.T, tf, config string, files map[string]string) *tfRunner {
	t.Helper()
	bin := providerBinary(t)
	dir := t.TempDir()
	cliConfig := filepath.Join(dir, "terraform.rc")
	writeFile(t, cliConfig, fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"sslkit/ssl\" = %q\n  }\n  direct {}\n}\n", filepath.Dir(bin)))
	writeFile(t, filepath.Join(dir, "main.tf"), config)
	for name, text := range files {
		writeFile(t, filepath.Join(dir, name), text)
	}
	return &tfRunner{tf: tf, dir: dir, env: cleanEnv("TF_CLI_CONFIG_FILE="+cliConfig, "CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1")}
}

func (r *tfRunner) run(args ...string) ([]byte, error) {
	cmd := exec.Command(r.tf, args...)
	cmd.Dir, cmd.Env = r.dir, r.env
	return cmd.CombinedOutput()
}

func (r *tfRunner) apply() ([]byte, error) {
	return r.run("apply", "-auto-approve", "-input=false", "-no-color", "-parallelism=10")
}

func (r *tfRunner) outputIDs(t *testing.T) []string {
	t.Helper()
	cmd := exec.Command(r.tf, "output", "-json", "ids")
	cmd.Dir, cmd.Env = r.dir, r.env
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("terraform output: %v", err)
	}
	var ids []string
	if err := json.Unmarshal(out, &ids); err != nil {
		t.Fatal(err)
	}
	return ids
}

// uploadsConfig is a configuration of n uploads of the same certificate and key
// (cert.pem, key.pem beside it) with different names, against a remote server.
func uploadsConfig(endpoint, token, caFile, project, prefix string, n int) string {
	return fmt.Sprintf(`
terraform {
  required_providers {
    ssl = {
      source = "sslkit/ssl"
    }
  }
}

provider "ssl" {
  endpoint           = %q
  token              = %q
  ca_certificate_pem = file(%q)
  max_retries        = 10
}

resource "ssl_certificate_upload" "c" {
  count           = %d
  name            = "%s-${count.index}"
  project         = %q
  certificate_pem = file("${path.module}/cert.pem")
  private_key_pem = file("${path.module}/key.pem")
}

output "ids" {
  value = ssl_certificate_upload.c[*].id
}
`, endpoint, token, caFile, n, prefix, project)
}

func leafFiles(t *testing.T, domain string) map[string]string {
	leaf := certstest.SelfSigned(t, certstest.LeafOptions{Alg: certstest.ECC, CommonName: domain})
	return map[string]string{"cert.pem": leaf.CertPEM, "key.pem": leaf.KeyPEM(t, certstest.PKCS8)}
}

func idsOf(list []wire.Certificate) []string {
	var ids []string
	for _, c := range list {
		ids = append(ids, c.ID)
	}
	slices.Sort(ids)
	return ids
}

// sameIDs fails the test unless the state's ids and the backend's (sorted) are the
// same, each once.
func sameIDs(t *testing.T, what string, state []string, backendIDs []string) {
	t.Helper()
	state = slices.Clone(state)
	slices.Sort(state)
	if len(slices.Compact(slices.Clone(state))) != len(state) {
		t.Fatalf("%s: the state names an id twice: %v", what, state)
	}
	if !slices.Equal(state, backendIDs) {
		t.Fatalf("%s: state ids (%d) and backend ids (%d) differ:\nstate:   %v\nbackend: %v", what, len(state), len(backendIDs), state, backendIDs)
	}
}

// postUpload sends one upload with a fixed Idempotency-Key and returns the record.
func postUpload(t *testing.T, addr, caFile, token, key string, in wire.UploadRequest) *wire.Certificate {
	t.Helper()
	hc, err := httpsClient(caFile)
	if err != nil {
		t.Fatal(err)
	}
	body, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, "https://"+addr+"/v1/certificates/uploads", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(wire.IdempotencyHeader, key)
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out wire.Certificate
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("upload: %s (%v)", resp.Status, err)
	}
	return &out
}

// countStored counts the certificates in a SQLite data dir no process serves.
func countStored(t *testing.T, dataDir string) int {
	t.Helper()
	b, err := backend.Open(context.Background(), backend.Settings{DataDir: dataDir})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	c, err := client.New(client.Config{Handler: b.Handler()})
	if err != nil {
		t.Fatal(err)
	}
	list, err := c.ListCertificates(context.Background(), wire.ListFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return len(list)
}

// TestE2EServerKilledDuringApply kills the server (SIGKILL) while terraform applies 40
// uploads and restarts it on the same port and data dir after 1 s; the client's
// retries carry each POST's Idempotency-Key, so the apply completes and the backend
// holds exactly the 40 records of the state — none lost, none twice.
func TestE2EServerKilledDuringApply(t *testing.T) {
	t.Parallel()
	tf := e2eTerraform(t)
	const n = 40
	dir := t.TempDir()
	dataDir := filepath.Join(dir, "data")
	tokensFile := filepath.Join(dir, "tokens")
	writeFile(t, tokensFile, e2eTokens)
	addr := freeAddr(t)

	// Kill once the first instance has answered 8 of the apply's uploads: the rest are in
	// flight or to come.
	var uploads atomic.Int32
	killNow := make(chan struct{})
	var once sync.Once
	first := startServe(t, serveOptions{addr: addr, dataDir: dataDir, tokensFile: tokensFile, onLog: func(line string) {
		if strings.Contains(line, `"method":"POST"`) && strings.Contains(line, `"path":"/v1/certificates/uploads"`) {
			if uploads.Add(1) == 9 { // the probe and 8 of the apply's
				once.Do(func() { close(killNow) })
			}
		}
	}})
	caFile := filepath.Join(dataDir, "server", "ca.pem")

	files := leafFiles(t, "fault.e2e.example.test")
	r := newTFRunner(t, tf, uploadsConfig("https://"+addr, adminToken, caFile, "default", "fault", n), files)

	// A probe outside the apply: the same Idempotency-Key sent again after the SIGKILL
	// and restart gets the first record back (the key was stored with the data).
	probeKey := "e2e-probe-" + hex.EncodeToString([]byte(t.Name()))[:16]
	probeReq := wire.UploadRequest{Name: "probe", Project: "probe", CertificatePEM: files["cert.pem"], PrivateKeyPEM: files["key.pem"]}
	probe := postUpload(t, addr, caFile, adminToken, probeKey, probeReq)
	type result struct {
		out []byte
		err error
	}
	// E2E_DEBUG=FILE writes the provider's debug log (its retries) to FILE and the
	// servers' access logs to the test output.
	if d := os.Getenv("E2E_DEBUG"); d != "" {
		r.env = append(r.env, "TF_LOG_PROVIDER=DEBUG", "TF_LOG_PATH="+d)
	}
	applied := make(chan result, 1)
	start := time.Now()
	go func() {
		out, err := r.apply()
		applied <- result{out, err}
	}()

	select {
	case <-killNow:
	case res := <-applied:
		t.Fatalf("the apply ended before the server was killed (%v):\n%s", res.err, res.out)
	case <-time.After(90 * time.Second):
		t.Fatalf("no upload reached the server in 90 s\nstderr:\n%s", first.stderr)
	}
	if err := first.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	first.wait(t, 10*time.Second)
	killedAt, killedAfter := time.Now(), uploads.Load()
	// What the killed process committed (a POST is logged after its commit, before its
	// answer is flushed: a logged POST may still never reach terraform).
	committed := countStored(t, dataDir)
	t.Logf("killed the server %s into the apply: %d uploads answered, %d committed",
		killedAt.Sub(start).Round(time.Millisecond), killedAfter-1, committed-1)
	time.Sleep(time.Second - time.Since(killedAt))

	var afterRestart atomic.Int32
	second := startServe(t, serveOptions{addr: addr, dataDir: dataDir, tokensFile: tokensFile, onLog: func(line string) {
		if strings.Contains(line, `"method":"POST"`) && strings.Contains(line, `"path":"/v1/certificates/uploads"`) {
			afterRestart.Add(1)
		}
	}})
	t.Logf("restarted after %s down", time.Since(killedAt).Round(time.Millisecond))

	var res result
	select {
	case res = <-applied:
	case <-time.After(120 * time.Second):
		t.Fatalf("the apply did not finish within 120 s of the restart")
	}
	if res.err != nil {
		t.Fatalf("terraform apply across the restart: %v\n%s", res.err, res.out)
	}
	// Every POST the servers answered beyond one per record (the probe is one more) is a
	// retry whose first attempt had been committed: answered from its stored key.
	replays := int(killedAfter) + int(afterRestart.Load()) - n - 1
	t.Logf("apply done in %s; %d uploads answered before the kill, %d after the restart (%d answered from a stored idempotency key)",
		time.Since(start).Round(time.Millisecond), killedAfter-1, afterRestart.Load(), replays)
	if os.Getenv("E2E_DEBUG") != "" {
		t.Logf("first:\n%s\nsecond:\n%s", first.stderr, second.stderr)
	}
	if afterRestart.Load() == 0 {
		t.Fatal("no upload of the apply reached the restarted server: the kill did not interrupt it")
	}

	admin := remoteClient(t, addr, caFile, adminToken)
	if again := postUpload(t, addr, caFile, adminToken, probeKey, probeReq); again.ID != probe.ID {
		t.Fatalf("the probe's key, sent again after the restart, made record %s; the first was %s", again.ID, probe.ID)
	}
	if err := admin.DeleteCertificate(context.Background(), probe.ID); err != nil {
		t.Fatal(err)
	}

	state := r.outputIDs(t)
	if len(state) != n {
		t.Fatalf("the state holds %d ids, want %d", len(state), n)
	}
	list, err := admin.ListCertificates(context.Background(), wire.ListFilter{})
	if err != nil {
		t.Fatal(err)
	}
	sameIDs(t, "after the restart", state, idsOf(list))
	names := map[string]int{}
	for _, c := range list {
		names[c.Name]++
	}
	for i := 0; i < n; i++ {
		if name := fmt.Sprintf("fault-%d", i); names[name] != 1 {
			t.Errorf("%s is in the backend %d times", name, names[name])
		}
	}

	// A second apply sees nothing to do: every record is readable through the new process.
	if out, err := r.run("plan", "-detailed-exitcode", "-input=false", "-no-color"); err != nil {
		t.Fatalf("plan after the apply is not empty (%v):\n%s", err, out)
	}
	if err := second.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := second.wait(t, 30*time.Second); code != 0 {
		t.Fatalf("restarted serve exited %d\nstderr:\n%s", code, second.stderr)
	}
}

// TestE2ETwoServersOnePostgres is two CI runners: two terraform working directories,
// each with its own scoped token and project, apply at once against two serve
// processes sharing one PostgreSQL database; the inventory is exactly what the two
// configurations say, and neither token reaches the other project's records.
func TestE2ETwoServersOnePostgres(t *testing.T) {
	t.Parallel()
	tf := e2eTerraform(t)
	dbURL := pgtest.NewDatabase(t)
	const n = 15
	dir := t.TempDir()
	tokensFile := filepath.Join(dir, "tokens")
	writeFile(t, tokensFile, e2eTokens)
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	env := []string{"SSL_MASTER_KEY=" + hex.EncodeToString(key)}

	// Both servers start at once: migrations run under the advisory lock.
	type server struct {
		proc   *serveProc
		addr   string
		caFile string
	}
	bin := providerBinary(t)
	servers := make([]server, 2)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i := range servers {
		dataDir := filepath.Join(dir, fmt.Sprintf("server%d", i))
		servers[i] = server{addr: freeAddr(t), caFile: filepath.Join(dataDir, "server", "ca.pem")}
		wg.Add(1)
		go func() {
			defer wg.Done()
			servers[i].proc, errs[i] = launchServe(t, bin, serveOptions{addr: servers[i].addr, dataDir: dataDir,
				tokensFile: tokensFile, databaseURL: dbURL, env: env})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("server %d: %v", i, err)
		}
	}

	runners := []struct {
		project, token string
		srv            server
	}{{"web", webToken, servers[0]}, {"api", apiToken, servers[1]}}
	tfs := make([]*tfRunner, len(runners))
	for i, rn := range runners {
		tfs[i] = newTFRunner(t, tf, uploadsConfig("https://"+rn.srv.addr, rn.token, rn.srv.caFile, rn.project, "runner-"+rn.project, n),
			leafFiles(t, rn.project+".e2e.example.test"))
	}
	outs := make([][]byte, len(tfs))
	errs = make([]error, len(tfs))
	start := time.Now()
	for i := range tfs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			outs[i], errs[i] = tfs[i].apply()
		}()
	}
	wg.Wait()
	for i := range tfs {
		if errs[i] != nil {
			t.Fatalf("runner %s: terraform apply: %v\n%s", runners[i].project, errs[i], outs[i])
		}
	}
	t.Logf("two concurrent applies done in %s", time.Since(start).Round(time.Millisecond))

	ctx := context.Background()
	stateIDs := map[string][]string{}
	var allState []string
	for i, rn := range runners {
		stateIDs[rn.project] = tfs[i].outputIDs(t)
		if len(stateIDs[rn.project]) != n {
			t.Fatalf("runner %s: %d ids in state, want %d", rn.project, len(stateIDs[rn.project]), n)
		}
		allState = append(allState, stateIDs[rn.project]...)
	}
	// The inventory, through either server, is exactly the two configurations.
	for i, s := range servers {
		list, err := remoteClient(t, s.addr, s.caFile, adminToken).ListCertificates(ctx, wire.ListFilter{})
		if err != nil {
			t.Fatal(err)
		}
		sameIDs(t, fmt.Sprintf("admin list through server %d", i), allState, idsOf(list))
		for _, c := range list {
			if !strings.HasPrefix(c.Name, "runner-"+c.Project+"-") {
				t.Fatalf("certificate %s: name %q in project %q", c.ID, c.Name, c.Project)
			}
		}
	}
	// Scopes hold across servers: each runner's token, on the other runner's server,
	// lists only its own project and gets 404 for the other's records.
	for i, rn := range runners {
		other := runners[1-i]
		srv := servers[1-i]
		c := remoteClient(t, srv.addr, srv.caFile, rn.token)
		list, err := c.ListCertificates(ctx, wire.ListFilter{})
		if err != nil {
			t.Fatal(err)
		}
		sameIDs(t, "list with the "+rn.project+" token", stateIDs[rn.project], idsOf(list))
		if list, err := c.ListCertificates(ctx, wire.ListFilter{Project: other.project}); err == nil && len(list) != 0 {
			t.Fatalf("the %s token listed %d certificates of project %s", rn.project, len(list), other.project)
		}
		for _, id := range stateIDs[other.project][:3] {
			if _, err := c.GetCertificate(ctx, id); !client.IsNotFound(err) {
				t.Fatalf("the %s token read %s of project %s: %v", rn.project, id, other.project, err)
			}
			if err := c.DeleteCertificate(ctx, id); !client.IsNotFound(err) {
				t.Fatalf("the %s token deleted %s of project %s: %v", rn.project, id, other.project, err)
			}
		}
		if got, err := c.GetCertificate(ctx, stateIDs[rn.project][0]); err != nil || got.PrivateKeyPEM == "" {
			t.Fatalf("the %s token reading its own record through the other server: %v", rn.project, err)
		}
	}
	// Both servers see the same data under one master key; both stop cleanly.
	for i, s := range servers {
		if err := s.proc.cmd.Process.Signal(syscall.SIGTERM); err != nil {
			t.Fatal(err)
		}
		if code := s.proc.wait(t, 30*time.Second); code != 0 {
			t.Fatalf("server %d exited %d\nstderr:\n%s", i, code, s.proc.stderr)
		}
	}
}
