package certs

import (
	"crypto/sha256"
	"sync"

	"github.com/emmansun/gmsm/smx509"
)

// Verified links between CA certificates, so that the link an intermediate and its
// root share with every upload of their customers (and the root's self-signature) is
// verified once per process rather than once per upload.
//
// An entry says "this exact child certificate verifies under this exact issuer": it is
// keyed on the SHA-256 of both certificates' full DER, so it can only ever answer for
// those two certificates byte for byte — a forged certificate that reuses their names,
// or one with a single byte changed, has another key and is verified afresh. Every
// input of the check (the child's TBS and signature, the issuer's key, basic
// constraints and key usage) is part of those DERs, so a cached success is exactly the
// answer a new verification would give. Only successes are kept.
//
// Only links whose child is itself a CA certificate are kept: those are the ones many
// uploads share. The leaf's own signature is verified on every check, so the cost of
// validating a new upload is what the cache cannot remove — see bench_test.go.

// linkKind tells the two checks apart: a certificate issued by another, and a
// certificate's self-signature (which, unlike an issued link, does not require the
// certificate to be a CA).
type linkKind byte

const (
	linkIssued linkKind = iota + 1
	linkSelf
)

// linkKey identifies one verified link.
type linkKey struct {
	kind          linkKind
	child, parent [sha256.Size]byte
}

// linkCacheSize bounds the cache: each generation holds at most half of it, so the
// cache never holds more than linkCacheSize entries (about 70 bytes each, plus the
// map's overhead). Real deployments see a few dozen CA certificates.
const linkCacheSize = 4096

// linkCache is a bounded, concurrency-safe set of verified links. It keeps two
// generations: when the current one is full it becomes the previous one and the
// older entries are dropped; a hit in the previous generation is carried into the
// current one, so links in use survive.
type linkCache struct {
	mu        sync.Mutex
	max       int // entries per generation
	cur, prev map[linkKey]struct{}
}

// newLinkCache returns a cache that holds at most size entries.
func newLinkCache(size int) *linkCache {
	half := max(size/2, 1)
	return &linkCache{max: half, cur: map[linkKey]struct{}{}}
}

// verifiedLinks is the process's cache, shared by every check.
var verifiedLinks = newLinkCache(linkCacheSize)

// has reports whether k was verified.
func (lc *linkCache) has(k linkKey) bool {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	if _, ok := lc.cur[k]; ok {
		return true
	}
	if _, ok := lc.prev[k]; ok {
		lc.addLocked(k)
		return true
	}
	return false
}

// add records that k verified.
func (lc *linkCache) add(k linkKey) {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	lc.addLocked(k)
}

func (lc *linkCache) addLocked(k linkKey) {
	if len(lc.cur) >= lc.max {
		lc.prev, lc.cur = lc.cur, map[linkKey]struct{}{}
	}
	lc.cur[k] = struct{}{}
}

// len returns how many entries the cache holds.
func (lc *linkCache) len() int {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	n := len(lc.cur)
	for k := range lc.prev {
		if _, ok := lc.cur[k]; !ok {
			n++
		}
	}
	return n
}

// reset empties the cache.
func (lc *linkCache) reset() {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	lc.cur, lc.prev = map[linkKey]struct{}{}, nil
}

// linkVerifier verifies the links among the certificates of one field, through the
// process's cache for links whose child is a CA certificate.
type linkVerifier struct {
	certs  []*smx509.Certificate
	hashes [][sha256.Size]byte // SHA-256 of each certificate's DER, computed on first use
	hashed []bool
}

func newLinkVerifier(certs []*smx509.Certificate) *linkVerifier {
	return &linkVerifier{certs: certs, hashes: make([][sha256.Size]byte, len(certs)), hashed: make([]bool, len(certs))}
}

// hash returns the SHA-256 of certificate i's DER.
func (lv *linkVerifier) hash(i int) [sha256.Size]byte {
	if !lv.hashed[i] {
		lv.hashes[i], lv.hashed[i] = sha256.Sum256(lv.certs[i].Raw), true
	}
	return lv.hashes[i]
}

// cacheable reports whether a link whose child is certificate i may be cached.
func (lv *linkVerifier) cacheable(i int) bool {
	c := lv.certs[i]
	return c.BasicConstraintsValid && c.IsCA
}

// selfSigned reports whether certificate i is self-signed (see isSelfSigned).
func (lv *linkVerifier) selfSigned(i int) bool {
	c := lv.certs[i]
	if !lv.cacheable(i) || !isSelfIssued(c) {
		return isSelfSigned(c)
	}
	k := linkKey{kind: linkSelf, child: lv.hash(i), parent: lv.hash(i)}
	if verifiedLinks.has(k) {
		return true
	}
	ok := isSelfSigned(c)
	if ok {
		verifiedLinks.add(k)
	}
	return ok
}

// signedBy verifies that certificate parent signed certificate child (see
// checkSignatureFrom).
func (lv *linkVerifier) signedBy(child, parent int) error {
	if !lv.cacheable(child) {
		return checkSignatureFrom(lv.certs[child], lv.certs[parent])
	}
	k := linkKey{kind: linkIssued, child: lv.hash(child), parent: lv.hash(parent)}
	if verifiedLinks.has(k) {
		return nil
	}
	err := checkSignatureFrom(lv.certs[child], lv.certs[parent])
	if err == nil {
		verifiedLinks.add(k)
	}
	return err
}
