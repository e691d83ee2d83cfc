package provider

import (
	"context"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/sslkit/terraform-provider-ssl/internal/api/wire"
	"github.com/sslkit/terraform-provider-ssl/internal/client"
)

var (
	_ resource.ResourceWithConfigure   = (*resourceHostingResource)(nil)
	_ resource.ResourceWithImportState = (*resourceHostingResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*resourceHostingResource)(nil)
)

// NewResourceHostingResource is the ssl_resource_hosting resource (rules H1–H4, D4).
func NewResourceHostingResource() resource.Resource {
	return &resourceHostingResource{}
}

type resourceHostingResource struct {
	client *client.Client
}

func (r *resourceHostingResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_resource_hosting"
}

func (r *resourceHostingResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Binds a certificate to platform resources — load balancer listeners, CDN, WAF, live " +
			"and VOD domains, EdgeOne zones, anti-DDoS, API gateway services, TKE secrets, COS buckets and " +
			"Lighthouse instances — and deploys it to each (rules H1–H4). Every new version of the certificate " +
			"(a reissue, a renewal, an upload rotation) is deployed to the bound resources automatically; " +
			"`deployments` shows what each resource serves after the next refresh. A new certificate that names " +
			"the bound one in `renews_certificate_id` takes the resources over when it is issued, if domain type, " +
			"certificate type and brand are equal (H2); `current_certificate_id` then names it.\n\n" +
			"Changing `certificate_id` or `resources` updates the hosting in place: the resources move to the " +
			"other certificate, new resources get it, removed ones are released. A certificate that hosting binds " +
			"cannot be deleted or revoked (D4): give it `lifecycle { create_before_destroy = true }`, so that a " +
			"replacement is created and the hosting moved before the old one is destroyed. Destroying the hosting " +
			"releases the resources; they keep serving what they served. Hosting installs nothing on your own " +
			"servers (H3): use the certificate's `certificate_pem` / `full_chain_pem` for those.",
		Attributes: map[string]schema.Attribute{
			"id": idAttribute("Stable id of the hosting (`host-…`)."),
			"certificate_id": schema.StringAttribute{
				MarkdownDescription: "Id of the certificate to deploy: an issued `ssl_certificate` or an " +
					"`ssl_certificate_upload`. It must be issued, unexpired, not revoked or being revoked (R2), " +
					"without a private key password (I6), with a key the service holds, and it must cover the domain " +
					"each resource serves. Changing it moves the resources to the other certificate in place.",
				Required:   true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"resources": schema.SetNestedAttribute{
				MarkdownDescription: "The platform resources to deploy the certificate to. A resource is bound by one " +
					"hosting at a time. Adding or removing a resource updates the hosting in place.",
				Required:   true,
				Validators: []validator.Set{setvalidator.SizeAtLeast(1)},
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"type": schema.StringAttribute{
							MarkdownDescription: "Resource type: `" + strings.Join(hostingResourceTypes, "`, `") + "`.",
							Required:            true,
							Validators:          []validator.String{stringvalidator.OneOf(hostingResourceTypes...)},
						},
						"instance_id": schema.StringAttribute{
							MarkdownDescription: "Instance id in the type's form; the domain it names must be covered by " +
								"the certificate. `CLB`: `lb-xxxxxxxx|lbl-xxxxxxxx|domain` (load balancer, listener, " +
								"domain); `CDN`, `WAF`, `LIVE`, `VOD`: the domain name; `TEO`: `zone-xxxxxxxx|domain`; " +
								"`DDOS`: `bgpip-xxxxxxxx|domain`; `APIGATEWAY`: `service-xxxxxxxx|domain`; `TKE`: " +
								"`cls-xxxxxxxx|namespace|secret-name`; `COS`: `bucket-appid|domain`; `LIGHTHOUSE`: " +
								"`lhins-xxxxxxxx`. The service checks the form at apply.",
							Required:   true,
							Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
						},
						"region": schema.StringAttribute{
							MarkdownDescription: "Region of the resource, such as `ap-guangzhou`. Required for `CLB`, " +
								"`WAF`, `DDOS`, `APIGATEWAY`, `TKE`, `COS` and `LIGHTHOUSE`; left out for the global " +
								"types `CDN`, `LIVE`, `VOD` and `TEO`.",
							Optional:   true,
							Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
						},
					},
				},
			},
			"current_certificate_id": computedString(
				"Id of the certificate the resources serve now: `certificate_id`, or the " +
					"certificate that renewed it and took the resources over (H2)."),
			"project": computedString("Project of the hosting: that of its certificate."),
			"deployments": schema.ListNestedAttribute{
				MarkdownDescription: "The current deployment of each bound resource, ordered by type, instance id " +
					"and region. A new version of the certificate (renewal, reissue, rotation) is deployed by the " +
					"service and shows here on the next refresh, without a change in the plan.",
				Computed: true,
				NestedObject: schema.NestedAttributeObject{
					Attributes: deploymentResourceSchema(),
				},
			},
		},
	}
}

func (r *resourceHostingResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if c, ok := configuredClient(req.ProviderData, "Resource", &resp.Diagnostics); ok {
		r.client = c
	}
}

func (r *resourceHostingResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan resourceHostingResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	in := wire.HostingRequest{CertificateID: plan.CertificateID.ValueString(), Resources: plan.wireResources(ctx, &resp.Diagnostics)}
	if resp.Diagnostics.HasError() {
		return
	}
	tflog.Debug(ctx, "Creating resource hosting", map[string]any{"certificate_id": in.CertificateID, "resources": len(in.Resources)})
	h, err := r.client.CreateHosting(ctx, in)
	if err != nil {
		addHostingError(&resp.Diagnostics, "Unable to Create Resource Hosting", err)
		return
	}
	plan.ID = types.StringValue(h.ID)
	plan.setServed(ctx, &resp.Diagnostics, h)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *resourceHostingResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state resourceHostingResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	h, err := r.client.GetHosting(ctx, state.ID.ValueString())
	if !readFound(ctx, resp, err, "Resource hosting no longer exists; removing it from state", map[string]any{"id": state.ID.ValueString()},
		"Unable to Read Resource Hosting", hostingFields) {
		return
	}

	// certificate_id is the certificate the configuration binds. When the service
	// moved the resources to a certificate that renews it (H2), that is no drift:
	// the configured id stays and current_certificate_id names the successor. Any
	// other move made outside Terraform shows as a change of certificate_id.
	configured := state.CertificateID.ValueString()
	switch {
	case state.CertificateID.IsNull() || state.CertificateID.IsUnknown() || configured == "":
		state.CertificateID = types.StringValue(h.CertificateID) // import
	case configured != h.CertificateID:
		renews, err := r.renews(ctx, h.CertificateID, configured)
		if err != nil {
			addBackendError(&resp.Diagnostics, "Unable to Read Resource Hosting", err, hostingFields)
			return
		}
		if !renews {
			tflog.Info(ctx, "The hosting was moved to another certificate outside Terraform", map[string]any{
				"id": h.ID, "configured": configured, "current": h.CertificateID,
			})
			state.CertificateID = types.StringValue(h.CertificateID)
		}
	}
	state.ID = types.StringValue(h.ID)
	state.Resources = resourceSet(ctx, &resp.Diagnostics, h.Resources)
	state.setServed(ctx, &resp.Diagnostics, h)
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

func (r *resourceHostingResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state resourceHostingResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	in := wire.HostingRequest{CertificateID: plan.targetCertificate(state), Resources: plan.wireResources(ctx, &resp.Diagnostics)}
	if resp.Diagnostics.HasError() {
		return
	}
	tflog.Debug(ctx, "Updating resource hosting", map[string]any{
		"id": state.ID.ValueString(), "certificate_id": in.CertificateID, "resources": len(in.Resources),
	})
	h, err := r.client.UpdateHosting(ctx, state.ID.ValueString(), in)
	if err != nil {
		addHostingError(&resp.Diagnostics, "Unable to Update Resource Hosting", err)
		return
	}
	plan.ID = types.StringValue(h.ID)
	plan.setServed(ctx, &resp.Diagnostics, h)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *resourceHostingResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state resourceHostingResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	tflog.Debug(ctx, "Deleting resource hosting", map[string]any{"id": state.ID.ValueString()})
	addDeleteError(&resp.Diagnostics, "Unable to Delete Resource Hosting", r.client.DeleteHosting(ctx, state.ID.ValueString()), hostingFields)
}

// ImportState takes the hosting's id or the id of the certificate it binds; Read
// finds the hosting either way and records its own id.
func (r *resourceHostingResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resource.ImportStatePassthroughID(ctx, path.Root("id"), req, resp)
}

// ModifyPlan shows which certificate the resources will serve: the new
// certificate_id when it changes, else the one they serve now (which may be a
// successor that took them over, H2). Deployments are left to the framework: unknown
// when the hosting changes, else the refreshed value, so a new version deployed by
// the service never shows as a change.
func (r *resourceHostingResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() {
		return
	}
	var plan resourceHostingResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	current := plan.CertificateID
	if !req.State.Raw.IsNull() {
		var state resourceHostingResourceModel
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
		if resp.Diagnostics.HasError() {
			return
		}
		if plan.CertificateID.Equal(state.CertificateID) && !state.CurrentCertificateID.IsNull() {
			current = state.CurrentCertificateID
		}
	}
	resp.Diagnostics.Append(resp.Plan.SetAttribute(ctx, path.Root("current_certificate_id"), current)...)
}

// hostingResourceTypes are the platform resource types the service deploys to. The
// instance id format and region rules of each type are the service's
// (CheckResource); the provider only knows the names.
var hostingResourceTypes = []string{
	"APIGATEWAY", "CDN", "CLB", "COS", "DDOS", "LIGHTHOUSE", "LIVE", "TEO", "TKE", "VOD", "WAF",
}

// maxRenewalHops bounds the walk from the served certificate back to the configured
// one through renews_certificate_id.
const maxRenewalHops = 32

// renews reports whether certificate current renews configured, directly or through
// a chain of renewals (renews_certificate_id).
func (r *resourceHostingResource) renews(ctx context.Context, current, configured string) (bool, error) {
	id := current
	for range maxRenewalHops {
		c, err := r.client.GetCertificate(ctx, id)
		if client.IsNotFound(err) {
			return false, nil
		}
		if err != nil {
			return false, err
		}
		if c.Order == nil || c.Order.RenewsCertificateID == "" {
			return false, nil
		}
		if c.Order.RenewsCertificateID == configured {
			return true, nil
		}
		id = c.Order.RenewsCertificateID
	}
	return false, nil
}

// hostingFields blames certificate_id and resources for the service's refusals.
var hostingFields = rootFields("certificate_id", "resources")

// addHostingError reports a refused create or update; a certificate that does not
// exist is blamed on certificate_id.
func addHostingError(diags *diag.Diagnostics, summary string, err error) {
	if apiErr, ok := client.AsAPIError(err); ok && client.IsNotFound(err) && apiErr.Field == "" &&
		strings.HasPrefix(apiErr.Summary, "Certificate") {
		diags.AddAttributeError(path.Root("certificate_id"), apiErr.Summary,
			apiErr.Message+" Set certificate_id to the id of an existing certificate.")
		return
	}
	addBackendError(diags, summary, err, hostingFields)
}

// deploymentResourceSchema is the object of a deployment in the resource's
// deployments.
func deploymentResourceSchema() map[string]schema.Attribute {
	out := map[string]schema.Attribute{}
	for name, a := range deploymentAttributes {
		if a.typ.Equal(types.Int64Type) {
			out[name] = schema.Int64Attribute{MarkdownDescription: a.description, Computed: true}
		} else {
			out[name] = schema.StringAttribute{MarkdownDescription: a.description, Computed: true}
		}
	}
	return out
}

// deploymentAttribute describes one attribute of a deployment object.
type deploymentAttribute struct {
	typ         attr.Type
	description string
}

// deploymentAttributes are the attributes of a deployment, in the resource and in
// the ssl_deployments data source.
var deploymentAttributes = map[string]deploymentAttribute{
	"id":          {types.StringType, "Id of the deployment record."},
	"type":        {types.StringType, "Type of the platform resource."},
	"instance_id": {types.StringType, "Instance id of the platform resource."},
	"region":      {types.StringType, "Region of the platform resource; null for the global types."},
	"certificate_id": {types.StringType, "Certificate deployed. After a move or a renewal that took the " +
		"resources over, the new certificate."},
	"version":       {types.Int64Type, "Version of the certificate deployed (a rotation, reissue or renewal counts it up)."},
	"serial_number": {types.StringType, "Serial number of the deployed version (hex): what the resource serves."},
	"status":        {types.StringType, "`deploying`, `deployed`, `failed` or `rolled_back`."},
	"replaced_certificate_id": {types.StringType, "Certificate the resource served before this deployment (the " +
		"same certificate for a new version of it); null for a new binding."},
	"replaced_version": {types.Int64Type, "Version of the certificate the resource served before; null for a new binding."},
	"message":          {types.StringType, "What the service says about the deployment, if anything."},
	"started_at":       {types.StringType, "When the deployment started (RFC 3339)."},
	"finished_at":      {types.StringType, "When the deployment finished (RFC 3339); null while it runs."},
}

// deploymentAttrTypes are the attribute types of a deployment object; withHosting
// adds hosting_id (the data source's objects).
func deploymentAttrTypes(withHosting bool) map[string]attr.Type {
	out := make(map[string]attr.Type, len(deploymentAttributes)+1)
	for name, a := range deploymentAttributes {
		out[name] = a.typ
	}
	if withHosting {
		out["hosting_id"] = types.StringType
	}
	return out
}

// deploymentObject renders one deployment record.
func deploymentObject(d wire.Deployment, withHosting bool) (types.Object, diag.Diagnostics) {
	replacedVersion := types.Int64Null()
	if d.ReplacedVersion != 0 {
		replacedVersion = types.Int64Value(int64(d.ReplacedVersion))
	}
	values := map[string]attr.Value{
		"id":                      types.StringValue(d.ID),
		"type":                    types.StringValue(d.Resource.Type),
		"instance_id":             types.StringValue(d.Resource.InstanceID),
		"region":                  stringOrNull(d.Resource.Region),
		"certificate_id":          types.StringValue(d.CertificateID),
		"version":                 types.Int64Value(int64(d.Version)),
		"serial_number":           types.StringValue(d.SerialNumber),
		"status":                  types.StringValue(d.Status),
		"replaced_certificate_id": stringOrNull(d.ReplacedCertificateID),
		"replaced_version":        replacedVersion,
		"message":                 stringOrNull(d.Message),
		"started_at":              formatTime(d.StartedAt),
		"finished_at":             formatTime(d.FinishedAt),
	}
	if withHosting {
		values["hosting_id"] = types.StringValue(d.HostingID)
	}
	return types.ObjectValue(deploymentAttrTypes(withHosting), values)
}

// deploymentList renders deployment records in the given order.
func deploymentList(deployments []wire.Deployment, withHosting bool, diags *diag.Diagnostics) types.List {
	elemType := types.ObjectType{AttrTypes: deploymentAttrTypes(withHosting)}
	elems := make([]attr.Value, 0, len(deployments))
	for _, d := range deployments {
		o, ds := deploymentObject(d, withHosting)
		diags.Append(ds...)
		elems = append(elems, o)
	}
	l, ds := types.ListValue(elemType, elems)
	diags.Append(ds...)
	return l
}

// platformResourceAttrTypes are the attribute types of an element of resources.
var platformResourceAttrTypes = map[string]attr.Type{
	"type":        types.StringType,
	"instance_id": types.StringType,
	"region":      types.StringType,
}

// resourceSet renders the resources the service holds for a hosting.
func resourceSet(ctx context.Context, diags *diag.Diagnostics, resources []wire.PlatformResource) types.Set {
	elems := make([]platformResourceModel, 0, len(resources))
	for _, r := range resources {
		elems = append(elems, platformResourceModel{
			Type: types.StringValue(r.Type), InstanceID: types.StringValue(r.InstanceID), Region: stringOrNull(r.Region),
		})
	}
	s, ds := types.SetValueFrom(ctx, types.ObjectType{AttrTypes: platformResourceAttrTypes}, elems)
	diags.Append(ds...)
	return s
}

// sortDeployments orders deployments by type, instance id and region, the order of
// the resource's deployments.
func sortDeployments(ds []wire.Deployment) []wire.Deployment {
	out := append([]wire.Deployment(nil), ds...)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].Resource, out[j].Resource
		if a.Type != b.Type {
			return a.Type < b.Type
		}
		if a.InstanceID != b.InstanceID {
			return a.InstanceID < b.InstanceID
		}
		return a.Region < b.Region
	})
	return out
}

type resourceHostingResourceModel struct {
	ID                   types.String `tfsdk:"id"`
	CertificateID        types.String `tfsdk:"certificate_id"`
	Resources            types.Set    `tfsdk:"resources"`
	CurrentCertificateID types.String `tfsdk:"current_certificate_id"`
	Project              types.String `tfsdk:"project"`
	Deployments          types.List   `tfsdk:"deployments"`
}

type platformResourceModel struct {
	Type       types.String `tfsdk:"type"`
	InstanceID types.String `tfsdk:"instance_id"`
	Region     types.String `tfsdk:"region"`
}

// wireResources converts the configured resources for the service.
func (m resourceHostingResourceModel) wireResources(ctx context.Context, diags *diag.Diagnostics) []wire.PlatformResource {
	var elems []platformResourceModel
	diags.Append(m.Resources.ElementsAs(ctx, &elems, false)...)
	out := make([]wire.PlatformResource, 0, len(elems))
	for _, e := range elems {
		out = append(out, wire.PlatformResource{Type: e.Type.ValueString(), InstanceID: e.InstanceID.ValueString(), Region: e.Region.ValueString()})
	}
	return out
}

// targetCertificate is the certificate an update deploys: the new certificate_id
// when the plan changes it, else the one the resources serve now, so that a change
// of resources never takes them back from a successor that took them over (H2).
func (m resourceHostingResourceModel) targetCertificate(state resourceHostingResourceModel) string {
	if m.CertificateID.Equal(state.CertificateID) && state.CurrentCertificateID.ValueString() != "" {
		return state.CurrentCertificateID.ValueString()
	}
	return m.CertificateID.ValueString()
}

// setServed copies what the service says the hosting serves.
func (m *resourceHostingResourceModel) setServed(_ context.Context, diags *diag.Diagnostics, h *wire.Hosting) {
	m.CurrentCertificateID = types.StringValue(h.CertificateID)
	m.Project = types.StringValue(h.Project)
	m.Deployments = deploymentList(sortDeployments(h.Deployments), false, diags)
}
