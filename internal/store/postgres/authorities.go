package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sslkit/terraform-provider-ssl/internal/store"
	"github.com/sslkit/terraform-provider-ssl/internal/store/sqlcommon"
)

// scanAuthority reads one row of sqlcommon.AuthorityColumns.
func scanAuthority(row pgx.Row) (*store.Authority, error) {
	var (
		a                 store.Authority
		rootKey, interKey []byte
	)
	if err := row.Scan(&a.ID, &a.Brand, &a.KeyAlgorithm, &a.RootPEM, &a.IntermediatePEM,
		&rootKey, &interKey, &a.CRLNumber, &a.CreatedAt); err != nil {
		return nil, err
	}
	a.RootKeySealed, a.IntermediateKeySealed = sqlcommon.NilIfEmpty(rootKey), sqlcommon.NilIfEmpty(interKey)
	return &a, nil
}

// GetAuthority returns one CA hierarchy, sealed keys included.
func (r reader) GetAuthority(ctx context.Context, id string) (*store.Authority, error) {
	row := r.q.QueryRow(ctx, "SELECT "+sqlcommon.AuthorityColumns+" FROM authorities WHERE id = $1", id)
	a, err := scanAuthority(row)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("postgres: authority %q: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: get authority %q: %w", id, err)
	}
	return a, nil
}

// ListAuthorities returns every CA hierarchy, ordered by id (byte order: the
// column has the "C" collation).
func (r reader) ListAuthorities(ctx context.Context) ([]*store.Authority, error) {
	return queryAll(ctx, r.q, "list authorities", "SELECT "+sqlcommon.AuthorityColumns+" FROM authorities ORDER BY id", nil, scanAuthority)
}

// InsertAuthority stores a CA hierarchy; ErrConflict when the id exists. A taken
// id inserts nothing instead of failing, so the transaction stays usable.
func (t *tx) InsertAuthority(ctx context.Context, a *store.Authority) error {
	if err := sqlcommon.CheckTime(a.CreatedAt); err != nil {
		return fmt.Errorf("postgres: insert authority %q: %w", a.ID, err)
	}
	tag, err := t.q.Exec(ctx, "INSERT INTO authorities ("+sqlcommon.AuthorityColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING`,
		a.ID, a.Brand, a.KeyAlgorithm, a.RootPEM, a.IntermediatePEM,
		sqlcommon.NilIfEmpty(a.RootKeySealed), sqlcommon.NilIfEmpty(a.IntermediateKeySealed), a.CRLNumber, a.CreatedAt)
	if err == nil && tag.RowsAffected() == 0 {
		err = store.ErrConflict
	}
	if err != nil {
		return fmt.Errorf("postgres: insert authority %q: %w", a.ID, mapErr(err))
	}
	return nil
}

// UpdateAuthority writes the mutable field of a CA hierarchy, its CRL number;
// the certificates, keys and creation time never change. ErrNotFound when it
// does not exist.
func (t *tx) UpdateAuthority(ctx context.Context, a *store.Authority) error {
	if err := t.execExisting(ctx, "UPDATE authorities SET crl_number = $2 WHERE id = $1", a.ID, a.CRLNumber); err != nil {
		return fmt.Errorf("postgres: update authority %q: %w", a.ID, mapErr(err))
	}
	return nil
}

// scanSerial reads one row of sqlcommon.SerialColumns.
func scanSerial(row pgx.Row) (*store.Serial, error) {
	var s store.Serial
	if err := row.Scan(&s.CAID, &s.Serial, &s.CertificateID, &s.Version, &s.NotAfter, &s.Revoked,
		&s.RevokedAt, &s.Reason, &s.CreatedAt); err != nil {
		return nil, err
	}
	return &s, nil
}

// GetSerial returns one serial number of a CA.
func (r reader) GetSerial(ctx context.Context, caID, serial string) (*store.Serial, error) {
	row := r.q.QueryRow(ctx, "SELECT "+sqlcommon.SerialColumns+" FROM serials WHERE ca_id = $1 AND serial = $2", caID, serial)
	s, err := scanSerial(row)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("postgres: serial %s of authority %q: %w", serial, caID, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: get serial %s of authority %q: %w", serial, caID, err)
	}
	return s, nil
}

// listRevokedSerialsSQL selects one CA's revoked serials; serials_ca_revoked
// serves both the filter and the order.
const listRevokedSerialsSQL = "SELECT " + sqlcommon.SerialColumns + " FROM serials WHERE ca_id = $1 AND revoked ORDER BY serial"

// ListRevokedSerials returns the revoked serials of one CA, ordered by serial
// (byte order: the column has the "C" collation).
func (r reader) ListRevokedSerials(ctx context.Context, caID string) ([]*store.Serial, error) {
	return queryAll(ctx, r.q, fmt.Sprintf("list revoked serials of %q", caID), listRevokedSerialsSQL, []any{caID}, scanSerial)
}

// InsertSerial records a serial number; ErrConflict when (ca_id, serial) exists.
// A taken key inserts nothing instead of failing, so the transaction stays usable.
func (t *tx) InsertSerial(ctx context.Context, s *store.Serial) error {
	for _, tm := range []time.Time{s.NotAfter, s.RevokedAt, s.CreatedAt} {
		if err := sqlcommon.CheckTime(tm); err != nil {
			return fmt.Errorf("postgres: insert serial %s of authority %q: %w", s.Serial, s.CAID, err)
		}
	}
	tag, err := t.q.Exec(ctx, "INSERT INTO serials ("+sqlcommon.SerialColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (ca_id, serial) DO NOTHING`,
		s.CAID, s.Serial, s.CertificateID, s.Version, s.NotAfter, s.Revoked, s.RevokedAt, s.Reason, s.CreatedAt)
	if err == nil && tag.RowsAffected() == 0 {
		err = store.ErrConflict
	}
	if err != nil {
		return fmt.Errorf("postgres: insert serial %s of authority %q: %w", s.Serial, s.CAID, mapErr(err))
	}
	return nil
}

// revokeSerialsSQL revokes the unrevoked serials of one certificate through serials_certificate.
const revokeSerialsSQL = "UPDATE serials SET revoked = TRUE, revoked_at = $2, reason = $3 WHERE certificate_id = $1 AND NOT revoked"

// RevokeSerials marks every unrevoked serial of a certificate record revoked and
// returns how many it marked; serials revoked before keep their time and reason.
func (t *tx) RevokeSerials(ctx context.Context, certificateID string, at time.Time, reason int) (int, error) {
	if err := sqlcommon.CheckTime(at); err != nil {
		return 0, fmt.Errorf("postgres: revoke serials of %q: %w", certificateID, err)
	}
	tag, err := t.q.Exec(ctx, revokeSerialsSQL, certificateID, at, reason)
	if err != nil {
		return 0, fmt.Errorf("postgres: revoke serials of %q: %w", certificateID, err)
	}
	return int(tag.RowsAffected()), nil
}

// RevokeSerial marks one serial revoked; a serial revoked before keeps its time
// and reason. ErrNotFound when it does not exist.
func (t *tx) RevokeSerial(ctx context.Context, caID, serial string, at time.Time, reason int) error {
	if err := sqlcommon.CheckTime(at); err != nil {
		return fmt.Errorf("postgres: revoke serial %s of authority %q: %w", serial, caID, err)
	}
	// The outer SELECT sees the statement's snapshot, from before the update:
	// it tells whether the serial exists, revoked before or not, in one round trip.
	var exists bool
	err := t.q.QueryRow(ctx, `WITH upd AS (
			UPDATE serials SET revoked = TRUE, revoked_at = $3, reason = $4
			WHERE ca_id = $1 AND serial = $2 AND NOT revoked
		)
		SELECT EXISTS (SELECT 1 FROM serials WHERE ca_id = $1 AND serial = $2)`,
		caID, serial, at, reason).Scan(&exists)
	if err == nil && !exists {
		err = store.ErrNotFound
	}
	if err != nil {
		return fmt.Errorf("postgres: revoke serial %s of authority %q: %w", serial, caID, err)
	}
	return nil
}
