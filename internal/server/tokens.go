// Package server runs the backend as a shared HTTPS server for a team (the serve
// command): bearer-token authentication with project scopes, TLS, timeouts on every
// phase, health and readiness, access logs without secrets, graceful shutdown, and
// the alarm evaluator and sender every minute.
package server

import (
	"bufio"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"os"
	"strings"

	"github.com/sslkit/terraform-provider-ssl/internal/api"
)

// MinTokenLength is the shortest token the server accepts (DESIGN.md).
const MinTokenLength = 16

// Token is one bearer token and what it may reach.
type Token struct {
	digest [32]byte
	// ID names the token in logs: the first hex digits of its SHA-256, never the token.
	ID    string
	Scope api.Scope
}

// ParseTokens reads a tokens file: one token per line, "TOKEN admin" or
// "TOKEN projects=web,api"; blank lines and lines starting with # are skipped.
func ParseTokens(text string) ([]Token, error) {
	var out []Token
	sc := bufio.NewScanner(strings.NewReader(text))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		if len(fields) != 2 {
			return nil, fmt.Errorf("tokens file line %d: want \"TOKEN admin\" or \"TOKEN projects=a,b\"", n)
		}
		if len(fields[0]) < MinTokenLength {
			return nil, fmt.Errorf("tokens file line %d: the token is shorter than %d characters; make one with `openssl rand -hex 24`", n, MinTokenLength)
		}
		t := Token{digest: sha256.Sum256([]byte(fields[0]))}
		t.ID = hex.EncodeToString(t.digest[:4])
		switch {
		case fields[1] == "admin":
			t.Scope.Admin = true
		case strings.HasPrefix(fields[1], "projects="):
			for _, p := range strings.Split(strings.TrimPrefix(fields[1], "projects="), ",") {
				if p = strings.TrimSpace(p); p != "" {
					t.Scope.Projects = append(t.Scope.Projects, p)
				}
			}
			if len(t.Scope.Projects) == 0 {
				return nil, fmt.Errorf("tokens file line %d: projects= names no project", n)
			}
		default:
			return nil, fmt.Errorf("tokens file line %d: the scope must be \"admin\" or \"projects=a,b\"", n)
		}
		out = append(out, t)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("the tokens file holds no token: no one could use the server")
	}
	return out, sc.Err()
}

// LoadTokens reads and parses a tokens file.
func LoadTokens(path string) ([]Token, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the tokens file: %w", err)
	}
	return ParseTokens(string(b))
}

// match finds the token a presented secret is, comparing digests in constant time
// against every token (so neither the match nor its position leaks through timing).
func match(tokens []Token, presented string) (Token, bool) {
	d := sha256.Sum256([]byte(presented))
	var found Token
	ok := 0
	for _, t := range tokens {
		if subtle.ConstantTimeCompare(d[:], t.digest[:]) == 1 {
			found, ok = t, 1
		}
	}
	return found, ok == 1
}
