package certs

import (
	"crypto/sha256"
	"fmt"
	"sync"
	"testing"
)

func testLinkKey(i int) linkKey {
	return linkKey{kind: linkIssued, child: sha256.Sum256(fmt.Appendf(nil, "child %d", i)), parent: sha256.Sum256(fmt.Appendf(nil, "parent %d", i))}
}

func TestLinkCacheBounded(t *testing.T) {
	t.Parallel()
	lc := newLinkCache(8)
	inUse := testLinkKey(-1)
	lc.add(inUse)
	for i := range 1000 {
		lc.add(testLinkKey(i))
		if !lc.has(inUse) {
			t.Fatalf("after %d additions a link in use was dropped", i+1)
		}
		if n := lc.len(); n > 8 {
			t.Fatalf("after %d additions the cache holds %d entries, more than its bound 8", i+1, n)
		}
	}
	if lc.has(testLinkKey(0)) {
		t.Error("an old link not used since was kept beyond the bound")
	}
	if !lc.has(testLinkKey(999)) {
		t.Error("the newest link was dropped")
	}
	// The kinds are told apart: a self-signature is not an issued link.
	self := testLinkKey(999)
	self.kind = linkSelf
	if lc.has(self) {
		t.Error("a self-signature was answered by an issued link with the same hashes")
	}
	lc.reset()
	if lc.len() != 0 || lc.has(inUse) {
		t.Error("reset left entries")
	}
}

func TestLinkCacheConcurrent(t *testing.T) {
	t.Parallel()
	lc := newLinkCache(64)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 500 {
				k := testLinkKey(g*1000 + i%100)
				if !lc.has(k) {
					lc.add(k)
				}
				_ = lc.len()
			}
		})
	}
	wg.Wait()
	if n := lc.len(); n > 64 {
		t.Fatalf("the cache holds %d entries, more than its bound 64", n)
	}
}
