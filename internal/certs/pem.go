package certs

import (
	"encoding/base64"
	"encoding/pem"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// normalizePEM turns CRLF and CR line endings into LF and trims the white space
// around every line, so that indented heredocs and Windows files decode. Base64
// bodies hold no spaces, so nothing of value is lost.
func normalizePEM(s string) string {
	if !needsNormalizing(s) {
		return strings.TrimSpace(s) // what normalizeLines would give, without copying
	}
	return normalizeLines(s)
}

// normalizeLines is normalizePEM line by line.
func normalizeLines(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSpace(l)
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}

// needsNormalizing reports whether s has a CR or a line with white space around it.
func needsNormalizing(s string) bool {
	if strings.IndexByte(s, '\r') >= 0 {
		return true
	}
	for l := range strings.SplitSeq(s, "\n") {
		if len(strings.TrimSpace(l)) != len(l) {
			return true
		}
	}
	return false
}

// blank reports whether a field holds nothing but white space, that is whether
// normalizePEM(s) == "", without building the normalised text.
func blank(s string) bool {
	return strings.TrimSpace(s) == ""
}

// decodedPEM is what decodePEM found in a text.
type decodedPEM struct {
	blocks []*pem.Block
	// undecodable counts "-----BEGIN" lines that did not give a block: a missing
	// END line or damaged base64. encoding/pem skips such blocks silently.
	undecodable int
}

// decodePEM decodes every PEM block of an already normalised text; text between
// blocks is ignored.
func decodePEM(s string) decodedPEM {
	var d decodedPEM
	rest := []byte(s)
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		d.blocks = append(d.blocks, b)
	}
	begins := 0
	for l := range strings.SplitSeq(s, "\n") {
		if strings.HasPrefix(l, "-----BEGIN ") {
			begins++
		}
	}
	if begins > len(d.blocks) {
		d.undecodable = begins - len(d.blocks)
	}
	return d
}

// notPEMKind describes text that holds no PEM block, for the message that says
// what was found instead.
type notPEMKind int

const (
	notPEMText notPEMKind = iota
	notPEMDER
	notPEMBase64
)

// classifyNotPEM tells DER bytes and bare base64 from other text, for messages
// that say what was found without repeating any of it.
func classifyNotPEM(raw string) notPEMKind {
	if looksBinary(raw) {
		return notPEMDER
	}
	compact := strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, raw)
	if len(compact) >= 64 {
		if der, err := base64.StdEncoding.DecodeString(compact); err == nil && len(der) > 0 && der[0] == 0x30 {
			return notPEMBase64
		}
	}
	return notPEMText
}

// looksBinary reports whether s is binary data (DER) rather than text.
func looksBinary(s string) bool {
	if !utf8.ValidString(s) {
		return true
	}
	for _, r := range s {
		if r == 0 || (r < 0x20 && r != '\n' && r != '\r' && r != '\t') {
			return true
		}
	}
	return false
}

// isEncryptedPEM reports a legacy OpenSSL encrypted PEM block ("Proc-Type:
// 4,ENCRYPTED" with a DEK-Info header) or a PKCS#8 "ENCRYPTED PRIVATE KEY".
func isEncryptedPEM(b *pem.Block) bool {
	if b.Type == "ENCRYPTED PRIVATE KEY" {
		return true
	}
	if strings.Contains(strings.ToUpper(b.Headers["Proc-Type"]), "ENCRYPTED") {
		return true
	}
	_, ok := b.Headers["DEK-Info"]
	return ok
}

// isPrivateKeyType reports PEM types that carry a private key.
func isPrivateKeyType(t string) bool {
	return strings.HasSuffix(t, "PRIVATE KEY")
}

// appendPEM appends DER encoded as a PEM block without headers to dst, exactly as
// pem.EncodeToMemory writes it (64 base64 characters a line, LF endings), in one
// allocation at most.
func appendPEM(dst []byte, typ string, der []byte) []byte {
	const lineBytes = 48 // 64 base64 characters
	n := base64.StdEncoding.EncodedLen(len(der))
	dst = slices.Grow(dst, 2*len(typ)+len("-----BEGIN -----\n-----END -----\n")+n+(n+63)/64)
	dst = append(dst, "-----BEGIN "...)
	dst = append(dst, typ...)
	dst = append(dst, "-----\n"...)
	for len(der) > 0 {
		k := min(lineBytes, len(der))
		dst = base64.StdEncoding.AppendEncode(dst, der[:k])
		dst = append(dst, '\n')
		der = der[k:]
	}
	dst = append(dst, "-----END "...)
	dst = append(dst, typ...)
	return append(dst, "-----\n"...)
}
