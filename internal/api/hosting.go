package api

import (
	"net/http"
	"strconv"

	"github.com/sslkit/terraform-provider-ssl/internal/api/wire"
	"github.com/sslkit/terraform-provider-ssl/internal/service"
	"github.com/sslkit/terraform-provider-ssl/internal/store"
)

func (h *handler) routesHosting(mux *http.ServeMux) {
	mux.HandleFunc("POST /v1/hostings", h.bodyScoped(h.createHosting))
	mux.HandleFunc("GET /v1/hostings/{id}", h.hostingScoped(h.getHosting))
	mux.HandleFunc("PUT /v1/hostings/{id}", h.hostingScoped(h.bodyScoped(h.updateHosting)))
	mux.HandleFunc("DELETE /v1/hostings/{id}", h.hostingScoped(h.deleteHosting))
	mux.HandleFunc("GET /v1/deployments", h.deployments)
}

func hostingInput(in *wire.HostingRequest) service.HostingInput {
	out := service.HostingInput{CertificateID: in.CertificateID}
	for _, r := range in.Resources {
		out.Resources = append(out.Resources, store.PlatformResource{Type: r.Type, InstanceID: r.InstanceID, Region: r.Region})
	}
	return out
}

func (h *handler) createHosting(w http.ResponseWriter, r *http.Request) {
	var in wire.HostingRequest
	if !decode(w, r, &in) {
		return
	}
	h.renderHosting(w, http.StatusCreated)(h.svc.CreateHosting(r.Context(), r.Header.Get(wire.IdempotencyHeader), hostingInput(&in)))
}

func (h *handler) updateHosting(w http.ResponseWriter, r *http.Request) {
	var in wire.HostingRequest
	if !decode(w, r, &in) {
		return
	}
	h.renderHosting(w, http.StatusOK)(h.svc.UpdateHosting(r.Context(), r.Header.Get(wire.IdempotencyHeader), r.PathValue("id"), hostingInput(&in)))
}

func (h *handler) getHosting(w http.ResponseWriter, r *http.Request) {
	h.renderHosting(w, http.StatusOK)(h.svc.GetHosting(r.Context(), r.PathValue("id")))
}

func (h *handler) deleteHosting(w http.ResponseWriter, r *http.Request) {
	if err := h.svc.DeleteHosting(r.Context(), r.PathValue("id")); err != nil {
		renderError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *handler) deployments(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := store.DeploymentFilter{CertificateID: q.Get("certificate_id"), HostingID: q.Get("hosting_id"),
		Type: q.Get("type"), InstanceID: q.Get("instance_id"), Projects: projectsFilter(r)}
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 0 {
			renderError(w, wire.FieldError("limit", "Invalid Limit", "limit must be a whole number, zero or more."))
			return
		}
		f.Limit = n
	}
	ds, err := h.svc.Deployments(r.Context(), f)
	if err != nil {
		renderError(w, err)
		return
	}
	out := wire.DeploymentList{Deployments: []wire.Deployment{}}
	for _, d := range ds {
		out.Deployments = append(out.Deployments, toWireDeployment(d))
	}
	render(w, http.StatusOK, out)
}

func toWireResource(r store.PlatformResource) wire.PlatformResource {
	return wire.PlatformResource{Type: r.Type, InstanceID: r.InstanceID, Region: r.Region}
}

func toWireDeployment(d *store.Deployment) wire.Deployment {
	return wire.Deployment{ID: d.ID, HostingID: d.HostingID, Resource: toWireResource(d.Resource),
		CertificateID: d.CertificateID, Version: d.Version, SerialNumber: d.SerialNumber, Status: d.Status,
		ReplacedCertificateID: d.ReplacedCertificateID, ReplacedVersion: d.ReplacedVersion, Message: d.Message,
		StartedAt: d.StartedAt, FinishedAt: d.FinishedAt}
}

func (h *handler) renderHosting(w http.ResponseWriter, status int) func(*service.Hosting, error) {
	return func(hs *service.Hosting, err error) {
		if err != nil {
			renderError(w, err)
			return
		}
		out := wire.Hosting{ID: hs.ID, Project: hs.Project, CertificateID: hs.CertificateID,
			Resources: []wire.PlatformResource{}, Deployments: []wire.Deployment{}, CreatedAt: hs.CreatedAt, UpdatedAt: hs.UpdatedAt}
		for _, r := range hs.Resources {
			out.Resources = append(out.Resources, toWireResource(r))
		}
		for _, d := range hs.Deployments {
			out.Deployments = append(out.Deployments, toWireDeployment(d))
		}
		render(w, status, out)
	}
}
