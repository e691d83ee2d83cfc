package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/sslkit/terraform-provider-ssl/internal/store"
	"github.com/sslkit/terraform-provider-ssl/internal/store/sqlcommon"
)

// resourceArrays splits rs into three parallel arrays for unnest.
func resourceArrays(rs []store.PlatformResource) (types, instances, regions []string) {
	types, instances, regions = make([]string, len(rs)), make([]string, len(rs)), make([]string, len(rs))
	for i, r := range rs {
		types[i], instances[i], regions[i] = r.Type, r.InstanceID, r.Region
	}
	return types, instances, regions
}

// queryHostings runs a sqlcommon.HostingSelect query and groups its rows into hostings.
func (r reader) queryHostings(ctx context.Context, query string, args ...any) ([]*store.Hosting, error) {
	rows, err := r.q.Query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var g sqlcommon.Grouped[store.Hosting]
	for rows.Next() {
		var (
			h                     store.Hosting
			typ, instance, region *string
		)
		if err := rows.Scan(&h.ID, &h.Project, &h.CertificateID, &h.CreatedAt, &h.UpdatedAt, &typ, &instance, &region); err != nil {
			return nil, err
		}
		cur, _ := g.Add(h.ID, &h)
		if typ != nil {
			cur.Resources = append(cur.Resources, store.PlatformResource{Type: *typ, InstanceID: *instance, Region: *region})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return g.Records, nil
}

// GetHosting returns one hosting with its resources.
func (r reader) GetHosting(ctx context.Context, id string) (*store.Hosting, error) {
	hs, err := r.queryHostings(ctx, sqlcommon.HostingSelect+" WHERE h.id = $1"+sqlcommon.HostingOrder, id)
	if err != nil {
		return nil, fmt.Errorf("postgres: get hosting %q: %w", id, err)
	}
	if len(hs) == 0 {
		return nil, fmt.Errorf("postgres: hosting %q: %w", id, store.ErrNotFound)
	}
	return hs[0], nil
}

// buildHostingsQuery turns a filter into one SELECT and its arguments.
func buildHostingsQuery(f store.HostingFilter) (string, []any) {
	var c conditions
	c.eq("h.certificate_id", f.CertificateID)
	c.in("h.project = ANY(%s)", f.Projects)
	if f.Resource != nil {
		c.add(fmt.Sprintf(`h.id IN (SELECT b.hosting_id FROM hosting_resources b
			WHERE b.type = %s AND b.instance_id = %s AND b.region = %s)`,
			c.arg(f.Resource.Type), c.arg(f.Resource.InstanceID), c.arg(f.Resource.Region)))
	}
	return sqlcommon.HostingSelect + c.sql() + sqlcommon.HostingOrder, c.args
}

// ListHostings returns the hostings matching f with their resources, in one query.
func (r reader) ListHostings(ctx context.Context, f store.HostingFilter) ([]*store.Hosting, error) {
	q, args := buildHostingsQuery(f)
	hs, err := r.queryHostings(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: list hostings: %w", err)
	}
	return hs, nil
}

// insertHostingSQL inserts a hosting and binds its resources in one statement,
// only when the id is free ($1) and no resource ($6-$8, parallel arrays) is bound
// yet; it returns whether the hosting went in. Nothing fails on a taken key, so
// the transaction stays usable after ErrConflict.
const insertHostingSQL = `WITH res AS (
		SELECT * FROM unnest($6::text[], $7::text[], $8::text[]) AS r (type, instance_id, region)
	), taken AS (
		SELECT 1 FROM hosting_resources b
		JOIN res ON b.type = res.type AND b.instance_id = res.instance_id AND b.region = res.region
	), ins AS (
		INSERT INTO hostings (id, project, certificate_id, created_at, updated_at)
		SELECT $1, $2, $3, $4, $5 WHERE NOT EXISTS (SELECT 1 FROM taken)
		ON CONFLICT (id) DO NOTHING
		RETURNING id
	), bind AS (
		INSERT INTO hosting_resources (hosting_id, type, instance_id, region)
		SELECT ins.id, res.type, res.instance_id, res.region FROM ins CROSS JOIN res
		ON CONFLICT DO NOTHING
	)
	SELECT EXISTS (SELECT 1 FROM ins)`

// InsertHosting stores a hosting and binds its resources; ErrConflict when the id
// exists or a resource is bound by another hosting, in which case nothing is written.
func (t *tx) InsertHosting(ctx context.Context, h *store.Hosting) error {
	for _, tm := range []time.Time{h.CreatedAt, h.UpdatedAt} {
		if err := sqlcommon.CheckTime(tm); err != nil {
			return fmt.Errorf("postgres: insert hosting %q: %w", h.ID, err)
		}
	}
	types, instances, regions := resourceArrays(sqlcommon.NormalizeResources(h.Resources))
	var inserted bool
	err := t.q.QueryRow(ctx, insertHostingSQL, h.ID, h.Project, h.CertificateID, h.CreatedAt, h.UpdatedAt,
		types, instances, regions).Scan(&inserted)
	if err == nil && !inserted {
		err = store.ErrConflict
	}
	if err != nil {
		return fmt.Errorf("postgres: insert hosting %q: %w", h.ID, mapErr(err))
	}
	return nil
}

// updateHostingSQL rewrites a hosting ($1) and its bindings in one statement,
// only when no new resource ($5-$7) is bound by another hosting: bindings no
// longer listed are removed, new ones added, kept ones left alone. The outer
// SELECT sees the state before the statement: whether the hosting exists and
// whether a resource is taken.
const updateHostingSQL = `WITH res AS (
		SELECT * FROM unnest($5::text[], $6::text[], $7::text[]) AS r (type, instance_id, region)
	), taken AS (
		SELECT 1 FROM hosting_resources b
		JOIN res ON b.type = res.type AND b.instance_id = res.instance_id AND b.region = res.region
		WHERE b.hosting_id <> $1
	), upd AS (
		UPDATE hostings SET project = $2, certificate_id = $3, updated_at = $4
		WHERE id = $1 AND NOT EXISTS (SELECT 1 FROM taken)
		RETURNING id
	), unbind AS (
		DELETE FROM hosting_resources b USING upd
		WHERE b.hosting_id = upd.id AND NOT EXISTS (SELECT 1 FROM res
			WHERE res.type = b.type AND res.instance_id = b.instance_id AND res.region = b.region)
	), bind AS (
		INSERT INTO hosting_resources (hosting_id, type, instance_id, region)
		SELECT upd.id, res.type, res.instance_id, res.region FROM upd CROSS JOIN res
		ON CONFLICT DO NOTHING
	)
	SELECT EXISTS (SELECT 1 FROM hostings WHERE id = $1), EXISTS (SELECT 1 FROM taken)`

// UpdateHosting rewrites a hosting's certificate, its project (a hosting is in
// its certificate's), update time and resources (its creation time stays);
// ErrNotFound when it does not exist, ErrConflict when a resource is bound by
// another hosting, in which case nothing changes.
func (t *tx) UpdateHosting(ctx context.Context, h *store.Hosting) error {
	if err := sqlcommon.CheckTime(h.UpdatedAt); err != nil {
		return fmt.Errorf("postgres: update hosting %q: %w", h.ID, err)
	}
	types, instances, regions := resourceArrays(sqlcommon.NormalizeResources(h.Resources))
	var exists, taken bool
	err := t.q.QueryRow(ctx, updateHostingSQL, h.ID, h.Project, h.CertificateID, h.UpdatedAt,
		types, instances, regions).Scan(&exists, &taken)
	switch {
	case err != nil:
		err = mapErr(err)
	case !exists:
		err = store.ErrNotFound
	case taken:
		err = store.ErrConflict
	}
	if err != nil {
		return fmt.Errorf("postgres: update hosting %q: %w", h.ID, err)
	}
	return nil
}

// DeleteHosting removes a hosting; its resource bindings go with it (ON DELETE
// CASCADE), its deployments stay. ErrNotFound when it does not exist.
func (t *tx) DeleteHosting(ctx context.Context, id string) error {
	if err := t.execExisting(ctx, "DELETE FROM hostings WHERE id = $1", id); err != nil {
		return fmt.Errorf("postgres: delete hosting %q: %w", id, err)
	}
	return nil
}

// buildDeploymentsQuery turns a filter into one SELECT and its arguments.
func buildDeploymentsQuery(f store.DeploymentFilter) (string, []any) {
	var c conditions
	c.eq("certificate_id", f.CertificateID)
	c.eq("hosting_id", f.HostingID)
	c.eq("type", f.Type)
	c.eq("instance_id", f.InstanceID)
	c.in("project = ANY(%s)", f.Projects)
	q := "SELECT " + sqlcommon.DeploymentColumns + " FROM deployments" + c.sql() + " ORDER BY started_at DESC, id"
	if f.Limit > 0 {
		q += " LIMIT " + c.arg(f.Limit)
	}
	return q, c.args
}

// ListDeployments returns the deployments matching f, newest first, in one query.
func (r reader) ListDeployments(ctx context.Context, f store.DeploymentFilter) ([]*store.Deployment, error) {
	q, args := buildDeploymentsQuery(f)
	return queryAll(ctx, r.q, "list deployments", q, args, scanDeployment)
}

// scanDeployment reads one row of sqlcommon.DeploymentColumns.
func scanDeployment(row pgx.Row) (*store.Deployment, error) {
	var d store.Deployment
	if err := row.Scan(&d.ID, &d.HostingID, &d.Resource.Type, &d.Resource.InstanceID, &d.Resource.Region,
		&d.CertificateID, &d.Version, &d.SerialNumber, &d.Status, &d.ReplacedCertificateID,
		&d.ReplacedVersion, &d.Message, &d.StartedAt, &d.FinishedAt); err != nil {
		return nil, err
	}
	return &d, nil
}

// InsertDeployment records a deployment under the project of its hosting (or,
// without one, of its certificate); ErrConflict when the id exists. A taken id
// inserts nothing instead of failing, so the transaction stays usable.
func (t *tx) InsertDeployment(ctx context.Context, d *store.Deployment) error {
	for _, tm := range []time.Time{d.StartedAt, d.FinishedAt} {
		if err := sqlcommon.CheckTime(tm); err != nil {
			return fmt.Errorf("postgres: insert deployment %q: %w", d.ID, err)
		}
	}
	tag, err := t.q.Exec(ctx, "INSERT INTO deployments ("+sqlcommon.DeploymentColumns+`, project)
		SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, COALESCE(
			(SELECT project FROM hostings WHERE id = $2),
			(SELECT project FROM certificates WHERE id = $6), '')
		ON CONFLICT (id) DO NOTHING`,
		d.ID, d.HostingID, d.Resource.Type, d.Resource.InstanceID, d.Resource.Region, d.CertificateID,
		d.Version, d.SerialNumber, d.Status, d.ReplacedCertificateID, d.ReplacedVersion, d.Message,
		d.StartedAt, d.FinishedAt)
	if err == nil && tag.RowsAffected() == 0 {
		err = store.ErrConflict
	}
	if err != nil {
		return fmt.Errorf("postgres: insert deployment %q: %w", d.ID, mapErr(err))
	}
	return nil
}

// UpdateDeployment rewrites a deployment's status, message and finish time;
// ErrNotFound when it does not exist.
func (t *tx) UpdateDeployment(ctx context.Context, d *store.Deployment) error {
	if err := sqlcommon.CheckTime(d.FinishedAt); err != nil {
		return fmt.Errorf("postgres: update deployment %q: %w", d.ID, err)
	}
	if err := t.execExisting(ctx, "UPDATE deployments SET status = $2, message = $3, finished_at = $4 WHERE id = $1",
		d.ID, d.Status, d.Message, d.FinishedAt); err != nil {
		return fmt.Errorf("postgres: update deployment %q: %w", d.ID, mapErr(err))
	}
	return nil
}
