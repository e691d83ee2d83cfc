-- 0003: hostings (certificate ↔ platform resources), deployments, expiration
-- alarm policies, their firing records and the notification outbox.
-- The same logical schema as the SQLite store's 0003_hosting_alarms.sql. Keys
-- and ordered text use the "C" collation (byte order, as in SQLite).
-- Deployments and notifications are history: they have no foreign keys and
-- outlive their hosting, certificate or policy. Each keeps the project it was
-- written under (copied from its hosting or certificate, or from its policy), so
-- that a project-scoped list still finds it after that record is deleted.

CREATE TABLE hostings (
    id             text COLLATE "C" NOT NULL PRIMARY KEY,
    project        text COLLATE "C" NOT NULL,
    certificate_id text COLLATE "C" NOT NULL,
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL
);

CREATE INDEX hostings_certificate ON hostings (certificate_id);
CREATE INDEX hostings_created ON hostings (created_at, id);

-- A platform resource serves one certificate at a time: the key spans every hosting.
CREATE TABLE hosting_resources (
    hosting_id  text COLLATE "C" NOT NULL REFERENCES hostings (id) ON DELETE CASCADE,
    type        text COLLATE "C" NOT NULL,
    instance_id text COLLATE "C" NOT NULL,
    region      text COLLATE "C" NOT NULL, -- '' when the type has no regions
    PRIMARY KEY (type, instance_id, region)
);

CREATE INDEX hosting_resources_hosting ON hosting_resources (hosting_id);

CREATE TABLE deployments (
    id                      text COLLATE "C" NOT NULL PRIMARY KEY,
    hosting_id              text COLLATE "C" NOT NULL,
    project                 text COLLATE "C" NOT NULL, -- of the hosting (else the certificate) at insert
    type                    text COLLATE "C" NOT NULL,
    instance_id             text COLLATE "C" NOT NULL,
    region                  text COLLATE "C" NOT NULL,
    certificate_id          text COLLATE "C" NOT NULL,
    version                 bigint      NOT NULL,
    serial_number           text        NOT NULL,
    status                  text COLLATE "C" NOT NULL,
    replaced_certificate_id text        NOT NULL,
    replaced_version        bigint      NOT NULL,
    message                 text        NOT NULL,
    started_at              timestamptz NOT NULL,
    finished_at             timestamptz NOT NULL -- the zero time while deploying
);

CREATE INDEX deployments_certificate ON deployments (certificate_id);
CREATE INDEX deployments_resource ON deployments (type, instance_id);
CREATE INDEX deployments_hosting ON deployments (hosting_id);
CREATE INDEX deployments_started ON deployments (started_at);

CREATE TABLE alarm_policies (
    id                    text COLLATE "C" NOT NULL PRIMARY KEY,
    name                  text        NOT NULL,
    remarks               text        NOT NULL,
    project               text COLLATE "C" NOT NULL,
    days_before_expiry    bigint      NOT NULL,
    repeat_interval       text        NOT NULL,
    recipients            jsonb       NOT NULL DEFAULT '[]', -- array of {name, email, phone}
    channels              jsonb       NOT NULL DEFAULT '[]', -- array of strings
    webhook_url           text        NOT NULL,
    webhook_secret_sealed bytea,
    enabled               boolean     NOT NULL,
    last_evaluated_at     timestamptz NOT NULL,
    created_at            timestamptz NOT NULL,
    updated_at            timestamptz NOT NULL
);

CREATE INDEX alarm_policies_project ON alarm_policies (project);

-- The certificates a policy names explicitly, in the policy's order; a policy
-- without rows here covers every certificate of its project. No foreign key to
-- certificates: deleting one must not turn a policy into a project-wide one.
CREATE TABLE alarm_policy_certificates (
    policy_id      text COLLATE "C" NOT NULL REFERENCES alarm_policies (id) ON DELETE CASCADE,
    certificate_id text COLLATE "C" NOT NULL,
    ordinal        bigint NOT NULL,
    PRIMARY KEY (policy_id, certificate_id)
);

CREATE INDEX alarm_policy_certificates_certificate ON alarm_policy_certificates (certificate_id);

-- When a (policy, certificate, not_after) last fired; a renewed certificate has a
-- new not_after and so starts afresh.
CREATE TABLE alarm_firings (
    policy_id      text COLLATE "C" NOT NULL REFERENCES alarm_policies (id) ON DELETE CASCADE,
    certificate_id text COLLATE "C" NOT NULL,
    not_after      timestamptz NOT NULL,
    last_fired_at  timestamptz NOT NULL,
    PRIMARY KEY (policy_id, certificate_id, not_after)
);

CREATE TABLE notifications (
    id              text COLLATE "C" NOT NULL PRIMARY KEY,
    dedup_key       text COLLATE "C" NOT NULL UNIQUE,
    policy_id       text COLLATE "C" NOT NULL,
    project         text COLLATE "C" NOT NULL, -- of the policy at insert
    certificate_id  text COLLATE "C" NOT NULL,
    not_after       timestamptz NOT NULL,
    days_left       bigint      NOT NULL,
    recipient_name  text        NOT NULL,
    recipient_email text        NOT NULL,
    recipient_phone text        NOT NULL,
    channel         text COLLATE "C" NOT NULL,
    status          text COLLATE "C" NOT NULL,
    attempts        bigint      NOT NULL,
    next_attempt_at timestamptz NOT NULL,
    last_error      text        NOT NULL,
    created_at      timestamptz NOT NULL,
    sent_at         timestamptz NOT NULL -- the zero time until sent
);

CREATE INDEX notifications_due ON notifications (status, next_attempt_at);
CREATE INDEX notifications_policy ON notifications (policy_id);
CREATE INDEX notifications_certificate ON notifications (certificate_id);
CREATE INDEX notifications_created ON notifications (created_at, id);
