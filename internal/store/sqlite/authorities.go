package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/sslkit/terraform-provider-ssl/internal/store"
	"github.com/sslkit/terraform-provider-ssl/internal/store/sqlcommon"
)

// scanAuthority reads one row of sqlcommon.AuthorityColumns.
func scanAuthority(sc scanner) (*store.Authority, error) {
	var (
		a                 store.Authority
		rootKey, interKey []byte
		created           string
	)
	if err := sc.Scan(&a.ID, &a.Brand, &a.KeyAlgorithm, &a.RootPEM, &a.IntermediatePEM,
		&rootKey, &interKey, &a.CRLNumber, &created); err != nil {
		return nil, err
	}
	a.RootKeySealed, a.IntermediateKeySealed = sqlcommon.NilIfEmpty(rootKey), sqlcommon.NilIfEmpty(interKey)
	var err error
	if a.CreatedAt, err = parseTime(created); err != nil {
		return nil, fmt.Errorf("authority %q: %w", a.ID, err)
	}
	return &a, nil
}

// GetAuthority returns one CA hierarchy, sealed keys included.
func (r reader) GetAuthority(ctx context.Context, id string) (*store.Authority, error) {
	row := r.QueryRowContext(ctx, "SELECT "+sqlcommon.AuthorityColumns+" FROM authorities WHERE id = ?", id)
	a, err := scanAuthority(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("sqlite: authority %q: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: get authority %q: %w", id, err)
	}
	return a, nil
}

// ListAuthorities returns every CA hierarchy, ordered by id (byte order).
func (r reader) ListAuthorities(ctx context.Context) ([]*store.Authority, error) {
	return queryAll(ctx, r, "list authorities", "SELECT "+sqlcommon.AuthorityColumns+" FROM authorities ORDER BY id", nil, scanAuthority)
}

// InsertAuthority stores a CA hierarchy; ErrConflict when the id exists.
func (t *tx) InsertAuthority(ctx context.Context, a *store.Authority) error {
	created, err := formatTime(a.CreatedAt)
	if err != nil {
		return fmt.Errorf("sqlite: insert authority %q: %w", a.ID, err)
	}
	_, err = t.ExecContext(ctx, "INSERT INTO authorities ("+sqlcommon.AuthorityColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
		a.ID, a.Brand, a.KeyAlgorithm, a.RootPEM, a.IntermediatePEM,
		sqlcommon.NilIfEmpty(a.RootKeySealed), sqlcommon.NilIfEmpty(a.IntermediateKeySealed), a.CRLNumber, created)
	if err != nil {
		return fmt.Errorf("sqlite: insert authority %q: %w", a.ID, conflictIfUnique(err))
	}
	return nil
}

// UpdateAuthority writes the mutable field of a CA hierarchy, its CRL number;
// the certificates, keys and creation time never change. ErrNotFound when it
// does not exist.
func (t *tx) UpdateAuthority(ctx context.Context, a *store.Authority) error {
	if err := t.execExisting(ctx, "UPDATE authorities SET crl_number = ? WHERE id = ?", a.CRLNumber, a.ID); err != nil {
		return fmt.Errorf("sqlite: update authority %q: %w", a.ID, err)
	}
	return nil
}

// scanSerial reads one row of sqlcommon.SerialColumns.
func scanSerial(sc scanner) (*store.Serial, error) {
	var (
		s                            store.Serial
		notAfter, revokedAt, created string
	)
	if err := sc.Scan(&s.CAID, &s.Serial, &s.CertificateID, &s.Version, &notAfter, &s.Revoked,
		&revokedAt, &s.Reason, &created); err != nil {
		return nil, err
	}
	var err error
	for _, p := range []struct {
		dst *time.Time
		src string
	}{{&s.NotAfter, notAfter}, {&s.RevokedAt, revokedAt}, {&s.CreatedAt, created}} {
		if *p.dst, err = parseTime(p.src); err != nil {
			return nil, fmt.Errorf("serial %s/%s: %w", s.CAID, s.Serial, err)
		}
	}
	return &s, nil
}

// GetSerial returns one serial number of a CA.
func (r reader) GetSerial(ctx context.Context, caID, serial string) (*store.Serial, error) {
	row := r.QueryRowContext(ctx, "SELECT "+sqlcommon.SerialColumns+" FROM serials WHERE ca_id = ? AND serial = ?", caID, serial)
	s, err := scanSerial(row)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("sqlite: serial %s of authority %q: %w", serial, caID, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: get serial %s of authority %q: %w", serial, caID, err)
	}
	return s, nil
}

// listRevokedSerialsSQL selects one CA's revoked serials through serials_ca_revoked.
const listRevokedSerialsSQL = "SELECT " + sqlcommon.SerialColumns + " FROM serials WHERE ca_id = ? AND revoked = 1 ORDER BY serial"

// ListRevokedSerials returns the revoked serials of one CA, ordered by serial (byte order).
func (r reader) ListRevokedSerials(ctx context.Context, caID string) ([]*store.Serial, error) {
	return queryAll(ctx, r, fmt.Sprintf("list revoked serials of %q", caID), listRevokedSerialsSQL, []any{caID}, scanSerial)
}

// InsertSerial records a serial number; ErrConflict when (ca_id, serial) exists.
func (t *tx) InsertSerial(ctx context.Context, s *store.Serial) error {
	var times [3]string
	var err error
	for i, tm := range []time.Time{s.NotAfter, s.RevokedAt, s.CreatedAt} {
		if times[i], err = formatTime(tm); err != nil {
			return fmt.Errorf("sqlite: insert serial %s of authority %q: %w", s.Serial, s.CAID, err)
		}
	}
	_, err = t.ExecContext(ctx, "INSERT INTO serials ("+sqlcommon.SerialColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
		s.CAID, s.Serial, s.CertificateID, s.Version, times[0], s.Revoked, times[1], s.Reason, times[2])
	if err != nil {
		return fmt.Errorf("sqlite: insert serial %s of authority %q: %w", s.Serial, s.CAID, conflictIfUnique(err))
	}
	return nil
}

// revokeSerialsSQL revokes the unrevoked serials of one certificate through serials_certificate.
const revokeSerialsSQL = "UPDATE serials SET revoked = 1, revoked_at = ?, reason = ? WHERE certificate_id = ? AND revoked = 0"

// RevokeSerials marks every unrevoked serial of a certificate record revoked and
// returns how many it marked; serials revoked before keep their time and reason.
func (t *tx) RevokeSerials(ctx context.Context, certificateID string, at time.Time, reason int) (int, error) {
	ts, err := formatTime(at)
	if err != nil {
		return 0, fmt.Errorf("sqlite: revoke serials of %q: %w", certificateID, err)
	}
	res, err := t.ExecContext(ctx, revokeSerialsSQL, ts, reason, certificateID)
	if err != nil {
		return 0, fmt.Errorf("sqlite: revoke serials of %q: %w", certificateID, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, fmt.Errorf("sqlite: revoke serials of %q: %w", certificateID, err)
	}
	return int(n), nil
}

// RevokeSerial marks one serial revoked; a serial revoked before keeps its time
// and reason. ErrNotFound when it does not exist.
func (t *tx) RevokeSerial(ctx context.Context, caID, serial string, at time.Time, reason int) error {
	ts, err := formatTime(at)
	if err != nil {
		return fmt.Errorf("sqlite: revoke serial %s of authority %q: %w", serial, caID, err)
	}
	res, err := t.ExecContext(ctx, "UPDATE serials SET revoked = 1, revoked_at = ?, reason = ? WHERE ca_id = ? AND serial = ? AND revoked = 0",
		ts, reason, caID, serial)
	if err != nil {
		return fmt.Errorf("sqlite: revoke serial %s of authority %q: %w", serial, caID, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("sqlite: revoke serial %s of authority %q: %w", serial, caID, err)
	} else if n > 0 {
		return nil
	}
	// Nothing marked: either revoked before, or missing.
	var one int
	err = t.QueryRowContext(ctx, "SELECT 1 FROM serials WHERE ca_id = ? AND serial = ?", caID, serial).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("sqlite: revoke serial %s of authority %q: %w", serial, caID, store.ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("sqlite: revoke serial %s of authority %q: %w", serial, caID, err)
	}
	return nil
}
