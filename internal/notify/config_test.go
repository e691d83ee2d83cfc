package notify

import (
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestConfigFromEnv(t *testing.T) {
	t.Parallel()
	const password = "hunter2-Secret!"
	cases := []struct {
		name     string
		env      map[string]string
		wantSMTP *SMTPConfig
		wantSMS  string
		wantErr  string // substring; the variable at fault
	}{
		{name: "nothing set"},
		{
			name:     "smtp with defaults",
			env:      map[string]string{EnvSMTPAddr: "mail.example.com:587", EnvSMTPFrom: "alarms@example.com"},
			wantSMTP: &SMTPConfig{Addr: "mail.example.com:587", From: "alarms@example.com", TLS: TLSModeStartTLS},
		},
		{
			name: "smtp implicit tls with auth",
			env: map[string]string{EnvSMTPAddr: " mail.example.com:465 ", EnvSMTPFrom: "SSL <alarms@example.com>",
				EnvSMTPUsername: "alarms", EnvSMTPPassword: password, EnvSMTPTLS: "TLS"},
			wantSMTP: &SMTPConfig{Addr: "mail.example.com:465", From: "SSL <alarms@example.com>", Username: "alarms", Password: password, TLS: TLSModeTLS},
		},
		{
			name:     "none with auth on loopback",
			env:      map[string]string{EnvSMTPAddr: "127.0.0.1:1025", EnvSMTPFrom: "a@example.com", EnvSMTPTLS: "none", EnvSMTPUsername: "u", EnvSMTPPassword: password},
			wantSMTP: &SMTPConfig{Addr: "127.0.0.1:1025", From: "a@example.com", Username: "u", Password: password, TLS: TLSModeNone},
		},
		{
			name:    "sms gateway",
			env:     map[string]string{EnvSMSGatewayURL: "https://sms.example.com/v1/send"},
			wantSMS: "https://sms.example.com/v1/send",
		},
		{name: "error/bad tls mode", env: map[string]string{EnvSMTPAddr: "m:25", EnvSMTPFrom: "a@example.com", EnvSMTPTLS: "ssl"}, wantErr: `SSL_SMTP_TLS must be one of starttls, tls or none, got "ssl"`},
		{name: "error/addr without port", env: map[string]string{EnvSMTPAddr: "mail.example.com", EnvSMTPFrom: "a@example.com"}, wantErr: "SSL_SMTP_ADDR must be host:port"},
		{name: "error/addr bad port", env: map[string]string{EnvSMTPAddr: "mail.example.com:99999", EnvSMTPFrom: "a@example.com"}, wantErr: "SSL_SMTP_ADDR has an invalid port"},
		{name: "error/from invalid", env: map[string]string{EnvSMTPAddr: "m:25", EnvSMTPFrom: "not an address"}, wantErr: "SSL_SMTP_FROM must be an email address"},
		{name: "error/from missing", env: map[string]string{EnvSMTPAddr: "m:25"}, wantErr: "SSL_SMTP_FROM is required"},
		{name: "error/only password", env: map[string]string{EnvSMTPPassword: password}, wantErr: "SSL_SMTP_ADDR is required"},
		{name: "error/username without password", env: map[string]string{EnvSMTPAddr: "m:25", EnvSMTPFrom: "a@example.com", EnvSMTPUsername: "u"}, wantErr: "SSL_SMTP_USERNAME is set but SSL_SMTP_PASSWORD is empty"},
		{name: "error/password without username", env: map[string]string{EnvSMTPAddr: "m:25", EnvSMTPFrom: "a@example.com", EnvSMTPPassword: password}, wantErr: "SSL_SMTP_PASSWORD is set but SSL_SMTP_USERNAME is empty"},
		{name: "error/auth in clear to a remote host", env: map[string]string{EnvSMTPAddr: "mail.example.com:25", EnvSMTPFrom: "a@example.com", EnvSMTPTLS: "none", EnvSMTPUsername: "u", EnvSMTPPassword: password}, wantErr: "SSL_SMTP_TLS=none would send the password unencrypted"},
		{name: "error/sms not http", env: map[string]string{EnvSMSGatewayURL: "ftp://sms.example.com/?key=k-private"}, wantErr: "SSL_SMS_GATEWAY_URL: ftp://sms.example.com/?… is not an http or https URL"},
		{name: "error/sms no host", env: map[string]string{EnvSMSGatewayURL: "http:///send"}, wantErr: "SSL_SMS_GATEWAY_URL"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := ConfigFromEnv(env(tc.env))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("error = %v, want one containing %q", err, tc.wantErr)
				}
				if strings.Contains(err.Error(), password) || strings.Contains(err.Error(), "k-private") {
					t.Errorf("error shows a secret: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ConfigFromEnv: %v", err)
			}
			switch {
			case tc.wantSMTP == nil && cfg.SMTP != nil:
				t.Errorf("SMTP = %v, want not configured", cfg.SMTP)
			case tc.wantSMTP != nil && (cfg.SMTP == nil || *cfg.SMTP != *tc.wantSMTP):
				t.Errorf("SMTP = %v, want %v", cfg.SMTP, tc.wantSMTP)
			}
			switch {
			case tc.wantSMS == "" && cfg.SMS != nil:
				t.Errorf("SMS = %+v, want not configured", cfg.SMS)
			case tc.wantSMS != "" && (cfg.SMS == nil || cfg.SMS.GatewayURL != tc.wantSMS):
				t.Errorf("SMS = %+v, want %q", cfg.SMS, tc.wantSMS)
			}
		})
	}
}
