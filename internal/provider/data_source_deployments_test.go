package provider

import (
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// deploymentsDataConfig binds upload a to a CLB listener and a CDN domain (hosting
// one) and upload b to another CDN domain (hosting two), and reads ssl_deployments
// with each filter.
func deploymentsDataConfig(a, b string) string {
	return a + b +
		hostingConfig("one", "ssl_certificate_upload.a.id", clbWWW, cdnCDN) +
		hostingConfig("two", "ssl_certificate_upload.b.id", hostedResource{"CDN", "api.example.test", ""}) + `
data "ssl_deployments" "all" {
  depends_on = [ssl_resource_hosting.one, ssl_resource_hosting.two]
}

data "ssl_deployments" "by_certificate" {
  certificate_id = ssl_certificate_upload.a.id
  depends_on     = [ssl_resource_hosting.one, ssl_resource_hosting.two]
}

data "ssl_deployments" "by_type" {
  type       = "CDN"
  depends_on = [ssl_resource_hosting.one, ssl_resource_hosting.two]
}

data "ssl_deployments" "by_instance" {
  instance_id = "cdn.example.test"
  depends_on  = [ssl_resource_hosting.one, ssl_resource_hosting.two]
}

data "ssl_deployments" "by_hosting" {
  hosting_id = ssl_resource_hosting.two.id
}

data "ssl_deployments" "newest" {
  certificate_id = ssl_certificate_upload.a.id
  limit          = 1
  depends_on     = [ssl_resource_hosting.one]
}
`
}

// TestAccDeployments_filters reads deployments by certificate, type, instance id and
// hosting, with a limit, and after a rotation sees the new ones first.
func TestAccDeployments_filters(t *testing.T) {
	env := newTestEnv(t)
	leafA := newLeaf(t, "www.example.test", "cdn.example.test")
	leafA2 := newLeaf(t, "www.example.test", "cdn.example.test")
	leafB := newLeaf(t, "api.example.test")
	uploadB := hostingUploadConfig(t, "b", leafB, "")
	count := func(name string, n int) statecheck.StateCheck {
		return statecheck.ExpectKnownValue("data.ssl_deployments."+name, tfjsonpath.New("deployments"), knownvalue.ListSizeExact(n))
	}
	deployment := func(typ, instance string, version int64) knownvalue.Check {
		return knownvalue.ObjectPartial(map[string]knownvalue.Check{
			"type":          knownvalue.StringExact(typ),
			"instance_id":   knownvalue.StringExact(instance),
			"status":        knownvalue.StringExact("deployed"),
			"version":       knownvalue.Int64Exact(version),
			"hosting_id":    knownvalue.StringRegexp(regexp.MustCompile(`^host-`)),
			"serial_number": knownvalue.StringRegexp(regexp.MustCompile(`^[0-9a-f]+$`)),
		})
	}
	byInstance := tfjsonpath.New("deployments").AtSliceIndex(0)

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories,
		Steps: []resource.TestStep{
			{
				Config:      env.config(`data "ssl_deployments" "bad" { type = "ELB" }`),
				ExpectError: regexp.MustCompile(`value must be one of`),
			},
			{
				Config: env.config(deploymentsDataConfig(hostingUploadConfig(t, "a", leafA, lifecycleCreateBeforeDestroy), uploadB)),
				ConfigStateChecks: []statecheck.StateCheck{
					count("all", 3),
					count("by_certificate", 2),
					count("by_type", 2),
					count("by_instance", 1),
					count("by_hosting", 1),
					count("newest", 1),
					statecheck.ExpectKnownValue("data.ssl_deployments.by_certificate", tfjsonpath.New("deployments"), knownvalue.SetExact([]knownvalue.Check{
						deployment("CLB", clbWWW.instanceID, 1), deployment("CDN", "cdn.example.test", 1),
					})),
					statecheck.ExpectKnownValue("data.ssl_deployments.by_type", tfjsonpath.New("deployments"), knownvalue.SetExact([]knownvalue.Check{
						deployment("CDN", "api.example.test", 1), deployment("CDN", "cdn.example.test", 1),
					})),
					statecheck.ExpectKnownValue("data.ssl_deployments.by_hosting", tfjsonpath.New("deployments"), knownvalue.ListExact([]knownvalue.Check{
						deployment("CDN", "api.example.test", 1),
					})),
					statecheck.ExpectKnownValue("data.ssl_deployments.by_instance", byInstance.AtMapKey("region"), knownvalue.Null()),
					statecheck.ExpectKnownValue("data.ssl_deployments.by_instance", byInstance.AtMapKey("replaced_certificate_id"), knownvalue.Null()),
					statecheck.CompareValuePairs("data.ssl_deployments.by_instance", byInstance.AtMapKey("hosting_id"),
						"ssl_resource_hosting.one", tfjsonpath.New("id"), compare.ValuesSame()),
					statecheck.CompareValuePairs("data.ssl_deployments.by_instance", byInstance.AtMapKey("certificate_id"),
						"ssl_certificate_upload.a", tfjsonpath.New("id"), compare.ValuesSame()),
					statecheck.CompareValuePairs("data.ssl_deployments.by_hosting", tfjsonpath.New("deployments").AtSliceIndex(0).AtMapKey("certificate_id"),
						"ssl_certificate_upload.b", tfjsonpath.New("id"), compare.ValuesSame()),
				},
			},
			// A rotation of a (H1) adds a deployment per resource, newest first.
			{
				PreConfig: func() { env.clock.Advance(time.Hour) },
				Config:    env.config(deploymentsDataConfig(hostingUploadConfig(t, "a", leafA2, lifecycleCreateBeforeDestroy), uploadB)),
			},
			{
				Config: env.config(deploymentsDataConfig(hostingUploadConfig(t, "a", leafA2, lifecycleCreateBeforeDestroy), uploadB)),
				ConfigStateChecks: []statecheck.StateCheck{
					count("all", 5),
					count("by_certificate", 4),
					count("by_instance", 2),
					count("newest", 1),
					statecheck.ExpectKnownValue("data.ssl_deployments.by_instance", tfjsonpath.New("deployments"), knownvalue.ListExact([]knownvalue.Check{
						deployment("CDN", "cdn.example.test", 2), deployment("CDN", "cdn.example.test", 1),
					})),
					statecheck.ExpectKnownValue("data.ssl_deployments.newest", tfjsonpath.New("deployments").AtSliceIndex(0).AtMapKey("version"), knownvalue.Int64Exact(2)),
					statecheck.ExpectKnownValue("data.ssl_deployments.by_instance", byInstance.AtMapKey("serial_number"), knownvalue.StringExact(leafSerial(leafA2))),
					statecheck.ExpectKnownValue("data.ssl_deployments.by_instance", byInstance.AtMapKey("replaced_version"), knownvalue.Int64Exact(1)),
					statecheck.CompareValuePairs("data.ssl_deployments.by_instance", byInstance.AtMapKey("replaced_certificate_id"),
						"ssl_certificate_upload.a", tfjsonpath.New("id"), compare.ValuesSame()),
				},
			},
		},
	})
}
