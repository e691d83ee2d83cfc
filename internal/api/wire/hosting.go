package wire

import "time"

// PlatformResource is a resource a certificate can be deployed to.
type PlatformResource struct {
	Type       string `json:"type"`
	InstanceID string `json:"instance_id"`
	Region     string `json:"region,omitempty"`
}

// HostingRequest creates or updates a resource hosting (H1–H4).
type HostingRequest struct {
	CertificateID string             `json:"certificate_id"`
	Resources     []PlatformResource `json:"resources"`
}

// Validate checks the request's shape.
func (r *HostingRequest) Validate() error {
	if r.CertificateID == "" {
		return FieldError("certificate_id", "Certificate Required", "certificate_id names the certificate to deploy.")
	}
	return nil
}

// Deployment is one deployment of a certificate version to a resource.
type Deployment struct {
	ID                    string           `json:"id"`
	HostingID             string           `json:"hosting_id"`
	Resource              PlatformResource `json:"resource"`
	CertificateID         string           `json:"certificate_id"`
	Version               int              `json:"version"`
	SerialNumber          string           `json:"serial_number"`
	Status                string           `json:"status"`
	ReplacedCertificateID string           `json:"replaced_certificate_id,omitempty"`
	ReplacedVersion       int              `json:"replaced_version,omitempty"`
	Message               string           `json:"message,omitempty"`
	StartedAt             time.Time        `json:"started_at"`
	FinishedAt            time.Time        `json:"finished_at"`
}

// Hosting is a resource hosting with the latest deployment of each resource.
type Hosting struct {
	ID            string             `json:"id"`
	Project       string             `json:"project"`
	CertificateID string             `json:"certificate_id"`
	Resources     []PlatformResource `json:"resources"`
	Deployments   []Deployment       `json:"deployments"`
	CreatedAt     time.Time          `json:"created_at"`
	UpdatedAt     time.Time          `json:"updated_at"`
}

// DeploymentList is the answer of GET /v1/deployments.
type DeploymentList struct {
	Deployments []Deployment `json:"deployments"`
}
