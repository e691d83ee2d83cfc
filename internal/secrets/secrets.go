// Package secrets encrypts private keys at rest with AES-256-GCM under a master
// key taken from SSL_MASTER_KEY or from a key file (mode 0600) in the data directory.
package secrets

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
)

// KeySize is the length of a master key in bytes (AES-256).
const KeySize = 32

// KeyFileName is the name of the key file in the data directory.
const KeyFileName = "master.key"

// EnvVar is the environment variable that holds the master key.
const EnvVar = "SSL_MASTER_KEY"

// formatV1 is the first byte of a sealed value: AES-256-GCM, 12-byte nonce.
const formatV1 byte = 1

// nonceSize is the GCM nonce length.
const nonceSize = 12

// ErrOpen is returned when a sealed value cannot be opened: wrong key, wrong
// associated data, or tampered bytes.
var ErrOpen = errors.New("secrets: cannot decrypt: wrong master key, value moved to another record, or corrupted")

// howTo tells the user how to make a master key.
const howTo = "generate one with `openssl rand -hex 32`"

// Sealer seals and opens secrets under one master key. It is safe for concurrent use.
type Sealer struct {
	aead cipher.AEAD
}

// New returns a Sealer for a 32-byte key.
func New(key []byte) (*Sealer, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("secrets: master key must be %d bytes, got %d", KeySize, len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("secrets: %w", err)
	}
	aead, err := cipher.NewGCMWithNonceSize(block, nonceSize)
	if err != nil {
		return nil, fmt.Errorf("secrets: %w", err)
	}
	return &Sealer{aead: aead}, nil
}

// Seal encrypts plaintext bound to aad (e.g. record id and field name); the
// result is a version byte, a random nonce and the ciphertext with its tag.
func (s *Sealer) Seal(plaintext, aad []byte) ([]byte, error) {
	out := make([]byte, 1+nonceSize, 1+nonceSize+len(plaintext)+s.aead.Overhead())
	out[0] = formatV1
	if _, err := rand.Read(out[1:]); err != nil {
		return nil, fmt.Errorf("secrets: nonce: %w", err)
	}
	return s.aead.Seal(out, out[1:1+nonceSize], plaintext, additionalData(formatV1, aad)), nil
}

// Open decrypts a value made by Seal with the same aad; ErrOpen when the key
// or aad differ or the value was altered.
func (s *Sealer) Open(sealed, aad []byte) ([]byte, error) {
	if len(sealed) < 1+nonceSize+s.aead.Overhead() {
		return nil, fmt.Errorf("%w (value too short)", ErrOpen)
	}
	if sealed[0] != formatV1 {
		return nil, fmt.Errorf("%w (unknown format %d)", ErrOpen, sealed[0])
	}
	plaintext, err := s.aead.Open(nil, sealed[1:1+nonceSize], sealed[1+nonceSize:], additionalData(sealed[0], aad))
	if err != nil {
		return nil, ErrOpen
	}
	return plaintext, nil
}

// additionalData binds the format byte to the caller's aad.
func additionalData(version byte, aad []byte) []byte {
	return append([]byte{version}, aad...)
}

// FromMasterKey returns a Sealer for a master key given as 64 hex characters or
// standard or URL-safe base64 of 32 bytes, as SSL_MASTER_KEY holds it. Errors
// never repeat the value.
func FromMasterKey(value string) (*Sealer, error) {
	if strings.TrimSpace(value) == "" {
		return nil, fmt.Errorf("secrets: %s is empty: set it to a 32-byte key; %s", EnvVar, howTo)
	}
	key, err := decodeKey(value)
	if err != nil {
		return nil, fmt.Errorf("secrets: %s is not valid: %w; %s", EnvVar, err, howTo)
	}
	return New(key)
}

// decodeKey decodes a 32-byte key from hex or base64 text. Its errors describe
// the value only by its length.
func decodeKey(value string) ([]byte, error) {
	v := strings.TrimSpace(value)
	if len(v) == 2*KeySize {
		if key, err := hex.DecodeString(v); err == nil {
			return key, nil
		}
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		if key, err := enc.DecodeString(v); err == nil && len(key) == KeySize {
			return key, nil
		}
	}
	return nil, fmt.Errorf("it must be %d bytes written as %d hex characters or as base64 (the value given has %d characters)",
		KeySize, 2*KeySize, len(v))
}

// Load returns the Sealer of a data directory. A non-empty masterKeyEnv (the
// value of SSL_MASTER_KEY) is the key; otherwise the key is read from
// dataDir/master.key, which is created (mode 0600, race-safe) when missing.
func Load(dataDir string, masterKeyEnv string) (*Sealer, error) {
	if masterKeyEnv != "" {
		return FromMasterKey(masterKeyEnv)
	}
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return nil, fmt.Errorf("secrets: create data directory: %w", err)
	}
	path := filepath.Join(dataDir, KeyFileName)
	key, err := readKeyFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		key, err = createKeyFile(dataDir, path)
	}
	if err != nil {
		return nil, err
	}
	return New(key)
}

// readKeyFile reads and checks a key file.
func readKeyFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		return nil, fmt.Errorf("secrets: read key file: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("secrets: read key file: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("secrets: key file %s is not a regular file", path)
	}
	// Windows has no Unix permission bits to check.
	if perm := fi.Mode().Perm(); runtime.GOOS != "windows" && perm&^0o600 != 0 {
		return nil, fmt.Errorf("secrets: key file %s has mode %#o, which lets others read it; "+
			"run `chmod 600 %s` (and consider replacing the key: re-encryption is not automatic)", path, perm, path)
	}
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(f); err != nil {
		return nil, fmt.Errorf("secrets: read key file: %w", err)
	}
	key, err := decodeKey(buf.String())
	if err != nil {
		return nil, fmt.Errorf("secrets: key file %s is not valid: %w; restore the original file "+
			"(a new key cannot decrypt the keys already stored)", path, err)
	}
	return key, nil
}

// createKeyFile writes a new random key to a private temporary file and links it
// into place. When another process links first, its key is used instead.
func createKeyFile(dir, path string) ([]byte, error) {
	key := make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, fmt.Errorf("secrets: generate master key: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".master.key-*") // mode 0600
	if err != nil {
		return nil, fmt.Errorf("secrets: create key file: %w", err)
	}
	tmpName := tmp.Name()
	defer os.Remove(tmpName)
	_, err = tmp.WriteString(hex.EncodeToString(key) + "\n")
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, fmt.Errorf("secrets: write key file: %w", err)
	}
	// Link fails if the name exists, so the key file appears whole, once.
	if err := os.Link(tmpName, path); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return readKeyFile(path)
		}
		return nil, fmt.Errorf("secrets: create key file: %w", err)
	}
	syncDir(dir)
	return key, nil
}

// syncDir makes a new directory entry durable, where the platform allows it.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}
