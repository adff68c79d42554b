-- Duties (R3 and later modules): every obligation of every organisation, derived from the data
-- by the duty producers and kept here for lists, dashboards, reminders and the calendar feed.
-- A subject's duties are replaced whenever the subject changes (same transaction), and
-- `fanghu duty recompute` rebuilds the table from scratch with the same result.

CREATE TABLE duties (
    id @ID@,
    duty_key TEXT NOT NULL,
    subject TEXT NOT NULL,
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    unit_id BIGINT,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    due_date TEXT NOT NULL,
    rule TEXT NOT NULL,
    source TEXT NOT NULL,
    fulfils TEXT NOT NULL,
    done_at TEXT
);
CREATE UNIQUE INDEX duties_key ON duties(duty_key);
CREATE INDEX duties_org_due ON duties(org_id, due_date);
CREATE INDEX duties_due ON duties(due_date);

-- Reminders sent: one per duty and lead time, whatever becomes of the duty row.
CREATE TABLE reminders_sent (
    duty_key TEXT NOT NULL,
    lead TEXT NOT NULL,
    channel TEXT NOT NULL,
    target TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    sent_at TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (duty_key, lead, channel, target)
);

-- Where an organisation's reminders go: e-mail addresses and webhooks (企业微信, 钉钉, 飞书, JSON).
CREATE TABLE reminder_channels (
    id @ID@,
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    kind TEXT NOT NULL,
    target TEXT NOT NULL,
    enabled INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);
CREATE INDEX reminder_channels_org ON reminder_channels(org_id);

-- Per-user secret for the iCalendar feed (stored hashed, like every token).
CREATE TABLE calendar_feeds (
    user_id BIGINT PRIMARY KEY REFERENCES users(id),
    token_hash TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX calendar_feeds_hash ON calendar_feeds(token_hash);

-- One-off campaigns (专项工作) with a due date set by a regulator for a set of organisations.
CREATE TABLE campaigns (
    id @ID@,
    regulator_org_id BIGINT NOT NULL REFERENCES orgs(id),
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    due_date TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE campaign_targets (
    campaign_id BIGINT NOT NULL REFERENCES campaigns(id),
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    done_at TEXT,
    PRIMARY KEY (campaign_id, org_id)
);
CREATE INDEX campaign_targets_org ON campaign_targets(org_id);

-- 符合性评测 (seed 000 §三) and 风险评估 (§四, annex 3, R7).
CREATE TABLE assessments (
    id @ID@,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    standards TEXT NOT NULL DEFAULT '',
    assessor_kind TEXT NOT NULL,
    assessor_name TEXT NOT NULL,
    assessor_qualification TEXT NOT NULL DEFAULT '',
    started_on TEXT NOT NULL,
    ended_on TEXT,
    score TEXT,
    items_passed INTEGER,
    items_failed INTEGER,
    items_na INTEGER,
    problems TEXT NOT NULL DEFAULT '',
    checklist_id BIGINT,
    submitted_to TEXT,
    submitted_at TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX assessments_unit ON assessments(unit_id, ended_on);
CREATE INDEX assessments_org ON assessments(org_id);

CREATE TABLE risk_assessments (
    id @ID@,
    unit_id BIGINT NOT NULL REFERENCES units(id),
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    scope TEXT NOT NULL DEFAULT '',
    method TEXT NOT NULL,
    table_version TEXT NOT NULL,
    pre_launch INTEGER NOT NULL DEFAULT 0,
    business TEXT NOT NULL DEFAULT '',
    started_on TEXT NOT NULL,
    ended_on TEXT,
    submitted_to TEXT,
    submitted_at TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX risk_assessments_unit ON risk_assessments(unit_id, ended_on);
CREATE INDEX risk_assessments_org ON risk_assessments(org_id);

-- When a filed unit's level or division changed: 符合性评测 is due within 90 days (seed 000 §三).
ALTER TABLE units ADD COLUMN reassess_since TEXT;
