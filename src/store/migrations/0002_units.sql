-- Network units (信息通信网络单元): registration, grading (R1) with history, filing workflow
-- with immutable submission snapshots, MLPS (等级保护, R2), CII flag, IP ranges and assets.
-- Also the yearly holiday notices imported by administrators (R6).

CREATE TABLE holiday_notices (
    year INTEGER PRIMARY KEY,
    body TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    imported_by TEXT NOT NULL
);

CREATE TABLE units (
    id @ID@,
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    name TEXT NOT NULL,
    unit_type TEXT NOT NULL,
    business_scope TEXT NOT NULL DEFAULT '',
    service_scope TEXT NOT NULL DEFAULT '',
    user_types TEXT NOT NULL DEFAULT '',
    management TEXT NOT NULL DEFAULT '',
    technical TEXT NOT NULL DEFAULT '',
    boundary TEXT NOT NULL DEFAULT '',
    device_count INTEGER,
    online_date TEXT,
    status TEXT NOT NULL DEFAULT 'planned',
    -- current grading (R1); history in unit_gradings
    level INTEGER,
    grade_i INTEGER,
    grade_r INTEGER,
    grade_v INTEGER,
    grade_k10 INTEGER,
    just_i TEXT,
    just_r TEXT,
    just_v TEXT,
    grade_ruleset TEXT,
    graded_at TEXT,
    -- filing (备案): draft | submitted | returned | filed | change_pending | retired
    filing_status TEXT NOT NULL DEFAULT 'draft',
    filing_number TEXT,
    filed_at TEXT,
    filed_level INTEGER,
    change_since TEXT,
    correction_due TEXT,
    -- 关键信息基础设施
    cii INTEGER NOT NULL DEFAULT 0,
    cii_authority TEXT,
    cii_date TEXT,
    -- 等级保护 (R2)
    mlps_info_level INTEGER,
    mlps_service_level INTEGER,
    mlps_level INTEGER,
    mlps_harms TEXT,
    mlps_graded_at TEXT,
    mlps_police_filing_no TEXT,
    mlps_police_org TEXT,
    mlps_police_filing_date TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX units_org ON units(org_id, id);

CREATE TABLE unit_ranges (
    id @ID@,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    cidr TEXT NOT NULL,
    first_hex TEXT NOT NULL,
    last_hex TEXT NOT NULL
);
CREATE INDEX unit_ranges_unit ON unit_ranges(unit_id);
CREATE INDEX unit_ranges_first ON unit_ranges(first_hex);

CREATE TABLE unit_assets (
    id @ID@,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT '',
    vendor TEXT NOT NULL DEFAULT '',
    model TEXT NOT NULL DEFAULT '',
    software_version TEXT NOT NULL DEFAULT '',
    location TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE INDEX unit_assets_unit ON unit_assets(unit_id);

CREATE TABLE unit_gradings (
    id @ID@,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    grade_i INTEGER NOT NULL,
    grade_r INTEGER NOT NULL,
    grade_v INTEGER NOT NULL,
    s_value INTEGER NOT NULL,
    k10 INTEGER NOT NULL,
    level INTEGER NOT NULL,
    just_i TEXT NOT NULL,
    just_r TEXT NOT NULL,
    just_v TEXT NOT NULL,
    ruleset TEXT NOT NULL,
    graded_by TEXT NOT NULL,
    graded_at TEXT NOT NULL
);
CREATE INDEX unit_gradings_unit ON unit_gradings(unit_id);

-- Each submission is an immutable snapshot of the unit as submitted; the review fills in the
-- decision once (status moves from 'submitted' to 'approved' or 'returned', never back).
CREATE TABLE filings (
    id @ID@,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    snapshot TEXT NOT NULL,
    submitted_by TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    reviewer TEXT,
    reviewer_org_id BIGINT,
    reviewed_at TEXT,
    reasons TEXT,
    correction_due TEXT,
    filing_number TEXT,
    comment TEXT
);
CREATE INDEX filings_unit ON filings(unit_id, id);
CREATE INDEX filings_status ON filings(status, org_id);
CREATE INDEX filings_number ON filings(filing_number);

CREATE TABLE mlps_assessments (
    id @ID@,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    assessed_on TEXT NOT NULL,
    agency TEXT NOT NULL,
    result TEXT NOT NULL,
    score TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX mlps_assessments_unit ON mlps_assessments(unit_id);
