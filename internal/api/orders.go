package api

import (
	"encoding/base64"
	"io"
	"net/http"
	"strings"

	"github.com/sslkit/terraform-provider-ssl/internal/api/wire"
	"github.com/sslkit/terraform-provider-ssl/internal/service"
)

func (h *handler) routesOrders(mux *http.ServeMux) {
	mux.HandleFunc("POST /v1/certificates/orders", h.bodyScoped(h.order))
	mux.HandleFunc("POST /v1/certificates/orders/check", h.checkOrder)
	mux.HandleFunc("POST /v1/certificates/{id}/advance", h.certScoped(h.advance))
	mux.HandleFunc("POST /v1/certificates/{id}/reissue", h.certScoped(h.reissue))
	mux.HandleFunc("POST /v1/certificates/{id}/reissue/check", h.certScoped(h.checkReissue))
	mux.HandleFunc("POST /v1/certificates/{id}/revoke", h.certScoped(h.revoke))
	mux.HandleFunc("POST /v1/certificates/{id}/revoke/check", h.certScoped(h.checkRevoke))
	mux.HandleFunc("POST /v1/certificates/{id}/cancel", h.certScoped(h.cancel))
	mux.HandleFunc("POST /v1/certificates/{id}/renew", h.certScoped(h.renew))
	mux.HandleFunc("POST /v1/certificates/{id}/reminder", h.certScoped(h.reminder))
	mux.HandleFunc("POST /v1/certificates/{id}/password/check", h.certScoped(h.checkPassword))
	mux.HandleFunc("POST /v1/admin/certificates/{id}/review", adminOnly(h.review))
	mux.HandleFunc("GET /v1/products", h.products)
	mux.HandleFunc("GET /v1/ca", h.authorities)
	mux.HandleFunc("GET /v1/ca/{id}/crl", h.crl)
	mux.HandleFunc("POST /v1/ca/{id}/ocsp", h.ocspPost)
	mux.HandleFunc("GET /v1/ca/{id}/ocsp/{req...}", h.ocspGet)
	mux.HandleFunc("GET /v1/ca/{id}/issuer.crt", h.issuer)
}

func orderInput(in *wire.OrderRequest) service.OrderInput {
	return service.OrderInput{
		Name: in.Name, Project: in.Project, Tags: in.Tags, Domain: in.Domain, SANs: in.SubjectAlternativeNames,
		Brand: in.Brand, CertificateType: in.CertificateType, KeyAlgorithm: in.KeyAlgorithm, KeySize: in.KeySize,
		CSRPEM: in.CSRPEM, Password: in.PrivateKeyPassword, ValidationMethod: in.ValidationMethod,
		Organization: fromWireOrg(in.Organization), ValidityDays: in.ValidityDays,
		RenewsCertificateID: in.RenewsCertificateID, IgnoreExpirationNotifications: in.IgnoreExpirationNotifications,
		SendReminder: in.SendReminder, RenewBeforeDays: in.RenewBeforeDays,
	}
}

func (h *handler) order(w http.ResponseWriter, r *http.Request) {
	var in wire.OrderRequest
	if !decode(w, r, &in) {
		return
	}
	h.renderCert(w, http.StatusCreated)(h.svc.Order(r.Context(), r.Header.Get(wire.IdempotencyHeader), orderInput(&in)))
}

// checkOrder runs the order rules without placing the order; the answer lists the
// problems (empty when the order would be accepted).
func (h *handler) checkOrder(w http.ResponseWriter, r *http.Request) {
	var in wire.OrderRequest
	if !decode(w, r, &in) {
		return
	}
	render(w, http.StatusOK, wire.CheckResult{Problems: toWireProblems(service.CheckOrder(orderInput(&in)))})
}

func (h *handler) advance(w http.ResponseWriter, r *http.Request) {
	h.renderCert(w, http.StatusOK)(h.svc.Advance(r.Context(), r.PathValue("id")))
}

func reissueInput(in *wire.ReissueRequest) service.ReissueInput {
	return service.ReissueInput{KeyAlgorithm: in.KeyAlgorithm, KeySize: in.KeySize, CSRPEM: in.CSRPEM,
		Password: in.PrivateKeyPassword, Reason: in.Reason}
}

func (h *handler) reissue(w http.ResponseWriter, r *http.Request) {
	var in wire.ReissueRequest
	if !decode(w, r, &in) {
		return
	}
	h.renderCert(w, http.StatusOK)(h.svc.Reissue(r.Context(), r.Header.Get(wire.IdempotencyHeader), r.PathValue("id"), reissueInput(&in)))
}

func (h *handler) checkReissue(w http.ResponseWriter, r *http.Request) {
	var in wire.ReissueRequest
	if !decode(w, r, &in) {
		return
	}
	h.renderCheck(w, h.svc.CheckReissue(r.Context(), r.PathValue("id"), reissueInput(&in)))
}

func revokeInput(in *wire.RevokeRequest) service.RevokeInput {
	return service.RevokeInput{Reason: in.Reason, Letter: in.Letter, LetterName: in.LetterName}
}

func (h *handler) revoke(w http.ResponseWriter, r *http.Request) {
	var in wire.RevokeRequest
	if !decode(w, r, &in) {
		return
	}
	h.renderCert(w, http.StatusOK)(h.svc.Revoke(r.Context(), r.Header.Get(wire.IdempotencyHeader), r.PathValue("id"), revokeInput(&in)))
}

func (h *handler) checkRevoke(w http.ResponseWriter, r *http.Request) {
	var in wire.RevokeRequest
	if !decode(w, r, &in) {
		return
	}
	h.renderCheck(w, h.svc.CheckRevoke(r.Context(), r.PathValue("id"), revokeInput(&in)))
}

func (h *handler) cancel(w http.ResponseWriter, r *http.Request) {
	h.renderCert(w, http.StatusOK)(h.svc.Cancel(r.Context(), r.Header.Get(wire.IdempotencyHeader), r.PathValue("id")))
}

func (h *handler) renew(w http.ResponseWriter, r *http.Request) {
	h.renderCert(w, http.StatusOK)(h.svc.Renew(r.Context(), r.Header.Get(wire.IdempotencyHeader), r.PathValue("id")))
}

func (h *handler) reminder(w http.ResponseWriter, r *http.Request) {
	h.renderCert(w, http.StatusOK)(h.svc.SendReminder(r.Context(), r.Header.Get(wire.IdempotencyHeader), r.PathValue("id")))
}

func (h *handler) checkPassword(w http.ResponseWriter, r *http.Request) {
	var in wire.PasswordCheck
	if !decode(w, r, &in) {
		return
	}
	ok, err := h.svc.CheckPassword(r.Context(), r.PathValue("id"), in.Password)
	if err != nil {
		renderError(w, err)
		return
	}
	render(w, http.StatusOK, wire.PasswordCheckResult{Matches: ok})
}

func (h *handler) review(w http.ResponseWriter, r *http.Request) {
	var in wire.ReviewRequest
	if !decode(w, r, &in) {
		return
	}
	h.renderCert(w, http.StatusOK)(h.svc.Review(r.Context(), r.PathValue("id"), in.Decision == "approve", in.Reason))
}

func (h *handler) products(w http.ResponseWriter, r *http.Request) {
	var out wire.ProductList
	for _, p := range service.Products() {
		domainTypes := []string{"single"}
		if p.MultiDomain {
			domainTypes = append(domainTypes, "multiple")
		}
		if p.Wildcard {
			domainTypes = append(domainTypes, "wildcard")
		}
		out.Products = append(out.Products, wire.Product{Brand: p.Brand, CertificateType: p.CertificateType,
			ValidationLevel: p.Level, Free: p.Free, DomainTypes: domainTypes, KeyAlgorithms: p.KeyAlgorithms,
			MaxValidityDays: p.MaxValidityDays, DefaultValidity: p.DefaultValidity, ReviewReminder: p.Reminder,
			ReminderAfterHours: p.ReminderAfterHours, RevocationLetterTypes: p.RevocationLetterTypes})
	}
	render(w, http.StatusOK, out)
}

func (h *handler) authorities(w http.ResponseWriter, r *http.Request) {
	as, err := h.svc.Authorities(r.Context(), r.URL.Query().Get("brand"), r.URL.Query().Get("key_algorithm"))
	if err != nil {
		renderError(w, err)
		return
	}
	out := wire.AuthorityList{Authorities: []wire.Authority{}}
	for _, a := range as {
		out.Authorities = append(out.Authorities, wire.Authority{ID: a.ID, Brand: a.Brand, KeyAlgorithm: a.KeyAlgorithm,
			RootPEM: a.RootPEM, IntermediatePEM: a.IntermediatePEM, CRLPEM: a.CRLPEM, CRLURL: a.CRLURL, OCSPURL: a.OCSPURL})
	}
	render(w, http.StatusOK, out)
}

// crl serves the CA's CRL in DER (public: no token needed).
func (h *handler) crl(w http.ResponseWriter, r *http.Request) {
	der, err := h.svc.CRL(r.Context(), r.PathValue("id"))
	if err != nil {
		renderError(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/pkix-crl")
	_, _ = w.Write(der)
}

func (h *handler) ocspPost(w http.ResponseWriter, r *http.Request) {
	req, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
	if err != nil {
		http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
		return
	}
	h.ocsp(w, r, req)
}

// ocspGet serves RFC 6960's GET form: the request DER, base64, in the path.
func (h *handler) ocspGet(w http.ResponseWriter, r *http.Request) {
	raw := strings.TrimPrefix(r.PathValue("req"), "/")
	req, err := base64.StdEncoding.DecodeString(raw)
	if err != nil {
		http.Error(w, "malformed OCSP request", http.StatusBadRequest)
		return
	}
	h.ocsp(w, r, req)
}

func (h *handler) ocsp(w http.ResponseWriter, r *http.Request, req []byte) {
	resp, err := h.svc.OCSP(r.Context(), r.PathValue("id"), req)
	if err != nil {
		renderError(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/ocsp-response")
	_, _ = w.Write(resp)
}

func (h *handler) issuer(w http.ResponseWriter, r *http.Request) {
	pemText, err := h.svc.IssuerCertificate(r.Context(), r.PathValue("id"))
	if err != nil {
		renderError(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/x-pem-file")
	_, _ = io.WriteString(w, pemText)
}

// renderCert returns a function that renders a service answer about one certificate.
func (h *handler) renderCert(w http.ResponseWriter, status int) func(*service.Certificate, error) {
	return func(c *service.Certificate, err error) {
		if err != nil {
			renderError(w, err)
			return
		}
		render(w, status, toWire(c))
	}
}

// renderCheck renders a dry-run's verdict: 200 with no problems, or the refusal.
func (h *handler) renderCheck(w http.ResponseWriter, err error) {
	if err != nil {
		renderError(w, err)
		return
	}
	render(w, http.StatusOK, wire.CheckResult{Problems: []wire.Problem{}})
}

func fromWireOrg(o *wire.Organization) *service.Organization {
	if o == nil {
		return nil
	}
	return &service.Organization{Name: o.Name, Division: o.Division, Country: o.Country, Province: o.Province,
		Locality: o.Locality, Address: o.Address, PostalCode: o.PostalCode, ContactName: o.ContactName,
		ContactEmail: o.ContactEmail, ContactPhone: o.ContactPhone, RegistrationNumber: o.RegistrationNumber,
		BusinessCategory: o.BusinessCategory, JurisdictionCountry: o.JurisdictionCountry}
}

func toWireOrg(o *service.Organization) *wire.Organization {
	if o == nil {
		return nil
	}
	return &wire.Organization{Name: o.Name, Division: o.Division, Country: o.Country, Province: o.Province,
		Locality: o.Locality, Address: o.Address, PostalCode: o.PostalCode, ContactName: o.ContactName,
		ContactEmail: o.ContactEmail, ContactPhone: o.ContactPhone, RegistrationNumber: o.RegistrationNumber,
		BusinessCategory: o.BusinessCategory, JurisdictionCountry: o.JurisdictionCountry}
}

func toWireOrder(o *service.Order) *wire.OrderDetails {
	if o == nil {
		return nil
	}
	out := &wire.OrderDetails{Brand: o.Brand, CertificateType: o.CertificateType, ValidationMethod: o.ValidationMethod,
		ValidityDays: o.ValidityDays, Organization: toWireOrg(o.Organization), CSRProvided: o.CSRProvided,
		HasPassword: o.HasPassword, ReissueCount: o.ReissueCount, ReminderAvailableAt: o.ReminderAvailableAt,
		ReminderSentAt: o.ReminderSentAt, RevocationReason: o.RevocationReason,
		RenewsCertificateID: o.RenewsCertificateID, Pending: o.Pending, HostingNote: o.HostingNote,
		RenewBeforeDays: o.RenewBeforeDays, ReadyForRenewal: o.ReadyForRenewal}
	for _, r := range o.ValidationRecords {
		out.ValidationRecords = append(out.ValidationRecords, wire.ValidationRecord{Domain: r.Domain, Method: r.Method,
			Name: r.Name, Type: r.Type, Value: r.Value, URL: r.URL, Path: r.Path, Content: r.Content})
	}
	return out
}
