// Package provider is the Terraform provider for SSL certificates: the provider
// block, resources, data sources and functions. It reaches the certificate backend
// only through internal/client, in-process (embedded mode) or over HTTP(S).
package provider

import (
	"context"
	"crypto/x509"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/sslkit/terraform-provider-ssl/internal/backend"
	"github.com/sslkit/terraform-provider-ssl/internal/client"
)

var (
	_ provider.Provider              = (*sslProvider)(nil)
	_ provider.ProviderWithFunctions = (*sslProvider)(nil)
)

// Environment twins of the provider block's attributes. A value in the block beats
// its twin.
const (
	envDataDir           = "SSL_DATA_DIR"
	envDatabaseURL       = "SSL_DATABASE_URL"
	envEndpoint          = "SSL_ENDPOINT"
	envToken             = "SSL_TOKEN"
	envCACertificatePEM  = "SSL_CA_CERTIFICATE_PEM"
	envMaxRetries        = "SSL_MAX_RETRIES"
	envReviewPolicy      = "SSL_REVIEW_POLICY"
	envValidation        = "SSL_VALIDATION"
	envPublicURL         = "SSL_PUBLIC_URL"
	envMasterKey         = "SSL_MASTER_KEY"
	httpLoggingSubsystem = "http"
)

// New returns the provider for Terraform: embedded mode gets its backend from
// backend.Shared, remote mode talks to endpoint.
func New(version string) func() provider.Provider {
	return func() provider.Provider {
		return &sslProvider{version: version}
	}
}

// NewWithBackend returns a provider whose embedded mode uses b (tests build b with a
// fake clock in a temporary data dir). An endpoint in the provider block still wins.
func NewWithBackend(version string, b *backend.Backend) func() provider.Provider {
	return func() provider.Provider {
		return &sslProvider{version: version, backend: b}
	}
}

type sslProvider struct {
	version string
	backend *backend.Backend
}

// providerData is what resources, data sources and functions get from Configure.
type providerData struct {
	client *client.Client
}

func (p *sslProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "ssl"
	resp.Version = p.version
}

func (p *sslProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Manages SSL certificates — uploaded third-party and SM2 certificates, " +
			"certificates issued by a private CA, hosting and expiration alarms — against a certificate " +
			"backend that runs inside the provider by default (data on local disk) or as a shared server " +
			"(`endpoint`). Every attribute has an environment variable twin; a value in the block wins.",
		Attributes: map[string]schema.Attribute{
			"data_dir": schema.StringAttribute{
				MarkdownDescription: "Directory of the embedded backend's SQLite database and master key file. " +
					"Created (mode 0700) when missing. Env `SSL_DATA_DIR`; default " +
					"`$XDG_DATA_HOME/terraform-provider-ssl`, else `~/.local/share/terraform-provider-ssl`. " +
					"Ignored when `endpoint` is set.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"database_url": schema.StringAttribute{
				MarkdownDescription: "PostgreSQL URL (`postgres://…`) for an embedded backend shared by several " +
					"machines, used instead of `data_dir`; needs `SSL_MASTER_KEY`. Env `SSL_DATABASE_URL`. " +
					"Ignored when `endpoint` is set.",
				Optional:   true,
				Sensitive:  true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"endpoint": schema.StringAttribute{
				MarkdownDescription: "Base URL (`https://host:port`) of a shared backend started with " +
					"`terraform-provider-ssl serve`. Setting it selects remote mode. Env `SSL_ENDPOINT`.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.LengthAtLeast(1)},
			},
			"token": schema.StringAttribute{
				MarkdownDescription: "Bearer token for the remote backend (required with `endpoint`). Env `SSL_TOKEN`.",
				Optional:            true,
				Sensitive:           true,
			},
			"ca_certificate_pem": schema.StringAttribute{
				MarkdownDescription: "PEM CA certificate(s) to trust for the remote backend's TLS instead of the " +
					"system roots, for a server with a private certificate. Env `SSL_CA_CERTIFICATE_PEM`.",
				Optional: true,
			},
			"max_retries": schema.Int64Attribute{
				MarkdownDescription: "How many times one request to the backend is retried on a network error or " +
					"a 5xx/429 answer (default 4). Retries are safe: each change carries an idempotency key. " +
					"Env `SSL_MAX_RETRIES`.",
				Optional:   true,
				Validators: []validator.Int64{int64validator.Between(0, 20)},
			},
			"review_policy": schema.StringAttribute{
				MarkdownDescription: "Who stands in for the CA's human reviewer in embedded mode: `auto` " +
					"(approve at once, the default) or `manual` (wait for `terraform-provider-ssl review`). " +
					"Env `SSL_REVIEW_POLICY`. Ignored when `endpoint` is set (the server's flag decides).",
				Optional:   true,
				Validators: []validator.String{stringvalidator.OneOf(reviewPolicies...)},
			},
			"validation": schema.StringAttribute{
				MarkdownDescription: "How domain validation is done in embedded mode: `auto` (pass at once, the " +
					"default), `dns` (look up the TXT record) or `http` (fetch the validation file). " +
					"Env `SSL_VALIDATION`. Ignored when `endpoint` is set.",
				Optional:   true,
				Validators: []validator.String{stringvalidator.OneOf(validationModes...)},
			},
		},
	}
}

var (
	reviewPolicies  = []string{"auto", "manual"}
	validationModes = []string{"auto", "dns", "http"}
)

func (p *sslProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var cfg sslProviderModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}

	for _, a := range []struct {
		name  string
		value interface{ IsUnknown() bool }
	}{
		{"data_dir", cfg.DataDir}, {"database_url", cfg.DatabaseURL}, {"endpoint", cfg.Endpoint},
		{"token", cfg.Token}, {"ca_certificate_pem", cfg.CACertificatePEM}, {"max_retries", cfg.MaxRetries},
		{"review_policy", cfg.ReviewPolicy}, {"validation", cfg.Validation},
	} {
		if a.value.IsUnknown() {
			resp.Diagnostics.AddAttributeError(path.Root(a.name), "Unknown Provider Setting",
				fmt.Sprintf("The provider cannot be configured while %s is unknown. Set it to a value known before "+
					"the plan, or set it through its environment variable.", a.name))
		}
	}
	if resp.Diagnostics.HasError() {
		return
	}

	endpoint := stringSetting(cfg.Endpoint, envEndpoint)
	token := stringSetting(cfg.Token, envToken)
	caPEM := stringSetting(cfg.CACertificatePEM, envCACertificatePEM)
	dataDir := stringSetting(cfg.DataDir, envDataDir)
	databaseURL := stringSetting(cfg.DatabaseURL, envDatabaseURL)
	reviewPolicy := stringSetting(cfg.ReviewPolicy, envReviewPolicy)
	validation := stringSetting(cfg.Validation, envValidation)

	maxRetries := 0
	if !cfg.MaxRetries.IsNull() {
		maxRetries = int(cfg.MaxRetries.ValueInt64())
	} else if s := os.Getenv(envMaxRetries); s != "" {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 0 || n > 20 {
			resp.Diagnostics.AddAttributeError(path.Root("max_retries"), "Invalid Max Retries",
				fmt.Sprintf("The environment variable %s is %q; set it to a whole number between 0 and 20.", envMaxRetries, s))
		}
		maxRetries = n
	}
	if reviewPolicy != "" && !contains(reviewPolicies, reviewPolicy) {
		resp.Diagnostics.AddAttributeError(path.Root("review_policy"), "Invalid Review Policy",
			fmt.Sprintf("The environment variable %s is %q; set it to \"auto\" or \"manual\".", envReviewPolicy, reviewPolicy))
	}
	if validation != "" && !contains(validationModes, validation) {
		resp.Diagnostics.AddAttributeError(path.Root("validation"), "Invalid Validation Mode",
			fmt.Sprintf("The environment variable %s is %q; set it to \"auto\", \"dns\" or \"http\".", envValidation, validation))
	}
	if resp.Diagnostics.HasError() {
		return
	}

	ctx = tflog.MaskFieldValuesWithFieldKeys(ctx, "token", "Authorization", "database_url")
	ctx = tflog.NewSubsystem(ctx, httpLoggingSubsystem)
	ctx = tflog.SubsystemMaskFieldValuesWithFieldKeys(ctx, httpLoggingSubsystem, "token", "Authorization")

	ccfg := client.Config{
		MaxRetries: maxRetries,
		Logger:     leveledLogger{ctx: ctx},
		UserAgent:  fmt.Sprintf("terraform-provider-ssl/%s terraform/%s", p.version, req.TerraformVersion),
	}

	if endpoint != "" {
		u, err := url.Parse(endpoint)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			resp.Diagnostics.AddAttributeError(path.Root("endpoint"), "Invalid Endpoint",
				fmt.Sprintf("The endpoint %q is not an http(s) URL. Set it to the base URL of a server started with "+
					"`terraform-provider-ssl serve`, such as https://certs.example.internal:8443.", endpoint))
			return
		}
		if token == "" {
			resp.Diagnostics.AddAttributeError(path.Root("token"), "Missing Token",
				fmt.Sprintf("A remote backend (endpoint %s) needs a token. Set token in the provider block or the "+
					"%s environment variable to one of the server's tokens.", u.Redacted(), envToken))
			return
		}
		if caPEM != "" && !x509.NewCertPool().AppendCertsFromPEM([]byte(caPEM)) {
			resp.Diagnostics.AddAttributeError(path.Root("ca_certificate_pem"), "Invalid CA Certificate",
				"ca_certificate_pem holds no PEM certificate. Set it to the PEM of the CA that signed the server's certificate.")
			return
		}
		for _, a := range []struct {
			name  string
			value types.String
		}{{"data_dir", cfg.DataDir}, {"database_url", cfg.DatabaseURL}, {"review_policy", cfg.ReviewPolicy}, {"validation", cfg.Validation}} {
			if !a.value.IsNull() {
				resp.Diagnostics.AddAttributeWarning(path.Root(a.name), "Setting Ignored in Remote Mode",
					fmt.Sprintf("%s applies to the embedded backend only; with endpoint set, the server's own settings apply. "+
						"Remove %s from the provider block.", a.name, a.name))
			}
		}
		ccfg.Endpoint, ccfg.Token, ccfg.CACertificatePEM = endpoint, token, caPEM
		tflog.Debug(ctx, "Using the remote certificate backend", map[string]any{"endpoint": u.Redacted()})
	} else {
		b := p.backend
		if b == nil {
			if dataDir == "" {
				dataDir = backend.DefaultDataDir()
			}
			settings := backend.Settings{
				DataDir:     dataDir,
				DatabaseURL: databaseURL,
				MasterKey:   os.Getenv(envMasterKey),
				Service: backend.ServiceSettings{
					ReviewPolicy: reviewPolicy,
					Validation:   validation,
					PublicURL:    os.Getenv(envPublicURL),
				},
			}
			var err error
			b, err = backend.Shared(ctx, settings)
			if err != nil {
				attr, where := "data_dir", "data dir "+dataDir
				if databaseURL != "" {
					attr, where = "database_url", "database_url"
				}
				resp.Diagnostics.AddAttributeError(path.Root(attr), "Unable to Open Certificate Backend",
					fmt.Sprintf("The embedded certificate backend could not be opened from the %s: %s. "+
						"Check that the directory is writable (or the database reachable) and that %s, when set, is the "+
						"master key this data was created with.", where, err, envMasterKey))
				return
			}
			tflog.Debug(ctx, "Using the embedded certificate backend", map[string]any{
				"data_dir": dataDir, "shared_db": databaseURL != "", "review_policy": reviewPolicy, "validation": validation,
			})
		} else {
			tflog.Debug(ctx, "Using the test certificate backend")
		}
		ccfg.Handler = b.Handler()
	}

	c, err := client.New(ccfg)
	if err != nil {
		resp.Diagnostics.AddError("Unable to Create Backend Client",
			fmt.Sprintf("The client of the certificate backend could not be created: %s. Check the provider block's settings.", err))
		return
	}
	data := &providerData{client: c}
	resp.DataSourceData = data
	resp.ResourceData = data
}

func (p *sslProvider) Resources(_ context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		NewCertificateUploadResource,
		NewCertificateResource,
		NewCertificateValidationResource,
		NewExpirationAlarmResource,
		NewResourceHostingResource,
	}
}

func (p *sslProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewCertificateDataSource,
		NewCertificatesDataSource,
		NewProductsDataSource,
		NewCACertificatesDataSource,
		NewNotificationsDataSource,
		NewDeploymentsDataSource,
	}
}

func (p *sslProvider) Functions(_ context.Context) []func() function.Function {
	return []func() function.Function{
		NewCertificateInfoFunction,
	}
}

// stringSetting returns the block's value, else its environment twin.
func stringSetting(v types.String, env string) string {
	if !v.IsNull() {
		return v.ValueString()
	}
	return os.Getenv(env)
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// leveledLogger routes go-retryablehttp's log lines into tflog. retryablehttp logs
// the method, URL, status and errors, never headers or bodies.
type leveledLogger struct{ ctx context.Context }

func (l leveledLogger) Error(msg string, kv ...interface{}) {
	tflog.SubsystemError(l.ctx, httpLoggingSubsystem, msg, logFields(kv))
}

func (l leveledLogger) Info(msg string, kv ...interface{}) {
	tflog.SubsystemInfo(l.ctx, httpLoggingSubsystem, msg, logFields(kv))
}

func (l leveledLogger) Debug(msg string, kv ...interface{}) {
	tflog.SubsystemDebug(l.ctx, httpLoggingSubsystem, msg, logFields(kv))
}

func (l leveledLogger) Warn(msg string, kv ...interface{}) {
	tflog.SubsystemWarn(l.ctx, httpLoggingSubsystem, msg, logFields(kv))
}

func logFields(kv []interface{}) map[string]interface{} {
	fields := make(map[string]interface{}, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		key := fmt.Sprint(kv[i])
		if u, ok := kv[i+1].(fmt.Stringer); ok && key == "url" {
			fields[key] = redactURL(u.String())
			continue
		}
		fields[key] = kv[i+1]
	}
	if len(kv)%2 == 1 {
		fields["extra"] = kv[len(kv)-1]
	}
	return fields
}

func redactURL(s string) string {
	if u, err := url.Parse(s); err == nil {
		return u.Redacted()
	}
	return s
}

type sslProviderModel struct {
	DataDir          types.String `tfsdk:"data_dir"`
	DatabaseURL      types.String `tfsdk:"database_url"`
	Endpoint         types.String `tfsdk:"endpoint"`
	Token            types.String `tfsdk:"token"`
	CACertificatePEM types.String `tfsdk:"ca_certificate_pem"`
	MaxRetries       types.Int64  `tfsdk:"max_retries"`
	ReviewPolicy     types.String `tfsdk:"review_policy"`
	Validation       types.String `tfsdk:"validation"`
}
