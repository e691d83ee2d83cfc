-- 0002: issuing CA hierarchies and the serial numbers they issued.
-- The same logical schema as the SQLite store's 0002_ca.sql. Keys that are
-- ordered use the "C" collation (byte order, as in SQLite). Serials have no
-- foreign key to certificates: they outlive their certificate record, so that a
-- CRL keeps listing them after the record is deleted.

CREATE TABLE authorities (
    id                      text COLLATE "C" NOT NULL PRIMARY KEY, -- "<brand>-<algorithm>"
    brand                   text        NOT NULL,
    key_algorithm           text        NOT NULL,
    root_pem                text        NOT NULL,
    intermediate_pem        text        NOT NULL,
    root_key_sealed         bytea,
    intermediate_key_sealed bytea,
    crl_number              bigint      NOT NULL, -- last CRL number used
    created_at              timestamptz NOT NULL
);

CREATE TABLE serials (
    ca_id          text COLLATE "C" NOT NULL,
    serial         text COLLATE "C" NOT NULL, -- lowercase hex
    certificate_id text COLLATE "C" NOT NULL,
    version        bigint      NOT NULL,
    not_after      timestamptz NOT NULL,
    revoked        boolean     NOT NULL,
    revoked_at     timestamptz NOT NULL, -- the zero time while not revoked
    reason         bigint      NOT NULL, -- RFC 5280 CRLReason code
    created_at     timestamptz NOT NULL,
    PRIMARY KEY (ca_id, serial)
);

CREATE INDEX serials_certificate ON serials (certificate_id);
-- Serves ListRevokedSerials: one CA's revoked serials, already in serial order.
CREATE INDEX serials_ca_revoked ON serials (ca_id, revoked, serial);
