-- 0003: hostings (certificate ↔ platform resources), deployments, expiration
-- alarm policies, their firing records and the notification outbox.
-- Times are UTC text of fixed width, as in 0001. Deployments and notifications are
-- history: they have no foreign keys and outlive their hosting, certificate or
-- policy. Each keeps the project it was written under (copied from its hosting or
-- certificate, or from its policy), so that a project-scoped list still finds it
-- after that record is deleted.

CREATE TABLE hostings (
    id             TEXT NOT NULL PRIMARY KEY,
    project        TEXT NOT NULL,
    certificate_id TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
) STRICT;

CREATE INDEX hostings_certificate ON hostings (certificate_id);
CREATE INDEX hostings_created ON hostings (created_at, id);

-- A platform resource serves one certificate at a time: the key spans every hosting.
CREATE TABLE hosting_resources (
    hosting_id  TEXT NOT NULL REFERENCES hostings (id) ON DELETE CASCADE,
    type        TEXT NOT NULL,
    instance_id TEXT NOT NULL,
    region      TEXT NOT NULL, -- '' when the type has no regions
    PRIMARY KEY (type, instance_id, region)
) STRICT, WITHOUT ROWID;

CREATE INDEX hosting_resources_hosting ON hosting_resources (hosting_id);

CREATE TABLE deployments (
    id                      TEXT    NOT NULL PRIMARY KEY,
    hosting_id              TEXT    NOT NULL,
    project                 TEXT    NOT NULL, -- of the hosting (else the certificate) at insert
    type                    TEXT    NOT NULL,
    instance_id             TEXT    NOT NULL,
    region                  TEXT    NOT NULL,
    certificate_id          TEXT    NOT NULL,
    version                 INTEGER NOT NULL,
    serial_number           TEXT    NOT NULL,
    status                  TEXT    NOT NULL,
    replaced_certificate_id TEXT    NOT NULL,
    replaced_version        INTEGER NOT NULL,
    message                 TEXT    NOT NULL,
    started_at              TEXT    NOT NULL,
    finished_at             TEXT    NOT NULL -- the zero time while deploying
) STRICT;

CREATE INDEX deployments_certificate ON deployments (certificate_id);
CREATE INDEX deployments_resource ON deployments (type, instance_id);
CREATE INDEX deployments_hosting ON deployments (hosting_id);
CREATE INDEX deployments_started ON deployments (started_at);

CREATE TABLE alarm_policies (
    id                    TEXT    NOT NULL PRIMARY KEY,
    name                  TEXT    NOT NULL,
    remarks               TEXT    NOT NULL,
    project               TEXT    NOT NULL,
    days_before_expiry    INTEGER NOT NULL,
    repeat_interval       TEXT    NOT NULL,
    recipients            TEXT    NOT NULL DEFAULT '[]', -- JSON array of {name, email, phone}
    channels              TEXT    NOT NULL DEFAULT '[]', -- JSON array of strings
    webhook_url           TEXT    NOT NULL,
    webhook_secret_sealed BLOB,
    enabled               INTEGER NOT NULL,
    last_evaluated_at     TEXT    NOT NULL,
    created_at            TEXT    NOT NULL,
    updated_at            TEXT    NOT NULL
) STRICT;

CREATE INDEX alarm_policies_project ON alarm_policies (project);

-- The certificates a policy names explicitly, in the policy's order; a policy
-- without rows here covers every certificate of its project. No foreign key to
-- certificates: deleting one must not turn a policy into a project-wide one.
CREATE TABLE alarm_policy_certificates (
    policy_id      TEXT    NOT NULL REFERENCES alarm_policies (id) ON DELETE CASCADE,
    certificate_id TEXT    NOT NULL,
    ordinal        INTEGER NOT NULL,
    PRIMARY KEY (policy_id, certificate_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX alarm_policy_certificates_certificate ON alarm_policy_certificates (certificate_id);

-- When a (policy, certificate, not_after) last fired; a renewed certificate has a
-- new not_after and so starts afresh.
CREATE TABLE alarm_firings (
    policy_id      TEXT NOT NULL REFERENCES alarm_policies (id) ON DELETE CASCADE,
    certificate_id TEXT NOT NULL,
    not_after      TEXT NOT NULL,
    last_fired_at  TEXT NOT NULL,
    PRIMARY KEY (policy_id, certificate_id, not_after)
) STRICT, WITHOUT ROWID;

CREATE TABLE notifications (
    id              TEXT    NOT NULL PRIMARY KEY,
    dedup_key       TEXT    NOT NULL UNIQUE,
    policy_id       TEXT    NOT NULL,
    project         TEXT    NOT NULL, -- of the policy at insert
    certificate_id  TEXT    NOT NULL,
    not_after       TEXT    NOT NULL,
    days_left       INTEGER NOT NULL,
    recipient_name  TEXT    NOT NULL,
    recipient_email TEXT    NOT NULL,
    recipient_phone TEXT    NOT NULL,
    channel         TEXT    NOT NULL,
    status          TEXT    NOT NULL,
    attempts        INTEGER NOT NULL,
    next_attempt_at TEXT    NOT NULL,
    last_error      TEXT    NOT NULL,
    created_at      TEXT    NOT NULL,
    sent_at         TEXT    NOT NULL -- the zero time until sent
) STRICT;

CREATE INDEX notifications_due ON notifications (status, next_attempt_at);
CREATE INDEX notifications_policy ON notifications (policy_id);
CREATE INDEX notifications_certificate ON notifications (certificate_id);
CREATE INDEX notifications_created ON notifications (created_at, id);
