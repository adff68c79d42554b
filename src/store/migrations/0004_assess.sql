-- 符合性评测 (seed 000 §三) and 风险评估 (§四, annex 3, R7): check-item lists, item results,
-- uploaded files and their links, and the children of a risk assessment. The parent tables
-- `assessments` and `risk_assessments` are in 0003_duties.sql, where the duty producers read them.

-- Check-item lists (检查项清单), imported by a system administrator for one unit type and level.
-- A list never changes once imported: a new version is a new list, and an assessment keeps the
-- list it was run against.
CREATE TABLE checklists (
    id @ID@,
    name TEXT NOT NULL,
    version TEXT NOT NULL,
    unit_type TEXT NOT NULL,
    level INTEGER NOT NULL,
    source_name TEXT NOT NULL DEFAULT '',
    item_count INTEGER NOT NULL,
    imported_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX checklists_version ON checklists(name, version, unit_type, level);
CREATE INDEX checklists_type ON checklists(unit_type, level);

CREATE TABLE checklist_items (
    id @ID@,
    checklist_id BIGINT NOT NULL REFERENCES checklists(id),
    position INTEGER NOT NULL,
    item_no TEXT NOT NULL,
    area TEXT NOT NULL,
    requirement TEXT NOT NULL,
    method TEXT NOT NULL
);
CREATE UNIQUE INDEX checklist_items_no ON checklist_items(checklist_id, item_no);

-- An assessment run against its list item by item: pass | fail | na. The assessment's counts and
-- score (passed / (passed + failed) × 100, N/A excluded) follow from these rows.
CREATE TABLE assessment_items (
    assessment_id BIGINT NOT NULL REFERENCES assessments(id),
    item_id BIGINT NOT NULL REFERENCES checklist_items(id),
    result TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (assessment_id, item_id)
);

-- Uploaded files, content-addressed: the bytes live once under DATA/files/ab/cd/<sm3 hex>; a row
-- records that an organisation holds that content (scope), under the name it was given. The same
-- content uploaded by two organisations is two rows and one file.
CREATE TABLE files (
    sm3 TEXT NOT NULL,
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    size BIGINT NOT NULL,
    media_type TEXT NOT NULL,
    name TEXT NOT NULL,
    uploaded_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (sm3, org_id)
);
CREATE INDEX files_org ON files(org_id);

-- A file attached to an assessment or a risk assessment (exactly one of the two ids), as its
-- report (at most one) or as evidence. org_id is the assessment's organisation.
CREATE TABLE file_links (
    id @ID@,
    sm3 TEXT NOT NULL,
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    assessment_id BIGINT REFERENCES assessments(id),
    risk_assessment_id BIGINT REFERENCES risk_assessments(id),
    role TEXT NOT NULL,
    linked_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    FOREIGN KEY (sm3, org_id) REFERENCES files(sm3, org_id)
);
CREATE UNIQUE INDEX file_links_assessment ON file_links(assessment_id, sm3, role)
    WHERE assessment_id IS NOT NULL;
CREATE UNIQUE INDEX file_links_assessment_report ON file_links(assessment_id)
    WHERE assessment_id IS NOT NULL AND role = 'report';
CREATE UNIQUE INDEX file_links_risk ON file_links(risk_assessment_id, sm3, role)
    WHERE risk_assessment_id IS NOT NULL;
CREATE UNIQUE INDEX file_links_risk_report ON file_links(risk_assessment_id)
    WHERE risk_assessment_id IS NOT NULL AND role = 'report';

-- The report sections of annex 3 that are text: 一、概述 (purpose, basis, process), 六、风险评价
-- (evaluation criteria), 七、风险评估总结 (results, treatment advice). 二 is `scope`, 三 `method`,
-- 四 the identification tables below, 五 the risks.
ALTER TABLE risk_assessments ADD COLUMN overview TEXT NOT NULL DEFAULT '';
ALTER TABLE risk_assessments ADD COLUMN criteria TEXT NOT NULL DEFAULT '';
ALTER TABLE risk_assessments ADD COLUMN conclusion TEXT NOT NULL DEFAULT '';

-- 业务识别: the business the unit carries, with its importance 1..5.
CREATE TABLE risk_business (
    id @ID@,
    risk_assessment_id BIGINT NOT NULL REFERENCES risk_assessments(id),
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    importance INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX risk_business_ra ON risk_business(risk_assessment_id);

-- 资产识别: C/I/A ratings 1..5 and the asset value Ia derived from them (R7, R1's S rule).
CREATE TABLE risk_assets (
    id @ID@,
    risk_assessment_id BIGINT NOT NULL REFERENCES risk_assessments(id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    business_id BIGINT REFERENCES risk_business(id),
    confidentiality INTEGER NOT NULL,
    integrity INTEGER NOT NULL,
    availability INTEGER NOT NULL,
    value INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX risk_assets_ra ON risk_assets(risk_assessment_id);

-- 威胁识别: frequency T 1..5.
CREATE TABLE risk_threats (
    id @ID@,
    risk_assessment_id BIGINT NOT NULL REFERENCES risk_assessments(id),
    name TEXT NOT NULL,
    category TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    frequency INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX risk_threats_ra ON risk_threats(risk_assessment_id);

-- 脆弱性识别: severity Va 1..5 of a weakness of one asset that one threat can exploit.
CREATE TABLE risk_vulns (
    id @ID@,
    risk_assessment_id BIGINT NOT NULL REFERENCES risk_assessments(id),
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    asset_id BIGINT NOT NULL REFERENCES risk_assets(id),
    threat_id BIGINT NOT NULL REFERENCES risk_threats(id),
    severity INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX risk_vulns_ra ON risk_vulns(risk_assessment_id);
CREATE INDEX risk_vulns_asset ON risk_vulns(asset_id);
CREATE INDEX risk_vulns_threat ON risk_vulns(threat_id);

-- 已有安全措施确认, optionally tied to the vulnerability it addresses.
CREATE TABLE risk_controls (
    id @ID@,
    risk_assessment_id BIGINT NOT NULL REFERENCES risk_assessments(id),
    description TEXT NOT NULL,
    vuln_id BIGINT REFERENCES risk_vulns(id),
    created_at TEXT NOT NULL
);
CREATE INDEX risk_controls_ra ON risk_controls(risk_assessment_id);

-- 风险计算 (R7): one risk per vulnerability, always computed by the server from the stored
-- ratings, with the inputs, the method and the table version used.
CREATE TABLE risks (
    id @ID@,
    risk_assessment_id BIGINT NOT NULL REFERENCES risk_assessments(id),
    vuln_id BIGINT NOT NULL REFERENCES risk_vulns(id),
    asset_value INTEGER NOT NULL,
    threat_frequency INTEGER NOT NULL,
    severity INTEGER NOT NULL,
    likelihood INTEGER NOT NULL,
    loss INTEGER NOT NULL,
    value INTEGER NOT NULL,
    level INTEGER NOT NULL,
    level_name TEXT NOT NULL,
    method TEXT NOT NULL,
    table_version TEXT NOT NULL,
    computed_at TEXT NOT NULL
);
CREATE UNIQUE INDEX risks_vuln ON risks(vuln_id);
CREATE INDEX risks_ra ON risks(risk_assessment_id);

-- 风险处置计划: accept | mitigate | transfer | avoid; open | in_progress | done.
CREATE TABLE risk_treatments (
    risk_id BIGINT PRIMARY KEY REFERENCES risks(id),
    action TEXT NOT NULL,
    owner TEXT NOT NULL,
    due_date TEXT,
    status TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- R7 matrix method [configurable]: the three 5×5 tables and the level bands as canonical JSON,
-- one row per version; the newest is used by new assessments. With no row, the built-in default
-- (risk_matrix_default()) applies.
CREATE TABLE risk_matrices (
    id @ID@,
    version TEXT NOT NULL,
    body TEXT NOT NULL,
    source TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX risk_matrices_version ON risk_matrices(version);
