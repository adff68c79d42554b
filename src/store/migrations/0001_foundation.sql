-- Foundation: organisations and their tree, regulators' jurisdictions, users, sessions,
-- API tokens, login throttling, and the hash-chained audit log (R12).
-- Portable SQL; @ID@ and @BLOB@ are translated per engine (store_translate_ddl).

CREATE TABLE orgs (
    id @ID@,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    uscc TEXT NOT NULL,
    province TEXT NOT NULL,
    parent_id BIGINT REFERENCES orgs(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX orgs_uscc ON orgs(uscc);
CREATE INDEX orgs_parent ON orgs(parent_id);
CREATE INDEX orgs_province_kind ON orgs(province, kind);

-- Closure of the organisation tree: every (ancestor, descendant) pair, self included (depth 0).
CREATE TABLE org_tree (
    ancestor BIGINT NOT NULL REFERENCES orgs(id),
    descendant BIGINT NOT NULL REFERENCES orgs(id),
    depth INTEGER NOT NULL,
    PRIMARY KEY (ancestor, descendant)
);
CREATE INDEX org_tree_descendant ON org_tree(descendant);

-- What a regulator organisation supervises: province code or '*', organisation kind or '*'.
CREATE TABLE jurisdictions (
    regulator_id BIGINT NOT NULL REFERENCES orgs(id),
    province TEXT NOT NULL,
    kind TEXT NOT NULL,
    PRIMARY KEY (regulator_id, province, kind)
);

CREATE TABLE users (
    id @ID@,
    username TEXT NOT NULL,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL,
    org_id BIGINT REFERENCES orgs(id),
    password_hash TEXT NOT NULL,
    must_change_password INTEGER NOT NULL DEFAULT 1,
    disabled INTEGER NOT NULL DEFAULT 0,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until BIGINT,
    last_login_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX users_username ON users(username);
CREATE INDEX users_org ON users(org_id);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id),
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_seen BIGINT NOT NULL,
    client_addr TEXT
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
    id @ID@,
    user_id BIGINT NOT NULL REFERENCES users(id),
    name TEXT NOT NULL,
    scope TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at BIGINT,
    last_used BIGINT,
    revoked INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX api_tokens_hash ON api_tokens(token_hash);
CREATE INDEX api_tokens_user ON api_tokens(user_id);

CREATE TABLE login_failures (
    client_addr TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    window_start BIGINT NOT NULL
);

-- R12: h_n = SM3(h_{n-1} || canonical bytes of record n); audit_head holds the tip, and updating
-- it first serialises writers across processes.
CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY,
    at TEXT NOT NULL,
    actor_id BIGINT,
    actor_name TEXT,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT,
    org_id BIGINT,
    before_json TEXT,
    after_json TEXT,
    request_id TEXT,
    client_addr TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_action ON audit_log(action);
CREATE INDEX audit_log_entity ON audit_log(entity, entity_id);

CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
