package certs

import (
	"encoding/pem"
	"strings"
	"testing"
)

func TestAppendPEMMatchesEncoding(t *testing.T) {
	t.Parallel()
	for n := range 300 {
		der := make([]byte, n)
		for i := range der {
			der[i] = byte(i*7 + n)
		}
		want := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
		if got := string(appendPEM(nil, "CERTIFICATE", der)); got != want {
			t.Fatalf("%d bytes: appendPEM gave\n%s\nencoding/pem gives\n%s", n, got, want)
		}
		if got := string(appendPEM([]byte("x"), "CERTIFICATE", der)); got != "x"+want {
			t.Fatalf("%d bytes: appendPEM did not append", n)
		}
	}
}

func TestNormalizePEMFastPath(t *testing.T) {
	t.Parallel()
	block := "-----BEGIN CERTIFICATE-----\nMIIB\nAAAA\n-----END CERTIFICATE-----"
	for _, s := range []string{
		"", " ", "\n", "\r\n", " \t\r\n\u00a0", "\xff", " \xff ",
		block, block + "\n", "\n\n" + block + "\n\n", block + "\n" + block,
		strings.ReplaceAll(block, "\n", "\r\n"), strings.ReplaceAll(block, "\n", "\r"),
		strings.ReplaceAll(block, "\n", "\n    "), strings.ReplaceAll(block, "\n", " \n"),
		"  " + block, block + "\t", strings.ReplaceAll(block, "\n", "\n\u00a0"),
	} {
		if got, want := normalizePEM(s), normalizeLines(s); got != want {
			t.Errorf("normalizePEM(%q) = %q, want %q", s, got, want)
		}
		if got, want := blank(s), normalizeLines(s) == ""; got != want {
			t.Errorf("blank(%q) = %v, want %v", s, got, want)
		}
	}
}
