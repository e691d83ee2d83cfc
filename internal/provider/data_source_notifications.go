package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/sslkit/terraform-provider-ssl/internal/client"
)

var _ datasource.DataSourceWithConfigure = (*notificationsDataSource)(nil)

// NewNotificationsDataSource is the ssl_notifications data source: the outbox of
// the expiration alarms (A3–A5), in one query.
func NewNotificationsDataSource() datasource.DataSource {
	return &notificationsDataSource{}
}

type notificationsDataSource struct {
	client *client.Client
}

// Outbox statuses, as the service names them.
var notificationStatuses = []string{"pending", "sent", "failed"}

func (d *notificationsDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_notifications"
}

func (d *notificationsDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	computedInt := func(desc string) schema.Int64Attribute {
		return schema.Int64Attribute{MarkdownDescription: desc, Computed: true}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the notifications that expiration alarms (`ssl_expiration_alarm`) wrote to the " +
			"outbox — one per firing, recipient and channel — with their delivery status, oldest first, so that " +
			"you can see what was sent, what waits and what failed. Filters combine; with none, every notification " +
			"the caller may see.",
		Attributes: map[string]schema.Attribute{
			"policy_id":      filterString("Only the notifications of this alarm policy (`ssl_expiration_alarm.<name>.id`)."),
			"certificate_id": filterString("Only the notifications about this certificate."),
			"channel": schema.StringAttribute{
				MarkdownDescription: "Only the notifications of this channel: `EMAIL`, `SMS` or `WEBHOOK`.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.OneOf(alarmChannelEmail, alarmChannelSMS, alarmChannelWebhook)},
			},
			"status": schema.StringAttribute{
				MarkdownDescription: "Only the notifications in this state: `pending` (waiting for the delivering " +
					"process, or for a retry), `sent` or `failed` (given up after the last attempt or a permanent error).",
				Optional:   true,
				Validators: []validator.String{stringvalidator.OneOf(notificationStatuses...)},
			},
			"notifications": schema.ListNestedAttribute{
				MarkdownDescription: "The matching notifications, oldest first.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{
					Attributes: map[string]schema.Attribute{
						"id":             dataComputedString("Id of the notification; receivers get it as the `Idempotency-Key`."),
						"policy_id":      dataComputedString("Id of the alarm policy that fired."),
						"certificate_id": dataComputedString("Id of the certificate it is about."),
						"not_after":      dataComputedString("Expiry of the certificate version it is about (RFC 3339)."),
						"days_left":      computedInt("Whole days left before expiry when the alarm fired."),
						"recipient": schema.SingleNestedAttribute{
							MarkdownDescription: "Who it goes to; all null for a webhook.",
							Computed:            true,
							Attributes: map[string]schema.Attribute{
								"name":  dataComputedString("Name of the recipient."),
								"email": dataComputedString("Email address (`EMAIL`)."),
								"phone": dataComputedString("Phone number (`SMS`)."),
							},
						},
						"channel":    dataComputedString("`EMAIL`, `SMS` or `WEBHOOK`."),
						"status":     dataComputedString("`pending`, `sent` or `failed`."),
						"attempts":   computedInt("Delivery attempts so far."),
						"last_error": dataComputedString("Error of the last failed attempt; null when none failed."),
						"created_at": dataComputedString("When the alarm fired and wrote it (RFC 3339)."),
						"sent_at":    dataComputedString("When it was delivered (RFC 3339); null until then."),
					},
				},
			},
		},
	}
}

func (d *notificationsDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	if c, ok := configuredClient(req.ProviderData, "Data Source", &resp.Diagnostics); ok {
		d.client = c
	}
}

func (d *notificationsDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	readDataSource(ctx, req, resp, func(state *notificationsDataSourceModel) bool {
		f := client.NotificationFilter{
			PolicyID:      state.PolicyID.ValueString(),
			CertificateID: state.CertificateID.ValueString(),
			Channel:       state.Channel.ValueString(),
			Status:        state.Status.ValueString(),
		}
		tflog.Debug(ctx, "Listing notifications", map[string]any{
			"policy_id": f.PolicyID, "certificate_id": f.CertificateID, "channel": f.Channel, "status": f.Status,
		})
		list, err := d.client.ListNotifications(ctx, f)
		if err != nil {
			addBackendError(&resp.Diagnostics, "Unable to List Notifications", err,
				rootFields("policy_id", "certificate_id", "channel", "status"))
			return false
		}

		state.Notifications = make([]notificationItemModel, 0, len(list))
		for _, n := range list {
			item := notificationItemModel{
				ID:            types.StringValue(n.ID),
				PolicyID:      types.StringValue(n.PolicyID),
				CertificateID: types.StringValue(n.CertificateID),
				NotAfter:      formatTime(n.NotAfter),
				DaysLeft:      types.Int64Value(int64(n.DaysLeft)),
				Recipient: notificationRecipientModel{
					Name:  stringOrNull(n.Recipient.Name),
					Email: stringOrNull(n.Recipient.Email),
					Phone: stringOrNull(n.Recipient.Phone),
				},
				Channel:   types.StringValue(n.Channel),
				Status:    types.StringValue(n.Status),
				Attempts:  types.Int64Value(int64(n.Attempts)),
				LastError: stringOrNull(n.LastError),
				CreatedAt: formatTime(n.CreatedAt),
				SentAt:    types.StringNull(),
			}
			if n.SentAt != nil {
				item.SentAt = formatTime(*n.SentAt)
			}
			state.Notifications = append(state.Notifications, item)
		}
		return true
	})
}

type notificationsDataSourceModel struct {
	PolicyID      types.String            `tfsdk:"policy_id"`
	CertificateID types.String            `tfsdk:"certificate_id"`
	Channel       types.String            `tfsdk:"channel"`
	Status        types.String            `tfsdk:"status"`
	Notifications []notificationItemModel `tfsdk:"notifications"`
}

type notificationItemModel struct {
	ID            types.String               `tfsdk:"id"`
	PolicyID      types.String               `tfsdk:"policy_id"`
	CertificateID types.String               `tfsdk:"certificate_id"`
	NotAfter      types.String               `tfsdk:"not_after"`
	DaysLeft      types.Int64                `tfsdk:"days_left"`
	Recipient     notificationRecipientModel `tfsdk:"recipient"`
	Channel       types.String               `tfsdk:"channel"`
	Status        types.String               `tfsdk:"status"`
	Attempts      types.Int64                `tfsdk:"attempts"`
	LastError     types.String               `tfsdk:"last_error"`
	CreatedAt     types.String               `tfsdk:"created_at"`
	SentAt        types.String               `tfsdk:"sent_at"`
}

type notificationRecipientModel struct {
	Name  types.String `tfsdk:"name"`
	Email types.String `tfsdk:"email"`
	Phone types.String `tfsdk:"phone"`
}
