package storetest

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/sslkit/terraform-provider-ssl/internal/store"
)

// field is one compared field of a record.
type field struct {
	name      string
	want, got any
}

// diffFields lists the fields whose values differ: times by instant, byte
// slices by content, slices with no element as equal whether nil or empty, and
// everything else by reflect.DeepEqual.
func diffFields(fs ...field) []string {
	var d []string
	for _, f := range fs {
		same := false
		switch w := f.want.(type) {
		case time.Time:
			g := f.got.(time.Time)
			if same = w.Equal(g); !same {
				d = append(d, fmt.Sprintf("%s: want %s, got %s", f.name, w, g))
				continue
			}
		case []byte:
			same = bytes.Equal(w, f.got.([]byte))
		default:
			wv, gv := reflect.ValueOf(f.want), reflect.ValueOf(f.got)
			if wv.Kind() == reflect.Slice && gv.Kind() == reflect.Slice && wv.Len() == 0 && gv.Len() == 0 {
				same = true
			} else {
				same = reflect.DeepEqual(f.want, f.got)
			}
		}
		if !same {
			d = append(d, fmt.Sprintf("%s: want %#v, got %#v", f.name, f.want, f.got))
		}
	}
	return d
}

// Resource returns a platform resource.
func Resource(typ, instanceID, region string) store.PlatformResource {
	return store.PlatformResource{Type: typ, InstanceID: instanceID, Region: region}
}

// Hosting returns a hosting of certificateID in project "default" binding rs.
func Hosting(id, certificateID string, rs ...store.PlatformResource) *store.Hosting {
	return &store.Hosting{
		ID:            id,
		Project:       "default",
		CertificateID: certificateID,
		Resources:     rs,
		CreatedAt:     base.Add(time.Minute),
		UpdatedAt:     base.Add(2 * time.Minute),
	}
}

// Deployment returns a finished deployment of version 2 of certificateID onto
// resource r of hostingID, every field set.
func Deployment(id, hostingID, certificateID string, r store.PlatformResource) *store.Deployment {
	return &store.Deployment{
		ID:                    id,
		HostingID:             hostingID,
		Resource:              r,
		CertificateID:         certificateID,
		Version:               2,
		SerialNumber:          "0a1b2c",
		Status:                "deployed",
		ReplacedCertificateID: "old-" + certificateID,
		ReplacedVersion:       1,
		Message:               "deployed to " + r.InstanceID + " — ok",
		StartedAt:             base.Add(time.Hour),
		FinishedAt:            base.Add(time.Hour + 90*time.Second),
	}
}

func diffHosting(want, got *store.Hosting) []string {
	return diffFields(
		field{"ID", want.ID, got.ID}, field{"Project", want.Project, got.Project},
		field{"CertificateID", want.CertificateID, got.CertificateID},
		field{"Resources", want.Resources, got.Resources},
		field{"CreatedAt", want.CreatedAt, got.CreatedAt}, field{"UpdatedAt", want.UpdatedAt, got.UpdatedAt})
}

func diffDeployment(want, got *store.Deployment) []string {
	return diffFields(
		field{"ID", want.ID, got.ID}, field{"HostingID", want.HostingID, got.HostingID},
		field{"Resource", want.Resource, got.Resource}, field{"CertificateID", want.CertificateID, got.CertificateID},
		field{"Version", want.Version, got.Version}, field{"SerialNumber", want.SerialNumber, got.SerialNumber},
		field{"Status", want.Status, got.Status},
		field{"ReplacedCertificateID", want.ReplacedCertificateID, got.ReplacedCertificateID},
		field{"ReplacedVersion", want.ReplacedVersion, got.ReplacedVersion}, field{"Message", want.Message, got.Message},
		field{"StartedAt", want.StartedAt, got.StartedAt}, field{"FinishedAt", want.FinishedAt, got.FinishedAt})
}

// requireHosting fails t unless the store holds want, field for field.
func requireHosting(t *testing.T, s store.Reader, want *store.Hosting) {
	t.Helper()
	got, err := s.GetHosting(t.Context(), want.ID)
	if err != nil {
		t.Fatalf("GetHosting(%q): %v", want.ID, err)
	}
	if d := diffHosting(want, got); len(d) > 0 {
		t.Fatalf("hosting %q differs:\n  %s", want.ID, joinLines(d))
	}
}

// insertHostings stores every hosting in one Update, failing t on error.
func insertHostings(t *testing.T, s store.Store, hs ...*store.Hosting) {
	t.Helper()
	update(t, s, func(tx store.Tx) error {
		for _, h := range hs {
			if err := tx.InsertHosting(t.Context(), h); err != nil {
				return err
			}
		}
		return nil
	})
}

// insertDeployments stores every deployment in one Update, failing t on error.
func insertDeployments(t *testing.T, s store.Store, ds ...*store.Deployment) {
	t.Helper()
	update(t, s, func(tx store.Tx) error {
		for _, d := range ds {
			if err := tx.InsertDeployment(t.Context(), d); err != nil {
				return err
			}
		}
		return nil
	})
}

// hostingIDs returns the ids of the hostings f matches, in order.
func hostingIDs(t *testing.T, s store.Reader, f store.HostingFilter) []string {
	t.Helper()
	hs, err := s.ListHostings(t.Context(), f)
	if err != nil {
		t.Fatalf("ListHostings(%+v): %v", f, err)
	}
	ids := []string{}
	for _, h := range hs {
		ids = append(ids, h.ID)
	}
	return ids
}

// deploymentIDs returns the ids of the deployments f matches, in order.
func deploymentIDs(t *testing.T, s store.Reader, f store.DeploymentFilter) []string {
	t.Helper()
	ds, err := s.ListDeployments(t.Context(), f)
	if err != nil {
		t.Fatalf("ListDeployments(%+v): %v", f, err)
	}
	ids := []string{}
	for _, d := range ds {
		ids = append(ids, d.ID)
	}
	return ids
}

// requireIDs fails t unless got equals want.
func requireIDs(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	if want == nil {
		want = []string{}
	}
	if !slices.Equal(got, want) {
		t.Fatalf("%s: got %q, want %q", what, got, want)
	}
}

func testHostingRoundTrip(t *testing.T, s store.Store) {
	clb := Resource("CLB", "lb-1", "ap-guangzhou")
	in := Hosting("h-1", "cert-1",
		Resource("CLB", "lb-1", "ap-shanghai"),
		clb,
		Resource("CDN", "www.example.com", ""),
		clb, // listed twice: bound once
		Resource("CLB", "lb-0", "ap-guangzhou"))
	in.Project = "web"
	empty := Hosting("h-empty", "cert-2")
	empty.CreatedAt = base.Add(-time.Hour)
	insertHostings(t, s, in, empty)

	want := *in
	want.Resources = []store.PlatformResource{
		Resource("CDN", "www.example.com", ""),
		Resource("CLB", "lb-0", "ap-guangzhou"),
		Resource("CLB", "lb-1", "ap-guangzhou"),
		Resource("CLB", "lb-1", "ap-shanghai"),
	}
	requireHosting(t, s, &want)
	requireHosting(t, s, empty)
	hs, err := s.ListHostings(t.Context(), store.HostingFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(hs) != 2 {
		t.Fatalf("ListHostings: %d hostings, want 2", len(hs))
	}
	if d := append(diffHosting(empty, hs[0]), diffHosting(&want, hs[1])...); len(d) > 0 {
		t.Fatalf("ListHostings differs (or is not in creation order):\n  %s", joinLines(d))
	}
}

func testHostingErrors(t *testing.T, s store.Store) {
	r1, r2, r3 := Resource("CLB", "lb-1", "ap-guangzhou"), Resource("CLB", "lb-2", "ap-guangzhou"), Resource("WAF", "waf-1", "")
	h1 := Hosting("h-1", "cert-1", r1)
	insertHostings(t, s, h1)

	// Duplicate id, with a free resource: nothing of it is written.
	dup := Hosting("h-1", "cert-other", r3)
	err := s.Update(t.Context(), func(tx store.Tx) error { return tx.InsertHosting(t.Context(), dup) })
	requireErrorIs(t, "InsertHosting of an existing id", err, store.ErrConflict)
	requireHosting(t, s, h1)
	requireIDs(t, "hostings binding the duplicate's resource", hostingIDs(t, s, store.HostingFilter{Resource: &r3}))

	// A resource bound by another hosting: the new hosting is not written and
	// its other resources stay free, even when fn handles the error and commits.
	err = s.Update(t.Context(), func(tx store.Tx) error {
		err := tx.InsertHosting(t.Context(), Hosting("h-2", "cert-2", r2, r1))
		requireErrorIs(t, "InsertHosting binding a bound resource", err, store.ErrConflict)
		if _, err := tx.GetHosting(t.Context(), "h-2"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetHosting of the refused hosting in the transaction: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.GetHosting(t.Context(), "h-2")
	requireErrorIs(t, "GetHosting of the refused hosting", err, store.ErrNotFound)
	requireHosting(t, s, h1)

	// The same instance in another region is another resource.
	h3 := Hosting("h-3", "cert-3", Resource("CLB", "lb-1", "ap-beijing"), r2)
	insertHostings(t, s, h3)

	// Updating a hosting to bind a resource of another one is refused, and
	// changes nothing.
	moved := *h3
	moved.CertificateID = "cert-new"
	moved.Resources = []store.PlatformResource{r3, r1}
	moved.UpdatedAt = base.Add(time.Hour)
	err = s.Update(t.Context(), func(tx store.Tx) error { return tx.UpdateHosting(t.Context(), &moved) })
	requireErrorIs(t, "UpdateHosting binding another hosting's resource", err, store.ErrConflict)
	requireHosting(t, s, h3)
	requireHosting(t, s, h1)
	requireIDs(t, "hostings binding r3", hostingIDs(t, s, store.HostingFilter{Resource: &r3}))
}

func testHostingMissing(t *testing.T, s store.Store) {
	insertHostings(t, s, Hosting("present", "cert-1"))
	_, err := s.GetHosting(t.Context(), "missing")
	requireErrorIs(t, "GetHosting", err, store.ErrNotFound)
	err = s.Update(t.Context(), func(tx store.Tx) error {
		return tx.UpdateHosting(t.Context(), Hosting("missing", "cert-1", Resource("CLB", "lb-1", "")))
	})
	requireErrorIs(t, "UpdateHosting", err, store.ErrNotFound)
	err = s.Update(t.Context(), func(tx store.Tx) error { return tx.DeleteHosting(t.Context(), "missing") })
	requireErrorIs(t, "DeleteHosting", err, store.ErrNotFound)
	requireIDs(t, "ListHostings", hostingIDs(t, s, store.HostingFilter{}), "present")
}

func testHostingUpdate(t *testing.T, s store.Store) {
	keep, drop, add := Resource("CLB", "keep", "r"), Resource("CLB", "drop", "r"), Resource("CDN", "add", "")
	h := Hosting("h", "cert-1", keep, drop)
	h.Project = "web"
	insertHostings(t, s, h, Hosting("bystander", "cert-9", Resource("CLB", "other", "r")))

	in := &store.Hosting{
		ID: "h", Project: "api", CertificateID: "cert-2", Resources: []store.PlatformResource{keep, add},
		CreatedAt: base.Add(-24 * time.Hour), UpdatedAt: base.Add(5 * time.Hour),
	}
	update(t, s, func(tx store.Tx) error { return tx.UpdateHosting(t.Context(), in) })
	// The certificate, its project, the resources and the update time change; the
	// creation time stays.
	want := &store.Hosting{
		ID: "h", Project: "api", CertificateID: "cert-2", Resources: []store.PlatformResource{add, keep},
		CreatedAt: h.CreatedAt, UpdatedAt: in.UpdatedAt,
	}
	requireHosting(t, s, want)
	requireIDs(t, "hostings of project web", hostingIDs(t, s, store.HostingFilter{Projects: []string{"web"}}))
	requireIDs(t, "hostings of project api", hostingIDs(t, s, store.HostingFilter{Projects: []string{"api"}}), "h")
	requireHosting(t, s, Hosting("bystander", "cert-9", Resource("CLB", "other", "r")))
	// The dropped resource is free again.
	insertHostings(t, s, Hosting("h-2", "cert-3", drop))
	requireIDs(t, "hostings binding the dropped resource", hostingIDs(t, s, store.HostingFilter{Resource: &drop}), "h-2")

	// Unbinding everything.
	in.Resources = nil
	update(t, s, func(tx store.Tx) error { return tx.UpdateHosting(t.Context(), in) })
	want.Resources = nil
	requireHosting(t, s, want)
	insertHostings(t, s, Hosting("h-3", "cert-3", keep, add))
}

func testHostingDeleteKeepsDeployments(t *testing.T, s store.Store) {
	r := Resource("CLB", "lb-1", "ap-guangzhou")
	h := Hosting("h", "cert-1", r)
	h.Project = "web"
	insertHostings(t, s, h)
	d := Deployment("d-1", "h", "cert-1", r)
	insertDeployments(t, s, d)

	update(t, s, func(tx store.Tx) error { return tx.DeleteHosting(t.Context(), "h") })
	_, err := s.GetHosting(t.Context(), "h")
	requireErrorIs(t, "GetHosting of a deleted hosting", err, store.ErrNotFound)
	requireIDs(t, "hostings binding the resource", hostingIDs(t, s, store.HostingFilter{Resource: &r}))
	// The binding went with the hosting: the resource can be bound again.
	insertHostings(t, s, Hosting("h-new", "cert-2", r))

	// The deployment stays, still found by hosting and by its project.
	ds, err := s.ListDeployments(t.Context(), store.DeploymentFilter{HostingID: "h"})
	if err != nil {
		t.Fatal(err)
	}
	if len(ds) != 1 {
		t.Fatalf("deployments of the deleted hosting: %d, want 1", len(ds))
	}
	if diff := diffDeployment(d, ds[0]); len(diff) > 0 {
		t.Fatalf("deployment differs after its hosting was deleted:\n  %s", joinLines(diff))
	}
	requireIDs(t, "deployments of project web", deploymentIDs(t, s, store.DeploymentFilter{Projects: []string{"web"}}), "d-1")

	// And when the certificate is deleted too.
	c := Certificate("cert-1")
	insert(t, s, c)
	update(t, s, func(tx store.Tx) error { return tx.DeleteCertificate(t.Context(), "cert-1") })
	requireIDs(t, "deployments of the deleted certificate", deploymentIDs(t, s, store.DeploymentFilter{CertificateID: "cert-1"}), "d-1")
}

func testHostingList(t *testing.T, s store.Store) {
	mk := func(id, project, cert string, created time.Duration, rs ...store.PlatformResource) *store.Hosting {
		h := Hosting(id, cert, rs...)
		h.Project = project
		h.CreatedAt = base.Add(created)
		return h
	}
	lb1, lb2, cdn := Resource("CLB", "lb-1", "ap-guangzhou"), Resource("CLB", "lb-2", "ap-guangzhou"), Resource("CDN", "www", "")
	insertHostings(t, s,
		mk("h-b", "web", "cert-1", 0, lb1),
		mk("h-a", "web", "cert-2", 0, lb2, cdn), // same creation time as h-b: id order
		mk("h-c", "api", "cert-1", -time.Hour),
		mk("h-d", "ops", "cert-3", time.Hour),
	)
	for _, tc := range []struct {
		name string
		f    store.HostingFilter
		want []string
	}{
		{"no filter", store.HostingFilter{}, []string{"h-c", "h-a", "h-b", "h-d"}},
		{"certificate", store.HostingFilter{CertificateID: "cert-1"}, []string{"h-c", "h-b"}},
		{"certificate none", store.HostingFilter{CertificateID: "cert-9"}, nil},
		{"projects", store.HostingFilter{Projects: []string{"web", "ops"}}, []string{"h-a", "h-b", "h-d"}},
		{"projects empty matches nothing", store.HostingFilter{Projects: []string{}}, nil},
		{"resource", store.HostingFilter{Resource: &cdn}, []string{"h-a"}},
		{"resource other region", store.HostingFilter{Resource: &store.PlatformResource{Type: "CLB", InstanceID: "lb-1", Region: "ap-beijing"}}, nil},
		{"resource and certificate", store.HostingFilter{Resource: &lb1, CertificateID: "cert-1"}, []string{"h-b"}},
		{"resource and other certificate", store.HostingFilter{Resource: &lb1, CertificateID: "cert-2"}, nil},
		{"certificate and projects", store.HostingFilter{CertificateID: "cert-1", Projects: []string{"api"}}, []string{"h-c"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			requireIDs(t, "ListHostings", hostingIDs(t, s, tc.f), tc.want...)
		})
	}
	// A resource filter still returns every resource of the hostings it matches.
	hs, err := s.ListHostings(t.Context(), store.HostingFilter{Resource: &cdn})
	if err != nil {
		t.Fatal(err)
	}
	if len(hs) != 1 || !slices.Equal(hs[0].Resources, []store.PlatformResource{cdn, lb2}) {
		t.Fatalf("ListHostings by resource: %+v", hs)
	}
}

func testDeploymentRoundTrip(t *testing.T, s store.Store) {
	r := Resource("CLB", "lb-1", "ap-guangzhou")
	d := Deployment("d-1", "h-1", "cert-1", r)
	running := Deployment("d-2", "h-1", "cert-1", Resource("CDN", "www.example.com", ""))
	running.Status, running.FinishedAt, running.ReplacedCertificateID, running.ReplacedVersion, running.Message =
		"deploying", time.Time{}, "", 0, ""
	running.StartedAt = d.StartedAt.Add(time.Minute)
	insertDeployments(t, s, d, running)
	requireDeployments(t, s, store.DeploymentFilter{}, running, d)

	// UpdateDeployment writes the status, the message and the finish time only.
	in := *running
	in.Status, in.Message, in.FinishedAt = "failed", "timeout after 30s", running.StartedAt.Add(30*time.Second)
	in.HostingID, in.Resource, in.CertificateID, in.Version, in.SerialNumber = "h-x", r, "cert-x", 9, "ff"
	in.ReplacedCertificateID, in.ReplacedVersion, in.StartedAt = "cert-y", 8, base
	update(t, s, func(tx store.Tx) error { return tx.UpdateDeployment(t.Context(), &in) })
	want := *running
	want.Status, want.Message, want.FinishedAt = in.Status, in.Message, in.FinishedAt
	requireDeployments(t, s, store.DeploymentFilter{}, &want, d)
}

// requireDeployments fails t unless ListDeployments(f) returns want, in order, field for field.
func requireDeployments(t *testing.T, s store.Reader, f store.DeploymentFilter, want ...*store.Deployment) {
	t.Helper()
	ds, err := s.ListDeployments(t.Context(), f)
	if err != nil {
		t.Fatalf("ListDeployments(%+v): %v", f, err)
	}
	if len(ds) != len(want) {
		t.Fatalf("ListDeployments(%+v): %d deployments, want %d", f, len(ds), len(want))
	}
	for i := range want {
		if d := diffDeployment(want[i], ds[i]); len(d) > 0 {
			t.Fatalf("ListDeployments(%+v)[%d] differs:\n  %s", f, i, joinLines(d))
		}
	}
}

func testDeploymentErrors(t *testing.T, s store.Store) {
	r := Resource("CLB", "lb-1", "ap-guangzhou")
	d := Deployment("d-1", "h-1", "cert-1", r)
	insertDeployments(t, s, d)
	other := Deployment("d-1", "h-2", "cert-2", r)
	other.Message = "second"
	err := s.Update(t.Context(), func(tx store.Tx) error { return tx.InsertDeployment(t.Context(), other) })
	requireErrorIs(t, "InsertDeployment of an existing id", err, store.ErrConflict)
	err = s.Update(t.Context(), func(tx store.Tx) error {
		return tx.UpdateDeployment(t.Context(), Deployment("missing", "h-1", "cert-1", r))
	})
	requireErrorIs(t, "UpdateDeployment of a missing id", err, store.ErrNotFound)
	requireDeployments(t, s, store.DeploymentFilter{}, d)
}

func testDeploymentList(t *testing.T, s store.Store) {
	web := Hosting("h-web", "cert-1", Resource("CLB", "lb-1", "ap-guangzhou"))
	web.Project = "web"
	api := Hosting("h-api", "cert-2", Resource("CLB", "lb-2", "ap-guangzhou"))
	api.Project = "api"
	insertHostings(t, s, web, api)
	// A deployment without a hosting takes its certificate's project.
	c := Certificate("cert-3")
	c.Project = "ops"
	insert(t, s, c)

	lb1, lb2, cdn := Resource("CLB", "lb-1", "ap-guangzhou"), Resource("CLB", "lb-2", "ap-guangzhou"), Resource("CDN", "www", "")
	mk := func(id, hosting, cert string, r store.PlatformResource, started time.Duration) *store.Deployment {
		d := Deployment(id, hosting, cert, r)
		d.StartedAt = base.Add(started)
		d.FinishedAt = d.StartedAt.Add(time.Minute)
		return d
	}
	insertDeployments(t, s,
		mk("d-1", "h-web", "cert-1", lb1, 1*time.Hour),
		mk("d-2", "h-web", "cert-1", lb1, 3*time.Hour),
		mk("d-4", "h-api", "cert-2", lb2, 2*time.Hour),
		mk("d-3", "h-api", "cert-2", lb2, 2*time.Hour), // same start as d-4: id order
		mk("d-5", "", "cert-3", cdn, 4*time.Hour),
		mk("d-6", "h-web", "cert-1", Resource("CLB", "lb-1", "ap-beijing"), 0),
	)
	for _, tc := range []struct {
		name string
		f    store.DeploymentFilter
		want []string
	}{
		{"no filter, newest first", store.DeploymentFilter{}, []string{"d-5", "d-2", "d-3", "d-4", "d-1", "d-6"}},
		{"limit", store.DeploymentFilter{Limit: 3}, []string{"d-5", "d-2", "d-3"}},
		{"limit beyond", store.DeploymentFilter{Limit: 100}, []string{"d-5", "d-2", "d-3", "d-4", "d-1", "d-6"}},
		{"certificate", store.DeploymentFilter{CertificateID: "cert-1"}, []string{"d-2", "d-1", "d-6"}},
		{"hosting", store.DeploymentFilter{HostingID: "h-api"}, []string{"d-3", "d-4"}},
		{"type", store.DeploymentFilter{Type: "CDN"}, []string{"d-5"}},
		{"instance", store.DeploymentFilter{InstanceID: "lb-1"}, []string{"d-2", "d-1", "d-6"}},
		{"type and instance", store.DeploymentFilter{Type: "CLB", InstanceID: "lb-2"}, []string{"d-3", "d-4"}},
		{"type and instance none", store.DeploymentFilter{Type: "CDN", InstanceID: "lb-2"}, nil},
		{"projects via hosting", store.DeploymentFilter{Projects: []string{"web"}}, []string{"d-2", "d-1", "d-6"}},
		{"projects via certificate", store.DeploymentFilter{Projects: []string{"ops", "api"}}, []string{"d-5", "d-3", "d-4"}},
		{"projects empty matches nothing", store.DeploymentFilter{Projects: []string{}}, nil},
		{"projects unknown", store.DeploymentFilter{Projects: []string{"nobody"}}, nil},
		{"certificate, projects and limit", store.DeploymentFilter{CertificateID: "cert-1", Projects: []string{"web"}, Limit: 2}, []string{"d-2", "d-1"}},
		{"certificate outside projects", store.DeploymentFilter{CertificateID: "cert-1", Projects: []string{"api"}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			requireIDs(t, "ListDeployments", deploymentIDs(t, s, tc.f), tc.want...)
		})
	}
}
