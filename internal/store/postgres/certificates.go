package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/sslkit/terraform-provider-ssl/internal/store"
	"github.com/sslkit/terraform-provider-ssl/internal/store/sqlcommon"
)

// querier is what reads and writes need from *pgxpool.Pool and pgx.Tx.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// reader implements store.Reader on the pool or on a transaction.
type reader struct {
	q querier
}

// tx implements store.Tx inside an Update.
type tx struct {
	reader
}

// scanCertificate reads one row of sqlcommon.CertificateListColumns (and the secrets when withSecrets).
func scanCertificate(row pgx.Row, withSecrets bool) (*store.Certificate, error) {
	var (
		c                                  store.Certificate
		tags                               []byte
		sans                               []string
		privateKeySealed, encryptionSealed []byte
	)
	dest := []any{&c.ID, &c.Project, &c.Name, &c.Source, &c.Standard, &c.Status, &c.StatusCode, &tags,
		&c.IgnoreNotifications, &c.Version, &c.Domain, &sans, &c.Issuer, &c.SerialNumber, &c.NotBefore,
		&c.NotAfter, &c.FingerprintSHA256, &c.KeyAlgorithm, &c.KeySize, &c.CertificatePEM, &c.LeafPEM,
		&c.CAChainPEM, &c.ChainComplete, &c.EncryptionCertPEM, &c.PrivateKeyWriteOnly, &c.Spec,
		&c.CreatedAt, &c.UpdatedAt}
	if withSecrets {
		dest = append(dest, &privateKeySealed, &encryptionSealed)
	}
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(tags, &c.Tags); err != nil {
		return nil, fmt.Errorf("certificate %q: tags: %w", c.ID, err)
	}
	if len(sans) > 0 {
		c.SANs = sans
	}
	if withSecrets {
		c.PrivateKeySealed = sqlcommon.NilIfEmpty(privateKeySealed)
		c.EncryptionKeySealed = sqlcommon.NilIfEmpty(encryptionSealed)
	}
	return &c, nil
}

// GetCertificate returns one certificate record, sealed secrets included.
func (r reader) GetCertificate(ctx context.Context, id string) (*store.Certificate, error) {
	row := r.q.QueryRow(ctx, "SELECT "+sqlcommon.CertificateGetColumns+" FROM certificates WHERE id = $1", id)
	c, err := scanCertificate(row, true)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("postgres: certificate %q: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: get certificate %q: %w", id, err)
	}
	return c, nil
}

// ListCertificates returns the records matching f in one query, without secrets.
func (r reader) ListCertificates(ctx context.Context, f store.CertificateFilter) ([]*store.Certificate, error) {
	query, args, err := buildListQuery(f)
	if err != nil {
		return nil, fmt.Errorf("postgres: list certificates: %w", err)
	}
	return queryAll(ctx, r.q, "list certificates", query, args, func(row pgx.Row) (*store.Certificate, error) {
		return scanCertificate(row, false)
	})
}

// buildListQuery turns a filter into one SELECT and its arguments. A nil slice
// does not filter; a non-nil empty slice matches nothing.
func buildListQuery(f store.CertificateFilter) (string, []any, error) {
	var c conditions
	c.in("c.id = ANY(%s)", f.IDs)
	c.in("c.project = ANY(%s)", f.Projects)
	c.eq("c.project", f.Project)
	if f.Name != "" {
		// strpos is a plain, case-sensitive substring test: no wildcards to escape.
		c.add("strpos(c.name, " + c.arg(f.Name) + ") > 0")
	}
	c.eq("c.name", f.NameExact)
	c.in("c.id IN (SELECT d.certificate_id FROM certificate_domains d WHERE d.domain = ANY(%s))", f.Domains)
	c.eq("c.status", f.Status)
	c.eq("c.source", f.Source)
	if len(f.Tags) > 0 {
		// Containment of one object holding every pair: each key must be present
		// with exactly that string value. Keys are JSON keys, so dots or quotes
		// in them need no path quoting.
		tags, err := sqlcommon.MarshalJSON(f.Tags, "{}")
		if err != nil {
			return "", nil, fmt.Errorf("tags: %w", err)
		}
		c.add("c.tags @> " + c.arg(tags) + "::jsonb")
	}
	if !f.NotAfterFrom.IsZero() {
		if err := sqlcommon.CheckTime(f.NotAfterFrom); err != nil {
			return "", nil, fmt.Errorf("not_after from: %w", err)
		}
		// Stored times have microsecond precision: s >= from ⇔ s >= from rounded up.
		from := f.NotAfterFrom
		if t := from.Truncate(time.Microsecond); !t.Equal(from) {
			from = t.Add(time.Microsecond)
		}
		c.add("c.not_after >= " + c.arg(from))
	}
	if !f.NotAfterTo.IsZero() {
		if err := sqlcommon.CheckTime(f.NotAfterTo); err != nil {
			return "", nil, fmt.Errorf("not_after to: %w", err)
		}
		// s <= to ⇔ s <= to rounded down, which is what the driver sends.
		c.add("c.not_after <= " + c.arg(f.NotAfterTo.Truncate(time.Microsecond)))
	}
	return "SELECT " + sqlcommon.CertificateListColumns + " FROM certificates c" + c.sql() + " ORDER BY c.created_at, c.id",
		c.args, nil
}

// ListVersions returns every version of one certificate, oldest first.
func (r reader) ListVersions(ctx context.Context, certificateID string) ([]*store.CertificateVersion, error) {
	rows, err := r.q.Query(ctx, `SELECT certificate_id, version, kind, serial_number, not_before,
		not_after, fingerprint_sha256, certificate_pem, created_at
		FROM certificate_versions WHERE certificate_id = $1 ORDER BY version`, certificateID)
	if err != nil {
		return nil, fmt.Errorf("postgres: list versions of %q: %w", certificateID, err)
	}
	defer rows.Close()
	var out []*store.CertificateVersion
	for rows.Next() {
		var v store.CertificateVersion
		if err := rows.Scan(&v.CertificateID, &v.Version, &v.Kind, &v.SerialNumber, &v.NotBefore,
			&v.NotAfter, &v.FingerprintSHA256, &v.CertificatePEM, &v.CreatedAt); err != nil {
			return nil, fmt.Errorf("postgres: list versions of %q: %w", certificateID, err)
		}
		out = append(out, &v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: list versions of %q: %w", certificateID, err)
	}
	return out, nil
}

// GetIdempotency returns the record stored under an idempotency key.
func (r reader) GetIdempotency(ctx context.Context, key string) (*store.Idempotency, error) {
	var i store.Idempotency
	err := r.q.QueryRow(ctx, `SELECT key, operation, request_hash, result_id, created_at
		FROM idempotency WHERE key = $1`, key).Scan(&i.Key, &i.Operation, &i.RequestHash, &i.ResultID, &i.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("postgres: idempotency key %q: %w", key, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("postgres: get idempotency key %q: %w", key, err)
	}
	return &i, nil
}

// certificateArgs returns the values of every column of c, in sqlcommon.CertificateGetColumns order.
func certificateArgs(c *store.Certificate) ([]any, error) {
	tags, err := sqlcommon.MarshalJSON(c.Tags, "{}")
	if err != nil {
		return nil, fmt.Errorf("tags: %w", err)
	}
	sans := c.SANs
	if sans == nil {
		sans = []string{}
	}
	for _, t := range []time.Time{c.NotBefore, c.NotAfter, c.CreatedAt, c.UpdatedAt} {
		if err := sqlcommon.CheckTime(t); err != nil {
			return nil, err
		}
	}
	return []any{c.ID, c.Project, c.Name, c.Source, c.Standard, c.Status, c.StatusCode, tags,
		c.IgnoreNotifications, c.Version, c.Domain, sans, c.Issuer, c.SerialNumber, c.NotBefore,
		c.NotAfter, c.FingerprintSHA256, c.KeyAlgorithm, c.KeySize, c.CertificatePEM, c.LeafPEM,
		c.CAChainPEM, c.ChainComplete, c.EncryptionCertPEM, c.PrivateKeyWriteOnly, c.Spec,
		c.CreatedAt, c.UpdatedAt, sqlcommon.NilIfEmpty(c.PrivateKeySealed), sqlcommon.NilIfEmpty(c.EncryptionKeySealed)}, nil
}

// columnCount is the number of columns in sqlcommon.CertificateGetColumns.
var columnCount = len(strings.Split(sqlcommon.CertificateGetColumns, ","))

// placeholders returns "$from, …" with n numbered parameters.
func placeholders(from, n int) string {
	p := make([]string, n)
	for i := range p {
		p[i] = fmt.Sprintf("$%d", from+i)
	}
	return strings.Join(p, ", ")
}

// execExisting runs a write that must touch a row; store.ErrNotFound when it
// touched none.
func (t *tx) execExisting(ctx context.Context, query string, args ...any) error {
	tag, err := t.q.Exec(ctx, query, args...)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return store.ErrNotFound
	}
	return nil
}

// conditions collects the WHERE conditions of a list query and their
// arguments, numbered $1, $2, … in the order they are added.
type conditions struct {
	where []string
	args  []any
}

// arg adds a value and returns its placeholder.
func (c *conditions) arg(v any) string {
	c.args = append(c.args, v)
	return fmt.Sprintf("$%d", len(c.args))
}

// add adds cond, whose placeholders came from arg.
func (c *conditions) add(cond string) {
	c.where = append(c.where, cond)
}

// eq adds column = value; an empty value does not filter.
func (c *conditions) eq(column, value string) {
	if value != "" {
		c.add(column + " = " + c.arg(value))
	}
}

// in adds expr, whose %s becomes one text[] parameter holding values. A nil
// slice does not filter; a non-nil empty slice matches nothing.
func (c *conditions) in(expr string, values []string) {
	switch {
	case values == nil:
	case len(values) == 0:
		c.add("FALSE")
	default:
		c.add(fmt.Sprintf(expr, c.arg(values)+"::text[]"))
	}
}

// sql returns " WHERE " and the conditions joined by AND, or "" without any.
func (c *conditions) sql() string {
	if len(c.where) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(c.where, " AND ")
}

// insertCertificateSQL inserts one record; a taken id inserts nothing instead of
// failing, so that the transaction stays usable after ErrConflict.
var insertCertificateSQL = "INSERT INTO certificates (" + sqlcommon.CertificateGetColumns + ") VALUES (" +
	placeholders(1, columnCount) + ") ON CONFLICT (id) DO NOTHING"

// updateCertificateSQL overwrites every column but the id ($1).
var updateCertificateSQL = func() string {
	cols := strings.Split(sqlcommon.CertificateGetColumns, ",")
	sets := make([]string, 0, len(cols)-1)
	for i, col := range cols[1:] {
		sets = append(sets, fmt.Sprintf("%s = $%d", strings.TrimSpace(col), i+2))
	}
	return "UPDATE certificates SET " + strings.Join(sets, ", ") + " WHERE id = $1"
}()

// InsertCertificate adds a new record and its domains; ErrConflict when the id exists.
func (t *tx) InsertCertificate(ctx context.Context, c *store.Certificate) error {
	args, err := certificateArgs(c)
	if err != nil {
		return fmt.Errorf("postgres: insert certificate %q: %w", c.ID, err)
	}
	tag, err := t.q.Exec(ctx, insertCertificateSQL, args...)
	if err == nil && tag.RowsAffected() == 0 {
		err = store.ErrConflict
	}
	if err != nil {
		return fmt.Errorf("postgres: insert certificate %q: %w", c.ID, mapErr(err))
	}
	if err := t.insertDomains(ctx, c); err != nil {
		return fmt.Errorf("postgres: insert certificate %q: %w", c.ID, err)
	}
	return nil
}

// insertDomains writes one certificate_domains row per distinct SAN.
func (t *tx) insertDomains(ctx context.Context, c *store.Certificate) error {
	if len(c.SANs) == 0 {
		return nil
	}
	if _, err := t.q.Exec(ctx, `INSERT INTO certificate_domains (certificate_id, domain)
		SELECT $1, d FROM unnest($2::text[]) AS d ON CONFLICT DO NOTHING`, c.ID, c.SANs); err != nil {
		return fmt.Errorf("domains: %w", err)
	}
	return nil
}

// UpdateCertificate overwrites every field of an existing record and rewrites its
// domains; ErrNotFound when it does not exist.
func (t *tx) UpdateCertificate(ctx context.Context, c *store.Certificate) error {
	args, err := certificateArgs(c)
	if err != nil {
		return fmt.Errorf("postgres: update certificate %q: %w", c.ID, err)
	}
	if err := t.execExisting(ctx, updateCertificateSQL, args...); err != nil {
		return fmt.Errorf("postgres: update certificate %q: %w", c.ID, mapErr(err))
	}
	if _, err := t.q.Exec(ctx, "DELETE FROM certificate_domains WHERE certificate_id = $1", c.ID); err != nil {
		return fmt.Errorf("postgres: update certificate %q: domains: %w", c.ID, err)
	}
	if err := t.insertDomains(ctx, c); err != nil {
		return fmt.Errorf("postgres: update certificate %q: %w", c.ID, err)
	}
	return nil
}

// DeleteCertificate removes a record; its versions and domains go with it (ON
// DELETE CASCADE). ErrNotFound when it does not exist.
func (t *tx) DeleteCertificate(ctx context.Context, id string) error {
	if err := t.execExisting(ctx, "DELETE FROM certificates WHERE id = $1", id); err != nil {
		return fmt.Errorf("postgres: delete certificate %q: %w", id, err)
	}
	return nil
}

// InsertVersion records one version of a certificate; ErrConflict when that
// version exists, ErrNotFound when the certificate does not. Neither case
// aborts the transaction: the insert is conditional rather than failing.
func (t *tx) InsertVersion(ctx context.Context, v *store.CertificateVersion) error {
	for _, tm := range []time.Time{v.NotBefore, v.NotAfter, v.CreatedAt} {
		if err := sqlcommon.CheckTime(tm); err != nil {
			return fmt.Errorf("postgres: insert version %d of %q: %w", v.Version, v.CertificateID, err)
		}
	}
	// The outer SELECT reports both whether the certificate exists and whether
	// the row went in, in one round trip.
	var exists, inserted bool
	err := t.q.QueryRow(ctx, `WITH ins AS (
			INSERT INTO certificate_versions (certificate_id, version, kind, serial_number,
				not_before, not_after, fingerprint_sha256, certificate_pem, created_at)
			SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9
			WHERE EXISTS (SELECT 1 FROM certificates WHERE id = $1)
			ON CONFLICT (certificate_id, version) DO NOTHING
			RETURNING 1
		)
		SELECT EXISTS (SELECT 1 FROM certificates WHERE id = $1), EXISTS (SELECT 1 FROM ins)`,
		v.CertificateID, v.Version, v.Kind, v.SerialNumber, v.NotBefore, v.NotAfter,
		v.FingerprintSHA256, v.CertificatePEM, v.CreatedAt).Scan(&exists, &inserted)
	switch {
	case err != nil:
		err = mapErr(err)
	case !exists:
		err = store.ErrNotFound
	case !inserted:
		err = store.ErrConflict
	}
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("postgres: insert version %d of certificate %q: %w", v.Version, v.CertificateID, err)
	}
	if err != nil {
		return fmt.Errorf("postgres: insert version %d of %q: %w", v.Version, v.CertificateID, err)
	}
	return nil
}

// PutIdempotency stores the outcome of a request; ErrConflict when the key exists.
func (t *tx) PutIdempotency(ctx context.Context, r *store.Idempotency) error {
	if err := sqlcommon.CheckTime(r.CreatedAt); err != nil {
		return fmt.Errorf("postgres: put idempotency key %q: %w", r.Key, err)
	}
	tag, err := t.q.Exec(ctx, `INSERT INTO idempotency (key, operation, request_hash, result_id, created_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (key) DO NOTHING`,
		r.Key, r.Operation, r.RequestHash, r.ResultID, r.CreatedAt)
	if err == nil && tag.RowsAffected() == 0 {
		err = store.ErrConflict
	}
	if err != nil {
		return fmt.Errorf("postgres: put idempotency key %q: %w", r.Key, mapErr(err))
	}
	return nil
}

// mapErr wraps constraint failures the conditional inserts did not absorb (a
// concurrent writer outside Update, say): unique violations become
// ErrConflict, foreign-key violations ErrNotFound. The driver's error stays in
// the chain.
func mapErr(err error) error {
	switch {
	case isUniqueViolation(err):
		return fmt.Errorf("%w (%w)", store.ErrConflict, err)
	case isForeignKeyViolation(err):
		return fmt.Errorf("%w (%w)", store.ErrNotFound, err)
	}
	return err
}

// queryAll runs a list query and scans every row with scan; what names the
// operation in errors.
func queryAll[T any](ctx context.Context, q querier, what, query string, args []any, scan func(pgx.Row) (T, error)) ([]T, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: %s: %w", what, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("postgres: %s: %w", what, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("postgres: %s: %w", what, err)
	}
	return out, nil
}
