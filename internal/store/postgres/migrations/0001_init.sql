-- 0001: certificates, their versions and domains, idempotency keys.
-- The same logical schema as the SQLite store's 0001_init.sql. Text keys use the
-- "C" collation so that ordering (ORDER BY created_at, id) is byte order, as in
-- SQLite, whatever the database's default collation is. Times are timestamptz
-- (microsecond precision).

CREATE TABLE certificates (
    id                     text COLLATE "C" NOT NULL PRIMARY KEY,
    project                text COLLATE "C" NOT NULL,
    name                   text COLLATE "C" NOT NULL,
    source                 text COLLATE "C" NOT NULL,
    standard               text        NOT NULL,
    status                 text COLLATE "C" NOT NULL,
    status_code            bigint      NOT NULL,
    tags                   jsonb       NOT NULL DEFAULT '{}', -- object of strings
    ignore_notifications   boolean     NOT NULL,
    version                bigint      NOT NULL,
    domain                 text        NOT NULL,
    sans                   text[]      NOT NULL DEFAULT '{}', -- in order; also in certificate_domains
    issuer                 text        NOT NULL,
    serial_number          text        NOT NULL,
    not_before             timestamptz NOT NULL,
    not_after              timestamptz NOT NULL,
    fingerprint_sha256     text        NOT NULL,
    key_algorithm          text        NOT NULL,
    key_size               bigint      NOT NULL,
    certificate_pem        text        NOT NULL,
    leaf_pem               text        NOT NULL,
    ca_chain_pem           text        NOT NULL,
    chain_complete         boolean     NOT NULL,
    encryption_cert_pem    text        NOT NULL,
    private_key_sealed     bytea,
    encryption_key_sealed  bytea,
    private_key_write_only boolean     NOT NULL,
    spec                   text        NOT NULL, -- opaque JSON text, kept byte for byte
    created_at             timestamptz NOT NULL,
    updated_at             timestamptz NOT NULL
);

CREATE INDEX certificates_project ON certificates (project);
CREATE INDEX certificates_not_after ON certificates (not_after);
CREATE INDEX certificates_name ON certificates (name);
CREATE INDEX certificates_created ON certificates (created_at, id);
CREATE INDEX certificates_tags ON certificates USING gin (tags jsonb_path_ops);

CREATE TABLE certificate_domains (
    certificate_id text COLLATE "C" NOT NULL REFERENCES certificates (id) ON DELETE CASCADE,
    domain         text COLLATE "C" NOT NULL,
    PRIMARY KEY (certificate_id, domain)
);

CREATE INDEX certificate_domains_domain ON certificate_domains (domain);

CREATE TABLE certificate_versions (
    certificate_id     text COLLATE "C" NOT NULL REFERENCES certificates (id) ON DELETE CASCADE,
    version            bigint      NOT NULL,
    kind               text        NOT NULL,
    serial_number      text        NOT NULL,
    not_before         timestamptz NOT NULL,
    not_after          timestamptz NOT NULL,
    fingerprint_sha256 text        NOT NULL,
    certificate_pem    text        NOT NULL,
    created_at         timestamptz NOT NULL,
    PRIMARY KEY (certificate_id, version)
);

CREATE TABLE idempotency (
    key          text COLLATE "C" NOT NULL PRIMARY KEY,
    operation    text        NOT NULL,
    request_hash text        NOT NULL,
    result_id    text        NOT NULL,
    created_at   timestamptz NOT NULL
);
