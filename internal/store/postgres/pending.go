package postgres

// Hosting and alarm storage: being implemented; these answer "not implemented" so the
// tree builds meanwhile.

import (
	"context"
	"errors"
	"time"

	"github.com/sslkit/terraform-provider-ssl/internal/store"
)

var errPending = errors.New("postgres store: not implemented yet")

func (r reader) GetHosting(ctx context.Context, id string) (*store.Hosting, error) {
	return nil, errPending
}
func (r reader) ListHostings(ctx context.Context, f store.HostingFilter) ([]*store.Hosting, error) {
	return nil, nil // no hosting can exist before InsertHosting is implemented
}
func (r reader) ListDeployments(ctx context.Context, f store.DeploymentFilter) ([]*store.Deployment, error) {
	return nil, errPending
}
func (r reader) GetAlarmPolicy(ctx context.Context, id string) (*store.AlarmPolicy, error) {
	return nil, errPending
}
func (r reader) ListAlarmPolicies(ctx context.Context, projects []string) ([]*store.AlarmPolicy, error) {
	return nil, errPending
}
func (r reader) AlarmCandidates(ctx context.Context, now time.Time) ([]*store.AlarmCandidate, error) {
	return nil, errPending
}
func (r reader) ListNotifications(ctx context.Context, f store.NotificationFilter) ([]*store.Notification, error) {
	return nil, errPending
}
func (t *tx) InsertHosting(ctx context.Context, h *store.Hosting) error       { return errPending }
func (t *tx) UpdateHosting(ctx context.Context, h *store.Hosting) error       { return errPending }
func (t *tx) DeleteHosting(ctx context.Context, id string) error              { return errPending }
func (t *tx) InsertDeployment(ctx context.Context, d *store.Deployment) error { return errPending }
func (t *tx) UpdateDeployment(ctx context.Context, d *store.Deployment) error { return errPending }
func (t *tx) InsertAlarmPolicy(ctx context.Context, p *store.AlarmPolicy) error {
	return errPending
}
func (t *tx) UpdateAlarmPolicy(ctx context.Context, p *store.AlarmPolicy) error {
	return errPending
}
func (t *tx) DeleteAlarmPolicy(ctx context.Context, id string) error { return errPending }
func (t *tx) InsertNotification(ctx context.Context, n *store.Notification) error {
	return errPending
}
func (t *tx) UpdateNotification(ctx context.Context, n *store.Notification) error {
	return errPending
}
func (t *tx) RecordFiring(ctx context.Context, policyID, certificateID string, notAfter, at time.Time) error {
	return errPending
}
