package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/sslkit/terraform-provider-ssl/internal/store"
)

// Authority returns a CA hierarchy with every field set, distinct per id.
func Authority(id string) *store.Authority {
	return &store.Authority{
		ID:                    id,
		Brand:                 "TrustAsia " + id,
		KeyAlgorithm:          "SM2",
		RootPEM:               "-----BEGIN CERTIFICATE-----\r\nROOT" + id + "\r\n-----END CERTIFICATE-----\r\n",
		IntermediatePEM:       "-----BEGIN CERTIFICATE-----\nINT" + id + "\n-----END CERTIFICATE-----\n",
		RootKeySealed:         []byte{0x01, 0x00, 0xff, 0x80, 'r', 'o', 'o', 't', 0x00},
		IntermediateKeySealed: append([]byte{0x01, 0x00, 0xfe}, id...),
		CRLNumber:             1<<40 + 7, // beyond 32 bits
		CreatedAt:             base.Add(-time.Hour),
	}
}

// Serial returns serial serial of CA caID, issued for version 2 of certificate
// certificateID, not revoked.
func Serial(caID, serial, certificateID string) *store.Serial {
	return &store.Serial{
		CAID:          caID,
		Serial:        serial,
		CertificateID: certificateID,
		Version:       2,
		NotAfter:      base.Add(90 * 24 * time.Hour),
		CreatedAt:     base.Add(time.Minute),
	}
}

// diffAuthority lists the fields in which got differs from want.
func diffAuthority(want, got *store.Authority) []string {
	var d []string
	add := func(field string, w, g any) { d = append(d, fmt.Sprintf("%s: want %#v, got %#v", field, w, g)) }
	for _, f := range []struct{ name, w, g string }{
		{"ID", want.ID, got.ID}, {"Brand", want.Brand, got.Brand}, {"KeyAlgorithm", want.KeyAlgorithm, got.KeyAlgorithm},
		{"RootPEM", want.RootPEM, got.RootPEM}, {"IntermediatePEM", want.IntermediatePEM, got.IntermediatePEM},
	} {
		if f.w != f.g {
			add(f.name, f.w, f.g)
		}
	}
	if !bytes.Equal(want.RootKeySealed, got.RootKeySealed) {
		add("RootKeySealed", want.RootKeySealed, got.RootKeySealed)
	}
	if !bytes.Equal(want.IntermediateKeySealed, got.IntermediateKeySealed) {
		add("IntermediateKeySealed", want.IntermediateKeySealed, got.IntermediateKeySealed)
	}
	if want.CRLNumber != got.CRLNumber {
		add("CRLNumber", want.CRLNumber, got.CRLNumber)
	}
	if !want.CreatedAt.Equal(got.CreatedAt) {
		add("CreatedAt", want.CreatedAt.String(), got.CreatedAt.String())
	}
	return d
}

// requireAuthority fails t when got differs from want.
func requireAuthority(t *testing.T, want, got *store.Authority) {
	t.Helper()
	if got == nil {
		t.Fatalf("authority %q: got nil", want.ID)
	}
	if d := diffAuthority(want, got); len(d) > 0 {
		t.Fatalf("authority %q differs:\n  %s", want.ID, joinLines(d))
	}
}

// diffSerial lists the fields in which got differs from want.
func diffSerial(want, got *store.Serial) []string {
	var d []string
	add := func(field string, w, g any) { d = append(d, fmt.Sprintf("%s: want %#v, got %#v", field, w, g)) }
	for _, f := range []struct{ name, w, g string }{
		{"CAID", want.CAID, got.CAID}, {"Serial", want.Serial, got.Serial}, {"CertificateID", want.CertificateID, got.CertificateID},
	} {
		if f.w != f.g {
			add(f.name, f.w, f.g)
		}
	}
	if want.Version != got.Version {
		add("Version", want.Version, got.Version)
	}
	if want.Revoked != got.Revoked {
		add("Revoked", want.Revoked, got.Revoked)
	}
	if want.Reason != got.Reason {
		add("Reason", want.Reason, got.Reason)
	}
	for _, p := range []struct {
		name string
		w, g time.Time
	}{{"NotAfter", want.NotAfter, got.NotAfter}, {"RevokedAt", want.RevokedAt, got.RevokedAt}, {"CreatedAt", want.CreatedAt, got.CreatedAt}} {
		if !p.w.Equal(p.g) {
			add(p.name, p.w.String(), p.g.String())
		}
	}
	return d
}

// requireSerial fails t unless the store holds want, field for field.
func requireSerial(t *testing.T, s store.Reader, want *store.Serial) {
	t.Helper()
	got, err := s.GetSerial(t.Context(), want.CAID, want.Serial)
	if err != nil {
		t.Fatalf("GetSerial(%q, %q): %v", want.CAID, want.Serial, err)
	}
	if d := diffSerial(want, got); len(d) > 0 {
		t.Fatalf("serial %s/%s differs:\n  %s", want.CAID, want.Serial, joinLines(d))
	}
}

// revoked returns a copy of s revoked at at with reason.
func revoked(s *store.Serial, at time.Time, reason int) *store.Serial {
	c := *s
	c.Revoked, c.RevokedAt, c.Reason = true, at, reason
	return &c
}

// update runs fn in one Update, failing t on error.
func update(t *testing.T, s store.Store, fn func(tx store.Tx) error) {
	t.Helper()
	if err := s.Update(t.Context(), fn); err != nil {
		t.Fatalf("Update: %v", err)
	}
}

// insertAuthorities stores every authority in one Update, failing t on error.
func insertAuthorities(t *testing.T, s store.Store, as ...*store.Authority) {
	t.Helper()
	update(t, s, func(tx store.Tx) error {
		for _, a := range as {
			if err := tx.InsertAuthority(t.Context(), a); err != nil {
				return err
			}
		}
		return nil
	})
}

// insertSerials stores every serial in one Update, failing t on error.
func insertSerials(t *testing.T, s store.Store, ss ...*store.Serial) {
	t.Helper()
	update(t, s, func(tx store.Tx) error {
		for _, sr := range ss {
			if err := tx.InsertSerial(t.Context(), sr); err != nil {
				return err
			}
		}
		return nil
	})
}

// revokeSerials runs RevokeSerials in one Update and returns its count, failing t on error.
func revokeSerials(t *testing.T, s store.Store, certificateID string, at time.Time, reason int) int {
	t.Helper()
	var n int
	update(t, s, func(tx store.Tx) error {
		var err error
		n, err = tx.RevokeSerials(t.Context(), certificateID, at, reason)
		return err
	})
	return n
}

// revokedSerials returns "ca/serial" of every revoked serial of caID, in order,
// and checks each record against want (keyed the same way) when want is not nil.
func revokedSerials(t *testing.T, s store.Reader, caID string, want map[string]*store.Serial) []string {
	t.Helper()
	ss, err := s.ListRevokedSerials(t.Context(), caID)
	if err != nil {
		t.Fatalf("ListRevokedSerials(%q): %v", caID, err)
	}
	keys := []string{}
	for _, sr := range ss {
		k := sr.CAID + "/" + sr.Serial
		keys = append(keys, k)
		if want == nil {
			continue
		}
		if w, ok := want[k]; !ok {
			t.Errorf("ListRevokedSerials(%q) returned unexpected %s", caID, k)
		} else if d := diffSerial(w, sr); len(d) > 0 {
			t.Errorf("ListRevokedSerials(%q): %s differs:\n  %s", caID, k, joinLines(d))
		}
	}
	return keys
}

func testAuthorityRoundTrip(t *testing.T, s store.Store) {
	full := Authority("trustasia-sm2")
	bare := &store.Authority{ID: "bare", CreatedAt: base} // no keys, CRL number 0, empty texts
	insertAuthorities(t, s, full, bare)
	for _, want := range []*store.Authority{full, bare} {
		got, err := s.GetAuthority(t.Context(), want.ID)
		if err != nil {
			t.Fatalf("GetAuthority(%q): %v", want.ID, err)
		}
		requireAuthority(t, want, got)
	}
	if got, _ := s.GetAuthority(t.Context(), "bare"); got.RootKeySealed != nil || got.IntermediateKeySealed != nil {
		t.Fatalf("absent keys came back as %#v and %#v, want nil", got.RootKeySealed, got.IntermediateKeySealed)
	}
	// A list returns every field, the sealed keys included (the service signs with them).
	as, err := s.ListAuthorities(t.Context())
	if err != nil {
		t.Fatalf("ListAuthorities: %v", err)
	}
	if len(as) != 2 {
		t.Fatalf("ListAuthorities: %d authorities, want 2", len(as))
	}
	requireAuthority(t, bare, as[0])
	requireAuthority(t, full, as[1])
}

func testAuthorityErrors(t *testing.T, s store.Store) {
	insertAuthorities(t, s, Authority("trustasia-rsa"))
	other := Authority("trustasia-rsa")
	other.Brand, other.RootKeySealed, other.CRLNumber = "second", []byte("other key"), 1
	err := s.Update(t.Context(), func(tx store.Tx) error { return tx.InsertAuthority(t.Context(), other) })
	requireErrorIs(t, "InsertAuthority of an existing id", err, store.ErrConflict)
	got, err := s.GetAuthority(t.Context(), "trustasia-rsa")
	if err != nil {
		t.Fatalf("GetAuthority: %v", err)
	}
	requireAuthority(t, Authority("trustasia-rsa"), got)

	_, err = s.GetAuthority(t.Context(), "missing")
	requireErrorIs(t, "GetAuthority", err, store.ErrNotFound)
	err = s.Update(t.Context(), func(tx store.Tx) error {
		_, err := tx.GetAuthority(t.Context(), "missing")
		requireErrorIs(t, "GetAuthority in a transaction", err, store.ErrNotFound)
		return tx.UpdateAuthority(t.Context(), Authority("missing"))
	})
	requireErrorIs(t, "UpdateAuthority", err, store.ErrNotFound)
	if _, err := s.GetAuthority(t.Context(), "missing"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("UpdateAuthority of a missing id created it: %v", err)
	}
	if as, err := s.ListAuthorities(t.Context()); err != nil || len(as) != 1 || as[0].ID != "trustasia-rsa" {
		t.Fatalf("ListAuthorities after the failed writes: %d authorities, error %v", len(as), err)
	}
}

func testAuthorityUpdate(t *testing.T, s store.Store) {
	insertAuthorities(t, s, Authority("ca"), Authority("bystander"))
	edit := Authority("ca")
	edit.CRLNumber = 1<<40 + 8
	update(t, s, func(tx store.Tx) error { return tx.UpdateAuthority(t.Context(), edit) })
	want := Authority("ca")
	want.CRLNumber = edit.CRLNumber
	got, err := s.GetAuthority(t.Context(), "ca")
	if err != nil {
		t.Fatalf("GetAuthority: %v", err)
	}
	requireAuthority(t, want, got)

	// Read, bump and write in one transaction, as issuing a CRL does.
	update(t, s, func(tx store.Tx) error {
		a, err := tx.GetAuthority(t.Context(), "ca")
		if err != nil {
			return err
		}
		a.CRLNumber++
		if err := tx.UpdateAuthority(t.Context(), a); err != nil {
			return err
		}
		if a, err = tx.GetAuthority(t.Context(), "ca"); err != nil || a.CRLNumber != want.CRLNumber+1 {
			t.Errorf("GetAuthority in the transaction after the update: %+v, %v", a, err)
		}
		return nil
	})
	want.CRLNumber++
	if got, err = s.GetAuthority(t.Context(), "ca"); err != nil {
		t.Fatalf("GetAuthority: %v", err)
	}
	requireAuthority(t, want, got)

	// Only the mutable field changes: the hierarchy itself is fixed once stored.
	edit = &store.Authority{ID: "ca", Brand: "changed", KeyAlgorithm: "RSA", RootPEM: "r", IntermediatePEM: "i",
		RootKeySealed: []byte{9}, IntermediateKeySealed: nil, CRLNumber: want.CRLNumber + 1, CreatedAt: base.Add(time.Hour)}
	update(t, s, func(tx store.Tx) error { return tx.UpdateAuthority(t.Context(), edit) })
	want.CRLNumber++
	if got, err = s.GetAuthority(t.Context(), "ca"); err != nil {
		t.Fatalf("GetAuthority: %v", err)
	}
	requireAuthority(t, want, got)

	if got, err = s.GetAuthority(t.Context(), "bystander"); err != nil {
		t.Fatalf("GetAuthority: %v", err)
	}
	requireAuthority(t, Authority("bystander"), got)
}

func testAuthorityListOrder(t *testing.T, s store.Store) {
	if as, err := s.ListAuthorities(t.Context()); err != nil || len(as) != 0 {
		t.Fatalf("ListAuthorities of an empty store: %d authorities, error %v", len(as), err)
	}
	// Inserted out of order, one per transaction; byte order puts "Z…" before "a…"
	// and "-" before letters, whatever the database's collation.
	for _, id := range []string{"trustasia-sm2", "digicert-rsa", "trustasia-ecc", "Zeta-rsa", "trustasia-rsa", "trustasiarsa", "digicert-ecc"} {
		insertAuthorities(t, s, Authority(id))
	}
	as, err := s.ListAuthorities(t.Context())
	if err != nil {
		t.Fatalf("ListAuthorities: %v", err)
	}
	var got []string
	for _, a := range as {
		requireAuthority(t, Authority(a.ID), a)
		got = append(got, a.ID)
	}
	want := []string{"Zeta-rsa", "digicert-ecc", "digicert-rsa", "trustasia-ecc", "trustasia-rsa", "trustasia-sm2", "trustasiarsa"}
	if !slices.Equal(got, want) {
		t.Fatalf("ListAuthorities order: got %v, want %v", got, want)
	}
}

func testSerialRoundTrip(t *testing.T, s store.Store) {
	plain := Serial("trustasia-rsa", "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567", "cert-1")
	gone := Serial("trustasia-rsa", "ff", "cert-2")
	gone.Version, gone.Revoked, gone.Reason = 7, true, 5
	gone.RevokedAt = base.Add(3 * time.Hour).In(time.FixedZone("UTC-7", -7*3600))
	gone.NotAfter = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC) // X.509 "no expiry"
	insertSerials(t, s, plain, gone)
	requireSerial(t, s, plain)
	requireSerial(t, s, gone)
	if got, err := s.GetSerial(t.Context(), plain.CAID, plain.Serial); err != nil || !got.RevokedAt.IsZero() {
		t.Fatalf("the revocation time of an unrevoked serial came back as %v (%v), want the zero time", got, err)
	}
	if got := revokedSerials(t, s, "trustasia-rsa", map[string]*store.Serial{"trustasia-rsa/ff": gone}); !slices.Equal(got, []string{"trustasia-rsa/ff"}) {
		t.Fatalf("ListRevokedSerials: %v", got)
	}
}

func testSerialErrors(t *testing.T, s store.Store) {
	first := Serial("ca-a", "01", "cert-1")
	insertSerials(t, s, first)
	other := Serial("ca-a", "01", "cert-2")
	other.Revoked, other.RevokedAt, other.Reason = true, base, 1
	err := s.Update(t.Context(), func(tx store.Tx) error { return tx.InsertSerial(t.Context(), other) })
	requireErrorIs(t, "InsertSerial of an existing (ca_id, serial)", err, store.ErrConflict)
	requireSerial(t, s, first)
	// The same serial under another CA, and another serial of the same certificate, are distinct.
	insertSerials(t, s, Serial("ca-b", "01", "cert-1"), Serial("ca-a", "02", "cert-1"))
	requireSerial(t, s, Serial("ca-b", "01", "cert-1"))
	requireSerial(t, s, Serial("ca-a", "02", "cert-1"))

	for _, k := range [][2]string{{"ca-a", "03"}, {"ca-b", "02"}, {"ca-c", "01"}, {"", ""}} {
		_, err := s.GetSerial(t.Context(), k[0], k[1])
		requireErrorIs(t, fmt.Sprintf("GetSerial(%q, %q)", k[0], k[1]), err, store.ErrNotFound)
	}
	err = s.Update(t.Context(), func(tx store.Tx) error {
		_, err := tx.GetSerial(t.Context(), "ca-c", "01")
		requireErrorIs(t, "GetSerial in a transaction", err, store.ErrNotFound)
		return tx.RevokeSerial(t.Context(), "ca-c", "01", base, 1)
	})
	requireErrorIs(t, "RevokeSerial of a missing serial", err, store.ErrNotFound)
	if _, err := s.GetSerial(t.Context(), "ca-c", "01"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("RevokeSerial of a missing serial created it: %v", err)
	}
	if got := revokedSerials(t, s, "ca-c", nil); len(got) != 0 {
		t.Fatalf("ListRevokedSerials after a failed RevokeSerial: %v", got)
	}
	requireSerial(t, s, first)
	// Revoking the serials of a certificate that has none is no error.
	if n := revokeSerials(t, s, "no-such-certificate", base, 1); n != 0 {
		t.Fatalf("RevokeSerials of a certificate without serials: %d", n)
	}
}

func testSerialRevokeByCertificate(t *testing.T, s store.Store) {
	// cert-1 has four serials (versions 1-3, one under another CA); cert-2 one.
	v1, v2, v3 := Serial("ca-a", "01", "cert-1"), Serial("ca-a", "02", "cert-1"), Serial("ca-a", "03", "cert-1")
	v1.Version, v3.Version = 1, 3
	elsewhere := Serial("ca-b", "01", "cert-1")
	bystander := Serial("ca-a", "04", "cert-2")
	insertSerials(t, s, v1, v2, v3, elsewhere, bystander)

	// Version 1 was superseded by a reissue first.
	superseded := base.Add(time.Hour)
	update(t, s, func(tx store.Tx) error { return tx.RevokeSerial(t.Context(), "ca-a", "01", superseded, 4) })
	v1 = revoked(v1, superseded, 4)
	requireSerial(t, s, v1)

	at := base.Add(2 * time.Hour).UTC()
	if n := revokeSerials(t, s, "cert-1", at, 1); n != 3 {
		t.Fatalf("RevokeSerials: marked %d, want 3 (v1 was revoked before)", n)
	}
	v2, v3, elsewhere = revoked(v2, at, 1), revoked(v3, at, 1), revoked(elsewhere, at, 1)
	for _, want := range []*store.Serial{v1, v2, v3, elsewhere, bystander} {
		requireSerial(t, s, want)
	}

	// Idempotent: a second call marks nothing and keeps the first time and reason.
	if n := revokeSerials(t, s, "cert-1", at.Add(time.Hour), 5); n != 0 {
		t.Fatalf("second RevokeSerials: marked %d, want 0", n)
	}
	update(t, s, func(tx store.Tx) error { return tx.RevokeSerial(t.Context(), "ca-a", "02", at.Add(time.Hour), 5) })
	for _, want := range []*store.Serial{v1, v2, v3, elsewhere, bystander} {
		requireSerial(t, s, want)
	}

	// A rolled back revocation leaves nothing behind.
	errBoom := errors.New("boom")
	err := s.Update(t.Context(), func(tx store.Tx) error {
		n, err := tx.RevokeSerials(t.Context(), "cert-2", at, 1)
		if err != nil {
			return err
		}
		if n != 1 {
			t.Errorf("RevokeSerials in the rolled back transaction: %d", n)
		}
		if got, err := tx.GetSerial(t.Context(), "ca-a", "04"); err != nil || !got.Revoked {
			t.Errorf("GetSerial in the transaction after RevokeSerials: %+v, %v", got, err)
		}
		return errBoom
	})
	requireErrorIs(t, "Update returning an error", err, errBoom)
	requireSerial(t, s, bystander)
	if n := revokeSerials(t, s, "cert-2", at, 9); n != 1 {
		t.Fatalf("RevokeSerials after the rollback: %d, want 1", n)
	}
	requireSerial(t, s, revoked(bystander, at, 9))
}

func testSerialListRevoked(t *testing.T, s store.Store) {
	if got := revokedSerials(t, s, "ca-a", nil); len(got) != 0 {
		t.Fatalf("ListRevokedSerials of an empty store: %v", got)
	}
	// Serials of two CAs, sharing some values; inserted out of order.
	var all []*store.Serial
	for _, sn := range []string{"ff", "0a", "1", "a0", "10", "09", "0100", "b"} {
		all = append(all, Serial("ca-a", sn, "cert-"+sn))
	}
	for _, sn := range []string{"0a", "ff", "c3"} {
		all = append(all, Serial("ca-b", sn, "cert-b-"+sn))
	}
	all = append(all, Serial("ca-a-2", "00", "cert-a2")) // a CA id with ca-a as a prefix
	insertSerials(t, s, all...)
	if got := revokedSerials(t, s, "ca-a", nil); len(got) != 0 {
		t.Fatalf("ListRevokedSerials before any revocation: %v", got)
	}

	want := map[string]*store.Serial{}
	at := base
	update(t, s, func(tx store.Tx) error {
		for _, sr := range all {
			if sr.Serial == "09" || sr.Serial == "c3" { // these stay valid
				continue
			}
			at = at.Add(time.Minute)
			reason := len(want) % 11
			if err := tx.RevokeSerial(t.Context(), sr.CAID, sr.Serial, at, reason); err != nil {
				return err
			}
			want[sr.CAID+"/"+sr.Serial] = revoked(sr, at, reason)
		}
		// The transaction sees its own revocations.
		if got := revokedSerials(t, tx, "ca-b", want); !slices.Equal(got, []string{"ca-b/0a", "ca-b/ff"}) {
			t.Errorf("ListRevokedSerials in the transaction: %v", got)
		}
		return nil
	})
	for ca, w := range map[string][]string{
		"ca-a":   {"ca-a/0100", "ca-a/0a", "ca-a/1", "ca-a/10", "ca-a/a0", "ca-a/b", "ca-a/ff"},
		"ca-b":   {"ca-b/0a", "ca-b/ff"},
		"ca-a-2": {"ca-a-2/00"},
		"ca-c":   {},
		"":       {},
	} {
		if got := revokedSerials(t, s, ca, want); !slices.Equal(got, w) {
			t.Errorf("ListRevokedSerials(%q): got %v, want %v", ca, got, w)
		}
	}
}

func testSerialSurvivesCertificateDelete(t *testing.T, s store.Store) {
	insert(t, s, Certificate("cert-1"), Certificate("cert-2"))
	insertAuthorities(t, s, Authority("ca-a"))
	a, b, other := Serial("ca-a", "01", "cert-1"), Serial("ca-a", "02", "cert-1"), Serial("ca-a", "03", "cert-2")
	insertSerials(t, s, a, b, other)
	at := base.Add(time.Hour)
	update(t, s, func(tx store.Tx) error {
		if err := tx.RevokeSerial(t.Context(), "ca-a", "01", at, 4); err != nil {
			return err
		}
		return tx.DeleteCertificate(t.Context(), "cert-1")
	})
	if _, err := s.GetCertificate(t.Context(), "cert-1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetCertificate after delete: %v", err)
	}
	a = revoked(a, at, 4)
	for _, want := range []*store.Serial{a, b, other} {
		requireSerial(t, s, want)
	}
	// The serials of the deleted record can still be revoked by its id, and a CRL lists them.
	if n := revokeSerials(t, s, "cert-1", at.Add(time.Hour), 5); n != 1 {
		t.Fatalf("RevokeSerials of a deleted record: marked %d, want 1", n)
	}
	b = revoked(b, at.Add(time.Hour), 5)
	want := map[string]*store.Serial{"ca-a/01": a, "ca-a/02": b}
	if got := revokedSerials(t, s, "ca-a", want); !slices.Equal(got, []string{"ca-a/01", "ca-a/02"}) {
		t.Fatalf("ListRevokedSerials after the delete: %v", got)
	}
	// Re-creating the id does not touch them either.
	insert(t, s, Certificate("cert-1"))
	update(t, s, func(tx store.Tx) error { return tx.DeleteCertificate(t.Context(), "cert-1") })
	for _, w := range []*store.Serial{a, b, other} {
		requireSerial(t, s, w)
	}
}

func testCAInTransaction(t *testing.T, s store.Store) {
	ca := Authority("ca-a")
	sr := Serial("ca-a", "01", "cert-1")
	errBoom := errors.New("boom")
	err := s.Update(t.Context(), func(tx store.Tx) error {
		if err := tx.InsertAuthority(t.Context(), ca); err != nil {
			return err
		}
		if err := tx.InsertSerial(t.Context(), sr); err != nil {
			return err
		}
		if got, err := tx.GetAuthority(t.Context(), "ca-a"); err != nil {
			t.Errorf("GetAuthority in the transaction: %v", err)
		} else if d := diffAuthority(ca, got); len(d) > 0 {
			t.Errorf("GetAuthority in the transaction differs:\n  %s", joinLines(d))
		}
		if as, err := tx.ListAuthorities(t.Context()); err != nil || len(as) != 1 {
			t.Errorf("ListAuthorities in the transaction: %d, %v", len(as), err)
		}
		requireSerial(t, tx, sr)
		return errBoom
	})
	requireErrorIs(t, "Update returning an error", err, errBoom)
	if _, err := s.GetAuthority(t.Context(), "ca-a"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetAuthority of a rolled back authority: %v", err)
	}
	if as, err := s.ListAuthorities(t.Context()); err != nil || len(as) != 0 {
		t.Fatalf("ListAuthorities after the rollback: %d, %v", len(as), err)
	}
	if _, err := s.GetSerial(t.Context(), "ca-a", "01"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetSerial of a rolled back serial: %v", err)
	}
	// Both can be stored afterwards.
	insertAuthorities(t, s, ca)
	insertSerials(t, s, sr)
}
