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

// savepoint runs fn inside a savepoint of the transaction: when fn fails, its
// writes are undone and the transaction goes on as before the call, so that a
// multi-statement write that ends in ErrConflict leaves nothing half done.
func (t *tx) savepoint(ctx context.Context, fn func() error) error {
	if _, err := t.ExecContext(ctx, "SAVEPOINT store_op"); err != nil {
		return err
	}
	if err := fn(); err != nil {
		if _, rerr := t.ExecContext(ctx, "ROLLBACK TO store_op"); rerr != nil {
			return errors.Join(err, fmt.Errorf("rollback to savepoint: %w", rerr))
		}
		if _, rerr := t.ExecContext(ctx, "RELEASE store_op"); rerr != nil {
			return errors.Join(err, fmt.Errorf("release savepoint: %w", rerr))
		}
		return err
	}
	_, err := t.ExecContext(ctx, "RELEASE store_op")
	return err
}

// queryHostings runs a sqlcommon.HostingSelect query and groups its rows into hostings.
func (r reader) queryHostings(ctx context.Context, query string, args ...any) ([]*store.Hosting, error) {
	rows, err := r.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var g sqlcommon.Grouped[store.Hosting]
	for rows.Next() {
		var (
			h                     store.Hosting
			created, upd          string
			typ, instance, region sql.NullString
		)
		if err := rows.Scan(&h.ID, &h.Project, &h.CertificateID, &created, &upd, &typ, &instance, &region); err != nil {
			return nil, err
		}
		cur, isNew := g.Add(h.ID, &h)
		if isNew {
			if h.CreatedAt, err = parseTime(created); err != nil {
				return nil, fmt.Errorf("hosting %q: %w", h.ID, err)
			}
			if h.UpdatedAt, err = parseTime(upd); err != nil {
				return nil, fmt.Errorf("hosting %q: %w", h.ID, err)
			}
		}
		if typ.Valid {
			cur.Resources = append(cur.Resources, store.PlatformResource{Type: typ.String, InstanceID: instance.String, Region: region.String})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return g.Records, nil
}

// GetHosting returns one hosting with its resources.
func (r reader) GetHosting(ctx context.Context, id string) (*store.Hosting, error) {
	hs, err := r.queryHostings(ctx, sqlcommon.HostingSelect+" WHERE h.id = ?"+sqlcommon.HostingOrder, id)
	if err != nil {
		return nil, fmt.Errorf("sqlite: get hosting %q: %w", id, err)
	}
	if len(hs) == 0 {
		return nil, fmt.Errorf("sqlite: hosting %q: %w", id, store.ErrNotFound)
	}
	return hs[0], nil
}

// buildHostingsQuery turns a filter into one SELECT and its arguments.
func buildHostingsQuery(f store.HostingFilter) (string, []any) {
	var c conditions
	c.eq("h.certificate_id", f.CertificateID)
	c.in("h.project IN (%s)", f.Projects)
	if f.Resource != nil {
		c.add(`h.id IN (SELECT b.hosting_id FROM hosting_resources b
			WHERE b.type = ? AND b.instance_id = ? AND b.region = ?)`,
			f.Resource.Type, f.Resource.InstanceID, f.Resource.Region)
	}
	return sqlcommon.HostingSelect + c.sql() + sqlcommon.HostingOrder, c.args
}

// ListHostings returns the hostings matching f with their resources, in one query.
func (r reader) ListHostings(ctx context.Context, f store.HostingFilter) ([]*store.Hosting, error) {
	q, args := buildHostingsQuery(f)
	hs, err := r.queryHostings(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: list hostings: %w", err)
	}
	return hs, nil
}

// insertResources binds every resource to hosting id; ErrConflict when one is
// bound already.
func (t *tx) insertResources(ctx context.Context, id string, rs []store.PlatformResource) error {
	for _, res := range rs {
		_, err := t.ExecContext(ctx, "INSERT INTO hosting_resources (hosting_id, type, instance_id, region) VALUES (?, ?, ?, ?)",
			id, res.Type, res.InstanceID, res.Region)
		if isUniqueViolation(err) {
			return fmt.Errorf("resource %s %q (region %q) is bound by another hosting: %w", res.Type, res.InstanceID, res.Region, store.ErrConflict)
		}
		if err != nil {
			return fmt.Errorf("resource %s %q (region %q): %w", res.Type, res.InstanceID, res.Region, err)
		}
	}
	return nil
}

// InsertHosting stores a hosting and binds its resources; ErrConflict when the id
// exists or a resource is bound by another hosting, in which case nothing is written.
func (t *tx) InsertHosting(ctx context.Context, h *store.Hosting) error {
	created, err := formatTime(h.CreatedAt)
	if err != nil {
		return fmt.Errorf("sqlite: insert hosting %q: %w", h.ID, err)
	}
	upd, err := formatTime(h.UpdatedAt)
	if err != nil {
		return fmt.Errorf("sqlite: insert hosting %q: %w", h.ID, err)
	}
	err = t.savepoint(ctx, func() error {
		_, err := t.ExecContext(ctx, `INSERT INTO hostings (id, project, certificate_id, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?)`, h.ID, h.Project, h.CertificateID, created, upd)
		if err != nil {
			return conflictIfUnique(err)
		}
		return t.insertResources(ctx, h.ID, sqlcommon.NormalizeResources(h.Resources))
	})
	if err != nil {
		return fmt.Errorf("sqlite: insert hosting %q: %w", h.ID, err)
	}
	return nil
}

// UpdateHosting rewrites a hosting's certificate, its project (a hosting is in
// its certificate's), update time and resources (its creation time stays);
// ErrNotFound when it does not exist, ErrConflict when a resource is bound by
// another hosting, in which case nothing changes.
func (t *tx) UpdateHosting(ctx context.Context, h *store.Hosting) error {
	upd, err := formatTime(h.UpdatedAt)
	if err != nil {
		return fmt.Errorf("sqlite: update hosting %q: %w", h.ID, err)
	}
	err = t.savepoint(ctx, func() error {
		if err := t.execExisting(ctx, "UPDATE hostings SET project = ?, certificate_id = ?, updated_at = ? WHERE id = ?",
			h.Project, h.CertificateID, upd, h.ID); err != nil {
			return err
		}
		if _, err := t.ExecContext(ctx, "DELETE FROM hosting_resources WHERE hosting_id = ?", h.ID); err != nil {
			return err
		}
		return t.insertResources(ctx, h.ID, sqlcommon.NormalizeResources(h.Resources))
	})
	if err != nil {
		return fmt.Errorf("sqlite: update hosting %q: %w", h.ID, err)
	}
	return nil
}

// DeleteHosting removes a hosting and its resource bindings; its deployments
// stay. ErrNotFound when it does not exist.
func (t *tx) DeleteHosting(ctx context.Context, id string) error {
	// The foreign key cascades too; deleting explicitly keeps this correct even
	// on a connection where foreign_keys is off.
	if _, err := t.ExecContext(ctx, "DELETE FROM hosting_resources WHERE hosting_id = ?", id); err != nil {
		return fmt.Errorf("sqlite: delete hosting %q: %w", id, err)
	}
	if err := t.execExisting(ctx, "DELETE FROM hostings WHERE id = ?", id); err != nil {
		return fmt.Errorf("sqlite: delete hosting %q: %w", id, err)
	}
	return nil
}

// scanDeployment reads one row of sqlcommon.DeploymentColumns.
func scanDeployment(sc scanner) (*store.Deployment, error) {
	var (
		d                 store.Deployment
		started, finished string
	)
	if err := sc.Scan(&d.ID, &d.HostingID, &d.Resource.Type, &d.Resource.InstanceID, &d.Resource.Region,
		&d.CertificateID, &d.Version, &d.SerialNumber, &d.Status, &d.ReplacedCertificateID,
		&d.ReplacedVersion, &d.Message, &started, &finished); err != nil {
		return nil, err
	}
	var err error
	if d.StartedAt, err = parseTime(started); err != nil {
		return nil, fmt.Errorf("deployment %q: %w", d.ID, err)
	}
	if d.FinishedAt, err = parseTime(finished); err != nil {
		return nil, fmt.Errorf("deployment %q: %w", d.ID, err)
	}
	return &d, nil
}

// buildDeploymentsQuery turns a filter into one SELECT and its arguments.
func buildDeploymentsQuery(f store.DeploymentFilter) (string, []any) {
	var c conditions
	c.eq("certificate_id", f.CertificateID)
	c.eq("hosting_id", f.HostingID)
	c.eq("type", f.Type)
	c.eq("instance_id", f.InstanceID)
	c.in("project IN (%s)", f.Projects)
	q := "SELECT " + sqlcommon.DeploymentColumns + " FROM deployments" + c.sql() + " ORDER BY started_at DESC, id"
	if f.Limit > 0 {
		q += " LIMIT ?"
		c.args = append(c.args, f.Limit)
	}
	return q, c.args
}

// ListDeployments returns the deployments matching f, newest first, in one query.
func (r reader) ListDeployments(ctx context.Context, f store.DeploymentFilter) ([]*store.Deployment, error) {
	q, args := buildDeploymentsQuery(f)
	return queryAll(ctx, r, "list deployments", q, args, scanDeployment)
}

// InsertDeployment records a deployment under the project of its hosting (or,
// without one, of its certificate); ErrConflict when the id exists.
func (t *tx) InsertDeployment(ctx context.Context, d *store.Deployment) error {
	var times [2]string
	var err error
	for i, tm := range []time.Time{d.StartedAt, d.FinishedAt} {
		if times[i], err = formatTime(tm); err != nil {
			return fmt.Errorf("sqlite: insert deployment %q: %w", d.ID, err)
		}
	}
	_, err = t.ExecContext(ctx, "INSERT INTO deployments ("+sqlcommon.DeploymentColumns+`, project)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, COALESCE(
			(SELECT project FROM hostings WHERE id = ?2),
			(SELECT project FROM certificates WHERE id = ?6), ''))`,
		d.ID, d.HostingID, d.Resource.Type, d.Resource.InstanceID, d.Resource.Region, d.CertificateID,
		d.Version, d.SerialNumber, d.Status, d.ReplacedCertificateID, d.ReplacedVersion, d.Message,
		times[0], times[1])
	if err != nil {
		return fmt.Errorf("sqlite: insert deployment %q: %w", d.ID, conflictIfUnique(err))
	}
	return nil
}

// UpdateDeployment rewrites a deployment's status, message and finish time;
// ErrNotFound when it does not exist.
func (t *tx) UpdateDeployment(ctx context.Context, d *store.Deployment) error {
	finished, err := formatTime(d.FinishedAt)
	if err != nil {
		return fmt.Errorf("sqlite: update deployment %q: %w", d.ID, err)
	}
	if err := t.execExisting(ctx, "UPDATE deployments SET status = ?, message = ?, finished_at = ? WHERE id = ?",
		d.Status, d.Message, finished, d.ID); err != nil {
		return fmt.Errorf("sqlite: update deployment %q: %w", d.ID, err)
	}
	return nil
}

// queryAll runs a list query and scans every row with scan; what names the operation
// in errors.
func queryAll[T any](ctx context.Context, q querier, what, query string, args []any, scan func(scanner) (T, error)) ([]T, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("sqlite: %s: %w", what, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: %s: %w", what, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: %s: %w", what, err)
	}
	return out, nil
}
