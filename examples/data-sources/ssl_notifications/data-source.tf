# What the "web" alarm sent, and what failed to go out.
data "ssl_notifications" "web" {
  policy_id = ssl_expiration_alarm.web.id
}

data "ssl_notifications" "failed_sms" {
  channel = "SMS"
  status  = "failed"
}

output "web_notifications" {
  value = [
    for n in data.ssl_notifications.web.notifications :
    "${n.created_at} ${n.channel} ${coalesce(n.recipient.email, n.recipient.phone, "webhook")}: ${n.status}"
  ]
}

output "failed_sms" {
  value = {
    for n in data.ssl_notifications.failed_sms.notifications : n.id => n.last_error
  }
}
