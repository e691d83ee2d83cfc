package certs

import "crypto/sha256"

// ResetLinkCache empties the process's cache of verified CA links (linkcache.go), for
// benchmarks of a first upload and for tests.
func ResetLinkCache() { verifiedLinks.reset() }

// LinkCacheLen returns how many verified links the process's cache holds.
func LinkCacheLen() int { return verifiedLinks.len() }

// LinkCached reports whether the cache holds the link "parent signed child", by the
// certificates' DER.
func LinkCached(child, parent []byte) bool {
	return verifiedLinks.has(linkKey{kind: linkIssued, child: sha256.Sum256(child), parent: sha256.Sum256(parent)})
}

// SelfSignatureCached reports whether the cache holds the self-signature of a
// certificate, by its DER.
func SelfSignatureCached(der []byte) bool {
	h := sha256.Sum256(der)
	return verifiedLinks.has(linkKey{kind: linkSelf, child: h, parent: h})
}
