package service

import (
	"context"
	"errors"
	"fmt"
	"net/mail"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/sslkit/terraform-provider-ssl/internal/certs"
	"github.com/sslkit/terraform-provider-ssl/internal/notify"
	"github.com/sslkit/terraform-provider-ssl/internal/store"
)

// Alarm channels (A4, A5).
const (
	ChannelEmail   = "EMAIL"
	ChannelSMS     = "SMS"
	ChannelWebhook = "WEBHOOK"
)

// Outbox statuses.
const (
	NotificationPending = "pending"
	NotificationSent    = "sent"
	NotificationFailed  = "failed"
)

// Alarm defaults and limits (A3).
const (
	DefaultDaysBeforeExpiry = 30
	MaxDaysBeforeExpiry     = 365
	RepeatOnce              = "once"
	minRepeatInterval       = time.Minute
	maxDeliveryAttempts     = 8
	deliveryLease           = 5 * time.Minute
	CodeInvalidAlarm        = "invalid_alarm"
	CodeIgnoreRefused       = "ignore_refused"
)

// AlarmInput is an expiration alarm policy (A1–A5).
type AlarmInput struct {
	Name, Remarks, Project string
	CertificateIDs         []string
	DaysBeforeExpiry       int
	RepeatInterval         string
	Recipients             []store.Recipient
	Channels               []string
	WebhookURL             string
	WebhookSecret          string
	// KeepWebhookSecret leaves the stored secret as it is (an update that does not
	// send the write-only secret again).
	KeepWebhookSecret bool
	Enabled           bool
}

// Alarm is a policy as the service shows it: without its secret, with the
// certificates it fires for now.
type Alarm struct {
	store.AlarmPolicy
	HasWebhookSecret     bool
	FiringCertificateIDs []string
}

var e164 = regexp.MustCompile(`^\+[1-9][0-9]{6,14}$`)

// CheckAlarm applies the policy rules without storing anything (plan time too).
func CheckAlarm(in AlarmInput) []certs.Problem {
	_, ps := normalizeAlarm(&in)
	return ps
}

func normalizeAlarm(in *AlarmInput) (time.Duration, []certs.Problem) {
	var ps []certs.Problem
	add := func(field, summary, format string, args ...any) {
		ps = append(ps, problem(field, CodeInvalidAlarm, summary, fmt.Sprintf(format, args...)))
	}
	if strings.TrimSpace(in.Name) == "" {
		add("name", "Name Required", "An alarm policy needs a name (rule A1).")
	}
	if in.Project == "" {
		in.Project = DefaultProject
	}
	if in.DaysBeforeExpiry == 0 {
		in.DaysBeforeExpiry = DefaultDaysBeforeExpiry
	}
	if in.DaysBeforeExpiry < 1 || in.DaysBeforeExpiry > MaxDaysBeforeExpiry {
		add("days_before_expiry", "Threshold Out Of Range", "days_before_expiry must be between 1 and %d, not %d (rule A3).", MaxDaysBeforeExpiry, in.DaysBeforeExpiry)
	}
	var every time.Duration
	if in.RepeatInterval == "" {
		in.RepeatInterval = RepeatOnce
	}
	if in.RepeatInterval != RepeatOnce {
		d, err := time.ParseDuration(in.RepeatInterval)
		if err != nil || d < minRepeatInterval {
			add("repeat_interval", "Invalid Repeat Interval", "repeat_interval is \"once\" or a duration of at least 1m such as \"24h\", not %q (rule A3).", in.RepeatInterval)
		}
		every = d
	}
	if len(in.Channels) == 0 {
		add("channels", "Channel Required", "Name at least one channel: EMAIL, SMS or WEBHOOK (rules A4, A5).")
	}
	for _, c := range in.Channels {
		switch c {
		case ChannelEmail, ChannelSMS, ChannelWebhook:
		default:
			add("channels", "Unknown Channel", "%q is not a channel; use EMAIL, SMS or WEBHOOK.", c)
		}
	}
	for i, r := range in.Recipients {
		if r.Email != "" {
			if a, err := mail.ParseAddress(r.Email); err != nil || a.Address != r.Email {
				add("recipients", "Invalid Email", "recipients[%d].email %q is not an email address.", i, r.Email)
			}
		}
		if r.Phone != "" && !e164.MatchString(r.Phone) {
			add("recipients", "Invalid Phone Number", "recipients[%d].phone %q is not an E.164 number such as +8613800000000.", i, r.Phone)
		}
	}
	needs := func(ch, what string, ok func(store.Recipient) bool) {
		if !slices.Contains(in.Channels, ch) {
			return
		}
		for _, r := range in.Recipients {
			if ok(r) {
				return
			}
		}
		add("recipients", "Recipient Missing", "The %s channel needs at least one recipient with %s (rule A4).", ch, what)
	}
	needs(ChannelEmail, "an email", func(r store.Recipient) bool { return r.Email != "" })
	needs(ChannelSMS, "a phone number", func(r store.Recipient) bool { return r.Phone != "" })
	if slices.Contains(in.Channels, ChannelWebhook) || in.WebhookURL != "" {
		u, err := url.Parse(in.WebhookURL)
		if in.WebhookURL == "" || err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			add("webhook_url", "Invalid Webhook URL", "The WEBHOOK channel needs webhook_url, an http or https URL (rule A5).")
		}
	}
	return every, ps
}

// checkAlarmObjects is A2: the certificates an alarm names exist and belong to its
// project (an alarm never watches another project's certificates).
func checkAlarmObjects(ctx context.Context, r store.Reader, in AlarmInput) error {
	if len(in.CertificateIDs) == 0 {
		return nil
	}
	found, err := r.ListCertificates(ctx, store.CertificateFilter{IDs: in.CertificateIDs, Project: in.Project})
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for _, c := range found {
		have[c.ID] = true
	}
	for _, id := range in.CertificateIDs {
		if !have[id] {
			return invalid("certificate_ids", "Unknown Certificate",
				fmt.Sprintf("Certificate %q does not exist in project %q; an alarm watches certificates of its own project (rule A2).", id, in.Project))
		}
	}
	return nil
}

func (s *Service) alarmFromInput(p *store.AlarmPolicy, in AlarmInput) error {
	p.Name, p.Remarks, p.Project = in.Name, in.Remarks, in.Project
	p.CertificateIDs, p.DaysBeforeExpiry, p.RepeatInterval = in.CertificateIDs, in.DaysBeforeExpiry, in.RepeatInterval
	p.Recipients, p.Channels, p.WebhookURL, p.Enabled = in.Recipients, in.Channels, in.WebhookURL, in.Enabled
	if in.KeepWebhookSecret {
		return nil
	}
	var err error
	p.WebhookSecretSealed, err = s.seal(p.ID, "webhook_secret", in.WebhookSecret)
	return err
}

func alarmErr(err error, id string) error {
	if errors.Is(err, store.ErrNotFound) {
		return &Error{Kind: KindNotFound, Code: CodeNotFound, Summary: "Alarm Policy Not Found",
			Message: fmt.Sprintf("No alarm policy with id %q exists. It may have been deleted outside Terraform.", id)}
	}
	return err
}

// CreateAlarm stores a policy (A1–A5).
func (s *Service) CreateAlarm(ctx context.Context, idemKey string, in AlarmInput) (*Alarm, error) {
	if _, ps := normalizeAlarm(&in); len(ps) > 0 {
		return nil, refused(CodeInvalidAlarm, "", ps)
	}
	id, err := s.idempotent(ctx, idemKey, "alarm.create", in, func(tx store.Tx) (string, error) {
		if err := checkAlarmObjects(ctx, tx, in); err != nil {
			return "", err
		}
		now := s.clock.Now()
		p := &store.AlarmPolicy{ID: "alarm-" + newID()[5:], CreatedAt: now, UpdatedAt: now}
		if err := s.alarmFromInput(p, in); err != nil {
			return "", err
		}
		return p.ID, tx.InsertAlarmPolicy(ctx, p)
	})
	if err != nil {
		return nil, err
	}
	return s.GetAlarm(ctx, id)
}

// UpdateAlarm rewrites a policy in place.
func (s *Service) UpdateAlarm(ctx context.Context, id string, in AlarmInput) (*Alarm, error) {
	if _, ps := normalizeAlarm(&in); len(ps) > 0 {
		return nil, refused(CodeInvalidAlarm, "", ps)
	}
	err := s.st.Update(ctx, func(tx store.Tx) error {
		p, err := tx.GetAlarmPolicy(ctx, id)
		if err != nil {
			return alarmErr(err, id)
		}
		if err := checkAlarmObjects(ctx, tx, in); err != nil {
			return err
		}
		if err := s.alarmFromInput(p, in); err != nil {
			return err
		}
		p.UpdatedAt = s.clock.Now()
		return tx.UpdateAlarmPolicy(ctx, p)
	})
	if err != nil {
		return nil, err
	}
	return s.GetAlarm(ctx, id)
}

// DeleteAlarm removes a policy (its notifications stay, as history).
func (s *Service) DeleteAlarm(ctx context.Context, id string) error {
	return s.st.Update(ctx, func(tx store.Tx) error { return alarmErr(tx.DeleteAlarmPolicy(ctx, id), id) })
}

// GetAlarm returns a policy with the certificates inside its threshold now.
func (s *Service) GetAlarm(ctx context.Context, id string) (*Alarm, error) {
	p, err := s.st.GetAlarmPolicy(ctx, id)
	if err != nil {
		return nil, alarmErr(err, id)
	}
	a := &Alarm{AlarmPolicy: *p, HasWebhookSecret: len(p.WebhookSecretSealed) > 0, FiringCertificateIDs: []string{}}
	a.WebhookSecretSealed = nil
	if p.Enabled {
		cands, err := s.st.FindAlarmCandidates(ctx, store.AlarmCandidateQuery{Now: s.clock.Now(), PolicyID: id, Statuses: liveStatuses})
		if err != nil {
			return nil, err
		}
		for _, c := range cands {
			a.FiringCertificateIDs = append(a.FiringCertificateIDs, c.CertificateID)
		}
	}
	return a, nil
}

// daysLeft counts the whole days left before notAfter.
func daysLeft(now, notAfter time.Time) int {
	return int(notAfter.Sub(now) / day)
}

// Evaluate is A3, evaluated for the service clock's now: every (policy, certificate)
// inside the threshold (one store query, ignored certificates left out — N1) that has
// not fired under its repeat rule gets one outbox row per recipient and channel, in
// the same transaction that records the firing. It returns how many rows it wrote.
//
// The store query already leaves out what cannot fire: certificates that are not
// live and pairs that fired for their not_after and are not due again (only a
// repeating policy's pair that fired before the earliest refire bound comes back,
// and due then applies each policy's own interval). The writes are bulk.
func (s *Service) Evaluate(ctx context.Context) (int, error) {
	written := 0
	err := s.st.Update(ctx, func(tx store.Tx) error {
		written = 0
		now := s.clock.Now()
		all, err := tx.ListAlarmPolicies(ctx, nil)
		if err != nil {
			return err
		}
		policies := make(map[string]*store.AlarmPolicy, len(all))
		var refire time.Time
		for _, p := range all {
			policies[p.ID] = p
			if b, ok := refireBefore(p.RepeatInterval, now); p.Enabled && ok && b.After(refire) {
				refire = b
			}
		}
		cands, err := tx.FindAlarmCandidates(ctx, store.AlarmCandidateQuery{Now: now, Statuses: liveStatuses,
			Due: true, RefireBefore: refire})
		if err != nil {
			return err
		}
		var (
			outbox  []*store.Notification
			firings []store.AlarmFiring
		)
		for _, c := range cands {
			p, ok := policies[c.PolicyID]
			if !ok { // created after the list (a store whose statements see newer commits)
				if p, err = tx.GetAlarmPolicy(ctx, c.PolicyID); err != nil {
					return err
				}
				policies[c.PolicyID] = p
			}
			if !due(p.RepeatInterval, c.LastFiredAt, now) {
				continue
			}
			outbox = s.enqueue(outbox, p, c, now)
			firings = append(firings, store.AlarmFiring{PolicyID: p.ID, CertificateID: c.CertificateID, NotAfter: c.NotAfter})
		}
		if written, err = tx.InsertNotifications(ctx, outbox); err != nil {
			return err
		}
		if err := tx.RecordFirings(ctx, now, firings); err != nil {
			return err
		}
		return tx.MarkAlarmsEvaluated(ctx, now)
	})
	return written, err
}

// due is the repeat rule: "once" per certificate and expiry date, or again after the
// interval. The interval is counted in evaluation minutes (A3: evaluated every
// minute), the slots of the outbox's dedup key: a run that starts a little earlier in
// its minute than the last firing's run is still a minute later.
func due(repeat string, last, now time.Time) bool {
	if last.IsZero() {
		return true
	}
	bound, ok := refireBefore(repeat, now)
	return ok && last.Before(bound)
}

// refireBefore is the repeat rule as a bound: a pair that last fired at a time
// before it is due again at now; ok is false when the policy never fires twice
// ("once", or an interval that does not parse). The rule is that the whole
// minutes between the firing's and now's evaluation slots span the interval d:
// last.Truncate(m) <= now.Truncate(m) - d, which holds exactly when last is
// before the slot after the one that contains now.Truncate(m) - d.
func refireBefore(repeat string, now time.Time) (time.Time, bool) {
	if repeat == RepeatOnce || repeat == "" {
		return time.Time{}, false
	}
	d, err := time.ParseDuration(repeat)
	if err != nil {
		return time.Time{}, false
	}
	return now.Truncate(time.Minute).Add(-d).Truncate(time.Minute).Add(time.Minute), true
}

// enqueue appends the outbox rows of one firing to out: EMAIL and SMS per
// recipient, one WEBHOOK per firing.
func (s *Service) enqueue(out []*store.Notification, p *store.AlarmPolicy, c *store.AlarmCandidate, now time.Time) []*store.Notification {
	slot := now.Truncate(time.Minute).Format(time.RFC3339)
	notAfter := c.NotAfter.UTC().Format(time.RFC3339)
	add := func(r store.Recipient, ch string) {
		// The slot leads, so that an evaluation's keys sort after every earlier
		// one's and the unique index grows at its end instead of in every page.
		key := strings.Join([]string{slot, p.ID, c.CertificateID, notAfter, r.Email + "/" + r.Phone, ch}, "|")
		out = append(out, &store.Notification{ID: "ntf-" + newID()[5:], DedupKey: key, PolicyID: p.ID,
			CertificateID: c.CertificateID, NotAfter: c.NotAfter, DaysLeft: daysLeft(now, c.NotAfter), Recipient: r,
			Channel: ch, Status: NotificationPending, NextAttemptAt: now, CreatedAt: now})
	}
	for _, ch := range p.Channels {
		if ch == ChannelWebhook {
			add(store.Recipient{}, ch)
			continue
		}
		for _, r := range p.Recipients {
			if (ch == ChannelEmail && r.Email == "") || (ch == ChannelSMS && r.Phone == "") {
				continue
			}
			add(r, ch)
		}
	}
	return out
}

// Deliver sends the outbox rows that are due through sender and records each
// attempt's outcome; a failure is retried with exponential backoff, up to
// maxDeliveryAttempts. Every message carries its row id as idempotency key, so a
// receiver drops a duplicate if the process died between sending and recording.
func (s *Service) Deliver(ctx context.Context, sender notify.Sender, limit int) (sent, failed int, err error) {
	now := s.clock.Now()
	// Claim the due rows first, in one transaction: another process delivering at the
	// same time no longer sees them as due. A process that dies after claiming leaves
	// them to be sent again when the lease ends — with the same idempotency key.
	var due []*store.Notification
	err = s.st.Update(ctx, func(tx store.Tx) error {
		rows, err := tx.ListNotifications(ctx, store.NotificationFilter{Status: NotificationPending, DueBy: now, Limit: limit})
		if err != nil {
			return err
		}
		for _, n := range rows {
			n.NextAttemptAt = now.Add(deliveryLease)
			if err := tx.UpdateNotification(ctx, n); err != nil {
				return err
			}
		}
		due = rows
		return nil
	})
	if err != nil {
		return 0, 0, err
	}
	for _, n := range due {
		msg, err := s.message(ctx, n)
		var sendErr error
		permanent := false
		if err != nil {
			// The policy is gone or its secret unreadable: retrying cannot help.
			sendErr, permanent = err, true
		} else {
			sendErr = sender.Send(ctx, msg)
		}
		n.Attempts++
		if sendErr == nil {
			n.Status, n.SentAt, n.LastError = NotificationSent, s.clock.Now(), ""
			sent++
		} else {
			n.LastError = sendErr.Error()
			if permanent || notify.Permanent(sendErr) || n.Attempts >= maxDeliveryAttempts {
				n.Status = NotificationFailed
			} else {
				n.NextAttemptAt = s.clock.Now().Add(backoff(n.Attempts))
			}
			failed++
		}
		if err := s.st.Update(ctx, func(tx store.Tx) error { return tx.UpdateNotification(ctx, n) }); err != nil {
			return sent, failed, err
		}
	}
	return sent, failed, nil
}

func backoff(attempt int) time.Duration {
	d := time.Minute << (attempt - 1)
	if d > time.Hour || d <= 0 {
		d = time.Hour
	}
	return d
}

// message builds what notify sends for one outbox row.
func (s *Service) message(ctx context.Context, n *store.Notification) (notify.Message, error) {
	m := notify.Message{IdempotencyKey: n.ID, Channel: notify.Channel(n.Channel), PolicyID: n.PolicyID,
		CertificateID: n.CertificateID, NotAfter: n.NotAfter, DaysLeft: n.DaysLeft, RecipientName: n.Recipient.Name,
		RecipientEmail: n.Recipient.Email, RecipientPhone: n.Recipient.Phone, CreatedAt: n.CreatedAt}
	p, err := s.st.GetAlarmPolicy(ctx, n.PolicyID)
	if err != nil {
		return m, fmt.Errorf("the alarm policy %s is gone: %w", n.PolicyID, err)
	}
	m.PolicyName, m.WebhookURL = p.Name, p.WebhookURL
	if m.WebhookSecret, err = s.open(p.ID, "webhook_secret", p.WebhookSecretSealed); err != nil {
		return m, err
	}
	if rec, err := s.st.GetCertificate(ctx, n.CertificateID); err == nil {
		m.CertificateName, m.Domain, m.SubjectAlternativeNames = rec.Name, rec.Domain, rec.SANs
	} else {
		m.Domain = n.CertificateID
	}
	return m, nil
}

// Notifications lists outbox rows (one store query).
func (s *Service) Notifications(ctx context.Context, f store.NotificationFilter) ([]*store.Notification, error) {
	return s.st.ListNotifications(ctx, f)
}

// ignoreWindow is N1's "expires soon": within 30 days.
const ignoreWindow = 30 * day

// CheckIgnore applies N1 to a certificate that expires at notAfter, at the service
// clock's now, so a plan can show the refusal before anything is changed.
func (s *Service) CheckIgnore(notAfter time.Time) error {
	return checkIgnore(&store.Certificate{ID: "the certificate", NotAfter: notAfter}, s.clock.Now())
}

// checkIgnore is N1: only a certificate that expires soon can have its expiry
// notifications ignored; un-ignoring is always allowed.
func checkIgnore(rec *store.Certificate, now time.Time) error {
	if rec.NotAfter.IsZero() || rec.NotAfter.Sub(now) <= ignoreWindow {
		return nil
	}
	from := rec.NotAfter.Add(-ignoreWindow)
	return &Error{Kind: KindFailedPrecondition, Code: CodeIgnoreRefused, Field: "ignore_expiration_notifications",
		Summary: "Certificate Does Not Expire Soon",
		Message: fmt.Sprintf("Only a certificate that expires within 30 days can have its expiry notifications ignored (rule N1); %s expires on %s, so it can be ignored from %s.",
			rec.ID, rec.NotAfter.Format("2006-01-02"), from.Format("2006-01-02 15:04 MST"))}
}

// liveStatuses are the statuses of a certificate whose expiry matters: a revoked
// one, one being revoked or one never issued is left out of the alarms.
var liveStatuses = []string{StatusIssued, StatusExpired, StatusReissuing}
