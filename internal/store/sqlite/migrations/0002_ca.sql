-- 0002: issuing CA hierarchies and the serial numbers they issued.
-- Times are UTC text of fixed width, as in 0001. Serials have no foreign key to
-- certificates: they outlive their certificate record, so that a CRL keeps
-- listing them after the record is deleted.

CREATE TABLE authorities (
    id                      TEXT    NOT NULL PRIMARY KEY, -- "<brand>-<algorithm>"
    brand                   TEXT    NOT NULL,
    key_algorithm           TEXT    NOT NULL,
    root_pem                TEXT    NOT NULL,
    intermediate_pem        TEXT    NOT NULL,
    root_key_sealed         BLOB,
    intermediate_key_sealed BLOB,
    crl_number              INTEGER NOT NULL, -- last CRL number used
    created_at              TEXT    NOT NULL
) STRICT;

CREATE TABLE serials (
    ca_id          TEXT    NOT NULL,
    serial         TEXT    NOT NULL, -- lowercase hex
    certificate_id TEXT    NOT NULL,
    version        INTEGER NOT NULL,
    not_after      TEXT    NOT NULL,
    revoked        INTEGER NOT NULL,
    revoked_at     TEXT    NOT NULL, -- the zero time while not revoked
    reason         INTEGER NOT NULL, -- RFC 5280 CRLReason code
    created_at     TEXT    NOT NULL,
    PRIMARY KEY (ca_id, serial)
) STRICT;

CREATE INDEX serials_certificate ON serials (certificate_id);
-- Serves ListRevokedSerials: one CA's revoked serials, already in serial order.
CREATE INDEX serials_ca_revoked ON serials (ca_id, revoked, serial);
