# Every product of the catalogue.
data "ssl_products" "all" {}

# One brand and type: does a pending order take a review reminder, and when?
data "ssl_products" "securesite_ov" {
  brand            = "SecureSite"
  certificate_type = "OV"
}

output "securesite_ov_reminder_after_hours" {
  value = one(data.ssl_products.securesite_ov.products).reminder_after_hours
}

# The products whose pending orders can be sent a reminder (send_reminder = true).
output "products_with_reminders" {
  value = [
    for p in data.ssl_products.all.products : "${p.brand} ${p.certificate_type}"
    if p.review_reminder
  ]
}
