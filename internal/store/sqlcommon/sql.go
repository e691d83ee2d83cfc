package sqlcommon

// SQL text that reads the same in both dialects. Statements with parameters or
// dialect-specific expressions stay in each store.

// PolicySelect selects policies with their explicit certificates, one row per
// certificate (one row with a NULL certificate for a policy naming none), in
// the order the scan groups them by: policy id, then the policy's order.
const PolicySelect = `SELECT p.id, p.name, p.remarks, p.project, p.days_before_expiry, p.repeat_interval,
	p.recipients, p.channels, p.webhook_url, p.webhook_secret_sealed, p.enabled, p.last_evaluated_at,
	p.created_at, p.updated_at, pc.certificate_id
	FROM alarm_policies p LEFT JOIN alarm_policy_certificates pc ON pc.policy_id = p.id`

// PolicyOrder is the ORDER BY of a PolicySelect query.
const PolicyOrder = ` ORDER BY p.id, pc.ordinal`

// PolicyColumns are the columns of alarm_policies, id first.
var PolicyColumns = []string{"id", "name", "remarks", "project", "days_before_expiry", "repeat_interval",
	"recipients", "channels", "webhook_url", "webhook_secret_sealed", "enabled", "last_evaluated_at",
	"created_at", "updated_at"}

// NotificationColumns are the columns of a notification, in scan order (the
// project is written, never read back).
const NotificationColumns = `id, dedup_key, policy_id, certificate_id, not_after, days_left,
	recipient_name, recipient_email, recipient_phone, channel, status, attempts, next_attempt_at,
	last_error, created_at, sent_at`

// HostingSelect selects hostings with their resources, one row per resource (one
// row with NULL resource columns for a hosting without any), in the order the
// scan groups them by: hosting creation time, id, then resource order.
const HostingSelect = `SELECT h.id, h.project, h.certificate_id, h.created_at, h.updated_at,
	r.type, r.instance_id, r.region
	FROM hostings h LEFT JOIN hosting_resources r ON r.hosting_id = h.id`

// HostingOrder is the ORDER BY of a HostingSelect query.
const HostingOrder = ` ORDER BY h.created_at, h.id, r.type, r.instance_id, r.region`

// DeploymentColumns are the columns of a deployment, in scan order (the project
// is written, never read back).
const DeploymentColumns = `id, hosting_id, type, instance_id, region, certificate_id, version,
	serial_number, status, replaced_certificate_id, replaced_version, message, started_at, finished_at`

// CertificateListColumns are the certificate columns a list returns: every one
// but the secrets.
const CertificateListColumns = `id, project, name, source, standard, status, status_code, tags,
	ignore_notifications, version, domain, sans, issuer, serial_number, not_before,
	not_after, fingerprint_sha256, key_algorithm, key_size, certificate_pem, leaf_pem,
	ca_chain_pem, chain_complete, encryption_cert_pem, private_key_write_only, spec,
	created_at, updated_at`

// CertificateGetColumns are CertificateListColumns followed by the sealed secrets.
const CertificateGetColumns = CertificateListColumns + `, private_key_sealed, encryption_key_sealed`

// AuthorityColumns are the columns of an authority, in scan order.
const AuthorityColumns = `id, brand, key_algorithm, root_pem, intermediate_pem,
	root_key_sealed, intermediate_key_sealed, crl_number, created_at`

// SerialColumns are the columns of a serial, in scan order.
const SerialColumns = `ca_id, serial, certificate_id, version, not_after, revoked, revoked_at, reason, created_at`
