package storetest

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sslkit/terraform-provider-ssl/internal/store"
)

// ScaleFixture is the data of each store's FindAlarmCandidates scale test: N
// certificates whose not_after spread evenly over [Now-400d, Now+800d) across
// 20 projects, every 13th ignoring notifications, and a few policies (project
// wide, explicit, disabled). Each store inserts the certificates in bulk its own
// way, then compares FindAlarmCandidates(Now) with Want and checks the query plan.
type ScaleFixture struct {
	Now      time.Time
	N        int
	Policies []*store.AlarmPolicy
}

// NewScaleFixture returns the fixture for n certificates.
func NewScaleFixture(n int) *ScaleFixture {
	f := &ScaleFixture{Now: base, N: n}
	policy := func(id, project string, days int, enabled bool, ids ...string) *store.AlarmPolicy {
		return &store.AlarmPolicy{
			ID: id, Name: id, Project: project, CertificateIDs: ids, DaysBeforeExpiry: days,
			RepeatInterval: "24h", Channels: []string{"EMAIL"}, Enabled: enabled,
			Recipients: []store.Recipient{{Name: "ops", Email: "ops@example.com"}},
			CreatedAt:  base, UpdatedAt: base,
		}
	}
	// Explicit ids: every 97th certificate, so some fall inside the window and
	// most outside, from several projects.
	var explicit []string
	for i := 0; i < n; i += 97 {
		explicit = append(explicit, f.ID(i))
	}
	f.Policies = []*store.AlarmPolicy{
		policy("p-30", "proj-01", 30, true),
		policy("p-90", "proj-02", 90, true),
		policy("p-7", "proj-03", 7, true),
		policy("p-explicit", "proj-04", 60, true, explicit...),
		policy("p-disabled", "proj-05", 365, false),
		policy("p-empty", "proj-nobody", 120, true),
	}
	return f
}

// ID returns the id of certificate i.
func (f *ScaleFixture) ID(i int) string { return fmt.Sprintf("scale-%07d", i) }

// Certificate returns certificate i (0 <= i < N), with the fields the
// candidates query reads set and the others small.
func (f *ScaleFixture) Certificate(i int) *store.Certificate {
	span := 1200 * 24 * time.Hour
	notAfter := f.Now.Add(-400*24*time.Hour + time.Duration(int64(span)/int64(f.N)*int64(i)))
	return &store.Certificate{
		ID:                  f.ID(i),
		Project:             fmt.Sprintf("proj-%02d", i%20),
		Name:                f.ID(i),
		Source:              "uploaded",
		Standard:            "international",
		Status:              "issued",
		Tags:                map[string]string{},
		IgnoreNotifications: i%13 == 0,
		Version:             1,
		Domain:              f.ID(i) + ".example.com",
		NotBefore:           notAfter.Add(-365 * 24 * time.Hour),
		NotAfter:            notAfter,
		KeyAlgorithm:        "ECC",
		KeySize:             256,
		Spec:                "{}",
		CreatedAt:           base,
		UpdatedAt:           base,
	}
}

// Want returns the expected candidates as "policy/certificate", in the order
// FindAlarmCandidates returns them, computed by brute force.
func (f *ScaleFixture) Want() []string {
	policies := slices.SortedFunc(slices.Values(f.Policies), func(a, b *store.AlarmPolicy) int {
		return strings.Compare(a.ID, b.ID)
	})
	per := make([][]string, len(policies))
	explicit := make([]map[string]bool, len(policies))
	for j, p := range policies {
		explicit[j] = map[string]bool{}
		for _, id := range p.CertificateIDs {
			explicit[j][id] = true
		}
	}
	for i := range f.N { // ids are zero-padded: index order is id order
		c := f.Certificate(i)
		if c.IgnoreNotifications || c.NotAfter.Before(f.Now) {
			continue
		}
		for j, p := range policies {
			if !p.Enabled || c.NotAfter.After(f.Now.Add(time.Duration(p.DaysBeforeExpiry)*24*time.Hour)) {
				continue
			}
			if len(explicit[j]) > 0 && !explicit[j][c.ID] || len(explicit[j]) == 0 && c.Project != p.Project {
				continue
			}
			per[j] = append(per[j], p.ID+"/"+c.ID)
		}
	}
	return slices.Concat(per...)
}

// Got renders candidates as Want does.
func Got(cs []*store.AlarmCandidate) []string {
	out := make([]string, 0, len(cs))
	for _, c := range cs {
		out = append(out, c.PolicyID+"/"+c.CertificateID)
	}
	return out
}
