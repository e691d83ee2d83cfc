package api

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"slices"

	"github.com/sslkit/terraform-provider-ssl/internal/api/wire"
)

// Scope is what a caller may reach: everything (admin), or the records of some
// projects. A request without a scope in its context (the embedded backend, where
// the caller owns the data dir) may reach everything.
type Scope struct {
	Admin    bool
	Projects []string
}

type scopeKey struct{}

// WithScope returns ctx carrying the caller's scope; the server's authentication
// sets it for every request.
func WithScope(ctx context.Context, s Scope) context.Context {
	return context.WithValue(ctx, scopeKey{}, s)
}

func scopeOf(r *http.Request) (Scope, bool) {
	s, ok := r.Context().Value(scopeKey{}).(Scope)
	return s, ok
}

// allows tells whether the request may reach a record of project.
func allows(r *http.Request, project string) bool {
	s, ok := scopeOf(r)
	return !ok || s.Admin || slices.Contains(s.Projects, project)
}

// projectsFilter is the list filter of the request's scope: nil (all) when
// unscoped or admin, the token's projects otherwise.
func projectsFilter(r *http.Request) []string {
	s, ok := scopeOf(r)
	if !ok || s.Admin {
		return nil
	}
	return append([]string{}, s.Projects...)
}

// notFound is what a caller outside a record's project gets: the same answer as
// for a record that does not exist, never its data.
func notFound(w http.ResponseWriter, what, id string) {
	renderError(w, &wire.Error{Status: http.StatusNotFound, Code: wire.CodeNotFound,
		Summary: what + " Not Found", Message: "No " + what + " with id \"" + id + "\" exists, or this token may not see it."})
}

// adminOnly refuses callers whose token is not an admin token.
func adminOnly(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if s, ok := scopeOf(r); ok && !s.Admin {
			renderError(w, &wire.Error{Status: http.StatusForbidden, Code: wire.CodeUnauthenticated,
				Summary: "Admin Token Required", Message: "This route needs an admin token (review approvals, evaluation)."})
			return
		}
		next(w, r)
	}
}

// certScoped lets the request through only when the certificate {id} is in scope.
func (h *handler) certScoped(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if _, ok := scopeOf(r); ok {
			c, err := h.svc.Get(r.Context(), r.PathValue("id"), false)
			if err == nil && !allows(r, c.Project) {
				notFound(w, "Certificate", r.PathValue("id"))
				return
			}
		}
		next(w, r)
	}
}

// hostingScoped lets the request through only when the hosting {id} is in scope.
func (h *handler) hostingScoped(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if _, ok := scopeOf(r); ok {
			hs, err := h.svc.GetHosting(r.Context(), r.PathValue("id"))
			if err == nil && !allows(r, hs.Project) {
				notFound(w, "Hosting", r.PathValue("id"))
				return
			}
		}
		next(w, r)
	}
}

// alarmScoped lets the request through only when the alarm {id} is in scope.
func (h *handler) alarmScoped(next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if _, ok := scopeOf(r); ok {
			a, err := h.svc.GetAlarm(r.Context(), r.PathValue("id"))
			if err == nil && !allows(r, a.Project) {
				notFound(w, "Alarm Policy", r.PathValue("id"))
				return
			}
		}
		next(w, r)
	}
}

// bodyScoped lets a create through only when the project it names (or, for a
// hosting, the project of the certificate it names) is in scope. The body is read
// once and handed on unchanged.
func (h *handler) bodyScoped(next http.HandlerFunc) http.HandlerFunc {
	return h.bodyProjectScoped(next, "default")
}

// moveScoped is bodyScoped for an update: a body that names no project moves nothing.
func (h *handler) moveScoped(next http.HandlerFunc) http.HandlerFunc {
	return h.bodyProjectScoped(next, "")
}

func (h *handler) bodyProjectScoped(next http.HandlerFunc, defaultProject string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if _, ok := scopeOf(r); !ok {
			next(w, r)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
		if err != nil {
			renderError(w, &wire.Error{Status: http.StatusRequestEntityTooLarge, Code: wire.CodeInvalid,
				Summary: "Request Too Large", Message: "The request body is larger than the API accepts (4 MiB)."})
			return
		}
		var peek struct {
			Project       string `json:"project"`
			CertificateID string `json:"certificate_id"`
		}
		_ = json.Unmarshal(body, &peek)
		project := peek.Project
		if peek.CertificateID != "" {
			if c, err := h.svc.Get(r.Context(), peek.CertificateID, false); err == nil {
				project = c.Project
			} else {
				project = "\x00" // unknown certificate: let the handler say not found
			}
		}
		if project == "" {
			project = defaultProject
		}
		if project != "" && project != "\x00" && !allows(r, project) {
			notFound(w, "Project", project)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		next(w, r)
	}
}
