// Package sqlcommon holds what the SQL stores (internal/store/sqlite and
// internal/store/postgres) share word for word: how stored JSON columns are
// encoded and decoded, the rules both apply to values before writing them, the
// SQL text that is the same in both dialects, and the loading of embedded
// schema migrations. What differs between the dialects (placeholders, column
// types, the driver's scanning) stays in each store. It imports neither store.
package sqlcommon

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sslkit/terraform-provider-ssl/internal/store"
)

// MarshalJSON encodes v without HTML escaping; empty when v is nil or empty.
func MarshalJSON(v any, empty string) (string, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return "", err
	}
	s := strings.TrimSpace(b.String())
	if s == "null" {
		return empty, nil
	}
	return s, nil
}

// NilIfEmpty maps an empty byte slice to nil, so that "no secret" is one value.
func NilIfEmpty(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return b
}

// CheckTime refuses times outside the years 0000-9999: the SQLite store keeps
// times as fixed-width text, and both stores accept the same values.
func CheckTime(t time.Time) error {
	if y := t.UTC().Year(); y < 0 || y > 9999 {
		return fmt.Errorf("time %s: year outside 0000-9999", t)
	}
	return nil
}

// UniqueIDs returns ids without repetitions, first occurrence kept.
func UniqueIDs(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

// NormalizeResources returns rs ordered by type, instance id and region (byte
// order), without duplicates: the form a hosting keeps and returns.
func NormalizeResources(rs []store.PlatformResource) []store.PlatformResource {
	out := slices.Clone(rs)
	slices.SortFunc(out, compareResources)
	return slices.Compact(out)
}

// compareResources orders resources by type, instance id, region.
func compareResources(a, b store.PlatformResource) int {
	return cmp.Or(strings.Compare(a.Type, b.Type), strings.Compare(a.InstanceID, b.InstanceID),
		strings.Compare(a.Region, b.Region))
}
