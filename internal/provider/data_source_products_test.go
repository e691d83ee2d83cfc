package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

const productsConfig = `
data "ssl_products" "all" {}

data "ssl_products" "wotrus" {
  brand = "WoTrus"
}

data "ssl_products" "securesite_ov" {
  brand            = "SecureSite"
  certificate_type = "OV"
}

data "ssl_products" "free" {
  certificate_type = "FREE_DV"
}

data "ssl_products" "dnspod_ov" {
  brand            = "DNSPod"
  certificate_type = "OV"
}
`

// wotrusProduct is a WoTrus product as the catalogue lists it (rule M2: no reminders).
func wotrusProduct(typ string) knownvalue.Check {
	return knownvalue.ObjectPartial(map[string]knownvalue.Check{
		"brand":                knownvalue.StringExact("WoTrus"),
		"certificate_type":     knownvalue.StringExact(typ),
		"review_reminder":      knownvalue.Bool(false),
		"reminder_after_hours": knownvalue.Int64Exact(0),
		"key_algorithms":       knownvalue.ListExact([]knownvalue.Check{knownvalue.StringExact("RSA"), knownvalue.StringExact("ECC"), knownvalue.StringExact("SM2")}),
	})
}

func productStrings(exts ...string) knownvalue.Check {
	checks := make([]knownvalue.Check, 0, len(exts))
	for _, e := range exts {
		checks = append(checks, knownvalue.StringExact(e))
	}
	return knownvalue.ListExact(checks)
}

func TestAccProductsDataSource(t *testing.T) {
	env := newTestEnv(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: env.factories,
		Steps: []resource.TestStep{
			{
				Config: env.config(`
data "ssl_products" "bad" {
  brand = "Symantec"
}
`),
				ExpectError: summary("Invalid Attribute Value Match"),
			},
			{
				Config: env.config(`
data "ssl_products" "bad" {
  certificate_type = "dv"
}
`),
				ExpectError: summary("Invalid Attribute Value Match"),
			},
			{
				Config: env.config(productsConfig),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.ssl_products.all", tfjsonpath.New("products"), knownvalue.ListSizeExact(18)),
					statecheck.ExpectKnownValue("data.ssl_products.wotrus", tfjsonpath.New("products"),
						knownvalue.ListExact([]knownvalue.Check{wotrusProduct("OV"), wotrusProduct("DV"), wotrusProduct("EV")})),
					statecheck.ExpectKnownValue("data.ssl_products.securesite_ov", tfjsonpath.New("products"),
						knownvalue.ListExact([]knownvalue.Check{knownvalue.ObjectExact(map[string]knownvalue.Check{
							"brand":                 knownvalue.StringExact("SecureSite"),
							"certificate_type":      knownvalue.StringExact("OV"),
							"validation_level":      knownvalue.StringExact("OV"),
							"free":                  knownvalue.Bool(false),
							"domain_types":          productStrings("single", "multiple", "wildcard"),
							"key_algorithms":        productStrings("RSA", "ECC"),
							"max_validity_days":     knownvalue.Int64Exact(365),
							"default_validity_days": knownvalue.Int64Exact(365),
							"review_reminder":       knownvalue.Bool(true),
							"reminder_after_hours":  knownvalue.Int64Exact(72),
							"revocation_letter_types": knownvalue.MapExact(map[string]knownvalue.Check{
								"RSA": productStrings("jpg", "png", "pdf"),
								"ECC": productStrings("jpg", "png", "pdf"),
							}),
						})})),
					statecheck.ExpectKnownValue("data.ssl_products.free", tfjsonpath.New("products"),
						knownvalue.ListExact([]knownvalue.Check{knownvalue.ObjectPartial(map[string]knownvalue.Check{
							"brand":                   knownvalue.StringExact("SecureSite"),
							"free":                    knownvalue.Bool(true),
							"validation_level":        knownvalue.StringExact("DV"),
							"domain_types":            productStrings("single"),
							"max_validity_days":       knownvalue.Int64Exact(90),
							"review_reminder":         knownvalue.Bool(true),
							"reminder_after_hours":    knownvalue.Int64Exact(24),
							"revocation_letter_types": knownvalue.MapExact(map[string]knownvalue.Check{}),
						})})),
					statecheck.ExpectKnownValue("data.ssl_products.dnspod_ov", tfjsonpath.New("products"),
						knownvalue.ListExact([]knownvalue.Check{knownvalue.ObjectPartial(map[string]knownvalue.Check{
							"review_reminder": knownvalue.Bool(false),
							"revocation_letter_types": knownvalue.MapExact(map[string]knownvalue.Check{
								"RSA": productStrings("jpg", "png", "pdf"),
								"ECC": productStrings("jpg", "png", "pdf"),
								"SM2": productStrings("jpg", "gif", "pdf"),
							}),
						})})),
				},
			},
			{
				Config: env.config(`
data "ssl_products" "geotrust_dv" {
  brand            = "GeoTrust"
  certificate_type = "DV"
}
`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("data.ssl_products.geotrust_dv", tfjsonpath.New("products"), knownvalue.ListSizeExact(0)),
				},
			},
		},
	})
}
