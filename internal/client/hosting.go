package client

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/sslkit/terraform-provider-ssl/internal/api/wire"
)

// CreateHosting binds a certificate to platform resources (H1–H4).
func (c *Client) CreateHosting(ctx context.Context, in wire.HostingRequest) (*wire.Hosting, error) {
	var out wire.Hosting
	if err := c.do(ctx, http.MethodPost, "/v1/hostings", nil, &in, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// GetHosting reads a hosting by its id or by the id of the certificate it binds.
func (c *Client) GetHosting(ctx context.Context, id string) (*wire.Hosting, error) {
	var out wire.Hosting
	if err := c.do(ctx, http.MethodGet, "/v1/hostings/"+url.PathEscape(id), nil, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// UpdateHosting moves a hosting to another certificate and/or changes its resources.
func (c *Client) UpdateHosting(ctx context.Context, id string, in wire.HostingRequest) (*wire.Hosting, error) {
	var out wire.Hosting
	if err := c.do(ctx, http.MethodPut, "/v1/hostings/"+url.PathEscape(id), nil, &in, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteHosting unbinds a hosting's resources.
func (c *Client) DeleteHosting(ctx context.Context, id string) error {
	return c.do(ctx, http.MethodDelete, "/v1/hostings/"+url.PathEscape(id), nil, nil, nil)
}

// DeploymentFilter narrows ListDeployments; zero values do not filter.
type DeploymentFilter struct {
	CertificateID, HostingID, Type, InstanceID string
	Limit                                      int
}

// ListDeployments lists deployment records in one request.
func (c *Client) ListDeployments(ctx context.Context, f DeploymentFilter) ([]wire.Deployment, error) {
	q := url.Values{}
	for k, v := range map[string]string{"certificate_id": f.CertificateID, "hosting_id": f.HostingID, "type": f.Type, "instance_id": f.InstanceID} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if f.Limit > 0 {
		q.Set("limit", strconv.Itoa(f.Limit))
	}
	var out wire.DeploymentList
	if err := c.do(ctx, http.MethodGet, "/v1/deployments", q, nil, &out); err != nil {
		return nil, err
	}
	return out.Deployments, nil
}
