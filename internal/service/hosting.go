package service

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/sslkit/terraform-provider-ssl/internal/store"
)

// Platform resource types a certificate can be deployed to (H1, H4).
const (
	ResourceCLB        = "CLB"
	ResourceCDN        = "CDN"
	ResourceWAF        = "WAF"
	ResourceLIVE       = "LIVE"
	ResourceVOD        = "VOD"
	ResourceTEO        = "TEO"
	ResourceDDOS       = "DDOS"
	ResourceAPIGateway = "APIGATEWAY"
	ResourceTKE        = "TKE"
	ResourceCOS        = "COS"
	ResourceLighthouse = "LIGHTHOUSE"
)

// Deployment statuses.
const (
	DeploymentDeploying  = "deploying"
	DeploymentDeployed   = "deployed"
	DeploymentFailed     = "failed"
	DeploymentRolledBack = "rolled_back"
)

// Codes of hosting refusals.
const (
	CodeInvalidResource   = "invalid_resource"
	CodeResourceBound     = "resource_bound"
	CodeNotDeployable     = "not_deployable"
	CodeCertificateHosted = "certificate_hosted"
)

const domainRE = `(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}`

// resourceType describes one platform resource type: its instance id format (with
// the domain it serves, when the id names one) and whether it lives in a region.
type resourceType struct {
	format      string // human form, for messages
	re          *regexp.Regexp
	domainGroup int // submatch holding the served domain; 0 = none
	regional    bool
}

var resourceTypes = map[string]resourceType{
	ResourceCLB:        {"lb-xxxxxxxx|lbl-xxxxxxxx|domain", regexp.MustCompile(`^lb-[0-9a-z]{8}\|lbl-[0-9a-z]{8}\|(` + domainRE + `)$`), 1, true},
	ResourceCDN:        {"a domain name such as cdn.example.com", regexp.MustCompile(`^(` + domainRE + `)$`), 1, false},
	ResourceWAF:        {"a domain name such as www.example.com", regexp.MustCompile(`^(` + domainRE + `)$`), 1, true},
	ResourceLIVE:       {"a live streaming domain name", regexp.MustCompile(`^(` + domainRE + `)$`), 1, false},
	ResourceVOD:        {"a VOD domain name", regexp.MustCompile(`^(` + domainRE + `)$`), 1, false},
	ResourceTEO:        {"zone-xxxxxxxx|domain", regexp.MustCompile(`^zone-[0-9a-z]{8,12}\|(` + domainRE + `)$`), 1, false},
	ResourceDDOS:       {"bgpip-xxxxxxxx|domain", regexp.MustCompile(`^bgpip-[0-9a-z]{8}\|(` + domainRE + `)$`), 1, true},
	ResourceAPIGateway: {"service-xxxxxxxx|domain", regexp.MustCompile(`^service-[0-9a-z]{8}\|(` + domainRE + `)$`), 1, true},
	ResourceTKE:        {"cls-xxxxxxxx|namespace|secret-name", regexp.MustCompile(`^cls-[0-9a-z]{8}\|[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\|[a-z0-9]([-.a-z0-9]{0,251}[a-z0-9])?$`), 0, true},
	ResourceCOS:        {"bucket-appid|domain, e.g. assets-1250000000|static.example.com", regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,48}-[0-9]{10}\|(` + domainRE + `)$`), 1, true},
	ResourceLighthouse: {"lhins-xxxxxxxx", regexp.MustCompile(`^lhins-[0-9a-z]{8}$`), 0, true},
}

var regionRE = regexp.MustCompile(`^[a-z]{2,4}-[a-z]+(-[a-z0-9]+)*$`)

// ResourceTypes lists the platform resource types, sorted.
func ResourceTypes() []string {
	out := make([]string, 0, len(resourceTypes))
	for t := range resourceTypes {
		out = append(out, t)
	}
	sort.Strings(out)
	return out
}

// CheckResource validates one platform resource's type, instance id and region and
// returns the domain it serves ("" when its id names none).
func CheckResource(r store.PlatformResource) (string, error) {
	rt, ok := resourceTypes[r.Type]
	if !ok {
		return "", invalid("resources", "Unknown Resource Type",
			fmt.Sprintf("%q is not a platform resource type; use one of %s.", r.Type, strings.Join(ResourceTypes(), ", ")))
	}
	m := rt.re.FindStringSubmatch(r.InstanceID)
	if m == nil {
		return "", invalid("resources", "Invalid Instance ID",
			fmt.Sprintf("%q is not a %s instance id; the format is %s.", r.InstanceID, r.Type, rt.format))
	}
	switch {
	case rt.regional && r.Region == "":
		return "", invalid("resources", "Region Required", fmt.Sprintf("%s resources live in a region: set region for %s (e.g. ap-guangzhou).", r.Type, r.InstanceID))
	case !rt.regional && r.Region != "":
		return "", invalid("resources", "Region Not Used", fmt.Sprintf("%s resources are global: remove region from %s.", r.Type, r.InstanceID))
	case r.Region != "" && !regionRE.MatchString(r.Region):
		return "", invalid("resources", "Invalid Region", fmt.Sprintf("%q is not a region name such as ap-guangzhou.", r.Region))
	}
	if rt.domainGroup == 0 {
		return "", nil
	}
	return m[rt.domainGroup], nil
}

// covers tells whether a certificate's SANs cover domain (exactly or by a wildcard
// one label up).
func covers(sans []string, domain string) bool {
	for _, c := range DomainCandidates(domain) {
		for _, s := range sans {
			if strings.EqualFold(s, c) {
				return true
			}
		}
	}
	return false
}

// deployable is why a certificate cannot be deployed ("" when it can): revoked or
// revocation submitted (R2), expired, not issued, a key with a password (I6), or a key
// the backend does not hold.
func (s *Service) deployable(rec *store.Certificate) error {
	status := s.view(rec, s.clock.Now()).Status
	refuse := func(format string, args ...any) error {
		return &Error{Kind: KindFailedPrecondition, Code: CodeNotDeployable, Field: "certificate_id",
			Summary: "Certificate Cannot Be Deployed", Message: fmt.Sprintf(format, args...)}
	}
	switch status {
	case StatusRevoking, StatusRevoked:
		return refuse("Certificate %s is %s: once a revocation is submitted it can no longer be deployed (rule R2).", rec.ID, status)
	case StatusExpired:
		return refuse("Certificate %s expired on %s; deploy a renewed certificate.", rec.ID, rec.NotAfter.Format("2006-01-02"))
	case StatusIssued, StatusReissuing:
	default:
		return refuse("Certificate %s is %s; only an issued certificate can be deployed.", rec.ID, status)
	}
	if rec.Source == SourceIssued {
		sp, err := readSpec(rec)
		if err != nil {
			return err
		}
		if sp.PasswordVerifier != "" {
			return refuse("Certificate %s has a private key password: it cannot be deployed to platform resources (rule I6). Reissue it without private_key_password.", rec.ID)
		}
		if sp.CSRPEM != "" {
			return refuse("Certificate %s was issued for your own CSR: the backend does not hold its private key, so it cannot deploy it.", rec.ID)
		}
	}
	return nil
}

// HostingInput binds a certificate to platform resources.
type HostingInput struct {
	CertificateID string
	Resources     []store.PlatformResource
}

// Hosting is a hosting as the service shows it, with each resource's latest deployment.
type Hosting struct {
	store.Hosting
	Deployments []*store.Deployment
}

func normalizeResources(in []store.PlatformResource) ([]store.PlatformResource, map[store.PlatformResource]string, error) {
	out := make([]store.PlatformResource, 0, len(in))
	domains := map[store.PlatformResource]string{}
	for _, r := range in {
		r.Type = strings.ToUpper(strings.TrimSpace(r.Type))
		d, err := CheckResource(r)
		if err != nil {
			return nil, nil, err
		}
		if _, dup := domains[r]; dup {
			continue
		}
		domains[r] = d
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		return a.Type+"\x00"+a.InstanceID+"\x00"+a.Region < b.Type+"\x00"+b.InstanceID+"\x00"+b.Region
	})
	return out, domains, nil
}

// checkCoverage is the domain rule of a deployment: the certificate must cover the
// domain each resource serves.
func checkCoverage(rec *store.Certificate, domains map[store.PlatformResource]string) error {
	for r, d := range domains {
		if d != "" && !covers(rec.SANs, d) {
			return &Error{Kind: KindFailedPrecondition, Code: CodeNotDeployable, Field: "resources",
				Summary: "Certificate Does Not Cover Resource",
				Message: fmt.Sprintf("%s %s serves %s, which certificate %s (%s) does not cover.", r.Type, r.InstanceID, d, rec.ID, strings.Join(rec.SANs, ", "))}
		}
	}
	return nil
}

func boundError(err error, resources []store.PlatformResource) error {
	if errors.Is(err, store.ErrConflict) {
		return &Error{Kind: KindConflict, Code: CodeResourceBound, Field: "resources", Summary: "Resource Already Hosted",
			Message: "One of the resources is already bound to a certificate by another hosting; a resource serves one certificate at a time. Remove it from the other hosting first."}
	}
	return err
}

// CreateHosting binds a certificate to platform resources and deploys it to each (H1,
// H4). Hosting installs nothing outside the platform resources (H3).
func (s *Service) CreateHosting(ctx context.Context, idemKey string, in HostingInput) (*Hosting, error) {
	resources, domains, err := normalizeResources(in.Resources)
	if err != nil {
		return nil, err
	}
	id, err := s.idempotent(ctx, idemKey, "hosting.create", in, func(tx store.Tx) (string, error) {
		rec, err := tx.GetCertificate(ctx, in.CertificateID)
		if err != nil {
			return "", certificateIDErr(err, in.CertificateID)
		}
		if err := s.deployable(rec); err != nil {
			return "", err
		}
		if err := checkCoverage(rec, domains); err != nil {
			return "", err
		}
		now := s.clock.Now()
		h := &store.Hosting{ID: "host-" + newID()[5:], Project: rec.Project, CertificateID: rec.ID,
			Resources: resources, CreatedAt: now, UpdatedAt: now}
		if err := tx.InsertHosting(ctx, h); err != nil {
			return "", boundError(err, resources)
		}
		return h.ID, s.deploy(ctx, tx, h, rec, resources, "", 0)
	})
	if err != nil {
		return nil, err
	}
	return s.GetHosting(ctx, id)
}

// deploy records one deployment per resource of rec's current version; replacedID and
// replacedVersion name what the resources served before ("" for a new binding).
// Deployments here complete at once: one at a time per resource.
func (s *Service) deploy(ctx context.Context, tx store.Tx, h *store.Hosting, rec *store.Certificate, resources []store.PlatformResource, replacedID string, replacedVersion int) error {
	now := s.clock.Now()
	for _, r := range resources {
		d := &store.Deployment{ID: "dep-" + newID()[5:], HostingID: h.ID, Resource: r, CertificateID: rec.ID,
			Version: rec.Version, SerialNumber: rec.SerialNumber, Status: DeploymentDeployed,
			ReplacedCertificateID: replacedID, ReplacedVersion: replacedVersion, StartedAt: now, FinishedAt: now}
		if err := tx.InsertDeployment(ctx, d); err != nil {
			return err
		}
	}
	return nil
}

// UpdateHosting moves a hosting to another certificate and/or changes its resources,
// in place: new resources get the certificate, removed ones are unbound, and a new
// certificate is deployed to every resource kept.
func (s *Service) UpdateHosting(ctx context.Context, idemKey, id string, in HostingInput) (*Hosting, error) {
	resources, domains, err := normalizeResources(in.Resources)
	if err != nil {
		return nil, err
	}
	_, err = s.idempotent(ctx, idemKey, "hosting.update/"+id, in, func(tx store.Tx) (string, error) {
		h, err := tx.GetHosting(ctx, id)
		if err != nil {
			return "", hostingErr(err, id)
		}
		rec, err := tx.GetCertificate(ctx, in.CertificateID)
		if err != nil {
			return "", certificateIDErr(err, in.CertificateID)
		}
		old := h.CertificateID
		var oldVersion int
		if prev, err := tx.GetCertificate(ctx, old); err == nil {
			oldVersion = prev.Version
		}
		var added, kept []store.PlatformResource
		for _, r := range resources {
			if slices.Contains(h.Resources, r) {
				kept = append(kept, r)
			} else {
				added = append(added, r)
			}
		}
		// Only what is deployed is checked: removing resources from a hosting whose
		// certificate expired deploys nothing and stays possible.
		if old != rec.ID || len(added) > 0 {
			if err := s.deployable(rec); err != nil {
				return "", err
			}
			if err := checkCoverage(rec, domains); err != nil {
				return "", err
			}
		}
		h.CertificateID, h.Project, h.Resources, h.UpdatedAt = rec.ID, rec.Project, resources, s.clock.Now()
		if err := tx.UpdateHosting(ctx, h); err != nil {
			return "", boundError(err, resources)
		}
		if err := s.deploy(ctx, tx, h, rec, added, "", 0); err != nil {
			return "", err
		}
		if old != rec.ID {
			return id, s.deploy(ctx, tx, h, rec, kept, old, oldVersion)
		}
		return id, nil
	})
	if err != nil {
		return nil, err
	}
	return s.GetHosting(ctx, id)
}

func hostingErr(err error, id string) error {
	if errors.Is(err, store.ErrNotFound) {
		return &Error{Kind: KindNotFound, Code: CodeNotFound, Summary: "Hosting Not Found",
			Message: fmt.Sprintf("No resource hosting with id %q exists. It may have been deleted outside Terraform.", id)}
	}
	return err
}

// DeleteHosting unbinds the resources (they keep serving what they served; nothing is
// uninstalled — H3).
func (s *Service) DeleteHosting(ctx context.Context, id string) error {
	return s.st.Update(ctx, func(tx store.Tx) error { return hostingErr(tx.DeleteHosting(ctx, id), id) })
}

// GetHosting returns a hosting by its id, or the hosting that binds a certificate
// when given a certificate id (import by either).
func (s *Service) GetHosting(ctx context.Context, id string) (*Hosting, error) {
	h, err := s.st.GetHosting(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		hs, lerr := s.st.ListHostings(ctx, store.HostingFilter{CertificateID: id})
		if lerr != nil {
			return nil, lerr
		}
		if len(hs) == 0 {
			return nil, hostingErr(err, id)
		}
		if len(hs) > 1 {
			ids := make([]string, 0, len(hs))
			for _, x := range hs {
				ids = append(ids, x.ID)
			}
			return nil, &Error{Kind: KindConflict, Code: CodeResourceBound, Summary: "Several Hostings Bind This Certificate",
				Message: fmt.Sprintf("Certificate %s is bound by hostings %s; name the hosting id instead.", id, strings.Join(ids, ", "))}
		}
		h, err = hs[0], nil
	}
	if err != nil {
		return nil, hostingErr(err, id)
	}
	ds, err := s.st.ListDeployments(ctx, store.DeploymentFilter{HostingID: h.ID})
	if err != nil {
		return nil, err
	}
	return &Hosting{Hosting: *h, Deployments: latestPerResource(ds, h)}, nil
}

// latestPerResource keeps the current deployment of each resource h binds. Two
// operations can stamp their deployments with the same time (a clock that did not
// move between them — a test's fake clock; or one set back), so the store's "newest
// first" order alone cannot tell which is current: a bound resource serves the
// hosting's certificate, so its deployment of that certificate with the highest
// version wins, then the later one.
func latestPerResource(ds []*store.Deployment, h *store.Hosting) []*store.Deployment {
	rank := func(d *store.Deployment) (bool, int) { return d.CertificateID == h.CertificateID, d.Version }
	best := map[store.PlatformResource]*store.Deployment{}
	for _, d := range ds {
		if !slices.Contains(h.Resources, d.Resource) {
			continue
		}
		b, ok := best[d.Resource]
		if !ok {
			best[d.Resource] = d
			continue
		}
		dc, dv := rank(d)
		bc, bv := rank(b)
		switch {
		case dc != bc:
			if dc {
				best[d.Resource] = d
			}
		case dv != bv:
			if dv > bv {
				best[d.Resource] = d
			}
		case d.StartedAt.After(b.StartedAt):
			best[d.Resource] = d
		}
	}
	out := make([]*store.Deployment, 0, len(best))
	for _, d := range best {
		out = append(out, d)
	}
	sort.Slice(out, func(i, j int) bool {
		return out[i].Resource.Type+out[i].Resource.InstanceID < out[j].Resource.Type+out[j].Resource.InstanceID
	})
	return out
}

// Deployments lists deployment records in one store query.
func (s *Service) Deployments(ctx context.Context, f store.DeploymentFilter) ([]*store.Deployment, error) {
	return s.st.ListDeployments(ctx, f)
}

// checkNotHosted is D4: a certificate that hosting binds is never deleted or revoked
// silently; the refusal lists the bound resources and says how to move them first.
func checkNotHosted(ctx context.Context, tx store.Reader, id string) error {
	hs, err := tx.ListHostings(ctx, store.HostingFilter{CertificateID: id})
	if err != nil || len(hs) == 0 {
		return err
	}
	var names []string
	for _, h := range hs {
		for _, r := range h.Resources {
			n := r.Type + " " + r.InstanceID
			if r.Region != "" {
				n += " (" + r.Region + ")"
			}
			names = append(names, n)
		}
	}
	return &Error{Kind: KindFailedPrecondition, Code: CodeCertificateHosted, Summary: "Certificate Is Deployed",
		Message: fmt.Sprintf("Certificate %s is deployed on %s by hosting %s; deleting or revoking it would interrupt them (rule D4). "+
			"Move the resources to another certificate first: add `lifecycle { create_before_destroy = true }` to the certificate so Terraform "+
			"creates its replacement and updates the hosting before destroying it, or change the hosting's certificate_id.",
			id, strings.Join(names, ", "), hs[0].ID)}
}

// redeploy is H1: every new version of a record is deployed to the resources bound
// to it, automatically, with deployment records.
func (s *Service) redeploy(ctx context.Context, tx store.Tx, rec *store.Certificate, previousVersion int) error {
	hs, err := tx.ListHostings(ctx, store.HostingFilter{CertificateID: rec.ID})
	if err != nil || len(hs) == 0 {
		return err
	}
	// A new version that cannot serve the bound resources is refused, never deployed
	// silently: the resources keep the version they serve.
	refuse := func(err error) error {
		var se *Error
		if errors.As(err, &se) {
			e := *se
			e.Message += fmt.Sprintf(" Hosting %s binds it to platform resources, which would get this new version (rule H1): move them to another certificate first, or keep the new version deployable.", hs[0].ID)
			return &e
		}
		return err
	}
	if err := s.deployable(rec); err != nil {
		return refuse(err)
	}
	if err := s.keyDeployable(rec); err != nil {
		return refuse(err)
	}
	for _, h := range hs {
		domains := map[store.PlatformResource]string{}
		for _, r := range h.Resources {
			domains[r], _ = CheckResource(r)
		}
		if err := checkCoverage(rec, domains); err != nil {
			return refuse(err)
		}
	}
	for _, h := range hs {
		if err := s.deploy(ctx, tx, h, rec, h.Resources, rec.ID, previousVersion); err != nil {
			return err
		}
	}
	return nil
}

// keyDeployable checks the key of a record's current version itself: a new version
// (a reissue) may have got a password or a CSR that the record's stored order does not
// show yet. The backend must hold the key (not a CSR's), unencrypted (I6).
func (s *Service) keyDeployable(rec *store.Certificate) error {
	refuse := func(format string, args ...any) error {
		return &Error{Kind: KindFailedPrecondition, Code: CodeNotDeployable, Field: "certificate_id",
			Summary: "Certificate Cannot Be Deployed", Message: fmt.Sprintf(format, args...)}
	}
	key, err := s.open(rec.ID, "private_key", rec.PrivateKeySealed)
	if err != nil {
		return err
	}
	switch {
	case key == "":
		return refuse("Certificate %s was issued for your own CSR: the backend does not hold its private key, so it cannot deploy it.", rec.ID)
	case strings.Contains(key, "ENCRYPTED PRIVATE KEY"):
		return refuse("Certificate %s has a private key password: it cannot be deployed to platform resources (rule I6). Reissue it without private_key_password.", rec.ID)
	}
	return nil
}

// domainType classifies a certificate's names as the service does: single, multiple
// or wildcard (H2).
func domainType(sans []string) string {
	for _, n := range sans {
		if strings.HasPrefix(n, "*.") {
			return "wildcard"
		}
	}
	if len(sans) > 1 {
		return "multiple"
	}
	return "single"
}

// takeOver is H1/H2 for a new record that renews an older one: once it is issued, the
// resources bound to the old record move to it — only when domain type, certificate
// type and brand are equal; otherwise the bindings stay and the record says why.
func (s *Service) takeOver(ctx context.Context, tx store.Tx, rec *store.Certificate, sp *orderSpec) error {
	if sp.RenewsID == "" {
		return nil
	}
	old, err := tx.GetCertificate(ctx, sp.RenewsID)
	if errors.Is(err, store.ErrNotFound) {
		sp.HostingNote = fmt.Sprintf("The certificate it renews (%s) no longer exists; no resources moved.", sp.RenewsID)
		return nil
	}
	if err != nil {
		return err
	}
	hs, err := tx.ListHostings(ctx, store.HostingFilter{CertificateID: old.ID})
	if err != nil || len(hs) == 0 {
		return err
	}
	var oldBrand, oldType string
	if old.Source == SourceIssued {
		if osp, err := readSpec(old); err == nil {
			oldBrand, oldType = osp.Brand, osp.CertificateType
		}
	}
	var diffs []string
	if dt, odt := domainType(rec.SANs), domainType(old.SANs); dt != odt {
		diffs = append(diffs, fmt.Sprintf("domain type %s ≠ %s", dt, odt))
	}
	if sp.CertificateType != oldType {
		diffs = append(diffs, fmt.Sprintf("certificate type %s ≠ %q", sp.CertificateType, oldType))
	}
	if sp.Brand != oldBrand {
		diffs = append(diffs, fmt.Sprintf("brand %s ≠ %q", sp.Brand, oldBrand))
	}
	if len(diffs) == 0 {
		if err := s.deployable(rec); err != nil {
			diffs = append(diffs, err.Error())
		}
	}
	if len(diffs) == 0 {
		for _, h := range hs {
			domains := map[store.PlatformResource]string{}
			for _, r := range h.Resources {
				domains[r], _ = CheckResource(r)
			}
			if err := checkCoverage(rec, domains); err != nil {
				diffs = append(diffs, err.Error())
				break
			}
		}
	}
	if len(diffs) > 0 {
		sp.HostingNote = fmt.Sprintf("The resources bound to %s stay on it (rule H2: %s); move them by changing the hosting's certificate_id.", old.ID, strings.Join(diffs, "; "))
		return nil
	}
	for _, h := range hs {
		h.CertificateID, h.UpdatedAt = rec.ID, s.clock.Now()
		if err := tx.UpdateHosting(ctx, h); err != nil {
			return err
		}
		if err := s.deploy(ctx, tx, h, rec, h.Resources, old.ID, old.Version); err != nil {
			return err
		}
	}
	sp.HostingNote = fmt.Sprintf("The resources bound to %s moved to this certificate (rule H2).", old.ID)
	return nil
}

// certificateIDErr is storeErr for the certificate a hosting names: the error points
// at certificate_id.
func certificateIDErr(err error, id string) error {
	err = storeErr(err, id)
	var se *Error
	if errors.As(err, &se) {
		se.Field = "certificate_id"
	}
	return err
}
