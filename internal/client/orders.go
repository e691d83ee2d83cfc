package client

import (
	"context"
	"net/http"
	"net/url"

	"github.com/sslkit/terraform-provider-ssl/internal/api/wire"
)

func (c *Client) certPost(ctx context.Context, path string, in any) (*wire.Certificate, error) {
	var out wire.Certificate
	if err := c.do(ctx, http.MethodPost, path, nil, in, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

func certPath(id, action string) string {
	return "/v1/certificates/" + url.PathEscape(id) + "/" + action
}

// OrderCertificate applies for a certificate from the bundled CA.
func (c *Client) OrderCertificate(ctx context.Context, in wire.OrderRequest) (*wire.Certificate, error) {
	return c.certPost(ctx, "/v1/certificates/orders", &in)
}

// CheckOrder runs the order rules without placing the order (plan time).
func (c *Client) CheckOrder(ctx context.Context, in wire.OrderRequest) ([]wire.Problem, error) {
	var out wire.CheckResult
	if err := c.do(ctx, http.MethodPost, "/v1/certificates/orders/check", nil, &in, &out); err != nil {
		return nil, err
	}
	return out.Problems, nil
}

// AdvanceCertificate re-checks domain validation of whatever is pending.
func (c *Client) AdvanceCertificate(ctx context.Context, id string) (*wire.Certificate, error) {
	return c.certPost(ctx, certPath(id, "advance"), struct{}{})
}

// ReissueCertificate reissues an issued certificate with a new key (I1–I7).
func (c *Client) ReissueCertificate(ctx context.Context, id string, in wire.ReissueRequest) (*wire.Certificate, error) {
	return c.certPost(ctx, certPath(id, "reissue"), &in)
}

// CheckReissue tells whether a reissue would be refused, without reissuing.
func (c *Client) CheckReissue(ctx context.Context, id string, in wire.ReissueRequest) error {
	return c.do(ctx, http.MethodPost, certPath(id, "reissue/check"), nil, &in, nil)
}

// RevokeCertificate submits a revocation (R1–R8).
func (c *Client) RevokeCertificate(ctx context.Context, id string, in wire.RevokeRequest) (*wire.Certificate, error) {
	return c.certPost(ctx, certPath(id, "revoke"), &in)
}

// CheckRevoke tells whether a revocation would be refused, without submitting it.
func (c *Client) CheckRevoke(ctx context.Context, id string, in wire.RevokeRequest) error {
	return c.do(ctx, http.MethodPost, certPath(id, "revoke/check"), nil, &in, nil)
}

// CancelCertificate cancels an order under application (D3).
func (c *Client) CancelCertificate(ctx context.Context, id string) (*wire.Certificate, error) {
	return c.certPost(ctx, certPath(id, "cancel"), struct{}{})
}

// SendReminder sends a review reminder for a pending order (M1–M4).
func (c *Client) SendReminder(ctx context.Context, id string) (*wire.Certificate, error) {
	return c.certPost(ctx, certPath(id, "reminder"), struct{}{})
}

// CheckPassword tells whether password is the certificate's private key password.
func (c *Client) CheckPassword(ctx context.Context, id, password string) (bool, error) {
	var out wire.PasswordCheckResult
	if err := c.do(ctx, http.MethodPost, certPath(id, "password/check"), nil, &wire.PasswordCheck{Password: password}, &out); err != nil {
		return false, err
	}
	return out.Matches, nil
}

// Review approves or rejects what waits for review (admin; review_policy = manual).
func (c *Client) Review(ctx context.Context, id string, approve bool, reason string) (*wire.Certificate, error) {
	d := "reject"
	if approve {
		d = "approve"
	}
	return c.certPost(ctx, "/v1/admin/certificates/"+url.PathEscape(id)+"/review", &wire.ReviewRequest{Decision: d, Reason: reason})
}

// Products returns the catalogue (M2, M3).
// The first successful answer is kept for the client's lifetime (errors are not);
// callers must not modify the slice.
func (c *Client) Products(ctx context.Context) ([]wire.Product, error) {
	c.productsMu.Lock()
	defer c.productsMu.Unlock()
	if c.products != nil {
		return c.products, nil
	}
	var out wire.ProductList
	if err := c.do(ctx, http.MethodGet, "/v1/products", nil, nil, &out); err != nil {
		return nil, err
	}
	c.products = out.Products
	return out.Products, nil
}

// Authorities returns the issuing CAs with their CRLs; brand and alg ("" = any) also
// create the CAs asked for when they do not exist yet.
func (c *Client) Authorities(ctx context.Context, brand, alg string) ([]wire.Authority, error) {
	q := url.Values{}
	if brand != "" {
		q.Set("brand", brand)
	}
	if alg != "" {
		q.Set("key_algorithm", alg)
	}
	var out wire.AuthorityList
	if err := c.do(ctx, http.MethodGet, "/v1/ca", q, nil, &out); err != nil {
		return nil, err
	}
	return out.Authorities, nil
}

// RenewCertificate renews an issued certificate in place (a new version, new validity).
func (c *Client) RenewCertificate(ctx context.Context, id string) (*wire.Certificate, error) {
	return c.certPost(ctx, certPath(id, "renew"), struct{}{})
}
