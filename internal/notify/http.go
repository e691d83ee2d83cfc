package notify

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// HTTPOptions tunes the retrying HTTP client of WebhookSender and SMSSender.
type HTTPOptions struct {
	// RetryMax bounds the retries after the first attempt (0: 3; negative: no retry).
	RetryMax int
	// RetryWaitMin and RetryWaitMax bound the exponential backoff (defaults 500ms and 10s).
	RetryWaitMin, RetryWaitMax time.Duration
	// Timeout bounds one attempt (default 15s).
	Timeout time.Duration
	// TLSConfig, when set, replaces the default TLS client configuration (e.g. RootCAs).
	TLSConfig *tls.Config
	// Logger receives retryablehttp's log lines (nil: silent).
	Logger retryablehttp.LeveledLogger
	// UserAgent is the User-Agent header (default "terraform-provider-ssl-notify").
	UserAgent string
}

// poster POSTs JSON with bounded retries; it follows no redirect.
type poster struct {
	rc *retryablehttp.Client
	ua string
}

// attemptsError carries the number of attempts out of retryablehttp's ErrorHandler.
type attemptsError struct {
	n   int
	err error
}

func (e *attemptsError) Error() string { return fmt.Sprintf("after %d attempts: %v", e.n, e.err) }

func newPoster(o HTTPOptions) *poster {
	rc := retryablehttp.NewClient()
	rc.Logger = nil
	if o.Logger != nil {
		rc.Logger = o.Logger
	}
	switch {
	case o.RetryMax < 0:
		rc.RetryMax = 0
	case o.RetryMax == 0:
		rc.RetryMax = 3
	default:
		rc.RetryMax = o.RetryMax
	}
	rc.RetryWaitMin, rc.RetryWaitMax = 500*time.Millisecond, 10*time.Second
	if o.RetryWaitMin > 0 {
		rc.RetryWaitMin = o.RetryWaitMin
	}
	if o.RetryWaitMax > 0 {
		rc.RetryWaitMax = o.RetryWaitMax
	}
	if rc.RetryWaitMax < rc.RetryWaitMin {
		rc.RetryWaitMax = rc.RetryWaitMin
	}
	timeout := o.Timeout
	if timeout <= 0 {
		timeout = 15 * time.Second
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if o.TLSConfig != nil {
		tr.TLSClientConfig = o.TLSConfig.Clone()
	}
	rc.HTTPClient = &http.Client{
		Transport: tr,
		Timeout:   timeout,
		// A redirect would resend a signed body somewhere else: report it instead.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	rc.ErrorHandler = func(resp *http.Response, err error, n int) (*http.Response, error) {
		return resp, &attemptsError{n: n, err: err}
	}
	ua := o.UserAgent
	if ua == "" {
		ua = "terraform-provider-ssl-notify"
	}
	return &poster{rc: rc, ua: ua}
}

// post sends body as JSON to u; a 2xx answer is success. what names the receiver in errors,
// which show u without user info or query.
func (p *poster) post(ctx context.Context, what string, u *url.URL, body []byte, hdr http.Header) error {
	req, err := retryablehttp.NewRequestWithContext(ctx, http.MethodPost, u.String(), body)
	if err != nil {
		return permanent(fmt.Errorf("%s %s: %w", what, redactURL(u), unwrapURLError(err)))
	}
	for k, vs := range hdr {
		req.Header[k] = vs
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", p.ua)

	resp, err := p.rc.Do(req)
	attempts := 1
	if ae := (*attemptsError)(nil); errors.As(err, &ae) {
		attempts, err = ae.n, ae.err
	}
	if resp != nil {
		defer resp.Body.Close()
	}
	if err != nil {
		return fmt.Errorf("%s %s: %w (%s)", what, redactURL(u), unwrapURLError(err), plural(attempts, "attempt"))
	}
	if resp == nil {
		return fmt.Errorf("%s %s: no answer (%s)", what, redactURL(u), plural(attempts, "attempt"))
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		return nil
	}
	snippet, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	msg := fmt.Sprintf("%s %s answered %s (%s)", what, redactURL(u), resp.Status, plural(attempts, "attempt"))
	if s := oneLine(string(snippet), 200); s != "" {
		msg += ": " + s
	}
	e := &StatusError{StatusCode: resp.StatusCode, msg: msg}
	if resp.StatusCode < 500 && resp.StatusCode != http.StatusRequestTimeout && resp.StatusCode != http.StatusTooManyRequests {
		return permanent(e)
	}
	return e
}

// StatusError is a receiver's non-2xx answer to a webhook or SMS gateway POST.
type StatusError struct {
	// StatusCode is the HTTP status of the last attempt.
	StatusCode int
	msg        string
}

// Error says who answered what, after how many attempts.
func (e *StatusError) Error() string { return e.msg }

// unwrapURLError drops net/http's *url.Error wrapper, whose text shows the full URL.
func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) && ue.Err != nil {
		return ue.Err
	}
	return err
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
