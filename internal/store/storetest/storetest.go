// Package storetest is the one conformance suite for store.Store
// implementations: sqlite runs it on a temporary file, postgres on a fresh
// database. ca.go holds the tests of the CA hierarchies and serial numbers,
// hosting.go those of hostings and deployments, alarms.go those of alarm
// policies, candidates and the notification outbox; scale.go is the data of each
// store's own FindAlarmCandidates scale test.
//
// Times in the suite have microsecond precision (PostgreSQL keeps no more) and a
// non-UTC location; they must come back Equal, not necessarily in the same location.
package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/sslkit/terraform-provider-ssl/internal/store"
)

// Run runs every conformance test. open must return a fresh, empty store for
// each call and arrange its Close with t.Cleanup.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"certificate/round trip", testCertificateRoundTrip},
		{"certificate/empty optional fields", testCertificateEmptyFields},
		{"certificate/error/duplicate id", testCertificateDuplicate},
		{"certificate/error/missing id", testCertificateMissing},
		{"certificate/update overwrites every field", testCertificateUpdate},
		{"certificate/update rewrites domains", testCertificateUpdateDomains},
		{"certificate/delete removes versions and domains", testCertificateDelete},
		{"version/round trip and order", testVersions},
		{"version/error/duplicate and missing certificate", testVersionErrors},
		{"idempotency/round trip", testIdempotency},
		{"idempotency/error/duplicate and missing key", testIdempotencyErrors},
		{"update/sees its own writes", testUpdateSeesOwnWrites},
		{"update/rolls back on error", testUpdateRollback},
		{"update/rolls back on panic", testUpdatePanic},
		{"update/canceled context", testUpdateCanceled},
		{"list/filters", testListFilters},
		{"list/never returns secrets", testListNoSecrets},
		{"list/inside a transaction", testListInTx},
		{"concurrent/writers read-check-write", testConcurrentWriters},
		{"authority/round trip", testAuthorityRoundTrip},
		{"authority/error/duplicate and missing id", testAuthorityErrors},
		{"authority/update writes the CRL number only", testAuthorityUpdate},
		{"authority/list ordered by id", testAuthorityListOrder},
		{"serial/round trip", testSerialRoundTrip},
		{"serial/error/duplicate and missing serial", testSerialErrors},
		{"serial/revoke by certificate counts and keeps the first revocation", testSerialRevokeByCertificate},
		{"serial/list revoked ordered and per CA", testSerialListRevoked},
		{"serial/survives certificate delete", testSerialSurvivesCertificateDelete},
		{"ca/transaction sees its writes and rolls back", testCAInTransaction},
		{"hosting/round trip", testHostingRoundTrip},
		{"hosting/error/duplicate id and bound resource", testHostingErrors},
		{"hosting/error/missing id", testHostingMissing},
		{"hosting/update rewrites certificate and resources", testHostingUpdate},
		{"hosting/delete removes bindings and keeps deployments", testHostingDeleteKeepsDeployments},
		{"hosting/list filters", testHostingList},
		{"deployment/round trip and update", testDeploymentRoundTrip},
		{"deployment/error/duplicate and missing id", testDeploymentErrors},
		{"deployment/list filters, order and limit", testDeploymentList},
		{"alarm policy/round trip", testPolicyRoundTrip},
		{"alarm policy/error/duplicate and missing id", testPolicyErrors},
		{"alarm policy/update rewrites every field", testPolicyUpdate},
		{"alarm policy/list by projects", testPolicyList},
		{"alarm policy/delete keeps notifications", testPolicyDeleteKeepsNotifications},
		{"alarm candidates/boundaries, firings and renewal", testAlarmCandidateBoundaries},
		{"alarm candidates/extreme thresholds", testFindAlarmCandidatesExtremeThresholds},
		{"alarm candidates/now finer than microseconds", testFindAlarmCandidatesNanoseconds},
		{"alarm candidates/narrowed: policy, statuses, due, refire bound", testFindAlarmCandidates},
		{"alarm evaluation/bulk notifications", testInsertNotifications},
		{"alarm evaluation/mark enabled policies evaluated", testMarkAlarmsEvaluated},
		{"notification/round trip and update", testNotificationRoundTrip},
		{"notification/error/duplicate id, dedup key and missing id", testNotificationErrors},
		{"notification/list filters", testNotificationList},
		{"hosting and alarms/transaction usable after store errors", testAlarmsTransactionUsable},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, open(t))
		})
	}
}

// loc is a non-UTC location, so that stores are seen to compare instants, not zones.
var loc = time.FixedZone("UTC+8", 8*3600)

// base is the suite's reference instant, with microsecond precision.
var base = time.Date(2025, 3, 14, 9, 26, 53, 589793000, loc)

// Certificate returns a certificate with every field set, distinct per id.
func Certificate(id string) *store.Certificate {
	return &store.Certificate{
		ID:                  id,
		Project:             "default",
		Name:                "name of " + id,
		Source:              "uploaded",
		Standard:            "sm2",
		Status:              "issued",
		StatusCode:          1,
		Tags:                map[string]string{"env": "prod", "team": id},
		IgnoreNotifications: true,
		Version:             3,
		Domain:              id + ".example.com",
		SANs:                []string{id + ".example.com", "www." + id + ".example.com"},
		Issuer:              "CN=TrustAsia RSA Root — ssl private CA",
		SerialNumber:        "0a1b2c3d4e5f",
		NotBefore:           base.Add(-24 * time.Hour),
		NotAfter:            base.Add(365 * 24 * time.Hour),
		FingerprintSHA256:   "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
		KeyAlgorithm:        "SM2",
		KeySize:             256,
		CertificatePEM:      "-----BEGIN CERTIFICATE-----\r\nMIIB" + id + "\r\n-----END CERTIFICATE-----\r\n",
		LeafPEM:             "-----BEGIN CERTIFICATE-----\nMIIB" + id + "\n-----END CERTIFICATE-----\n",
		CAChainPEM:          "-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----\n",
		ChainComplete:       true,
		EncryptionCertPEM:   "-----BEGIN CERTIFICATE-----\nMIID\n-----END CERTIFICATE-----\n",
		PrivateKeySealed:    []byte{0x01, 0x00, 0xff, 0x80, 'k', 'e', 'y', 0x00},
		EncryptionKeySealed: []byte{0x01, 0x02, 0x03, 0x00, 0xfe},
		PrivateKeyWriteOnly: true,
		Spec:                `{"brand":"TrustAsia","type":"DV","note":"a \"quoted\" <spec>"}`,
		CreatedAt:           base,
		UpdatedAt:           base.Add(90 * time.Minute),
	}
}

// DiffCertificate lists the fields in which got differs from want; the sealed
// secrets are compared only when withSecrets.
func DiffCertificate(want, got *store.Certificate, withSecrets bool) []string {
	var d []string
	add := func(field string, w, g any) { d = append(d, fmt.Sprintf("%s: want %#v, got %#v", field, w, g)) }
	str := func(field, w, g string) {
		if w != g {
			add(field, w, g)
		}
	}
	num := func(field string, w, g int) {
		if w != g {
			add(field, w, g)
		}
	}
	boolean := func(field string, w, g bool) {
		if w != g {
			add(field, w, g)
		}
	}
	tm := func(field string, w, g time.Time) {
		if !w.Equal(g) {
			add(field, w.String(), g.String())
		}
	}
	blob := func(field string, w, g []byte) {
		if !bytes.Equal(w, g) {
			add(field, w, g)
		}
	}
	str("ID", want.ID, got.ID)
	str("Project", want.Project, got.Project)
	str("Name", want.Name, got.Name)
	str("Source", want.Source, got.Source)
	str("Standard", want.Standard, got.Standard)
	str("Status", want.Status, got.Status)
	num("StatusCode", want.StatusCode, got.StatusCode)
	if !maps.Equal(want.Tags, got.Tags) {
		add("Tags", want.Tags, got.Tags)
	}
	boolean("IgnoreNotifications", want.IgnoreNotifications, got.IgnoreNotifications)
	num("Version", want.Version, got.Version)
	str("Domain", want.Domain, got.Domain)
	if !slices.Equal(want.SANs, got.SANs) {
		add("SANs", want.SANs, got.SANs)
	}
	str("Issuer", want.Issuer, got.Issuer)
	str("SerialNumber", want.SerialNumber, got.SerialNumber)
	tm("NotBefore", want.NotBefore, got.NotBefore)
	tm("NotAfter", want.NotAfter, got.NotAfter)
	str("FingerprintSHA256", want.FingerprintSHA256, got.FingerprintSHA256)
	str("KeyAlgorithm", want.KeyAlgorithm, got.KeyAlgorithm)
	num("KeySize", want.KeySize, got.KeySize)
	str("CertificatePEM", want.CertificatePEM, got.CertificatePEM)
	str("LeafPEM", want.LeafPEM, got.LeafPEM)
	str("CAChainPEM", want.CAChainPEM, got.CAChainPEM)
	boolean("ChainComplete", want.ChainComplete, got.ChainComplete)
	str("EncryptionCertPEM", want.EncryptionCertPEM, got.EncryptionCertPEM)
	if withSecrets {
		blob("PrivateKeySealed", want.PrivateKeySealed, got.PrivateKeySealed)
		blob("EncryptionKeySealed", want.EncryptionKeySealed, got.EncryptionKeySealed)
	}
	boolean("PrivateKeyWriteOnly", want.PrivateKeyWriteOnly, got.PrivateKeyWriteOnly)
	str("Spec", want.Spec, got.Spec)
	tm("CreatedAt", want.CreatedAt, got.CreatedAt)
	tm("UpdatedAt", want.UpdatedAt, got.UpdatedAt)
	return d
}

// requireSame fails t when got differs from want.
func requireSame(t *testing.T, want, got *store.Certificate, withSecrets bool) {
	t.Helper()
	if got == nil {
		t.Fatalf("certificate %q: got nil", want.ID)
	}
	if d := DiffCertificate(want, got, withSecrets); len(d) > 0 {
		t.Fatalf("certificate %q differs:\n  %s", want.ID, joinLines(d))
	}
}

// joinLines joins s with indented newlines.
func joinLines(s []string) string {
	var b bytes.Buffer
	for i, l := range s {
		if i > 0 {
			b.WriteString("\n  ")
		}
		b.WriteString(l)
	}
	return b.String()
}

// insert stores every certificate in one Update, failing t on error.
func insert(t *testing.T, s store.Store, certs ...*store.Certificate) {
	t.Helper()
	err := s.Update(t.Context(), func(tx store.Tx) error {
		for _, c := range certs {
			if err := tx.InsertCertificate(t.Context(), c); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("insert: %v", err)
	}
}

// mustGet returns the certificate id, failing t on error.
func mustGet(t *testing.T, s store.Reader, id string) *store.Certificate {
	t.Helper()
	c, err := s.GetCertificate(t.Context(), id)
	if err != nil {
		t.Fatalf("GetCertificate(%q): %v", id, err)
	}
	return c
}

// mustList returns the ids that f matches, in order, failing t on error.
func mustList(t *testing.T, s store.Reader, f store.CertificateFilter) []string {
	t.Helper()
	cs, err := s.ListCertificates(t.Context(), f)
	if err != nil {
		t.Fatalf("ListCertificates(%+v): %v", f, err)
	}
	ids := []string{}
	for _, c := range cs {
		ids = append(ids, c.ID)
	}
	return ids
}

// requireErrorIs fails t unless errors.Is(err, target).
func requireErrorIs(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: got error %v, want %v", what, err, target)
	}
}

func testCertificateRoundTrip(t *testing.T, s store.Store) {
	want := Certificate("round-trip")
	want.Tags["with.dot"] = `and "quotes" & <html>`
	insert(t, s, want)
	requireSame(t, want, mustGet(t, s, want.ID), true)
}

func testCertificateEmptyFields(t *testing.T, s store.Store) {
	want := &store.Certificate{
		ID: "empty", Project: "default", Name: "", Source: "issued", Standard: "international",
		Status: "pending_review", NotBefore: time.Time{}, NotAfter: time.Time{},
		CreatedAt: base, UpdatedAt: base,
	}
	insert(t, s, want)
	got := mustGet(t, s, want.ID)
	requireSame(t, want, got, true)
	if len(got.Tags) != 0 || len(got.SANs) != 0 || len(got.PrivateKeySealed) != 0 || len(got.EncryptionKeySealed) != 0 {
		t.Fatalf("empty collections came back non-empty: %+v", got)
	}
	if !got.NotBefore.IsZero() || !got.NotAfter.IsZero() {
		t.Fatalf("zero times came back as %v and %v", got.NotBefore, got.NotAfter)
	}
}

func testCertificateDuplicate(t *testing.T, s store.Store) {
	insert(t, s, Certificate("dup"))
	other := Certificate("dup")
	other.Name = "second"
	err := s.Update(t.Context(), func(tx store.Tx) error {
		return tx.InsertCertificate(t.Context(), other)
	})
	requireErrorIs(t, "InsertCertificate of an existing id", err, store.ErrConflict)
	if got := mustGet(t, s, "dup"); got.Name != Certificate("dup").Name {
		t.Fatalf("the failed insert changed the record: name %q", got.Name)
	}
}

func testCertificateMissing(t *testing.T, s store.Store) {
	insert(t, s, Certificate("present"))
	_, err := s.GetCertificate(t.Context(), "missing")
	requireErrorIs(t, "GetCertificate", err, store.ErrNotFound)
	err = s.Update(t.Context(), func(tx store.Tx) error {
		_, err := tx.GetCertificate(t.Context(), "missing")
		requireErrorIs(t, "GetCertificate in a transaction", err, store.ErrNotFound)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = s.Update(t.Context(), func(tx store.Tx) error {
		return tx.UpdateCertificate(t.Context(), Certificate("missing"))
	})
	requireErrorIs(t, "UpdateCertificate", err, store.ErrNotFound)
	err = s.Update(t.Context(), func(tx store.Tx) error {
		return tx.DeleteCertificate(t.Context(), "missing")
	})
	requireErrorIs(t, "DeleteCertificate", err, store.ErrNotFound)
	if _, err := s.GetCertificate(t.Context(), "missing"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("UpdateCertificate of a missing id created it: %v", err)
	}
	mustGet(t, s, "present")
}

func testCertificateUpdate(t *testing.T, s store.Store) {
	insert(t, s, Certificate("upd"), Certificate("bystander"))
	want := &store.Certificate{
		ID: "upd", Project: "other", Name: "renamed", Source: "issued", Standard: "international",
		Status: "revoked", StatusCode: 10, Tags: map[string]string{"only": "this"},
		IgnoreNotifications: false, Version: 4, Domain: "new.example.org",
		SANs: []string{"new.example.org"}, Issuer: "CN=other", SerialNumber: "ff",
		NotBefore: base.Add(time.Hour), NotAfter: base.Add(48 * time.Hour), FingerprintSHA256: "00",
		KeyAlgorithm: "RSA", KeySize: 2048, CertificatePEM: "c", LeafPEM: "l", CAChainPEM: "",
		ChainComplete: false, EncryptionCertPEM: "", PrivateKeySealed: []byte{9, 9},
		EncryptionKeySealed: nil, PrivateKeyWriteOnly: false, Spec: "{}",
		CreatedAt: base.Add(-time.Hour), UpdatedAt: base.Add(2 * time.Hour),
	}
	err := s.Update(t.Context(), func(tx store.Tx) error {
		return tx.UpdateCertificate(t.Context(), want)
	})
	if err != nil {
		t.Fatalf("UpdateCertificate: %v", err)
	}
	requireSame(t, want, mustGet(t, s, "upd"), true)
	requireSame(t, Certificate("bystander"), mustGet(t, s, "bystander"), true)
}

func testCertificateUpdateDomains(t *testing.T, s store.Store) {
	c := Certificate("dom")
	c.SANs = []string{"a.example.com", "b.example.com"}
	insert(t, s, c, Certificate("other"))
	c.SANs = []string{"b.example.com", "c.example.com"}
	err := s.Update(t.Context(), func(tx store.Tx) error { return tx.UpdateCertificate(t.Context(), c) })
	if err != nil {
		t.Fatalf("UpdateCertificate: %v", err)
	}
	for domain, want := range map[string][]string{
		"a.example.com": {},
		"b.example.com": {"dom"},
		"c.example.com": {"dom"},
	} {
		if got := mustList(t, s, store.CertificateFilter{Domains: []string{domain}}); !slices.Equal(got, want) {
			t.Errorf("domain %s: got %v, want %v", domain, got, want)
		}
	}
	c.SANs = nil
	err = s.Update(t.Context(), func(tx store.Tx) error { return tx.UpdateCertificate(t.Context(), c) })
	if err != nil {
		t.Fatalf("UpdateCertificate: %v", err)
	}
	if got := mustList(t, s, store.CertificateFilter{Domains: []string{"b.example.com", "c.example.com"}}); len(got) != 0 {
		t.Errorf("after clearing the SANs the domain filter still finds %v", got)
	}
	if got := mustGet(t, s, "dom"); len(got.SANs) != 0 {
		t.Errorf("after clearing the SANs got %v", got.SANs)
	}
}

func testCertificateDelete(t *testing.T, s store.Store) {
	insert(t, s, Certificate("del"), Certificate("keep"))
	err := s.Update(t.Context(), func(tx store.Tx) error {
		for _, id := range []string{"del", "keep"} {
			for v := 1; v <= 2; v++ {
				if err := tx.InsertVersion(t.Context(), version(id, v)); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatalf("InsertVersion: %v", err)
	}
	err = s.Update(t.Context(), func(tx store.Tx) error { return tx.DeleteCertificate(t.Context(), "del") })
	if err != nil {
		t.Fatalf("DeleteCertificate: %v", err)
	}
	_, err = s.GetCertificate(t.Context(), "del")
	requireErrorIs(t, "GetCertificate after delete", err, store.ErrNotFound)
	if vs, err := s.ListVersions(t.Context(), "del"); err != nil || len(vs) != 0 {
		t.Fatalf("ListVersions after delete: %d versions, error %v", len(vs), err)
	}
	if got := mustList(t, s, store.CertificateFilter{Domains: Certificate("del").SANs}); len(got) != 0 {
		t.Fatalf("domain filter after delete: %v", got)
	}
	if got := mustList(t, s, store.CertificateFilter{}); !slices.Equal(got, []string{"keep"}) {
		t.Fatalf("list after delete: %v", got)
	}
	if vs, err := s.ListVersions(t.Context(), "keep"); err != nil || len(vs) != 2 {
		t.Fatalf("ListVersions of the other record: %d versions, error %v", len(vs), err)
	}
	// The id can be used again, and starts with no history.
	insert(t, s, Certificate("del"))
	if vs, err := s.ListVersions(t.Context(), "del"); err != nil || len(vs) != 0 {
		t.Fatalf("ListVersions of a re-created id: %d versions, error %v", len(vs), err)
	}
}

// version returns version v of certificate id with every field set.
func version(id string, v int) *store.CertificateVersion {
	return &store.CertificateVersion{
		CertificateID:     id,
		Version:           v,
		Kind:              []string{"upload", "rotation", "issue", "reissue", "renewal"}[v%5],
		SerialNumber:      fmt.Sprintf("%02x", v),
		NotBefore:         base.Add(time.Duration(v) * time.Hour),
		NotAfter:          base.Add(time.Duration(v) * 24 * time.Hour),
		FingerprintSHA256: fmt.Sprintf("%064x", v),
		CertificatePEM:    fmt.Sprintf("-----BEGIN CERTIFICATE-----\nv%d\n-----END CERTIFICATE-----\n", v),
		CreatedAt:         base.Add(time.Duration(v) * time.Minute),
	}
}

// diffVersion lists the fields in which got differs from want.
func diffVersion(want, got *store.CertificateVersion) []string {
	var d []string
	if want.CertificateID != got.CertificateID || want.Version != got.Version || want.Kind != got.Kind ||
		want.SerialNumber != got.SerialNumber || want.FingerprintSHA256 != got.FingerprintSHA256 ||
		want.CertificatePEM != got.CertificatePEM {
		d = append(d, fmt.Sprintf("want %+v, got %+v", *want, *got))
	}
	for _, p := range []struct {
		name string
		w, g time.Time
	}{{"NotBefore", want.NotBefore, got.NotBefore}, {"NotAfter", want.NotAfter, got.NotAfter}, {"CreatedAt", want.CreatedAt, got.CreatedAt}} {
		if !p.w.Equal(p.g) {
			d = append(d, fmt.Sprintf("%s: want %v, got %v", p.name, p.w, p.g))
		}
	}
	return d
}

func testVersions(t *testing.T, s store.Store) {
	insert(t, s, Certificate("v"), Certificate("w"))
	if vs, err := s.ListVersions(t.Context(), "v"); err != nil || len(vs) != 0 {
		t.Fatalf("ListVersions before any version: %d versions, error %v", len(vs), err)
	}
	if vs, err := s.ListVersions(t.Context(), "no-such-certificate"); err != nil || len(vs) != 0 {
		t.Fatalf("ListVersions of a missing certificate: %d versions, error %v (want none, no error)", len(vs), err)
	}
	err := s.Update(t.Context(), func(tx store.Tx) error {
		for _, v := range []int{3, 1, 10, 2} {
			if err := tx.InsertVersion(t.Context(), version("v", v)); err != nil {
				return err
			}
		}
		return tx.InsertVersion(t.Context(), version("w", 1))
	})
	if err != nil {
		t.Fatalf("InsertVersion: %v", err)
	}
	vs, err := s.ListVersions(t.Context(), "v")
	if err != nil {
		t.Fatalf("ListVersions: %v", err)
	}
	var got []int
	for _, v := range vs {
		got = append(got, v.Version)
	}
	if want := []int{1, 2, 3, 10}; !slices.Equal(got, want) {
		t.Fatalf("ListVersions order: got %v, want %v", got, want)
	}
	for _, v := range vs {
		if d := diffVersion(version("v", v.Version), v); len(d) > 0 {
			t.Errorf("version %d differs:\n  %s", v.Version, joinLines(d))
		}
	}
}

func testVersionErrors(t *testing.T, s store.Store) {
	insert(t, s, Certificate("v"))
	err := s.Update(t.Context(), func(tx store.Tx) error { return tx.InsertVersion(t.Context(), version("v", 1)) })
	if err != nil {
		t.Fatalf("InsertVersion: %v", err)
	}
	err = s.Update(t.Context(), func(tx store.Tx) error { return tx.InsertVersion(t.Context(), version("v", 1)) })
	requireErrorIs(t, "InsertVersion of an existing version", err, store.ErrConflict)
	err = s.Update(t.Context(), func(tx store.Tx) error { return tx.InsertVersion(t.Context(), version("missing", 1)) })
	requireErrorIs(t, "InsertVersion of a missing certificate", err, store.ErrNotFound)
}

func testIdempotency(t *testing.T, s store.Store) {
	want := &store.Idempotency{
		Key: "3f1c0e9a-key", Operation: "upload.create",
		RequestHash: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		ResultID:    "cert-1", CreatedAt: base,
	}
	err := s.Update(t.Context(), func(tx store.Tx) error { return tx.PutIdempotency(t.Context(), want) })
	if err != nil {
		t.Fatalf("PutIdempotency: %v", err)
	}
	got, err := s.GetIdempotency(t.Context(), want.Key)
	if err != nil {
		t.Fatalf("GetIdempotency: %v", err)
	}
	if got.Key != want.Key || got.Operation != want.Operation || got.RequestHash != want.RequestHash ||
		got.ResultID != want.ResultID || !got.CreatedAt.Equal(want.CreatedAt) {
		t.Fatalf("GetIdempotency: got %+v, want %+v", *got, *want)
	}
}

func testIdempotencyErrors(t *testing.T, s store.Store) {
	r := &store.Idempotency{Key: "k", Operation: "a", RequestHash: "h1", ResultID: "1", CreatedAt: base}
	err := s.Update(t.Context(), func(tx store.Tx) error { return tx.PutIdempotency(t.Context(), r) })
	if err != nil {
		t.Fatalf("PutIdempotency: %v", err)
	}
	again := *r
	again.RequestHash, again.ResultID = "h2", "2"
	err = s.Update(t.Context(), func(tx store.Tx) error { return tx.PutIdempotency(t.Context(), &again) })
	requireErrorIs(t, "PutIdempotency of an existing key", err, store.ErrConflict)
	got, err := s.GetIdempotency(t.Context(), "k")
	if err != nil || got.ResultID != "1" {
		t.Fatalf("after the conflict: %+v, %v", got, err)
	}
	_, err = s.GetIdempotency(t.Context(), "missing")
	requireErrorIs(t, "GetIdempotency of a missing key", err, store.ErrNotFound)
}

func testUpdateSeesOwnWrites(t *testing.T, s store.Store) {
	c := Certificate("own")
	err := s.Update(t.Context(), func(tx store.Tx) error {
		if err := tx.InsertCertificate(t.Context(), c); err != nil {
			return err
		}
		if err := tx.InsertVersion(t.Context(), version("own", 1)); err != nil {
			return err
		}
		if err := tx.PutIdempotency(t.Context(), &store.Idempotency{Key: "own", ResultID: "own", CreatedAt: base}); err != nil {
			return err
		}
		got, err := tx.GetCertificate(t.Context(), "own")
		if err != nil {
			return fmt.Errorf("GetCertificate in the transaction: %w", err)
		}
		requireSame(t, c, got, true)
		if ids := mustList(t, tx, store.CertificateFilter{Domains: []string{c.SANs[1]}}); !slices.Equal(ids, []string{"own"}) {
			t.Errorf("ListCertificates in the transaction: %v", ids)
		}
		if vs, err := tx.ListVersions(t.Context(), "own"); err != nil || len(vs) != 1 {
			t.Errorf("ListVersions in the transaction: %d versions, error %v", len(vs), err)
		}
		if _, err := tx.GetIdempotency(t.Context(), "own"); err != nil {
			t.Errorf("GetIdempotency in the transaction: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// requireEmpty fails t unless the store holds no certificate, version or key
// named "rb".
func requireEmpty(t *testing.T, s store.Store) {
	t.Helper()
	if ids := mustList(t, s, store.CertificateFilter{}); len(ids) != 0 {
		t.Fatalf("rolled back certificates are visible: %v", ids)
	}
	if _, err := s.GetCertificate(t.Context(), "rb"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetCertificate of a rolled back record: %v", err)
	}
	if vs, err := s.ListVersions(t.Context(), "rb"); err != nil || len(vs) != 0 {
		t.Fatalf("rolled back versions are visible: %d, %v", len(vs), err)
	}
	if _, err := s.GetIdempotency(t.Context(), "rb"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetIdempotency of a rolled back key: %v", err)
	}
}

// writeAll inserts certificate, version and idempotency key "rb" in tx.
func writeAll(ctx context.Context, tx store.Tx) error {
	if err := tx.InsertCertificate(ctx, Certificate("rb")); err != nil {
		return err
	}
	if err := tx.InsertVersion(ctx, version("rb", 1)); err != nil {
		return err
	}
	return tx.PutIdempotency(ctx, &store.Idempotency{Key: "rb", ResultID: "rb", CreatedAt: base})
}

func testUpdateRollback(t *testing.T, s store.Store) {
	errBoom := errors.New("boom")
	err := s.Update(t.Context(), func(tx store.Tx) error {
		if err := writeAll(t.Context(), tx); err != nil {
			return err
		}
		return fmt.Errorf("service rule: %w", errBoom)
	})
	requireErrorIs(t, "Update returning an error", err, errBoom)
	requireEmpty(t, s)

	// An error of the store itself, returned by fn, also rolls back and keeps its identity.
	insert(t, s, Certificate("x"))
	err = s.Update(t.Context(), func(tx store.Tx) error {
		if err := writeAll(t.Context(), tx); err != nil {
			return err
		}
		return tx.InsertCertificate(t.Context(), Certificate("x"))
	})
	requireErrorIs(t, "Update returning ErrConflict", err, store.ErrConflict)
	if _, err := s.GetCertificate(t.Context(), "rb"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetCertificate of a rolled back record: %v", err)
	}

	// The store is still usable.
	insert(t, s, Certificate("after"))
}

func testUpdatePanic(t *testing.T, s store.Store) {
	func() {
		defer func() {
			if r := recover(); r != "boom" {
				t.Fatalf("recovered %v, want the panic of fn", r)
			}
		}()
		_ = s.Update(t.Context(), func(tx store.Tx) error {
			if err := writeAll(t.Context(), tx); err != nil {
				t.Errorf("writeAll: %v", err)
			}
			panic("boom")
		})
	}()
	requireEmpty(t, s)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	err := s.Update(ctx, func(tx store.Tx) error { return tx.InsertCertificate(ctx, Certificate("after")) })
	if err != nil {
		t.Fatalf("Update after a panic: %v", err)
	}
}

func testUpdateCanceled(t *testing.T, s store.Store) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	called := false
	err := s.Update(ctx, func(tx store.Tx) error {
		called = true
		return writeAll(ctx, tx)
	})
	if err == nil {
		t.Fatalf("Update with a canceled context succeeded (fn called: %v)", called)
	}
	requireEmpty(t, s)
}

// listFixture returns certificates that exercise every filter. Their creation
// times are not in id order, and two share one creation time.
func listFixture() []*store.Certificate {
	mk := func(id string, created time.Duration, edit func(c *store.Certificate)) *store.Certificate {
		c := Certificate(id)
		c.Tags = map[string]string{}
		c.CreatedAt = base.Add(created)
		edit(c)
		return c
	}
	day := 24 * time.Hour
	return []*store.Certificate{
		mk("c1", 4*time.Minute, func(c *store.Certificate) {
			c.Name, c.Project, c.Status, c.Source = "web-frontend", "web", "issued", "issued"
			c.SANs = []string{"www.example.com", "example.com"}
			c.Tags = map[string]string{"env": "prod", "team": "web"}
			c.NotAfter = base.Add(10 * day)
		}),
		mk("c2", 1*time.Minute, func(c *store.Certificate) {
			c.Name, c.Project, c.Status, c.Source = "100% uptime", "api", "expired", "uploaded"
			c.SANs = []string{"api.example.com"}
			c.Tags = map[string]string{"env": "prod", "app.kubernetes.io/name": "api"}
			c.NotAfter = base.Add(20 * day)
		}),
		mk("c3", 3*time.Minute, func(c *store.Certificate) {
			c.Name, c.Project, c.Status, c.Source = "1000 uptime", "api", "issued", "uploaded"
			c.SANs = []string{"*.example.com", "example.com"}
			c.Tags = map[string]string{"env": "dev", `say "hi"`: "it's"}
			c.NotAfter = base.Add(30 * day)
		}),
		mk("c4", 2*time.Minute, func(c *store.Certificate) {
			c.Name, c.Project, c.Status, c.Source = "a_b", "web", "revoked", "issued"
			c.SANs = []string{"a.example.org"}
			c.Tags = map[string]string{"env": "prod", "team": "api"}
			c.NotAfter = base.Add(40 * day)
		}),
		mk("c5", 2*time.Minute, func(c *store.Certificate) {
			c.Name, c.Project, c.Status, c.Source = "axb", "default", "issued", "issued"
			c.SANs = nil
			c.Tags = nil
			c.NotAfter = base.Add(50 * day)
		}),
		mk("c6", 5*time.Minute, func(c *store.Certificate) {
			c.Name, c.Project, c.Status, c.Source = "Web-Frontend", "default", "pending_review", "issued"
			c.SANs = []string{"WWW.EXAMPLE.COM"}
			c.Tags = map[string]string{"app.kubernetes.io/name": "web", "app": "api"}
			c.NotAfter = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC) // X.509 "no expiry"
		}),
	}
}

func testListFilters(t *testing.T, s store.Store) {
	fixture := listFixture()
	insert(t, s, fixture...)
	day := 24 * time.Hour
	// Creation order: c2 (1m), c4 and c5 (2m, by id), c3 (3m), c1 (4m), c6 (5m).
	cases := []struct {
		name string
		f    store.CertificateFilter
		want []string
	}{
		{"no filter", store.CertificateFilter{}, []string{"c2", "c4", "c5", "c3", "c1", "c6"}},
		{"ids", store.CertificateFilter{IDs: []string{"c6", "c1", "nope"}}, []string{"c1", "c6"}},
		{"ids empty", store.CertificateFilter{IDs: []string{}}, []string{}},
		{"projects", store.CertificateFilter{Projects: []string{"web", "default"}}, []string{"c4", "c5", "c1", "c6"}},
		{"projects empty matches nothing", store.CertificateFilter{Projects: []string{}}, []string{}},
		{"project", store.CertificateFilter{Project: "api"}, []string{"c2", "c3"}},
		{"project none", store.CertificateFilter{Project: "nope"}, []string{}},
		{"project and projects", store.CertificateFilter{Projects: []string{"web", "api"}, Project: "api"}, []string{"c2", "c3"}},
		{"name substring", store.CertificateFilter{Name: "front"}, []string{"c1"}},
		{"name substring is case sensitive", store.CertificateFilter{Name: "Web"}, []string{"c6"}},
		{"name with percent", store.CertificateFilter{Name: "100%"}, []string{"c2"}},
		{"name percent alone", store.CertificateFilter{Name: "%"}, []string{"c2"}},
		{"name with underscore", store.CertificateFilter{Name: "a_b"}, []string{"c4"}},
		{"name underscore alone", store.CertificateFilter{Name: "_"}, []string{"c4"}},
		{"name common substring", store.CertificateFilter{Name: "uptime"}, []string{"c2", "c3"}},
		{"name exact", store.CertificateFilter{NameExact: "axb"}, []string{"c5"}},
		{"name exact is not a substring", store.CertificateFilter{NameExact: "uptime"}, []string{}},
		{"name exact is case sensitive", store.CertificateFilter{NameExact: "web-Frontend"}, []string{}},
		{"domain", store.CertificateFilter{Domains: []string{"example.com"}}, []string{"c3", "c1"}},
		{"domains any of", store.CertificateFilter{Domains: []string{"api.example.com", "a.example.org"}}, []string{"c2", "c4"}},
		{"domain wildcard name is literal", store.CertificateFilter{Domains: []string{"*.example.com"}}, []string{"c3"}},
		{"domain no match", store.CertificateFilter{Domains: []string{"nope.example.com"}}, []string{}},
		{"domains empty matches nothing", store.CertificateFilter{Domains: []string{}}, []string{}},
		{"status", store.CertificateFilter{Status: "issued"}, []string{"c5", "c3", "c1"}},
		{"source uploaded", store.CertificateFilter{Source: "uploaded"}, []string{"c2", "c3"}},
		{"source issued", store.CertificateFilter{Source: "issued"}, []string{"c4", "c5", "c1", "c6"}},
		{"tag", store.CertificateFilter{Tags: map[string]string{"env": "prod"}}, []string{"c2", "c4", "c1"}},
		{"tags every pair", store.CertificateFilter{Tags: map[string]string{"env": "prod", "team": "web"}}, []string{"c1"}},
		{"tags value mismatch", store.CertificateFilter{Tags: map[string]string{"env": "staging"}}, []string{}},
		{"tag key with dots and slash", store.CertificateFilter{Tags: map[string]string{"app.kubernetes.io/name": "api"}}, []string{"c2"}},
		{"tag key prefix is not a key", store.CertificateFilter{Tags: map[string]string{"app": "api"}}, []string{"c6"}},
		{"tag key with quotes", store.CertificateFilter{Tags: map[string]string{`say "hi"`: "it's"}}, []string{"c3"}},
		{"tag value is a value not a key", store.CertificateFilter{Tags: map[string]string{"web": "team"}}, []string{}},
		{"tags empty map", store.CertificateFilter{Tags: map[string]string{}}, []string{"c2", "c4", "c5", "c3", "c1", "c6"}},
		{"not after from", store.CertificateFilter{NotAfterFrom: base.Add(30 * day)}, []string{"c4", "c5", "c3", "c6"}},
		{"not after to", store.CertificateFilter{NotAfterTo: base.Add(20 * day)}, []string{"c2", "c1"}},
		{"not after range inclusive", store.CertificateFilter{NotAfterFrom: base.Add(20 * day), NotAfterTo: base.Add(40 * day)}, []string{"c2", "c4", "c3"}},
		{"not after range in another zone", store.CertificateFilter{
			NotAfterFrom: base.Add(20*day - time.Microsecond).UTC(), NotAfterTo: base.Add(20*day + time.Microsecond).In(time.FixedZone("UTC-7", -7*3600)),
		}, []string{"c2"}},
		{"not after range empty", store.CertificateFilter{NotAfterFrom: base.Add(41 * day), NotAfterTo: base.Add(49 * day)}, []string{}},
		{"combined", store.CertificateFilter{
			Projects: []string{"web", "api", "default"}, Status: "issued", Source: "uploaded",
			Domains: []string{"example.com"}, Tags: map[string]string{"env": "dev"}, Name: "uptime",
			NotAfterFrom: base.Add(25 * day), NotAfterTo: base.Add(35 * day),
		}, []string{"c3"}},
		{"combined excludes", store.CertificateFilter{Project: "web", Tags: map[string]string{"env": "prod"}, Status: "issued"}, []string{"c1"}},
		{"combined ids and domain", store.CertificateFilter{IDs: []string{"c1", "c2"}, Domains: []string{"example.com", "api.example.com"}}, []string{"c2", "c1"}},
		{"combined nothing", store.CertificateFilter{Source: "uploaded", Project: "web"}, []string{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := mustList(t, s, tc.f); !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}

	// A list returns every field but the secrets.
	byID := map[string]*store.Certificate{}
	for _, c := range fixture {
		byID[c.ID] = c
	}
	cs, err := s.ListCertificates(t.Context(), store.CertificateFilter{})
	if err != nil {
		t.Fatalf("ListCertificates: %v", err)
	}
	for _, c := range cs {
		requireSame(t, byID[c.ID], c, false)
	}
}

func testListNoSecrets(t *testing.T, s store.Store) {
	insert(t, s, Certificate("s1"), Certificate("s2"))
	for _, f := range []store.CertificateFilter{{}, {IDs: []string{"s1"}}, {NameExact: Certificate("s2").Name}} {
		cs, err := s.ListCertificates(t.Context(), f)
		if err != nil {
			t.Fatalf("ListCertificates: %v", err)
		}
		if len(cs) == 0 {
			t.Fatalf("ListCertificates(%+v) found nothing", f)
		}
		for _, c := range cs {
			if c.PrivateKeySealed != nil || c.EncryptionKeySealed != nil {
				t.Fatalf("ListCertificates returned the sealed secrets of %q", c.ID)
			}
		}
	}
	if c := mustGet(t, s, "s1"); len(c.PrivateKeySealed) == 0 || len(c.EncryptionKeySealed) == 0 {
		t.Fatalf("GetCertificate did not return the sealed secrets")
	}
}

func testListInTx(t *testing.T, s store.Store) {
	insert(t, s, listFixture()...)
	err := s.Update(t.Context(), func(tx store.Tx) error {
		if got := mustList(t, tx, store.CertificateFilter{Tags: map[string]string{"env": "prod"}, Project: "web"}); !slices.Equal(got, []string{"c4", "c1"}) {
			t.Errorf("ListCertificates in a transaction: %v", got)
		}
		if err := tx.DeleteCertificate(t.Context(), "c4"); err != nil {
			return err
		}
		if got := mustList(t, tx, store.CertificateFilter{Project: "web"}); !slices.Equal(got, []string{"c1"}) {
			t.Errorf("ListCertificates after a delete in the same transaction: %v", got)
		}
		cs, err := tx.ListCertificates(t.Context(), store.CertificateFilter{})
		if err != nil {
			return err
		}
		for _, c := range cs {
			if c.PrivateKeySealed != nil || c.EncryptionKeySealed != nil {
				t.Errorf("ListCertificates in a transaction returned the secrets of %q", c.ID)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// testConcurrentWriters checks that writers are serialised: every transaction
// reads a counter, checks that the record it is about to create is absent and
// writes both. Lost updates or interleaving show as conflicts, gaps or a wrong count.
func testConcurrentWriters(t *testing.T, s store.Store) {
	const writers, perWriter = 8, 25
	counter := Certificate("counter")
	counter.Version = 0
	insert(t, s, counter)

	ctx := t.Context()
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		errs     []error
		done     = make(chan struct{})
		readerWG sync.WaitGroup
	)
	fail := func(err error) {
		mu.Lock()
		errs = append(errs, err)
		mu.Unlock()
	}
	// Readers run alongside the writers and must never fail.
	for range 2 {
		readerWG.Go(func() {
			for {
				select {
				case <-done:
					return
				case <-time.After(2 * time.Millisecond):
				}
				if _, err := s.ListCertificates(ctx, store.CertificateFilter{Project: "default"}); err != nil {
					fail(fmt.Errorf("concurrent ListCertificates: %w", err))
					return
				}
				if _, err := s.GetCertificate(ctx, "counter"); err != nil {
					fail(fmt.Errorf("concurrent GetCertificate: %w", err))
					return
				}
			}
		})
	}
	for w := range writers {
		wg.Go(func() {
			for i := range perWriter {
				err := s.Update(ctx, func(tx store.Tx) error {
					c, err := tx.GetCertificate(ctx, "counter")
					if err != nil {
						return err
					}
					c.Version++
					id := fmt.Sprintf("seq-%04d", c.Version)
					if _, err := tx.GetCertificate(ctx, id); !errors.Is(err, store.ErrNotFound) {
						return fmt.Errorf("%s exists before it is created (%v): writers are not serialised", id, err)
					}
					n := Certificate(id)
					n.Name = fmt.Sprintf("writer %d item %d", w, i)
					if err := tx.InsertCertificate(ctx, n); err != nil {
						return err
					}
					return tx.UpdateCertificate(ctx, c)
				})
				if err != nil {
					fail(fmt.Errorf("writer %d, item %d: %w", w, i, err))
					return
				}
			}
		})
	}
	wg.Wait()
	close(done)
	readerWG.Wait()
	for _, err := range errs {
		t.Error(err)
	}
	if t.Failed() {
		return
	}

	const total = writers * perWriter
	if got := mustGet(t, s, "counter").Version; got != total {
		t.Fatalf("counter = %d, want %d (lost updates)", got, total)
	}
	cs, err := s.ListCertificates(ctx, store.CertificateFilter{})
	if err != nil {
		t.Fatalf("ListCertificates: %v", err)
	}
	seen := map[string]bool{}
	names := map[string]bool{}
	for _, c := range cs {
		if seen[c.ID] {
			t.Fatalf("duplicate id %q", c.ID)
		}
		seen[c.ID] = true
		if c.ID != "counter" {
			if names[c.Name] {
				t.Fatalf("duplicate name %q: one writer's item stored twice", c.Name)
			}
			names[c.Name] = true
		}
	}
	if len(cs) != total+1 {
		t.Fatalf("got %d records, want %d", len(cs), total+1)
	}
	for i := 1; i <= total; i++ {
		if id := fmt.Sprintf("seq-%04d", i); !seen[id] {
			t.Fatalf("%s is missing", id)
		}
	}
}
