# An expiration alarm is imported by its id. The webhook secret is never read
# back: keep webhook_secret (or webhook_secret_wo) in the configuration and the
# next apply sends it again.
terraform import ssl_expiration_alarm.web alarm-0a1b2c3d4e5f
