package secrets

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// newSealer returns a Sealer under a fresh random key.
func newSealer(t *testing.T) *Sealer {
	t.Helper()
	key := make([]byte, KeySize)
	rand.Read(key)
	s, err := New(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestSealOpenRoundTrip(t *testing.T) {
	s := newSealer(t)
	for _, plaintext := range [][]byte{nil, {}, []byte("-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n"), bytes.Repeat([]byte{0}, 1<<16)} {
		aad := []byte("certificate/c-1/private_key")
		sealed, err := s.Seal(plaintext, aad)
		if err != nil {
			t.Fatal(err)
		}
		if len(plaintext) > 8 && bytes.Contains(sealed, plaintext[:8]) {
			t.Fatal("the sealed value contains the plaintext")
		}
		if sealed[0] != formatV1 {
			t.Fatalf("version byte %d", sealed[0])
		}
		got, err := s.Open(sealed, aad)
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		if !bytes.Equal(got, plaintext) {
			t.Fatalf("round trip: got %d bytes, want %d", len(got), len(plaintext))
		}
	}
}

func TestSealUsesFreshNonces(t *testing.T) {
	s := newSealer(t)
	a, _ := s.Seal([]byte("same"), []byte("aad"))
	b, _ := s.Seal([]byte("same"), []byte("aad"))
	if bytes.Equal(a, b) {
		t.Fatal("two seals of the same value are equal")
	}
}

func TestOpenFails(t *testing.T) {
	s := newSealer(t)
	aad := []byte("certificate/c-1/private_key")
	sealed, err := s.Seal([]byte("secret key material"), aad)
	if err != nil {
		t.Fatal(err)
	}
	flip := func(i int) []byte {
		b := bytes.Clone(sealed)
		b[i] ^= 0x01
		return b
	}
	cases := []struct {
		name   string
		s      *Sealer
		sealed []byte
		aad    []byte
	}{
		{"error/wrong aad (other record)", s, sealed, []byte("certificate/c-2/private_key")},
		{"error/wrong aad (other field)", s, sealed, []byte("certificate/c-1/encryption_key")},
		{"error/empty aad", s, sealed, nil},
		{"error/wrong key", newSealer(t), sealed, aad},
		{"error/tampered version", s, flip(0), aad},
		{"error/tampered nonce", s, flip(1), aad},
		{"error/tampered ciphertext", s, flip(1 + nonceSize), aad},
		{"error/tampered tag", s, flip(len(sealed) - 1), aad},
		{"error/truncated", s, sealed[:len(sealed)-1], aad},
		{"error/too short", s, sealed[:1+nonceSize], aad},
		{"error/empty", s, nil, aad},
		{"error/appended", s, append(bytes.Clone(sealed), 0), aad},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.s.Open(tc.sealed, tc.aad)
			if !errors.Is(err, ErrOpen) {
				t.Fatalf("got %q, %v; want ErrOpen", got, err)
			}
		})
	}
}

func TestNewRejectsWrongKeySize(t *testing.T) {
	for _, n := range []int{0, 16, 24, 31, 33} {
		if _, err := New(make([]byte, n)); err == nil {
			t.Errorf("New accepted a %d-byte key", n)
		}
	}
}

func TestFromMasterKey(t *testing.T) {
	key := make([]byte, KeySize)
	rand.Read(key)
	ref, _ := New(key)
	sealed, _ := ref.Seal([]byte("x"), nil)
	valid := map[string]string{
		"hex":                hex.EncodeToString(key),
		"upper hex":          strings.ToUpper(hex.EncodeToString(key)),
		"hex with newline":   hex.EncodeToString(key) + "\n",
		"base64":             base64.StdEncoding.EncodeToString(key),
		"base64 raw":         base64.RawStdEncoding.EncodeToString(key),
		"base64 url":         base64.URLEncoding.EncodeToString(key),
		"base64 url raw":     base64.RawURLEncoding.EncodeToString(key),
		"base64 with spaces": "  " + base64.StdEncoding.EncodeToString(key) + " \n",
	}
	for name, v := range valid {
		t.Run(name, func(t *testing.T) {
			s, err := FromMasterKey(v)
			if err != nil {
				t.Fatalf("FromMasterKey: %v", err)
			}
			if _, err := s.Open(sealed, nil); err != nil {
				t.Fatalf("decoded a different key: %v", err)
			}
		})
	}

	invalid := map[string]string{
		"error/empty":            "",
		"error/blank":            "   ",
		"error/short hex":        hex.EncodeToString(key[:16]),
		"error/long hex":         hex.EncodeToString(append(key, 1)),
		"error/63 hex":           hex.EncodeToString(key)[:63],
		"error/not hex":          "zz" + hex.EncodeToString(key)[2:],
		"error/short base64":     base64.StdEncoding.EncodeToString(key[:24]),
		"error/long base64":      base64.StdEncoding.EncodeToString(append(key, 1, 2, 3)),
		"error/passphrase":       "correct horse battery staple hunter2",
		"error/not base64 chars": strings.Repeat("!", 44),
	}
	for name, v := range invalid {
		t.Run(name, func(t *testing.T) {
			s, err := FromMasterKey(v)
			if err == nil {
				t.Fatalf("accepted %q", v)
			}
			if s != nil {
				t.Fatal("returned a Sealer with an error")
			}
			msg := err.Error()
			if trimmed := strings.TrimSpace(v); len(trimmed) >= 4 && strings.Contains(msg, trimmed) {
				t.Fatalf("the error echoes the value: %s", msg)
			}
			for _, part := range strings.Fields(v) {
				if len(part) >= 5 && strings.Contains(msg, part) {
					t.Fatalf("the error echoes part of the value: %s", msg)
				}
			}
			if !strings.Contains(msg, "openssl rand -hex 32") || !strings.Contains(msg, EnvVar) {
				t.Fatalf("the error does not say how to make a key: %s", msg)
			}
		})
	}
}

func TestLoadPrefersEnv(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	key := make([]byte, KeySize)
	rand.Read(key)
	s, err := Load(dir, hex.EncodeToString(key))
	if err != nil {
		t.Fatal(err)
	}
	ref, _ := New(key)
	sealed, _ := s.Seal([]byte("x"), nil)
	if _, err := ref.Open(sealed, nil); err != nil {
		t.Fatal("Load did not use the env key")
	}
	if _, err := os.Stat(filepath.Join(dir, KeyFileName)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a key file was created although the env key was given: %v", err)
	}
	if _, err := Load(dir, "nope"); err == nil || strings.Contains(err.Error(), "nope") {
		t.Fatalf("Load with a bad env key: %v", err)
	}
}

func TestLoadCreatesKeyFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new", "data")
	s1, err := Load(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, KeyFileName)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" {
		if perm := fi.Mode().Perm(); perm != 0o600 {
			t.Fatalf("key file mode %#o, want 0600", perm)
		}
		if di, err := os.Stat(dir); err != nil || di.Mode().Perm()&^0o700 != 0 {
			t.Fatalf("data dir mode %v (%v), want 0700", di.Mode().Perm(), err)
		}
	}
	b, _ := os.ReadFile(path)
	if k, err := hex.DecodeString(strings.TrimSpace(string(b))); err != nil || len(k) != KeySize {
		t.Fatalf("key file content is not 64 hex characters (%d bytes, %v)", len(b), err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("data dir holds %d entries, want only the key file (temporary file left?)", len(entries))
	}

	// Loading again gives the same key.
	s2, err := Load(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	sealed, _ := s1.Seal([]byte("x"), []byte("a"))
	if _, err := s2.Open(sealed, []byte("a")); err != nil {
		t.Fatal("a second Load gave another key")
	}
}

func TestLoadRefusesBadKeyFile(t *testing.T) {
	key := hex.EncodeToString(bytes.Repeat([]byte{7}, KeySize))
	cases := []struct {
		name    string
		content string
		mode    os.FileMode
		want    string
	}{
		{"error/group readable", key, 0o640, "chmod 600"},
		{"error/world readable", key, 0o644, "chmod 600"},
		{"error/world writable", key, 0o602, "chmod 600"},
		{"error/empty", "", 0o600, "not valid"},
		{"error/short", key[:32], 0o600, "not valid"},
		{"error/garbage", strings.Repeat("x", 64), 0o600, "not valid"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if runtime.GOOS == "windows" && tc.mode != 0o600 {
				t.Skip("no Unix permissions")
			}
			dir := t.TempDir()
			path := filepath.Join(dir, KeyFileName)
			if err := os.WriteFile(path, []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(path, tc.mode); err != nil {
				t.Fatal(err)
			}
			_, err := Load(dir, "")
			if err == nil {
				t.Fatal("Load accepted the key file")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %q does not say %q", err, tc.want)
			}
			if len(tc.content) >= 8 && strings.Contains(err.Error(), tc.content[:8]) {
				t.Fatalf("the error echoes the file content: %s", err)
			}
			if b, _ := os.ReadFile(path); string(b) != tc.content {
				t.Fatal("Load changed a refused key file")
			}
		})
	}
	t.Run("read-only 0400 is accepted", func(t *testing.T) {
		dir := t.TempDir()
		path := filepath.Join(dir, KeyFileName)
		os.WriteFile(path, []byte(key+"\n"), 0o400)
		if _, err := Load(dir, ""); err != nil {
			t.Fatal(err)
		}
	})
}

// Race tests: several goroutines and processes load the same fresh data dir.

const (
	helperDirEnv   = "SSL_SECRETS_TEST_DIR"
	helperStartEnv = "SSL_SECRETS_TEST_START"
)

// probe is sealed by every racer; all must open each other's seals.
var probe = []byte("same key everywhere")

// TestHelperProcess is not a test: it is the body of the helper processes. It
// prints a probe sealed under the key it loaded.
func TestHelperProcess(t *testing.T) {
	dir := os.Getenv(helperDirEnv)
	if dir == "" {
		t.Skip("helper process only")
	}
	var start int64
	fmt.Sscan(os.Getenv(helperStartEnv), &start)
	time.Sleep(time.Until(time.Unix(0, start)))
	s, err := Load(dir, "")
	if err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(2)
	}
	sealed, err := s.Seal(probe, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, "seal:", err)
		os.Exit(3)
	}
	fmt.Println(hex.EncodeToString(sealed))
	os.Exit(0)
}

func TestLoadRaceAgreesOnOneKey(t *testing.T) {
	const goroutines, procs = 16, 4
	dir := filepath.Join(t.TempDir(), "fresh")
	start := time.Now().Add(400 * time.Millisecond)

	var cmds []*exec.Cmd
	var outs []*bytes.Buffer
	if !testing.Short() {
		for range procs {
			cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
			cmd.Env = append(os.Environ(), helperDirEnv+"="+dir, fmt.Sprintf("%s=%d", helperStartEnv, start.UnixNano()))
			out := &bytes.Buffer{}
			cmd.Stdout = out
			cmd.Stderr = os.Stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			cmds, outs = append(cmds, cmd), append(outs, out)
		}
	}

	sealers := make([]*Sealer, goroutines)
	errs := make([]error, goroutines)
	var wg sync.WaitGroup
	for i := range goroutines {
		wg.Go(func() {
			time.Sleep(time.Until(start))
			sealers[i], errs[i] = Load(dir, "")
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("goroutine %d: %v", i, err)
		}
	}

	var sealed [][]byte
	for _, s := range sealers {
		b, err := s.Seal(probe, nil)
		if err != nil {
			t.Fatal(err)
		}
		sealed = append(sealed, b)
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("helper %d: %v", i, err)
		}
		b, err := hex.DecodeString(strings.TrimSpace(outs[i].String()))
		if err != nil {
			t.Fatalf("helper %d printed %q", i, outs[i])
		}
		sealed = append(sealed, b)
	}

	final, err := Load(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	for i, b := range sealed {
		if got, err := final.Open(b, nil); err != nil || !bytes.Equal(got, probe) {
			t.Fatalf("racer %d used another key than the key file holds: %v", i, err)
		}
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Fatalf("data dir holds %v, want only %s", names, KeyFileName)
	}
}
