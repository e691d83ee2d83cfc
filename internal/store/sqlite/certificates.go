package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sslkit/terraform-provider-ssl/internal/store"
	"github.com/sslkit/terraform-provider-ssl/internal/store/sqlcommon"
)

// timeLayout is how times are stored: UTC, fixed width, so that text order is
// time order (years 0000-9999).
const timeLayout = "2006-01-02T15:04:05.000000000Z"

// querier is what reads and writes need from *sql.DB and *sql.Tx.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// reader implements store.Reader on the database or on a transaction. Its own
// ExecContext, QueryContext and QueryRowContext run q's queries through the
// store's prepared statements.
type reader struct {
	q     querier
	stmts *stmtCache
}

// tx implements store.Tx inside an Update.
type tx struct {
	reader
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface {
	Scan(dest ...any) error
}

// scanCertificate reads one row of sqlcommon.CertificateListColumns (and the secrets when withSecrets).
func scanCertificate(sc scanner, withSecrets bool) (*store.Certificate, error) {
	var (
		c                                  store.Certificate
		tags, sans                         string
		notBefore, notAfter, created, upd  string
		ignore, complete, writeOnly        bool
		privateKeySealed, encryptionSealed []byte
	)
	dest := []any{&c.ID, &c.Project, &c.Name, &c.Source, &c.Standard, &c.Status, &c.StatusCode, &tags,
		&ignore, &c.Version, &c.Domain, &sans, &c.Issuer, &c.SerialNumber, &notBefore,
		&notAfter, &c.FingerprintSHA256, &c.KeyAlgorithm, &c.KeySize, &c.CertificatePEM, &c.LeafPEM,
		&c.CAChainPEM, &complete, &c.EncryptionCertPEM, &writeOnly, &c.Spec,
		&created, &upd}
	if withSecrets {
		dest = append(dest, &privateKeySealed, &encryptionSealed)
	}
	if err := sc.Scan(dest...); err != nil {
		return nil, err
	}
	c.IgnoreNotifications, c.ChainComplete, c.PrivateKeyWriteOnly = ignore, complete, writeOnly
	if err := json.Unmarshal([]byte(tags), &c.Tags); err != nil {
		return nil, fmt.Errorf("certificate %q: tags: %w", c.ID, err)
	}
	if err := json.Unmarshal([]byte(sans), &c.SANs); err != nil {
		return nil, fmt.Errorf("certificate %q: sans: %w", c.ID, err)
	}
	if len(c.SANs) == 0 {
		c.SANs = nil
	}
	var err error
	for _, t := range []struct {
		dst *time.Time
		src string
	}{{&c.NotBefore, notBefore}, {&c.NotAfter, notAfter}, {&c.CreatedAt, created}, {&c.UpdatedAt, upd}} {
		if *t.dst, err = parseTime(t.src); err != nil {
			return nil, fmt.Errorf("certificate %q: %w", c.ID, err)
		}
	}
	if withSecrets {
		c.PrivateKeySealed = sqlcommon.NilIfEmpty(privateKeySealed)
		c.EncryptionKeySealed = sqlcommon.NilIfEmpty(encryptionSealed)
	}
	return &c, nil
}

// GetCertificate returns one certificate record, sealed secrets included.
func (r reader) GetCertificate(ctx context.Context, id string) (*store.Certificate, error) {
	row := r.QueryRowContext(ctx, "SELECT "+sqlcommon.CertificateGetColumns+" FROM certificates WHERE id = ?", id)
	c, err := scanCertificate(row, true)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("sqlite: certificate %q: %w", id, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: get certificate %q: %w", id, err)
	}
	return c, nil
}

// ListCertificates returns the records matching f in one query, without secrets.
func (r reader) ListCertificates(ctx context.Context, f store.CertificateFilter) ([]*store.Certificate, error) {
	query, args, err := buildListQuery(f)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list certificates: %w", err)
	}
	return queryAll(ctx, r, "list certificates", query, args, func(sc scanner) (*store.Certificate, error) {
		return scanCertificate(sc, false)
	})
}

// buildListQuery turns a filter into one SELECT and its arguments. A nil slice
// does not filter; a non-nil empty slice matches nothing.
func buildListQuery(f store.CertificateFilter) (string, []any, error) {
	var c conditions
	c.in("c.id IN (%s)", f.IDs)
	c.in("c.project IN (%s)", f.Projects)
	c.eq("c.project", f.Project)
	if f.Name != "" {
		// instr is a plain, case-sensitive substring test: no wildcards to escape.
		c.add("instr(c.name, ?) > 0", f.Name)
	}
	c.eq("c.name", f.NameExact)
	c.in("c.id IN (SELECT d.certificate_id FROM certificate_domains d WHERE d.domain IN (%s))", f.Domains)
	c.eq("c.status", f.Status)
	c.eq("c.source", f.Source)
	keys := make([]string, 0, len(f.Tags))
	for k := range f.Tags {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		// json_each yields the raw keys, so keys with dots or quotes need no path quoting.
		c.add("EXISTS (SELECT 1 FROM json_each(c.tags) t WHERE t.key = ? AND t.type = 'text' AND t.value = ?)", k, f.Tags[k])
	}
	if !f.NotAfterFrom.IsZero() {
		s, err := formatTime(f.NotAfterFrom)
		if err != nil {
			return "", nil, fmt.Errorf("not_after from: %w", err)
		}
		c.add("c.not_after >= ?", s)
	}
	if !f.NotAfterTo.IsZero() {
		s, err := formatTime(f.NotAfterTo)
		if err != nil {
			return "", nil, fmt.Errorf("not_after to: %w", err)
		}
		c.add("c.not_after <= ?", s)
	}
	return "SELECT " + sqlcommon.CertificateListColumns + " FROM certificates c" + c.sql() + " ORDER BY c.created_at, c.id",
		c.args, nil
}

// execExisting runs a write that must touch a row; store.ErrNotFound when it
// touched none.
func (t *tx) execExisting(ctx context.Context, query string, args ...any) error {
	res, err := t.ExecContext(ctx, query, args...)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return store.ErrNotFound
	}
	return nil
}

// placeholders returns "?, ?, …" with n marks.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// conditions collects the WHERE conditions of a list query and their
// arguments, in placeholder order.
type conditions struct {
	where []string
	args  []any
}

// add adds cond, whose ? placeholders take args.
func (c *conditions) add(cond string, args ...any) {
	c.where = append(c.where, cond)
	c.args = append(c.args, args...)
}

// eq adds column = value; an empty value does not filter.
func (c *conditions) eq(column, value string) {
	if value != "" {
		c.add(column+" = ?", value)
	}
}

// in adds expr, whose %s becomes one placeholder per value. A nil slice does
// not filter; a non-nil empty slice matches nothing.
func (c *conditions) in(expr string, values []string) {
	switch {
	case values == nil:
	case len(values) == 0:
		c.add("0")
	default:
		c.where = append(c.where, fmt.Sprintf(expr, placeholders(len(values))))
		for _, v := range values {
			c.args = append(c.args, v)
		}
	}
}

// sql returns " WHERE " and the conditions joined by AND, or "" without any.
func (c *conditions) sql() string {
	if len(c.where) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(c.where, " AND ")
}

// ListVersions returns every version of one certificate, oldest first.
func (r reader) ListVersions(ctx context.Context, certificateID string) ([]*store.CertificateVersion, error) {
	rows, err := r.QueryContext(ctx, `SELECT certificate_id, version, kind, serial_number, not_before,
		not_after, fingerprint_sha256, certificate_pem, created_at
		FROM certificate_versions WHERE certificate_id = ? ORDER BY version`, certificateID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list versions of %q: %w", certificateID, err)
	}
	defer rows.Close()
	var out []*store.CertificateVersion
	for rows.Next() {
		var (
			v                            store.CertificateVersion
			notBefore, notAfter, created string
		)
		if err := rows.Scan(&v.CertificateID, &v.Version, &v.Kind, &v.SerialNumber, &notBefore,
			&notAfter, &v.FingerprintSHA256, &v.CertificatePEM, &created); err != nil {
			return nil, fmt.Errorf("sqlite: list versions of %q: %w", certificateID, err)
		}
		for _, t := range []struct {
			dst *time.Time
			src string
		}{{&v.NotBefore, notBefore}, {&v.NotAfter, notAfter}, {&v.CreatedAt, created}} {
			if *t.dst, err = parseTime(t.src); err != nil {
				return nil, fmt.Errorf("sqlite: list versions of %q: %w", certificateID, err)
			}
		}
		out = append(out, &v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: list versions of %q: %w", certificateID, err)
	}
	return out, nil
}

// GetIdempotency returns the record stored under an idempotency key.
func (r reader) GetIdempotency(ctx context.Context, key string) (*store.Idempotency, error) {
	var (
		i       store.Idempotency
		created string
	)
	err := r.QueryRowContext(ctx, `SELECT key, operation, request_hash, result_id, created_at
		FROM idempotency WHERE key = ?`, key).Scan(&i.Key, &i.Operation, &i.RequestHash, &i.ResultID, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("sqlite: idempotency key %q: %w", key, store.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: get idempotency key %q: %w", key, err)
	}
	if i.CreatedAt, err = parseTime(created); err != nil {
		return nil, fmt.Errorf("sqlite: idempotency key %q: %w", key, err)
	}
	return &i, nil
}

// certificateArgs returns the values of every column of c, in sqlcommon.CertificateGetColumns order.
func certificateArgs(c *store.Certificate) ([]any, error) {
	tags, err := sqlcommon.MarshalJSON(c.Tags, "{}")
	if err != nil {
		return nil, fmt.Errorf("tags: %w", err)
	}
	sans, err := sqlcommon.MarshalJSON(c.SANs, "[]")
	if err != nil {
		return nil, fmt.Errorf("sans: %w", err)
	}
	var times [4]string
	for i, t := range []time.Time{c.NotBefore, c.NotAfter, c.CreatedAt, c.UpdatedAt} {
		if times[i], err = formatTime(t); err != nil {
			return nil, err
		}
	}
	return []any{c.ID, c.Project, c.Name, c.Source, c.Standard, c.Status, c.StatusCode, tags,
		c.IgnoreNotifications, c.Version, c.Domain, sans, c.Issuer, c.SerialNumber, times[0],
		times[1], c.FingerprintSHA256, c.KeyAlgorithm, c.KeySize, c.CertificatePEM, c.LeafPEM,
		c.CAChainPEM, c.ChainComplete, c.EncryptionCertPEM, c.PrivateKeyWriteOnly, c.Spec,
		times[2], times[3], sqlcommon.NilIfEmpty(c.PrivateKeySealed), sqlcommon.NilIfEmpty(c.EncryptionKeySealed)}, nil
}

// InsertCertificate adds a new record and its domains; ErrConflict when the id exists.
func (t *tx) InsertCertificate(ctx context.Context, c *store.Certificate) error {
	args, err := certificateArgs(c)
	if err != nil {
		return fmt.Errorf("sqlite: insert certificate %q: %w", c.ID, err)
	}
	_, err = t.ExecContext(ctx, "INSERT INTO certificates ("+sqlcommon.CertificateGetColumns+") VALUES ("+placeholders(len(args))+")", args...)
	if err != nil {
		return fmt.Errorf("sqlite: insert certificate %q: %w", c.ID, conflictIfUnique(err))
	}
	if err := t.insertDomains(ctx, c); err != nil {
		return fmt.Errorf("sqlite: insert certificate %q: %w", c.ID, err)
	}
	return nil
}

// insertDomains writes one certificate_domains row per distinct SAN.
func (t *tx) insertDomains(ctx context.Context, c *store.Certificate) error {
	for _, d := range c.SANs {
		if _, err := t.ExecContext(ctx,
			"INSERT OR IGNORE INTO certificate_domains (certificate_id, domain) VALUES (?, ?)", c.ID, d); err != nil {
			return fmt.Errorf("domain %q: %w", d, err)
		}
	}
	return nil
}

// UpdateCertificate overwrites every field of an existing record and rewrites its
// domains; ErrNotFound when it does not exist.
func (t *tx) UpdateCertificate(ctx context.Context, c *store.Certificate) error {
	args, err := certificateArgs(c)
	if err != nil {
		return fmt.Errorf("sqlite: update certificate %q: %w", c.ID, err)
	}
	cols := strings.Split(sqlcommon.CertificateGetColumns, ",")
	sets := make([]string, 0, len(cols)-1)
	for _, col := range cols[1:] {
		sets = append(sets, strings.TrimSpace(col)+" = ?")
	}
	if err := t.execExisting(ctx, "UPDATE certificates SET "+strings.Join(sets, ", ")+" WHERE id = ?",
		append(args[1:], c.ID)...); err != nil {
		return fmt.Errorf("sqlite: update certificate %q: %w", c.ID, err)
	}
	if _, err := t.ExecContext(ctx, "DELETE FROM certificate_domains WHERE certificate_id = ?", c.ID); err != nil {
		return fmt.Errorf("sqlite: update certificate %q: domains: %w", c.ID, err)
	}
	if err := t.insertDomains(ctx, c); err != nil {
		return fmt.Errorf("sqlite: update certificate %q: %w", c.ID, err)
	}
	return nil
}

// DeleteCertificate removes a record with its versions and domains; ErrNotFound
// when it does not exist.
func (t *tx) DeleteCertificate(ctx context.Context, id string) error {
	// The foreign keys cascade too; deleting explicitly keeps this correct even
	// on a connection where foreign_keys is off.
	for _, q := range []string{
		"DELETE FROM certificate_versions WHERE certificate_id = ?",
		"DELETE FROM certificate_domains WHERE certificate_id = ?",
	} {
		if _, err := t.ExecContext(ctx, q, id); err != nil {
			return fmt.Errorf("sqlite: delete certificate %q: %w", id, err)
		}
	}
	if err := t.execExisting(ctx, "DELETE FROM certificates WHERE id = ?", id); err != nil {
		return fmt.Errorf("sqlite: delete certificate %q: %w", id, err)
	}
	return nil
}

// InsertVersion records one version of a certificate; ErrConflict when that
// version exists, ErrNotFound when the certificate does not.
func (t *tx) InsertVersion(ctx context.Context, v *store.CertificateVersion) error {
	var times [3]string
	var err error
	for i, tm := range []time.Time{v.NotBefore, v.NotAfter, v.CreatedAt} {
		if times[i], err = formatTime(tm); err != nil {
			return fmt.Errorf("sqlite: insert version %d of %q: %w", v.Version, v.CertificateID, err)
		}
	}
	_, err = t.ExecContext(ctx, `INSERT INTO certificate_versions (certificate_id, version, kind,
		serial_number, not_before, not_after, fingerprint_sha256, certificate_pem, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		v.CertificateID, v.Version, v.Kind, v.SerialNumber, times[0], times[1], v.FingerprintSHA256,
		v.CertificatePEM, times[2])
	switch {
	case isUniqueViolation(err):
		return fmt.Errorf("sqlite: insert version %d of %q: %w", v.Version, v.CertificateID, store.ErrConflict)
	case isForeignKeyViolation(err):
		return fmt.Errorf("sqlite: insert version %d of certificate %q: %w", v.Version, v.CertificateID, store.ErrNotFound)
	case err != nil:
		return fmt.Errorf("sqlite: insert version %d of %q: %w", v.Version, v.CertificateID, err)
	}
	return nil
}

// PutIdempotency stores the outcome of a request; ErrConflict when the key exists.
func (t *tx) PutIdempotency(ctx context.Context, r *store.Idempotency) error {
	created, err := formatTime(r.CreatedAt)
	if err != nil {
		return fmt.Errorf("sqlite: put idempotency key %q: %w", r.Key, err)
	}
	_, err = t.ExecContext(ctx, `INSERT INTO idempotency (key, operation, request_hash, result_id, created_at)
		VALUES (?, ?, ?, ?, ?)`, r.Key, r.Operation, r.RequestHash, r.ResultID, created)
	if err != nil {
		return fmt.Errorf("sqlite: put idempotency key %q: %w", r.Key, conflictIfUnique(err))
	}
	return nil
}

// formatTime renders t in timeLayout; years outside 0000-9999 would break the
// text order and are refused.
func formatTime(t time.Time) (string, error) {
	if err := sqlcommon.CheckTime(t); err != nil {
		return "", err
	}
	return t.UTC().Format(timeLayout), nil
}

// parseTime reads a time written by formatTime.
func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(timeLayout, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("stored time %q: %w", s, err)
	}
	return t, nil
}
