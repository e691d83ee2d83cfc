package provider

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/setvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/listdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/setdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/sslkit/terraform-provider-ssl/internal/api/wire"
	"github.com/sslkit/terraform-provider-ssl/internal/client"
)

var (
	_ resource.ResourceWithConfigure        = (*expirationAlarmResource)(nil)
	_ resource.ResourceWithImportState      = (*expirationAlarmResource)(nil)
	_ resource.ResourceWithModifyPlan       = (*expirationAlarmResource)(nil)
	_ resource.ResourceWithConfigValidators = (*expirationAlarmResource)(nil)
)

// NewExpirationAlarmResource is the ssl_expiration_alarm resource (rules A1–A5).
func NewExpirationAlarmResource() resource.Resource {
	return &expirationAlarmResource{}
}

type expirationAlarmResource struct {
	client *client.Client
}

// Alarm channels (A4, A5) and defaults (A3), as the service names them.
const (
	alarmChannelEmail     = "EMAIL"
	alarmChannelSMS       = "SMS"
	alarmChannelWebhook   = "WEBHOOK"
	alarmDefaultDays      = 30
	alarmMaxDays          = 365
	alarmDefaultRepeat    = "once"
	alarmDefaultProject   = "default"
	alarmRecipientsAttr   = "recipients"
	alarmWebhookSecretWO  = "webhook_secret_wo"
	alarmWebhookSecretVer = "webhook_secret_wo_version"
)

var alarmRecipientAttrTypes = map[string]attr.Type{
	"name":  types.StringType,
	"email": types.StringType,
	"phone": types.StringType,
}

var alarmRecipientType = types.ObjectType{AttrTypes: alarmRecipientAttrTypes}

func (r *expirationAlarmResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_expiration_alarm"
}

func (r *expirationAlarmResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	recipientString := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{
			MarkdownDescription: desc,
			Optional:            true,
			Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
		}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "An expiration alarm policy (rules A1–A5): when the days left before a certificate " +
			"expires fall within `days_before_expiry`, the backend's evaluator notifies the recipients by email " +
			"and SMS and can call a webhook — once per certificate and expiry date, or again every " +
			"`repeat_interval`. Certificates whose notifications are ignored (`ignore_expiration_notifications`, " +
			"rule N1) never fire. The evaluator runs every minute in `terraform-provider-ssl serve`, or once per " +
			"`terraform-provider-ssl evaluate`; `terraform plan` and `apply` never send anything. Every " +
			"attribute changes in place.",
		Attributes: map[string]schema.Attribute{
			"id":   idAttribute("Id of the alarm policy."),
			"name": nameAttribute("Name of the policy (A1)."),
			"remarks": schema.StringAttribute{
				MarkdownDescription: "Free text about the policy (A1). Defaults to `\"\"`.",
				Optional:            true,
				Computed:            true,
				Default:             stringdefault.StaticString(""),
			},
			"project": projectAttribute(
				"Project of the policy; with no `certificate_ids` it watches every certificate of " +
					"this project. Defaults to `\"default\"`."),
			"certificate_ids": schema.SetAttribute{
				MarkdownDescription: "Ids of the certificates the policy watches (A2). Empty or left out: every " +
					"certificate of `project`, present and future.",
				ElementType: types.StringType,
				Optional:    true,
				Computed:    true,
				Default:     setdefault.StaticValue(types.SetValueMust(types.StringType, []attr.Value{})),
				Validators:  []validator.Set{setvalidator.ValueStringsAre(stringvalidator.LengthAtLeast(1))},
			},
			"days_before_expiry": schema.Int64Attribute{
				MarkdownDescription: fmt.Sprintf("The policy fires for a certificate once the days left before it "+
					"expires are at most this many (A3), from 1 to %d. Defaults to %d.", alarmMaxDays, alarmDefaultDays),
				Optional:   true,
				Computed:   true,
				Default:    int64default.StaticInt64(alarmDefaultDays),
				Validators: []validator.Int64{int64validator.Between(1, alarmMaxDays)},
			},
			"repeat_interval": schema.StringAttribute{
				MarkdownDescription: "`\"once\"` (the default): notify once per certificate and expiry date; or a " +
					"duration of at least one minute such as `\"24h\"` or `\"168h\"`: notify again after it, while the " +
					"certificate stays within the threshold (A3). A renewed certificate (new expiry date) fires anew.",
				Optional:   true,
				Computed:   true,
				Default:    stringdefault.StaticString(alarmDefaultRepeat),
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			alarmRecipientsAttr: schema.ListNestedAttribute{
				MarkdownDescription: "Who is notified (A4): `EMAIL` goes to every recipient with an `email`, `SMS` to " +
					"every recipient with a `phone`. Each recipient needs an email, a phone number or both.",
				Optional: true,
				Computed: true,
				Default:  listdefault.StaticValue(types.ListValueMust(alarmRecipientType, []attr.Value{})),
				NestedObject: schema.NestedAttributeObject{
					Validators: []validator.Object{recipientReachable{}},
					Attributes: map[string]schema.Attribute{
						"name":  recipientString("Name of the recipient, used in the greeting."),
						"email": recipientString("Email address of the recipient (`ops@example.com`), for the `EMAIL` channel."),
						"phone": recipientString("Mobile number of the recipient in E.164 form (`+8613800000000`), for the `SMS` channel."),
					},
				},
			},
			"channels": schema.SetAttribute{
				MarkdownDescription: "How the policy notifies: `EMAIL` and `SMS` (A4) to the recipients, `WEBHOOK` (A5) " +
					"as a signed JSON POST to `webhook_url`. At least one.",
				ElementType: types.StringType,
				Required:    true,
				Validators: []validator.Set{
					setvalidator.SizeAtLeast(1),
					setvalidator.ValueStringsAre(stringvalidator.OneOf(alarmChannelEmail, alarmChannelSMS, alarmChannelWebhook)),
				},
			},
			"webhook_url": schema.StringAttribute{
				MarkdownDescription: "http or https URL that the `WEBHOOK` channel POSTs to (loopback addresses are " +
					"allowed). The JSON body holds the policy, the certificate id, name, domain, SANs, `not_after` and " +
					"`days_left`.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"webhook_secret": schema.StringAttribute{
				MarkdownDescription: "Key of the webhook's `X-SSL-Signature: sha256=<hex HMAC-SHA256 of the body>` " +
					"header. Stored in state; use `webhook_secret_wo` to keep it out. The service never returns it.",
				Optional:  true,
				Sensitive: true,
				Validators: []validator.String{
					stringvalidator.LengthAtLeast(1),
					stringvalidator.AlsoRequires(path.MatchRoot("webhook_url")),
				},
			},
			alarmWebhookSecretWO: schema.StringAttribute{
				MarkdownDescription: "Write-only alternative to `webhook_secret` (Terraform 1.11 and later): sent to the " +
					"service, never stored in plan or state. Terraform cannot see a change of it: change " +
					"`webhook_secret_wo_version` to send it again.",
				Optional:  true,
				Sensitive: true,
				WriteOnly: true,
				Validators: []validator.String{
					stringvalidator.LengthAtLeast(1),
					stringvalidator.AlsoRequires(path.MatchRoot("webhook_url"), path.MatchRoot(alarmWebhookSecretVer)),
				},
			},
			alarmWebhookSecretVer: schema.Int64Attribute{
				MarkdownDescription: "Version of `webhook_secret_wo`; a change sends the write-only secret again.",
				Optional:            true,
				Validators:          []validator.Int64{int64validator.AlsoRequires(path.MatchRoot(alarmWebhookSecretWO))},
			},
			"enabled": schema.BoolAttribute{
				MarkdownDescription: "Whether the policy is evaluated. Defaults to `true`.",
				Optional:            true,
				Computed:            true,
				Default:             booldefault.StaticBool(true),
			},
			"firing_certificate_ids": schema.SetAttribute{
				MarkdownDescription: "Ids of the certificates inside the threshold now, whose notifications are not " +
					"ignored — those the evaluator notifies about (empty while the policy is disabled). Refreshed on " +
					"every read.",
				ElementType: types.StringType,
				Computed:    true,
			},
			"last_evaluated_at": computedString("When the evaluator last ran this policy (RFC 3339); null until it has."),
		},
	}
}

func (r *expirationAlarmResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if c, ok := configuredClient(req.ProviderData, "Resource", &resp.Diagnostics); ok {
		r.client = c
	}
}

func (r *expirationAlarmResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan, config expirationAlarmResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	in := plan.request(ctx, &resp.Diagnostics)
	in.WebhookSecret = config.secret()
	if resp.Diagnostics.HasError() {
		return
	}
	tflog.Debug(ctx, "Creating expiration alarm", map[string]any{
		"name": in.Name, "project": in.Project, "channels": in.Channels, "webhook_secret": in.WebhookSecret != "",
	})
	alarm, err := r.client.CreateAlarm(ctx, in)
	if err != nil {
		addAlarmError(&resp.Diagnostics, "Unable to Create Expiration Alarm", err)
		return
	}
	plan.ID = types.StringValue(alarm.ID)
	plan.setComputed(ctx, &resp.Diagnostics, alarm)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *expirationAlarmResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state expirationAlarmResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	alarm, err := r.client.GetAlarm(ctx, state.ID.ValueString())
	if !readFound(ctx, resp, err, "Expiration alarm no longer exists; removing it from state", map[string]any{"id": state.ID.ValueString()},
		"Unable to Read Expiration Alarm", rootFields()) {
		return
	}

	state.ID = types.StringValue(alarm.ID)
	state.Name = types.StringValue(alarm.Name)
	state.Remarks = types.StringValue(alarm.Remarks)
	state.Project = types.StringValue(orDefault(alarm.Project, alarmDefaultProject))
	state.CertificateIDs = alarmStringSet(ctx, &resp.Diagnostics, alarm.CertificateIDs)
	state.DaysBeforeExpiry = types.Int64Value(int64(alarm.DaysBeforeExpiry))
	state.RepeatInterval = types.StringValue(orDefault(alarm.RepeatInterval, alarmDefaultRepeat))
	state.Recipients = alarmRecipientList(ctx, &resp.Diagnostics, alarm.Recipients)
	state.Channels = alarmStringSet(ctx, &resp.Diagnostics, alarm.Channels)
	state.WebhookURL = stringOrNull(alarm.WebhookURL)
	state.Enabled = types.BoolValue(alarm.Enabled)
	if !alarm.HasWebhookSecret {
		// The secret was removed outside Terraform: a configured one is planned again.
		state.WebhookSecret = types.StringNull()
		state.WebhookSecretWOVersion = types.Int64Null()
	}
	state.setComputed(ctx, &resp.Diagnostics, alarm)
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

func (r *expirationAlarmResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan, state, config expirationAlarmResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	in := plan.request(ctx, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	if !config.WebhookSecretWO.IsNull() && plan.WebhookSecretWOVersion.Equal(state.WebhookSecretWOVersion) {
		// The write-only secret is sent again only when its version changes.
		in.KeepWebhookSecret = true
	} else {
		in.WebhookSecret = config.secret() // "" removes the secret
	}
	id := state.ID.ValueString()
	tflog.Debug(ctx, "Updating expiration alarm", map[string]any{
		"id": id, "channels": in.Channels, "webhook_secret_sent": in.WebhookSecret != "", "webhook_secret_kept": in.KeepWebhookSecret,
	})
	alarm, err := r.client.UpdateAlarm(ctx, id, in)
	if err != nil {
		addAlarmError(&resp.Diagnostics, "Unable to Update Expiration Alarm", err)
		return
	}
	plan.setComputed(ctx, &resp.Diagnostics, alarm)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *expirationAlarmResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	var state expirationAlarmResourceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	tflog.Debug(ctx, "Deleting expiration alarm", map[string]any{"id": state.ID.ValueString()})
	addDeleteError(&resp.Diagnostics, "Unable to Delete Expiration Alarm", r.client.DeleteAlarm(ctx, state.ID.ValueString()), rootFields())
}

func (r *expirationAlarmResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	resource.ImportStatePassthroughID(ctx, path.Root("id"), req, resp)
}

// ModifyPlan runs the service's policy rules (emails, E.164 phone numbers, the
// webhook URL, the threshold, the repeat interval, recipients per channel) on the
// planned values once they are all known, so that a plan shows what apply would
// refuse.
func (r *expirationAlarmResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.client == nil || req.Plan.Raw.Equal(req.State.Raw) {
		return // nothing to check: destroy, unconfigured provider, or no change
	}
	var plan expirationAlarmResourceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() || !plan.checkable(ctx) {
		return
	}
	var d diag.Diagnostics
	in := plan.request(ctx, &d)
	if d.HasError() {
		return
	}
	problems, err := r.client.CheckAlarm(ctx, in)
	if err != nil {
		addBackendError(&resp.Diagnostics, "Unable to Check Expiration Alarm", err, rootFields())
		return
	}
	addAlarmProblems(&resp.Diagnostics, problems)
}

func (r *expirationAlarmResource) ConfigValidators(_ context.Context) []resource.ConfigValidator {
	return []resource.ConfigValidator{
		conflicting("webhook_secret", alarmWebhookSecretWO),
	}
}

// alarmFields are the attributes a problem of the service's policy rules can name.
var alarmFields = []string{"name", "remarks", "project", "certificate_ids", "days_before_expiry", "repeat_interval",
	alarmRecipientsAttr, "channels", "webhook_url", "webhook_secret", "enabled"}

// recipientProblem finds the recipient a problem message is about, as the service
// words it ("recipients[1].phone …").
var recipientProblem = regexp.MustCompile(`^recipients\[(\d+)\]\.(name|email|phone)\b`)

// alarmProblemPath is the attribute to blame for a problem: the recipient when the
// message names one (Terraform shows a list element's source, not its attributes').
func alarmProblemPath(p wire.Problem) (path.Path, bool) {
	if p.Field == alarmRecipientsAttr {
		if m := recipientProblem.FindStringSubmatch(p.Message); m != nil {
			if i, err := strconv.Atoi(m[1]); err == nil {
				return path.Root(alarmRecipientsAttr).AtListIndex(i), true
			}
		}
	}
	if slices.Contains(alarmFields, p.Field) {
		return path.Root(p.Field), true
	}
	return path.Empty(), false
}

// addAlarmProblems turns the service's findings into errors on their attributes.
func addAlarmProblems(diags *diag.Diagnostics, problems []wire.Problem) {
	for _, p := range problems {
		summary := orDefault(p.Summary, "Invalid Expiration Alarm")
		if at, ok := alarmProblemPath(p); ok {
			diags.AddAttributeError(at, summary, p.Message)
		} else {
			diags.AddError(summary, p.Message)
		}
	}
}

// addAlarmError reports a refusal of a create or update like a plan-time check.
func addAlarmError(diags *diag.Diagnostics, summary string, err error) {
	if apiErr, ok := client.AsAPIError(err); ok && len(apiErr.Problems) > 0 {
		addAlarmProblems(diags, apiErr.Problems)
		return
	}
	addBackendError(diags, summary, err, rootFields(alarmFields...))
}

// recipientReachable refuses a recipient that no channel can reach.
type recipientReachable struct{}

func (recipientReachable) Description(context.Context) string {
	return "a recipient needs an email, a phone number or both"
}

func (v recipientReachable) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (recipientReachable) ValidateObject(_ context.Context, req validator.ObjectRequest, resp *validator.ObjectResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	attrs := req.ConfigValue.Attributes()
	for _, name := range []string{"email", "phone"} {
		if v, ok := attrs[name].(types.String); !ok || !v.IsNull() {
			return
		}
	}
	resp.Diagnostics.AddAttributeError(req.Path, "Recipient Unreachable",
		fmt.Sprintf("%s has neither an email nor a phone number, so no channel can reach it. Give it an email "+
			"address (EMAIL channel), an E.164 phone number (SMS channel) or both.", req.Path))
}

func alarmStringSet(ctx context.Context, diags *diag.Diagnostics, values []string) types.Set {
	if values == nil {
		values = []string{}
	}
	s, d := types.SetValueFrom(ctx, types.StringType, values)
	diags.Append(d...)
	return s
}

func alarmRecipientList(ctx context.Context, diags *diag.Diagnostics, rs []wire.Recipient) types.List {
	models := make([]alarmRecipientModel, 0, len(rs))
	for _, rc := range rs {
		models = append(models, alarmRecipientModel{
			Name: stringOrNull(rc.Name), Email: stringOrNull(rc.Email), Phone: stringOrNull(rc.Phone),
		})
	}
	l, d := types.ListValueFrom(ctx, alarmRecipientType, models)
	diags.Append(d...)
	return l
}

// alarmFullyKnown tells whether v and every value inside it are known.
func alarmFullyKnown(ctx context.Context, v attr.Value) bool {
	tv, err := v.ToTerraformValue(ctx)
	return err == nil && tv.IsFullyKnown()
}

type expirationAlarmResourceModel struct {
	ID                     types.String `tfsdk:"id"`
	Name                   types.String `tfsdk:"name"`
	Remarks                types.String `tfsdk:"remarks"`
	Project                types.String `tfsdk:"project"`
	CertificateIDs         types.Set    `tfsdk:"certificate_ids"`
	DaysBeforeExpiry       types.Int64  `tfsdk:"days_before_expiry"`
	RepeatInterval         types.String `tfsdk:"repeat_interval"`
	Recipients             types.List   `tfsdk:"recipients"`
	Channels               types.Set    `tfsdk:"channels"`
	WebhookURL             types.String `tfsdk:"webhook_url"`
	WebhookSecret          types.String `tfsdk:"webhook_secret"`
	WebhookSecretWO        types.String `tfsdk:"webhook_secret_wo"`
	WebhookSecretWOVersion types.Int64  `tfsdk:"webhook_secret_wo_version"`
	Enabled                types.Bool   `tfsdk:"enabled"`
	FiringCertificateIDs   types.Set    `tfsdk:"firing_certificate_ids"`
	LastEvaluatedAt        types.String `tfsdk:"last_evaluated_at"`
}

type alarmRecipientModel struct {
	Name  types.String `tfsdk:"name"`
	Email types.String `tfsdk:"email"`
	Phone types.String `tfsdk:"phone"`
}

// secret is the configured webhook secret, from whichever attribute gives it.
func (m expirationAlarmResourceModel) secret() string {
	if !m.WebhookSecretWO.IsNull() {
		return m.WebhookSecretWO.ValueString()
	}
	return m.WebhookSecret.ValueString()
}

// checkable tells whether every value the policy rules look at is known.
func (m expirationAlarmResourceModel) checkable(ctx context.Context) bool {
	for _, v := range []attr.Value{m.Name, m.Project, m.DaysBeforeExpiry, m.RepeatInterval, m.Recipients, m.Channels, m.WebhookURL} {
		if !alarmFullyKnown(ctx, v) {
			return false
		}
	}
	return true
}

// request is the policy without its secret.
func (m expirationAlarmResourceModel) request(ctx context.Context, diags *diag.Diagnostics) wire.AlarmRequest {
	in := wire.AlarmRequest{
		Name:             m.Name.ValueString(),
		Remarks:          m.Remarks.ValueString(),
		Project:          m.Project.ValueString(),
		DaysBeforeExpiry: int(m.DaysBeforeExpiry.ValueInt64()),
		RepeatInterval:   m.RepeatInterval.ValueString(),
		WebhookURL:       m.WebhookURL.ValueString(),
		Enabled:          m.Enabled.ValueBool(),
		CertificateIDs:   []string{},
		Channels:         []string{},
		Recipients:       []wire.Recipient{},
	}
	if !m.CertificateIDs.IsNull() && !m.CertificateIDs.IsUnknown() {
		diags.Append(m.CertificateIDs.ElementsAs(ctx, &in.CertificateIDs, false)...)
		slices.Sort(in.CertificateIDs)
	}
	if !m.Channels.IsNull() && !m.Channels.IsUnknown() {
		diags.Append(m.Channels.ElementsAs(ctx, &in.Channels, false)...)
		slices.Sort(in.Channels)
	}
	if !m.Recipients.IsNull() && !m.Recipients.IsUnknown() {
		var rs []alarmRecipientModel
		diags.Append(m.Recipients.ElementsAs(ctx, &rs, false)...)
		for _, rc := range rs {
			in.Recipients = append(in.Recipients, wire.Recipient{
				Name: rc.Name.ValueString(), Email: rc.Email.ValueString(), Phone: rc.Phone.ValueString(),
			})
		}
	}
	return in
}

// setComputed copies what the service computes now.
func (m *expirationAlarmResourceModel) setComputed(ctx context.Context, diags *diag.Diagnostics, a *wire.Alarm) {
	m.FiringCertificateIDs = alarmStringSet(ctx, diags, a.FiringCertificateIDs)
	if a.LastEvaluatedAt == nil {
		m.LastEvaluatedAt = types.StringNull()
	} else {
		m.LastEvaluatedAt = formatTime(*a.LastEvaluatedAt)
	}
}
