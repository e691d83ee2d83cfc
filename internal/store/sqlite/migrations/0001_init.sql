-- 0001: certificates, their versions and domains, idempotency keys.
-- Times are UTC text of fixed width (2006-01-02T15:04:05.000000000Z), so text
-- order is time order and the indexes on them serve range queries.

CREATE TABLE certificates (
    id                     TEXT    NOT NULL PRIMARY KEY,
    project                TEXT    NOT NULL,
    name                   TEXT    NOT NULL,
    source                 TEXT    NOT NULL,
    standard               TEXT    NOT NULL,
    status                 TEXT    NOT NULL,
    status_code            INTEGER NOT NULL,
    tags                   TEXT    NOT NULL DEFAULT '{}', -- JSON object of strings
    ignore_notifications   INTEGER NOT NULL,
    version                INTEGER NOT NULL,
    domain                 TEXT    NOT NULL,
    sans                   TEXT    NOT NULL DEFAULT '[]', -- JSON array, also in certificate_domains
    issuer                 TEXT    NOT NULL,
    serial_number          TEXT    NOT NULL,
    not_before             TEXT    NOT NULL,
    not_after              TEXT    NOT NULL,
    fingerprint_sha256     TEXT    NOT NULL,
    key_algorithm          TEXT    NOT NULL,
    key_size               INTEGER NOT NULL,
    certificate_pem        TEXT    NOT NULL,
    leaf_pem               TEXT    NOT NULL,
    ca_chain_pem           TEXT    NOT NULL,
    chain_complete         INTEGER NOT NULL,
    encryption_cert_pem    TEXT    NOT NULL,
    private_key_sealed     BLOB,
    encryption_key_sealed  BLOB,
    private_key_write_only INTEGER NOT NULL,
    spec                   TEXT    NOT NULL,
    created_at             TEXT    NOT NULL,
    updated_at             TEXT    NOT NULL
) STRICT;

CREATE INDEX certificates_project ON certificates (project);
CREATE INDEX certificates_not_after ON certificates (not_after);
CREATE INDEX certificates_name ON certificates (name);
CREATE INDEX certificates_created ON certificates (created_at, id);

CREATE TABLE certificate_domains (
    certificate_id TEXT NOT NULL REFERENCES certificates (id) ON DELETE CASCADE,
    domain         TEXT NOT NULL,
    PRIMARY KEY (certificate_id, domain)
) STRICT, WITHOUT ROWID;

CREATE INDEX certificate_domains_domain ON certificate_domains (domain);

CREATE TABLE certificate_versions (
    certificate_id     TEXT    NOT NULL REFERENCES certificates (id) ON DELETE CASCADE,
    version            INTEGER NOT NULL,
    kind               TEXT    NOT NULL,
    serial_number      TEXT    NOT NULL,
    not_before         TEXT    NOT NULL,
    not_after          TEXT    NOT NULL,
    fingerprint_sha256 TEXT    NOT NULL,
    certificate_pem    TEXT    NOT NULL,
    created_at         TEXT    NOT NULL,
    PRIMARY KEY (certificate_id, version)
) STRICT;

CREATE TABLE idempotency (
    key          TEXT NOT NULL PRIMARY KEY,
    operation    TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    result_id    TEXT NOT NULL,
    created_at   TEXT NOT NULL
) STRICT;
