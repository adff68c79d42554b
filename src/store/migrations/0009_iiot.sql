-- Industrial internet enterprises (工业互联网安全分类分级, R9, seed 004): an enterprise is an
-- organisation plus its profile and one grading per type (联网工业企业, 平台企业, 标识解析企业);
-- the self-grading scoring tables (versioned data), registrations with their verification by the
-- competent regulator, 符合性评测, the key-enterprise list and the annual 总结会商.

-- Scoring tables replaced by an administrator; the latest row is in force (none: the default
-- compiled into the program). Each grading keeps the version it used.
CREATE TABLE iiot_score_tables (
    id @ID@,
    version TEXT NOT NULL,
    body TEXT NOT NULL,          -- canonical JSON of the table
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX iiot_score_tables_version ON iiot_score_tables(version);

-- What the registration (信息登记, 第五条) carries besides types and levels.
CREATE TABLE iiot_enterprises (
    org_id BIGINT PRIMARY KEY REFERENCES orgs(id),
    name TEXT NOT NULL,
    contacts TEXT NOT NULL,       -- JSON array of {name, phone, email?, role?}
    security_lead TEXT NOT NULL,  -- JSON {name, title?, phone, email?} or null (网络安全负责人)
    monitoring_platform INTEGER NOT NULL DEFAULT 0, -- 企业级安全监测平台 (第九条)
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- One row per type the enterprise has: its current grading and registration state.
CREATE TABLE iiot_types (
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    etype TEXT NOT NULL,          -- connected | platform | identifier
    level INTEGER,                -- 3 三级, 2 二级, 1 一级; NULL until graded
    grading_id BIGINT,
    graded_on TEXT,
    level_since TEXT,             -- first grading at the current level (符合性评测 clock)
    factor_changed_on TEXT,       -- a grading factor changed: re-grade within 3 months (第四条)
    factor_note TEXT,
    reg_status TEXT NOT NULL DEFAULT 'draft', -- draft | submitted | returned | verified
    verified_on TEXT,
    PRIMARY KEY (org_id, etype)
);

CREATE TABLE iiot_gradings (
    id @ID@,
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    etype TEXT NOT NULL,
    level INTEGER NOT NULL,
    score INTEGER NOT NULL,
    max_score INTEGER NOT NULL,
    answers TEXT NOT NULL,        -- canonical JSON {question: option}
    table_version TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    graded_on TEXT NOT NULL,
    graded_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX iiot_gradings_org ON iiot_gradings(org_id, etype, id);

-- One item per type submitted, routed to the competent regulator kind (第三条); an immutable
-- snapshot of what was registered; the decision is made once.
CREATE TABLE iiot_registrations (
    id @ID@,
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    etype TEXT NOT NULL,
    level INTEGER NOT NULL,
    competent_kind TEXT NOT NULL, -- regulator_miit | regulator_ca
    status TEXT NOT NULL,         -- submitted | verified | returned
    snapshot TEXT NOT NULL,
    submitted_on TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    submitted_by TEXT NOT NULL,
    verify_due TEXT NOT NULL,     -- 30 working days after submitted_on (第六条, R6)
    reviewer TEXT,
    reviewer_org_id BIGINT,
    reviewed_on TEXT,
    reviewed_at TEXT,
    reasons TEXT,
    correction_due TEXT,          -- 20 working days after the return (第六条)
    comment TEXT
);
CREATE INDEX iiot_registrations_org ON iiot_registrations(org_id, etype, id);
CREATE INDEX iiot_registrations_status ON iiot_registrations(status, competent_kind, submitted_on);

-- 符合性评测 (第七条).
CREATE TABLE iiot_assessments (
    id @ID@,
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    etype TEXT NOT NULL,
    assessed_on TEXT NOT NULL,
    agency TEXT NOT NULL,
    result TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX iiot_assessments_org ON iiot_assessments(org_id, etype, assessed_on);

-- 重点企业名录 (第九条): at most one entry in force per enterprise; removals are kept.
CREATE TABLE iiot_key_enterprises (
    id @ID@,
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    regulator_org_id BIGINT NOT NULL REFERENCES orgs(id),
    reason TEXT NOT NULL,
    added_on TEXT NOT NULL,
    added_by TEXT NOT NULL,
    removed_on TEXT,
    removed_by TEXT,
    removed_reason TEXT,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX iiot_key_enterprises_active ON iiot_key_enterprises(org_id)
    WHERE removed_on IS NULL;

-- 总结会商 (第十五条): at least one plenary meeting a year.
CREATE TABLE iiot_meetings (
    id @ID@,
    regulator_org_id BIGINT NOT NULL REFERENCES orgs(id),
    held_on TEXT NOT NULL,
    title TEXT NOT NULL,
    participants TEXT NOT NULL,
    minutes TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX iiot_meetings_org ON iiot_meetings(regulator_org_id, held_on);
