package api

import (
	"net/http"
	"strconv"

	"github.com/sslkit/terraform-provider-ssl/internal/api/wire"
	"github.com/sslkit/terraform-provider-ssl/internal/service"
	"github.com/sslkit/terraform-provider-ssl/internal/store"
)

func (h *handler) routesAlarms(mux *http.ServeMux) {
	mux.HandleFunc("POST /v1/alarms", h.bodyScoped(h.createAlarm))
	mux.HandleFunc("POST /v1/alarms/check", h.checkAlarm)
	mux.HandleFunc("GET /v1/alarms/{id}", h.alarmScoped(h.getAlarm))
	mux.HandleFunc("PUT /v1/alarms/{id}", h.alarmScoped(h.bodyScoped(h.updateAlarm)))
	mux.HandleFunc("DELETE /v1/alarms/{id}", h.alarmScoped(h.deleteAlarm))
	mux.HandleFunc("GET /v1/notifications", h.notifications)
	mux.HandleFunc("POST /v1/admin/alarms/evaluate", adminOnly(h.evaluate))
	mux.HandleFunc("POST /v1/certificates/ignore/check", h.checkIgnore)
}

// checkIgnore answers whether a certificate expiring at not_after may have its
// notifications ignored now (N1): 200 when it may, the refusal otherwise.
func (h *handler) checkIgnore(w http.ResponseWriter, r *http.Request) {
	var in wire.IgnoreCheck
	if !decode(w, r, &in) {
		return
	}
	h.renderCheck(w, h.svc.CheckIgnore(in.NotAfter))
}

func alarmInput(in *wire.AlarmRequest) service.AlarmInput {
	out := service.AlarmInput{Name: in.Name, Remarks: in.Remarks, Project: in.Project, CertificateIDs: in.CertificateIDs,
		DaysBeforeExpiry: in.DaysBeforeExpiry, RepeatInterval: in.RepeatInterval, Channels: in.Channels,
		WebhookURL: in.WebhookURL, WebhookSecret: in.WebhookSecret, KeepWebhookSecret: in.KeepWebhookSecret, Enabled: in.Enabled}
	for _, r := range in.Recipients {
		out.Recipients = append(out.Recipients, store.Recipient{Name: r.Name, Email: r.Email, Phone: r.Phone})
	}
	return out
}

func (h *handler) createAlarm(w http.ResponseWriter, r *http.Request) {
	var in wire.AlarmRequest
	if !decode(w, r, &in) {
		return
	}
	h.renderAlarm(w, http.StatusCreated)(h.svc.CreateAlarm(r.Context(), r.Header.Get(wire.IdempotencyHeader), alarmInput(&in)))
}

func (h *handler) checkAlarm(w http.ResponseWriter, r *http.Request) {
	var in wire.AlarmRequest
	if !decode(w, r, &in) {
		return
	}
	render(w, http.StatusOK, wire.CheckResult{Problems: toWireProblems(service.CheckAlarm(alarmInput(&in)))})
}

func (h *handler) getAlarm(w http.ResponseWriter, r *http.Request) {
	h.renderAlarm(w, http.StatusOK)(h.svc.GetAlarm(r.Context(), r.PathValue("id")))
}

func (h *handler) updateAlarm(w http.ResponseWriter, r *http.Request) {
	var in wire.AlarmRequest
	if !decode(w, r, &in) {
		return
	}
	h.renderAlarm(w, http.StatusOK)(h.svc.UpdateAlarm(r.Context(), r.PathValue("id"), alarmInput(&in)))
}

func (h *handler) deleteAlarm(w http.ResponseWriter, r *http.Request) {
	if err := h.svc.DeleteAlarm(r.Context(), r.PathValue("id")); err != nil {
		renderError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *handler) notifications(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := store.NotificationFilter{PolicyID: q.Get("policy_id"), CertificateID: q.Get("certificate_id"),
		Channel: q.Get("channel"), Status: q.Get("status"), Projects: projectsFilter(r)}
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 0 {
			renderError(w, wire.FieldError("limit", "Invalid Limit", "limit must be a whole number, zero or more."))
			return
		}
		f.Limit = n
	}
	ns, err := h.svc.Notifications(r.Context(), f)
	if err != nil {
		renderError(w, err)
		return
	}
	out := wire.NotificationList{Notifications: []wire.Notification{}}
	for _, n := range ns {
		wn := wire.Notification{ID: n.ID, PolicyID: n.PolicyID, CertificateID: n.CertificateID, NotAfter: n.NotAfter,
			DaysLeft: n.DaysLeft, Recipient: wire.Recipient{Name: n.Recipient.Name, Email: n.Recipient.Email, Phone: n.Recipient.Phone},
			Channel: n.Channel, Status: n.Status, Attempts: n.Attempts, LastError: n.LastError, CreatedAt: n.CreatedAt}
		if !n.SentAt.IsZero() {
			t := n.SentAt
			wn.SentAt = &t
		}
		out.Notifications = append(out.Notifications, wn)
	}
	render(w, http.StatusOK, out)
}

// evaluate runs the alarm evaluator once (admin); delivery belongs to the process
// that holds the delivery settings (evaluate / serve), never to a plan.
func (h *handler) evaluate(w http.ResponseWriter, r *http.Request) {
	n, err := h.svc.Evaluate(r.Context())
	if err != nil {
		renderError(w, err)
		return
	}
	render(w, http.StatusOK, wire.EvaluateResult{Written: n})
}

func (h *handler) renderAlarm(w http.ResponseWriter, status int) func(*service.Alarm, error) {
	return func(a *service.Alarm, err error) {
		if err != nil {
			renderError(w, err)
			return
		}
		out := wire.Alarm{ID: a.ID, Name: a.Name, Remarks: a.Remarks, Project: a.Project,
			CertificateIDs: nonNil(a.CertificateIDs), DaysBeforeExpiry: a.DaysBeforeExpiry, RepeatInterval: a.RepeatInterval,
			Recipients: []wire.Recipient{}, Channels: nonNil(a.Channels), WebhookURL: a.WebhookURL,
			HasWebhookSecret: a.HasWebhookSecret, Enabled: a.Enabled, FiringCertificateIDs: nonNil(a.FiringCertificateIDs)}
		for _, rc := range a.Recipients {
			out.Recipients = append(out.Recipients, wire.Recipient{Name: rc.Name, Email: rc.Email, Phone: rc.Phone})
		}
		if !a.LastEvaluatedAt.IsZero() {
			t := a.LastEvaluatedAt
			out.LastEvaluatedAt = &t
		}
		render(w, status, out)
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
