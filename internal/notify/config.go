package notify

import (
	"fmt"
	"net/url"
	"strings"
)

// Config holds the delivery settings of the delivering process (DESIGN.md, "Command line").
type Config struct {
	// SMTP configures email; nil means email is not configured.
	SMTP *SMTPConfig
	// SMS configures the SMS gateway; nil means SMS is not configured.
	SMS *SMSConfig
	// Webhook tunes the HTTP client of webhooks (their URL and secret belong to each alarm).
	Webhook HTTPOptions
}

// The environment variables ConfigFromEnv reads.
const (
	EnvSMTPAddr      = "SSL_SMTP_ADDR"
	EnvSMTPFrom      = "SSL_SMTP_FROM"
	EnvSMTPUsername  = "SSL_SMTP_USERNAME"
	EnvSMTPPassword  = "SSL_SMTP_PASSWORD"
	EnvSMTPTLS       = "SSL_SMTP_TLS"
	EnvSMSGatewayURL = "SSL_SMS_GATEWAY_URL"
)

// ConfigFromEnv reads the SSL_SMTP_* and SSL_SMS_GATEWAY_URL variables through getenv
// (os.Getenv in production). Email is configured when SSL_SMTP_ADDR and SSL_SMTP_FROM
// are set; SSL_SMTP_TLS defaults to starttls. Errors name the variable at fault and
// never repeat the password.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	get := func(k string) string { return strings.TrimSpace(getenv(k)) }
	var cfg Config

	addr, from := get(EnvSMTPAddr), get(EnvSMTPFrom)
	user, mode := get(EnvSMTPUsername), strings.ToLower(get(EnvSMTPTLS))
	pass := getenv(EnvSMTPPassword) // a password may legitimately start or end with a space
	if addr != "" || from != "" || user != "" || pass != "" || mode != "" {
		for _, v := range []struct{ name, val string }{{EnvSMTPAddr, addr}, {EnvSMTPFrom, from}} {
			if v.val == "" {
				return Config{}, fmt.Errorf("%s is required to send email (SMTP settings are partly set): set %s and %s", v.name, EnvSMTPAddr, EnvSMTPFrom)
			}
		}
		if mode == "" {
			mode = TLSModeStartTLS
		}
		smtp := &SMTPConfig{Addr: addr, From: from, Username: user, Password: pass, TLS: mode}
		if err := smtp.check(envNames); err != nil {
			return Config{}, err
		}
		cfg.SMTP = smtp
	}

	if raw := get(EnvSMSGatewayURL); raw != "" {
		if _, err := parseHTTPURL(raw); err != nil {
			return Config{}, fmt.Errorf("%s: %w", EnvSMSGatewayURL, err)
		}
		cfg.SMS = &SMSConfig{GatewayURL: raw}
	}
	return cfg, nil
}

// settingNames names the settings in errors: environment variables or struct fields.
type settingNames struct{ addr, from, username, password, tls string }

var (
	envNames   = settingNames{EnvSMTPAddr, EnvSMTPFrom, EnvSMTPUsername, EnvSMTPPassword, EnvSMTPTLS}
	fieldNames = settingNames{"SMTPConfig.Addr", "SMTPConfig.From", "SMTPConfig.Username", "SMTPConfig.Password", "SMTPConfig.TLS"}
)

// parseHTTPURL accepts an absolute http or https URL; its errors show it redacted.
func parseHTTPURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("not a valid URL")
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%s is not an http or https URL", redactURL(u))
	}
	return u, nil
}

// redactURL shows a URL without user info, query or fragment, which may hold tokens.
func redactURL(u *url.URL) string {
	if u == nil {
		return ""
	}
	r := url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path}
	s := r.String()
	if u.RawQuery != "" {
		s += "?…"
	}
	return s
}
