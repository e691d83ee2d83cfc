package service

import (
	"reflect"
	"testing"
)

func TestDomainCandidates(t *testing.T) {
	tests := []struct {
		name, in string
		want     []string
	}{
		{"ok/host is covered by the wildcard one level up", "www.example.com", []string{"www.example.com", "*.example.com"}},
		{"ok/case and trailing dot folded", "WWW.Example.COM.", []string{"www.example.com", "*.example.com"}},
		{"ok/apex has no wildcard parent", "example.com", []string{"example.com"}},
		{"ok/a wildcard matches itself only", "*.example.com", []string{"*.example.com"}},
		{"ok/deep names only one level up", "a.b.example.com", []string{"a.b.example.com", "*.b.example.com"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := DomainCandidates(tc.in); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("DomainCandidates(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
