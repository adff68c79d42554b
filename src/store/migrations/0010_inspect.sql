-- Inspections (网络安全检查, R10, seed 003): campaigns with their scope, checklist and targets;
-- self-inspection findings and reports; the inspectors' roster; the recorded 双随机 draw and the
-- spot checks it made, scored item by item; rectification notices (网络安全问题整改通知书).

CREATE TABLE inspect_campaigns (
    id @ID@,
    regulator_org_id BIGINT NOT NULL REFERENCES orgs(id),
    title TEXT NOT NULL,
    focus TEXT NOT NULL,
    scope_kinds TEXT NOT NULL,       -- JSON array of organisation kinds
    scope_provinces TEXT NOT NULL,   -- JSON array of province codes
    self_due TEXT NOT NULL,          -- self-inspection reports due
    checklist_source TEXT,
    checklist_sm3 TEXT,
    checklist_at TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX inspect_campaigns_regulator ON inspect_campaigns(regulator_org_id, id);

-- The checklist: {area, point, method, evidence, score (评分标准), max score} per row.
CREATE TABLE inspect_items (
    id @ID@,
    campaign_id BIGINT NOT NULL REFERENCES inspect_campaigns(id),
    seq INTEGER NOT NULL,
    area TEXT NOT NULL,
    point TEXT NOT NULL,
    method TEXT NOT NULL,
    evidence TEXT NOT NULL,
    criteria TEXT NOT NULL,
    max_centi BIGINT NOT NULL        -- max score in hundredths of a point
);
CREATE INDEX inspect_items_campaign ON inspect_items(campaign_id, seq);

-- The organisations in scope when the campaign was created, each with its self-inspection.
CREATE TABLE inspect_targets (
    id @ID@,
    campaign_id BIGINT NOT NULL REFERENCES inspect_campaigns(id),
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    summary TEXT,
    submitted_at TEXT,
    submitted_by TEXT
);
CREATE UNIQUE INDEX inspect_targets_campaign_org ON inspect_targets(campaign_id, org_id);
CREATE INDEX inspect_targets_org ON inspect_targets(org_id);

CREATE TABLE inspect_findings (
    target_id BIGINT NOT NULL REFERENCES inspect_targets(id),
    item_id BIGINT NOT NULL REFERENCES inspect_items(id),
    result TEXT NOT NULL,            -- conform | nonconform | na
    finding TEXT NOT NULL,
    action TEXT NOT NULL,            -- 边查边改 or the rectification plan
    updated_at TEXT NOT NULL,
    PRIMARY KEY (target_id, item_id)
);

-- A regulator's roster of inspectors; org_id is the organisation an inspector belongs to.
CREATE TABLE inspect_inspectors (
    id @ID@,
    regulator_org_id BIGINT NOT NULL REFERENCES orgs(id),
    name TEXT NOT NULL,
    org_id BIGINT REFERENCES orgs(id),
    expertise TEXT NOT NULL DEFAULT '',
    active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX inspect_inspectors_regulator ON inspect_inspectors(regulator_org_id, id);

-- One draw per campaign: the seed, both pool snapshots and the result, so that anyone can run
-- it again (`fanghu inspect draw --verify`).
CREATE TABLE inspect_draws (
    id @ID@,
    campaign_id BIGINT NOT NULL REFERENCES inspect_campaigns(id),
    algorithm TEXT NOT NULL,
    seed TEXT NOT NULL,
    n INTEGER NOT NULL,
    team_size INTEGER NOT NULL,
    pool TEXT NOT NULL,
    inspectors TEXT NOT NULL,
    result TEXT NOT NULL,
    drawn_by TEXT NOT NULL,
    drawn_at TEXT NOT NULL
);
CREATE UNIQUE INDEX inspect_draws_campaign ON inspect_draws(campaign_id);

CREATE TABLE inspect_spot_checks (
    id @ID@,
    campaign_id BIGINT NOT NULL REFERENCES inspect_campaigns(id),
    draw_id BIGINT NOT NULL REFERENCES inspect_draws(id),
    seq INTEGER NOT NULL,            -- draw order
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    team TEXT NOT NULL,              -- JSON [{id, name}]
    status TEXT NOT NULL,            -- drawn | scored
    score_centi BIGINT,
    max_centi BIGINT,
    summary TEXT,
    completed_at TEXT,
    completed_by TEXT
);
CREATE INDEX inspect_spot_checks_campaign ON inspect_spot_checks(campaign_id, seq);
CREATE INDEX inspect_spot_checks_org ON inspect_spot_checks(org_id);

CREATE TABLE inspect_scores (
    spot_id BIGINT NOT NULL REFERENCES inspect_spot_checks(id),
    item_id BIGINT NOT NULL REFERENCES inspect_items(id),
    score_centi BIGINT,              -- NULL when not applicable
    na INTEGER NOT NULL DEFAULT 0,
    note TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (spot_id, item_id)
);

CREATE TABLE inspect_notices (
    id @ID@,
    campaign_id BIGINT NOT NULL REFERENCES inspect_campaigns(id),
    spot_id BIGINT NOT NULL REFERENCES inspect_spot_checks(id),
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    regulator_org_id BIGINT NOT NULL REFERENCES orgs(id),
    number TEXT NOT NULL,
    problems TEXT NOT NULL,          -- JSON [{item_id?, description}]
    requirements TEXT NOT NULL,
    due_date TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    issued_by TEXT NOT NULL,
    status TEXT NOT NULL,            -- issued | closed
    rectification TEXT,
    accountability TEXT,
    reported_at TEXT,
    reported_by TEXT,
    closed_on TEXT
);
CREATE INDEX inspect_notices_campaign ON inspect_notices(campaign_id, id);
CREATE INDEX inspect_notices_org ON inspect_notices(org_id, status);
