package client

import (
	"context"
	"net/http"
	"net/url"
	"time"

	"github.com/sslkit/terraform-provider-ssl/internal/api/wire"
)

// CreateAlarm stores an expiration alarm policy (A1–A5).
func (c *Client) CreateAlarm(ctx context.Context, in wire.AlarmRequest) (*wire.Alarm, error) {
	var out wire.Alarm
	if err := c.do(ctx, http.MethodPost, "/v1/alarms", nil, &in, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// CheckAlarm runs the policy rules without storing anything (plan time).
func (c *Client) CheckAlarm(ctx context.Context, in wire.AlarmRequest) ([]wire.Problem, error) {
	var out wire.CheckResult
	if err := c.do(ctx, http.MethodPost, "/v1/alarms/check", nil, &in, &out); err != nil {
		return nil, err
	}
	return out.Problems, nil
}

// GetAlarm reads a policy and the certificates it fires for now.
func (c *Client) GetAlarm(ctx context.Context, id string) (*wire.Alarm, error) {
	var out wire.Alarm
	if err := c.do(ctx, http.MethodGet, "/v1/alarms/"+url.PathEscape(id), nil, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// UpdateAlarm rewrites a policy in place.
func (c *Client) UpdateAlarm(ctx context.Context, id string, in wire.AlarmRequest) (*wire.Alarm, error) {
	var out wire.Alarm
	if err := c.do(ctx, http.MethodPut, "/v1/alarms/"+url.PathEscape(id), nil, &in, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteAlarm removes a policy.
func (c *Client) DeleteAlarm(ctx context.Context, id string) error {
	return c.do(ctx, http.MethodDelete, "/v1/alarms/"+url.PathEscape(id), nil, nil, nil)
}

// NotificationFilter narrows ListNotifications; zero values do not filter.
type NotificationFilter struct {
	PolicyID, CertificateID, Channel, Status string
}

// ListNotifications lists the outbox in one request.
func (c *Client) ListNotifications(ctx context.Context, f NotificationFilter) ([]wire.Notification, error) {
	q := url.Values{}
	for k, v := range map[string]string{"policy_id": f.PolicyID, "certificate_id": f.CertificateID, "channel": f.Channel, "status": f.Status} {
		if v != "" {
			q.Set(k, v)
		}
	}
	var out wire.NotificationList
	if err := c.do(ctx, http.MethodGet, "/v1/notifications", q, nil, &out); err != nil {
		return nil, err
	}
	return out.Notifications, nil
}

// Evaluate runs the alarm evaluator once (admin).
func (c *Client) Evaluate(ctx context.Context) (int, error) {
	var out wire.EvaluateResult
	if err := c.do(ctx, http.MethodPost, "/v1/admin/alarms/evaluate", nil, struct{}{}, &out); err != nil {
		return 0, err
	}
	return out.Written, nil
}

// CheckIgnore tells whether a certificate expiring at notAfter may have its
// notifications ignored now (N1): nil, or the service's refusal.
func (c *Client) CheckIgnore(ctx context.Context, notAfter time.Time) error {
	return c.do(ctx, http.MethodPost, "/v1/certificates/ignore/check", nil, &wire.IgnoreCheck{NotAfter: notAfter}, nil)
}
