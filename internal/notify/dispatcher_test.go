package notify

import (
	"context"
	"errors"
	"testing"
)

type recordingSender struct {
	name string
	got  *[]string
}

func (r recordingSender) Send(_ context.Context, m Message) error {
	*r.got = append(*r.got, r.name+":"+m.IdempotencyKey)
	return nil
}

func TestDispatcherRoutes(t *testing.T) {
	t.Parallel()
	var got []string
	d := &Dispatcher{
		Email:   recordingSender{"email", &got},
		SMS:     recordingSender{"sms", &got},
		Webhook: recordingSender{"webhook", &got},
	}
	for _, ch := range []Channel{ChannelEmail, ChannelSMS, ChannelWebhook} {
		if err := d.Send(context.Background(), testMessage(ch)); err != nil {
			t.Fatalf("%s: %v", ch, err)
		}
	}
	want := []string{"email:ntf-42", "sms:ntf-42", "webhook:ntf-42"}
	if len(got) != 3 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Errorf("routed %q, want %q", got, want)
	}
}

func TestDispatcherErrors(t *testing.T) {
	t.Parallel()
	d, err := NewDispatcher(Config{}) // nothing configured: only webhooks work
	if err != nil {
		t.Fatal(err)
	}
	if d.Webhook == nil || d.Email != nil || d.SMS != nil {
		t.Fatalf("NewDispatcher(Config{}) = %+v", d)
	}
	cases := []struct {
		name          string
		d             *Dispatcher
		channel       Channel
		wantErr       string
		wantUnconfig  bool
		wantPermanent bool
	}{
		{name: "error/email not configured", d: d, channel: ChannelEmail, wantErr: "SMTP is not configured: set SSL_SMTP_ADDR and SSL_SMTP_FROM", wantUnconfig: true},
		{name: "error/sms not configured", d: d, channel: ChannelSMS, wantErr: "SMS gateway is not configured: set SSL_SMS_GATEWAY_URL", wantUnconfig: true},
		{name: "error/webhook not configured", d: &Dispatcher{}, channel: ChannelWebhook, wantErr: "webhook delivery is not configured", wantUnconfig: true},
		{name: "error/unknown channel", d: d, channel: "PAGER", wantErr: `unknown notification channel "PAGER" (want EMAIL, SMS or WEBHOOK)`, wantPermanent: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.d.Send(context.Background(), testMessage(tc.channel))
			if err == nil || err.Error() != tc.wantErr {
				t.Fatalf("Send error = %v, want %q", err, tc.wantErr)
			}
			if errors.Is(err, ErrNotConfigured) != tc.wantUnconfig {
				t.Errorf("errors.Is(err, ErrNotConfigured) = %v", !tc.wantUnconfig)
			}
			if Permanent(err) != tc.wantPermanent {
				t.Errorf("Permanent = %v, want %v", Permanent(err), tc.wantPermanent)
			}
		})
	}
}

func TestNewDispatcherFromConfig(t *testing.T) {
	t.Parallel()
	cfg, err := ConfigFromEnv(env(map[string]string{
		EnvSMTPAddr: "127.0.0.1:2525", EnvSMTPFrom: "alarms@example.com", EnvSMTPTLS: "none",
		EnvSMSGatewayURL: "http://127.0.0.1:9/sms",
	}))
	if err != nil {
		t.Fatal(err)
	}
	d, err := NewDispatcher(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := d.Email.(*SMTPSender); !ok {
		t.Errorf("Email = %T", d.Email)
	}
	if _, ok := d.SMS.(*SMSSender); !ok {
		t.Errorf("SMS = %T", d.SMS)
	}
	if _, err := NewDispatcher(Config{SMTP: &SMTPConfig{Addr: "nohost", From: "a@example.com"}}); err == nil {
		t.Errorf("NewDispatcher accepted an SMTP address without a port")
	}
}
