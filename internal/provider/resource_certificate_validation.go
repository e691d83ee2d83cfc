package provider

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/sslkit/terraform-provider-ssl/internal/api/wire"
	"github.com/sslkit/terraform-provider-ssl/internal/client"
)

var (
	_ resource.ResourceWithConfigure   = (*certificateValidationResource)(nil)
	_ resource.ResourceWithImportState = (*certificateValidationResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*certificateValidationResource)(nil)
)

// Polling of Create: exponential backoff between these bounds, with jitter.
const (
	validationDefaultCreateTimeout = 45 * time.Minute
	validationPollMin              = 200 * time.Millisecond
	validationPollMax              = 10 * time.Second
	// validationCallGrace lets a check started just before the deadline finish.
	validationCallGrace = 5 * time.Second
)

// validationDurationPattern accepts what time.ParseDuration accepts (without a sign).
var validationDurationPattern = regexp.MustCompile(`^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$`)

// NewCertificateValidationResource is the ssl_certificate_validation resource: it waits
// until an order placed by ssl_certificate is issued (DESIGN.md, "Issuance in one or
// two steps").
func NewCertificateValidationResource() resource.Resource {
	return &certificateValidationResource{}
}

type certificateValidationResource struct {
	client *client.Client
}

func (r *certificateValidationResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_certificate_validation"
}

func (r *certificateValidationResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	computedPEM := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{
			MarkdownDescription: desc,
			Computed:            true,
			PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Waits until a certificate ordered with `ssl_certificate` is issued — the second step " +
			"of a two-step issuance, like `aws_acm_certificate_validation`. Use it when the order needs an outside " +
			"action: publishing the DNS TXT record or validation file of `validation_records` " +
			"(`validation_method` `DNS` or `FILE` with backend `validation` `dns` or `http`), or a reviewer's " +
			"approval (`review_policy = \"manual\"`: `terraform-provider-ssl review approve <id>`).\n\n" +
			"Create checks the order with exponential backoff (200 ms up to 10 s) and moves pending domain " +
			"validation on, until the certificate is issued or `timeouts.create` (default 45 minutes) has passed. " +
			"Create never places an order: when it times out, the order stays as it is, the error says what is " +
			"still missing, and the next `terraform apply` simply waits again. An order that has ended " +
			"(`review_failed`, `cancelled`, `revoked`, …) is an error at once.\n\n" +
			"Destroying this resource only removes it from the state; the certificate is managed by `ssl_certificate`.",
		Attributes: map[string]schema.Attribute{
			"id": idAttribute("Equal to `certificate_id`."),
			"certificate_id": schema.StringAttribute{
				MarkdownDescription: "Id of the certificate to wait for, usually `ssl_certificate.<name>.id`. " +
					"Changing it waits for the new certificate.",
				Required:      true,
				Validators:    []validator.String{stringvalidator.LengthAtLeast(1)},
				PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"status": schema.StringAttribute{
				MarkdownDescription: "Status of the certificate: `issued` once Create has succeeded; a later refresh " +
					"shows what became of it (for example `revoked` or `expired`).",
				Computed:      true,
				PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"certificate_pem": computedPEM("The issued certificate (leaf) in PEM."),
			"ca_chain_pem":    computedPEM("The intermediate and root CA certificates of the issued certificate in PEM."),
			"full_chain_pem":  computedPEM("The issued certificate followed by its CA chain in PEM, leaf first."),
		},
		Blocks: map[string]schema.Block{
			"timeouts": schema.SingleNestedBlock{
				MarkdownDescription: "How long Terraform waits.",
				Attributes: map[string]schema.Attribute{
					"create": schema.StringAttribute{
						MarkdownDescription: "How long Create waits for the certificate to be issued, as a duration " +
							"such as `\"30s\"`, `\"45m\"` or `\"2h\"` (units `s`, `m`, `h`). Default `\"45m\"`.",
						Optional: true,
						Validators: []validator.String{stringvalidator.RegexMatches(validationDurationPattern,
							`must be a duration such as "30s", "45m" or "2h"`)},
					},
				},
			},
		},
	}
}

func (r *certificateValidationResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if c, ok := configuredClient(req.ProviderData, "Resource", &resp.Diagnostics); ok {
		r.client = c
	}
}

func (r *certificateValidationResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan certificateValidationResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout := plan.createTimeout(ctx, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}

	cert := r.wait(ctx, plan.CertificateID.ValueString(), timeout, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	plan.ID = types.StringValue(cert.ID)
	plan.fill(cert)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *certificateValidationResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state certificateValidationResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}

	cert, err := r.client.GetCertificate(ctx, state.CertificateID.ValueString())
	if !readFound(ctx, resp, err, "Certificate no longer exists; removing its validation from state", map[string]any{"certificate_id": state.CertificateID.ValueString()},
		"Unable to Read Certificate", rootFields()) {
		return
	}
	state.ID = types.StringValue(cert.ID)
	state.CertificateID = types.StringValue(cert.ID)
	state.fill(cert)
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

// Update only records a new timeouts block: every other attribute replaces.
func (r *certificateValidationResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state certificateValidationResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	state.Timeouts = plan.Timeouts
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

// Delete removes the waiter from the state; the certificate is ssl_certificate's.
func (r *certificateValidationResource) Delete(_ context.Context, _ resource.DeleteRequest, _ *resource.DeleteResponse) {
}

func (r *certificateValidationResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), req.ID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("certificate_id"), req.ID)...)
}

// ModifyPlan replaces a waiter whose certificate was never issued (imported while the
// order was pending), so that the next apply waits for it.
func (r *certificateValidationResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.State.Raw.IsNull() || req.Plan.Raw.IsNull() {
		return
	}
	var state, plan certificateValidationResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	status := state.Status.ValueString()
	if state.Status.IsNull() || status == "issued" || status == "reissuing" || validationEnded(status) {
		return
	}
	plan.Status = types.StringUnknown()
	plan.CertificatePEM, plan.CAChainPEM, plan.FullChainPEM = types.StringUnknown(), types.StringUnknown(), types.StringUnknown()
	resp.Diagnostics.Append(resp.Plan.Set(ctx, plan)...)
	resp.RequiresReplace = append(resp.RequiresReplace, path.Root("status"))
}

// wait checks the order until it is issued, has ended, or timeout has passed. It never
// places or changes an order beyond moving pending domain validation on.
func (r *certificateValidationResource) wait(ctx context.Context, id string, timeout time.Duration, diags *diag.Diagnostics) *wire.Certificate {
	start := time.Now()
	deadline := start.Add(timeout)
	delay := validationPollMin
	var last *wire.Certificate
	for attempt := 1; ; attempt++ {
		callCtx, cancel := context.WithDeadline(ctx, deadline.Add(validationCallGrace))
		cert, err := r.check(callCtx, id, last)
		cancel()
		switch {
		case err != nil && ctx.Err() != nil:
			validationInterrupted(diags, id, last)
			return nil
		case err != nil && errors.Is(err, context.DeadlineExceeded) && time.Now().After(deadline):
			validationTimedOut(diags, id, timeout, last)
			return nil
		case client.IsNotFound(err):
			diags.AddAttributeError(path.Root("certificate_id"), "Certificate Not Found",
				fmt.Sprintf("No certificate with id %q exists in the certificate backend. Set certificate_id to the id "+
					"of a certificate ordered with ssl_certificate, such as ssl_certificate.<name>.id.", id))
			return nil
		case err != nil:
			addBackendError(diags, "Unable to Check Certificate", err, rootFields())
			return nil
		}
		last = cert

		if cert.Source != "" && cert.Source != "issued" {
			diags.AddAttributeError(path.Root("certificate_id"), "Not an Ordered Certificate",
				fmt.Sprintf("Certificate %s was %s, not ordered: there is nothing to wait for. Set certificate_id to "+
					"the id of a certificate ordered with ssl_certificate, or remove this resource.", id, cert.Source))
			return nil
		}
		pending := validationPendingText(cert)
		tflog.Debug(ctx, "Checked certificate order", map[string]any{
			"certificate_id": id, "status": cert.Status, "attempt": attempt, "pending": pending,
		})
		if validationIssued(cert) {
			tflog.Info(ctx, "Certificate issued", map[string]any{
				"certificate_id": id, "waited": time.Since(start).Round(time.Millisecond).String(),
			})
			return cert
		}
		if validationEnded(cert.Status) {
			detail := fmt.Sprintf("Certificate %s is %s and will not be issued.", id, cert.Status)
			if pending != "" {
				detail += " " + pending
			}
			detail += " Place a new order — for example `terraform apply -replace=ssl_certificate.<name>` on the " +
				"resource that ordered it — and this resource will wait for the new certificate."
			diags.AddAttributeError(path.Root("certificate_id"), "Certificate Order Ended", detail)
			return nil
		}

		remaining := time.Until(deadline)
		if remaining <= 0 {
			validationTimedOut(diags, id, timeout, last)
			return nil
		}
		sleep := min(delay+rand.N(delay/5+1), remaining)
		timer := time.NewTimer(sleep)
		select {
		case <-ctx.Done():
			timer.Stop()
			validationInterrupted(diags, id, last)
			return nil
		case <-timer.C:
		}
		delay = min(2*delay, validationPollMax)
	}
}

// check reads the certificate and, while it waits for domain validation, asks the
// backend to look for the published record or file again.
func (r *certificateValidationResource) check(ctx context.Context, id string, last *wire.Certificate) (*wire.Certificate, error) {
	if last == nil || !validationNeedsAdvance(last.Status) {
		cert, err := r.client.GetCertificate(ctx, id)
		if err != nil || !validationNeedsAdvance(cert.Status) {
			return cert, err
		}
	}
	return r.client.AdvanceCertificate(ctx, id)
}

func validationNeedsAdvance(status string) bool {
	return status == "pending_validation" || status == "dns_record_added"
}

// validationIssued: an issued certificate, or one whose current version stays valid
// while a reissue waits.
func validationIssued(c *wire.Certificate) bool {
	return c.Status == "issued" || (c.Status == "reissuing" && c.CertificatePEM != "")
}

// validationEnded lists the statuses from which an order is never issued.
func validationEnded(status string) bool {
	switch status {
	case "review_failed", "cancelling", "cancelled", "revoking", "revoked", "revocation_letter_pending", "expired":
		return true
	}
	return false
}

// validationPendingText is the order's sentence on what it waits for (or why it
// ended), with the certificate id filled in.
func validationPendingText(c *wire.Certificate) string {
	if c == nil || c.Order == nil {
		return ""
	}
	return strings.ReplaceAll(strings.TrimSpace(c.Order.Pending), "<id>", c.ID)
}

func validationTimedOut(diags *diag.Diagnostics, id string, timeout time.Duration, last *wire.Certificate) {
	detail := fmt.Sprintf("Certificate %s was not issued within %s (timeouts.create).", id, timeout)
	if last != nil {
		detail = fmt.Sprintf("Certificate %s is still %s after %s (timeouts.create).", id, last.Status, timeout)
		if p := validationPendingText(last); p != "" {
			detail += " " + p
		}
	}
	detail += " The order is kept as it is: nothing is lost and nothing is ordered again. Once that is done, " +
		"run `terraform apply` again and this resource simply waits again; raise timeouts.create to wait longer."
	diags.AddError("Certificate Not Issued Yet", detail)
}

func validationInterrupted(diags *diag.Diagnostics, id string, last *wire.Certificate) {
	detail := fmt.Sprintf("Waiting for certificate %s was interrupted.", id)
	if last != nil {
		detail = fmt.Sprintf("Waiting for certificate %s (status %s) was interrupted.", id, last.Status)
	}
	diags.AddError("Waiting Interrupted", detail+" The order is kept as it is; run `terraform apply` again to wait for it.")
}

type certificateValidationResourceModel struct {
	ID             types.String `tfsdk:"id"`
	CertificateID  types.String `tfsdk:"certificate_id"`
	Status         types.String `tfsdk:"status"`
	CertificatePEM types.String `tfsdk:"certificate_pem"`
	CAChainPEM     types.String `tfsdk:"ca_chain_pem"`
	FullChainPEM   types.String `tfsdk:"full_chain_pem"`
	Timeouts       types.Object `tfsdk:"timeouts"`
}

type certificateValidationTimeoutsModel struct {
	Create types.String `tfsdk:"create"`
}

func (m *certificateValidationResourceModel) fill(c *wire.Certificate) {
	m.Status = types.StringValue(c.Status)
	m.CertificatePEM = stringOrNull(orDefault(c.LeafPEM, c.CertificatePEM))
	m.CAChainPEM = stringOrNull(c.CAChainPEM)
	m.FullChainPEM = stringOrNull(c.FullChainPEM)
}

// createTimeout is timeouts.create, or the default when unset.
func (m certificateValidationResourceModel) createTimeout(ctx context.Context, diags *diag.Diagnostics) time.Duration {
	if m.Timeouts.IsNull() || m.Timeouts.IsUnknown() {
		return validationDefaultCreateTimeout
	}
	var t certificateValidationTimeoutsModel
	diags.Append(m.Timeouts.As(ctx, &t, basetypes.ObjectAsOptions{})...)
	if diags.HasError() || t.Create.IsNull() || t.Create.IsUnknown() {
		return validationDefaultCreateTimeout
	}
	d, err := time.ParseDuration(t.Create.ValueString())
	if err != nil {
		diags.AddAttributeError(path.Root("timeouts").AtName("create"), "Invalid Timeout",
			fmt.Sprintf("timeouts.create %q is not a duration: %s. Set it to a duration such as \"30s\", \"45m\" or \"2h\".",
				t.Create.ValueString(), err))
	}
	return d
}
