package notify

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestSMSSender(t *testing.T) {
	t.Parallel()
	type seen struct {
		fields map[string]string
		key    string
		ct     string
	}
	got := make(chan seen, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var f map[string]string
		if err := json.Unmarshal(body, &f); err != nil {
			t.Errorf("body %s is not a JSON object of strings: %v", body, err)
		}
		got <- seen{f, r.Header.Get(IdempotencyHeader), r.Header.Get("Content-Type")}
	}))
	t.Cleanup(srv.Close)

	s, err := NewSMSSender(SMSConfig{GatewayURL: srv.URL + "/send", HTTP: fastHTTP})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(context.Background(), testMessage(ChannelSMS)); err != nil {
		t.Fatalf("Send: %v", err)
	}
	r := <-got
	if len(r.fields) != 2 || r.fields["phone"] != "+4915112345678" {
		t.Errorf("fields = %q, want exactly phone and text", r.fields)
	}
	const wantText = `SSL alarm: certificate "web frontend" (example.com) expires in 12 days (2026-03-14). Days left: 12.`
	if r.fields["text"] != wantText {
		t.Errorf("text = %q, want %q", r.fields["text"], wantText)
	}
	if r.key != "ntf-42" || r.ct != "application/json" {
		t.Errorf("Idempotency-Key = %q, Content-Type = %q", r.key, r.ct)
	}
}

func TestSMSSenderErrors(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "unknown number", http.StatusUnprocessableEntity)
	}))
	t.Cleanup(srv.Close)
	cases := []struct {
		name          string
		gateway       string
		edit          func(*Message)
		wantNewErr    string
		wantErr       string
		wantPermanent bool
	}{
		{name: "error/gateway refuses", gateway: srv.URL, wantErr: "answered 422 Unprocessable Entity (1 attempt): unknown number", wantPermanent: true},
		{name: "error/no phone", gateway: srv.URL, edit: func(m *Message) { m.RecipientPhone = "" }, wantErr: "no phone number", wantPermanent: true},
		{name: "error/gateway not http", gateway: "smtp://127.0.0.1", wantNewErr: "not an http or https URL"},
		{name: "error/gateway relative", gateway: "/send", wantNewErr: "not an http or https URL"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := NewSMSSender(SMSConfig{GatewayURL: tc.gateway, HTTP: fastHTTP})
			if tc.wantNewErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantNewErr) {
					t.Fatalf("NewSMSSender error = %v, want %q", err, tc.wantNewErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			m := testMessage(ChannelSMS)
			if tc.edit != nil {
				tc.edit(&m)
			}
			err = s.Send(context.Background(), m)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("Send error = %v, want %q", err, tc.wantErr)
			}
			if Permanent(err) != tc.wantPermanent {
				t.Errorf("Permanent = %v, want %v", Permanent(err), tc.wantPermanent)
			}
		})
	}
}

func TestSMSText(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		edit func(*Message)
		want string
	}{
		{"no name", func(m *Message) { m.CertificateName = ""; m.DaysLeft = 1 },
			`SSL alarm: certificate "example.com" expires in 1 day (2026-03-14). Days left: 1.`},
		{"long name", func(m *Message) { m.CertificateName = strings.Repeat("n", 100) },
			`SSL alarm: certificate "` + strings.Repeat("n", 39) + `…" (example.com) expires in 12 days (2026-03-14). Days left: 12.`},
	}
	for _, tc := range cases {
		m := testMessage(ChannelSMS)
		tc.edit(&m)
		if got := SMSText(m); got != tc.want {
			t.Errorf("%s: SMSText = %q, want %q", tc.name, got, tc.want)
		}
	}
}
