package service

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"
)

// validate checks every validation record of a pending operation against the outside
// world (DESIGN.md: validation = dns looks the TXT record up through the configured
// resolver, validation = http fetches the file); the first failure says what is missing.
func (s *Service) validate(ctx context.Context, sp *orderSpec) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	for _, r := range sp.ValidationRecords {
		var err error
		if r.Method == MethodFile {
			err = s.checkFile(ctx, r)
		} else {
			err = s.checkTXT(ctx, r)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) checkTXT(ctx context.Context, r ValidationRecord) error {
	res := net.DefaultResolver
	if s.settings.DNSServer != "" {
		res = &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, s.settings.DNSServer)
		}}
	}
	values, err := res.LookupTXT(ctx, r.Name)
	if err != nil {
		return fmt.Errorf("domain validation of %s: the TXT record %s was not found (%v); publish it with value %s", r.Domain, r.Name, err, r.Value)
	}
	if !slices.Contains(values, r.Value) {
		return fmt.Errorf("domain validation of %s: the TXT record %s does not hold %s", r.Domain, r.Name, r.Value)
	}
	return nil
}

func (s *Service) checkFile(ctx context.Context, r ValidationRecord) error {
	tr := &http.Transport{Proxy: nil}
	if s.settings.HTTPAddr != "" {
		tr.DialContext = func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, s.settings.HTTPAddr)
		}
	}
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.URL, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("domain validation of %s: %s could not be fetched (%v); serve it with content %s", r.Domain, r.URL, err, r.Content)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK || strings.TrimSpace(string(body)) != r.Content {
		return fmt.Errorf("domain validation of %s: %s answered %s without the expected content %s", r.Domain, r.URL, resp.Status, r.Content)
	}
	return nil
}
