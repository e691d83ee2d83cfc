// Package api is the backend's HTTP JSON API: routes, decoding and validation of wire
// types, and one error renderer. Handlers decode → Validate() → call the service →
// render.
package api

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/sslkit/terraform-provider-ssl/internal/api/wire"
	"github.com/sslkit/terraform-provider-ssl/internal/certs"
	"github.com/sslkit/terraform-provider-ssl/internal/service"
)

// MaxBodyBytes bounds a request body (a certificate bundle and keys fit many times over).
const MaxBodyBytes = 4 << 20

// NewHandler returns the API over svc.
func NewHandler(svc *service.Service) http.Handler {
	h := &handler{svc: svc}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		render(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("POST /v1/certificates/uploads", h.bodyScoped(h.upload))
	mux.HandleFunc("GET /v1/certificates", h.list)
	mux.HandleFunc("GET /v1/certificates/{id}", h.certScoped(h.get))
	mux.HandleFunc("PATCH /v1/certificates/{id}", h.certScoped(h.moveScoped(h.update)))
	mux.HandleFunc("POST /v1/certificates/{id}/rotate", h.certScoped(h.rotate))
	mux.HandleFunc("DELETE /v1/certificates/{id}", h.certScoped(h.delete))
	h.routesOrders(mux)
	h.routesHosting(mux)
	h.routesAlarms(mux)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		renderError(w, &wire.Error{Status: http.StatusNotFound, Code: wire.CodeNotFound,
			Summary: "No Such Route", Message: r.Method + " " + r.URL.Path + " is not part of the API."})
	})
	return mux
}

type handler struct{ svc *service.Service }

// validator is a wire type that checks its own shape.
type validator interface{ Validate() error }

// decode reads a JSON body into v and validates it.
func decode(w http.ResponseWriter, r *http.Request, v validator) bool {
	body := http.MaxBytesReader(w, r.Body, MaxBodyBytes)
	data, err := io.ReadAll(body)
	if err != nil {
		renderError(w, &wire.Error{Status: http.StatusRequestEntityTooLarge, Code: wire.CodeInvalid,
			Summary: "Request Too Large", Message: "The request body is larger than the API accepts (4 MiB)."})
		return false
	}
	if err := json.Unmarshal(data, v); err != nil {
		renderError(w, &wire.Error{Status: http.StatusBadRequest, Code: wire.CodeInvalid,
			Summary: "Malformed Request", Message: "The request body is not valid JSON for this route: " + err.Error()})
		return false
	}
	if err := v.Validate(); err != nil {
		renderError(w, err)
		return false
	}
	return true
}

func (h *handler) upload(w http.ResponseWriter, r *http.Request) {
	var in wire.UploadRequest
	if !decode(w, r, &in) {
		return
	}
	c, warns, err := h.svc.Upload(r.Context(), r.Header.Get(wire.IdempotencyHeader), service.UploadInput{
		Name: in.Name, Project: in.Project, Tags: in.Tags,
		Material:                      material(in.Standard, in.CertificatePEM, in.PrivateKeyPEM, in.EncryptionCertificatePEM, in.EncryptionPrivateKeyPEM),
		PrivateKeyWriteOnly:           in.PrivateKeyWriteOnly,
		IgnoreExpirationNotifications: in.IgnoreExpirationNotifications,
	})
	if err != nil {
		renderError(w, err)
		return
	}
	out := toWire(c)
	out.Warnings = toWireProblems(warns)
	render(w, http.StatusCreated, out)
}

func (h *handler) rotate(w http.ResponseWriter, r *http.Request) {
	var in wire.RotateRequest
	if !decode(w, r, &in) {
		return
	}
	c, warns, err := h.svc.Rotate(r.Context(), r.Header.Get(wire.IdempotencyHeader), r.PathValue("id"), service.RotateInput{
		Material:            material(in.Standard, in.CertificatePEM, in.PrivateKeyPEM, in.EncryptionCertificatePEM, in.EncryptionPrivateKeyPEM),
		PrivateKeyWriteOnly: in.PrivateKeyWriteOnly,
	})
	if err != nil {
		renderError(w, err)
		return
	}
	out := toWire(c)
	out.Warnings = toWireProblems(warns)
	render(w, http.StatusOK, out)
}

func (h *handler) get(w http.ResponseWriter, r *http.Request) {
	c, err := h.svc.Get(r.Context(), r.PathValue("id"), true)
	if err != nil {
		renderError(w, err)
		return
	}
	render(w, http.StatusOK, toWire(c))
}

func (h *handler) update(w http.ResponseWriter, r *http.Request) {
	var in wire.UpdateRequest
	if !decode(w, r, &in) {
		return
	}
	c, err := h.svc.UpdateMetadata(r.Context(), r.PathValue("id"), service.Update{
		Name: in.Name, Project: in.Project, Tags: in.Tags,
		IgnoreExpirationNotifications: in.IgnoreExpirationNotifications, RenewBeforeDays: in.RenewBeforeDays,
	})
	if err != nil {
		renderError(w, err)
		return
	}
	render(w, http.StatusOK, toWire(c))
}

func (h *handler) delete(w http.ResponseWriter, r *http.Request) {
	if err := h.svc.Delete(r.Context(), r.PathValue("id")); err != nil {
		renderError(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *handler) list(w http.ResponseWriter, r *http.Request) {
	f, err := wire.ParseListFilter(r.URL.Query())
	if err != nil {
		renderError(w, err)
		return
	}
	cs, err := h.svc.List(r.Context(), service.Filter{
		IDs: f.IDs, Name: f.Name, NameExact: f.NameExact, Domain: f.Domain, Status: f.Status,
		Source: f.Source, Project: f.Project, Tags: f.Tags, ExpiringWithinDays: f.ExpiringWithinDays,
		Projects: projectsFilter(r),
	})
	if err != nil {
		renderError(w, err)
		return
	}
	out := wire.CertificateList{Certificates: make([]wire.Certificate, 0, len(cs))}
	for _, c := range cs {
		out.Certificates = append(out.Certificates, *toWire(c))
	}
	render(w, http.StatusOK, out)
}

func material(std, cert, key, encCert, encKey string) certs.UploadInput {
	return certs.UploadInput{Standard: std, CertificatePEM: cert, PrivateKeyPEM: key,
		EncryptionCertificatePEM: encCert, EncryptionPrivateKeyPEM: encKey}
}

func toWire(c *service.Certificate) *wire.Certificate {
	tags := c.Tags
	if tags == nil {
		tags = map[string]string{}
	}
	sans := c.SANs
	if sans == nil {
		sans = []string{}
	}
	return &wire.Certificate{
		ID: c.ID, Project: c.Project, Name: c.Name, Source: c.Source, Standard: c.Standard,
		Status: c.Status, StatusCode: c.StatusCode, Tags: tags,
		IgnoreExpirationNotifications: c.IgnoreNotifications, Version: c.Version,
		Domain: c.Domain, SubjectAlternativeNames: sans, Issuer: c.Issuer,
		SerialNumber: c.SerialNumber, NotBefore: c.NotBefore, NotAfter: c.NotAfter,
		FingerprintSHA256: c.FingerprintSHA256, KeyAlgorithm: c.KeyAlgorithm, KeySize: c.KeySize,
		CertificatePEM: c.CertificatePEM, LeafPEM: c.LeafPEM, CAChainPEM: c.CAChainPEM,
		FullChainPEM: c.LeafPEM + c.CAChainPEM, ChainComplete: c.ChainComplete,
		EncryptionCertificatePEM: c.EncryptionCertPEM,
		PrivateKeyPEM:            c.PrivateKeyPEM, EncryptionPrivateKeyPEM: c.EncryptionPrivateKeyPEM,
		PrivateKeyWriteOnly: c.PrivateKeyWriteOnly, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
		Order: toWireOrder(c.Order),
	}
}

func toWireProblems(ps []certs.Problem) []wire.Problem {
	var out []wire.Problem
	for _, p := range ps {
		out = append(out, wire.Problem{Field: p.Field, Code: p.Code, Summary: p.Summary, Message: p.Message})
	}
	return out
}

// render writes v as JSON with status.
func render(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

var kindStatus = map[service.Kind]int{
	service.KindInvalid:            http.StatusBadRequest,
	service.KindNotFound:           http.StatusNotFound,
	service.KindConflict:           http.StatusConflict,
	service.KindFailedPrecondition: http.StatusConflict,
	service.KindInternal:           http.StatusInternalServerError,
}

var kindCode = map[service.Kind]string{
	service.KindInvalid:            wire.CodeInvalid,
	service.KindNotFound:           wire.CodeNotFound,
	service.KindConflict:           wire.CodeConflict,
	service.KindFailedPrecondition: wire.CodeFailedPrecondition,
	service.KindInternal:           wire.CodeInternal,
}

// renderError is the one place errors become responses. Service errors keep their
// stable code; any other error is an internal failure (no secret ever reaches an error).
func renderError(w http.ResponseWriter, err error) {
	var we *wire.Error
	var se *service.Error
	switch {
	case errors.As(err, &we):
	case errors.As(err, &se):
		code := kindCode[se.Kind]
		if se.Code != "" && se.Kind != service.KindNotFound {
			code = se.Code
		}
		we = &wire.Error{Status: kindStatus[se.Kind], Code: code, Summary: se.Summary,
			Message: se.Message, Field: se.Field, Problems: toWireProblems(se.Problems)}
	default:
		we = &wire.Error{Status: http.StatusInternalServerError, Code: wire.CodeInternal,
			Summary: "Backend Failure", Message: "The certificate backend failed: " + err.Error()}
	}
	if we.Status == 0 {
		we.Status = http.StatusBadRequest
	}
	render(w, we.Status, wire.ErrorBody{Error: we})
}
