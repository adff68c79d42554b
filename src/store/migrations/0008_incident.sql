-- 网络安全事件应急处置 (seed 000 §七, R5): incidents with their grade (the user's choice beside
-- the R5 helper's suggestion), affected units, the reports sent (立即报告, the parallel CAC
-- report, 总结报告) and an event log for the timeline; emergency plans (应急预案) with versions;
-- drills (演练) with their rectification items. Times are ISO 8601 with +08:00, dates YYYY-MM-DD.

CREATE TABLE incidents (
    id @ID@,
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    title TEXT NOT NULL,
    category TEXT NOT NULL,
    -- especially_major | major | large | general (特别重大 / 重大 / 较大 / 一般)
    grade TEXT NOT NULL,
    -- what the R5 helper suggested from the numbers below (NULL: below 一般), and its rule set
    suggested_grade TEXT,
    grade_ruleset TEXT NOT NULL,
    pi_leaked BIGINT,            -- users whose personal information leaked
    users_affected BIGINT,       -- users unable to use the service
    outage_scope TEXT,           -- national | multi_province | province | city
    outage_hours INTEGER,
    cii INTEGER NOT NULL DEFAULT 0,
    detected_at TEXT NOT NULL,
    response_started_at TEXT,
    response_ended_at TEXT,
    orgs_affected TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',   -- 事件概况
    discovery TEXT NOT NULL DEFAULT '',     -- 发现经过
    impact TEXT NOT NULL DEFAULT '',        -- 影响范围
    measures TEXT NOT NULL DEFAULT '',      -- 处置过程与措施
    cause TEXT NOT NULL DEFAULT '',         -- 原因分析
    rectification TEXT NOT NULL DEFAULT '', -- 整改措施
    status TEXT NOT NULL,                   -- open | responding | closed
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX incidents_org ON incidents(org_id, detected_at);
CREATE INDEX incidents_detected ON incidents(detected_at);

CREATE TABLE incident_units (
    incident_id BIGINT NOT NULL REFERENCES incidents(id),
    unit_id BIGINT NOT NULL REFERENCES units(id),
    PRIMARY KEY (incident_id, unit_id)
);
CREATE INDEX incident_units_unit ON incident_units(unit_id);

-- Each report sent: kind immediate | progress | summary; recipient miit | local_ca | cac |
-- group | other; method phone | email | system | document; an optional attached file.
CREATE TABLE incident_reports (
    id @ID@,
    incident_id BIGINT NOT NULL REFERENCES incidents(id),
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    kind TEXT NOT NULL,
    recipient TEXT NOT NULL,
    recipient_name TEXT NOT NULL,
    method TEXT NOT NULL,
    sent_at TEXT NOT NULL,
    file_id TEXT,
    note TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    FOREIGN KEY (file_id, org_id) REFERENCES files(sm3, org_id)
);
CREATE INDEX incident_reports_incident ON incident_reports(incident_id, sent_at);

-- What happened to an incident record (created, status and grade changes, reports recorded or
-- withdrawn), for the timeline. detail is canonical JSON.
CREATE TABLE incident_events (
    id @ID@,
    incident_id BIGINT NOT NULL REFERENCES incidents(id),
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    detail TEXT NOT NULL,
    actor TEXT NOT NULL
);
CREATE INDEX incident_events_incident ON incident_events(incident_id, id);

CREATE TABLE emergency_plans (
    id @ID@,
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    title TEXT NOT NULL,
    scope TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX emergency_plans_org ON emergency_plans(org_id);

-- The current version of a plan is the approved one with the latest approval date.
CREATE TABLE emergency_plan_versions (
    id @ID@,
    plan_id BIGINT NOT NULL REFERENCES emergency_plans(id),
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    version TEXT NOT NULL,
    approved_on TEXT,
    file_id TEXT,
    notes TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    FOREIGN KEY (file_id, org_id) REFERENCES files(sm3, org_id)
);
CREATE UNIQUE INDEX emergency_plan_versions_label ON emergency_plan_versions(plan_id, version);
CREATE INDEX emergency_plan_versions_approved ON emergency_plan_versions(org_id, approved_on);

CREATE TABLE drills (
    id @ID@,
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    drill_date TEXT NOT NULL,
    scenario TEXT NOT NULL,
    plan_id BIGINT REFERENCES emergency_plans(id),
    plan_version_id BIGINT REFERENCES emergency_plan_versions(id),
    participants TEXT NOT NULL DEFAULT '[]', -- JSON array of strings
    findings TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX drills_org ON drills(org_id, drill_date);

-- 整改 items found by a drill: open | done. Each feeds the duties engine (subject "drill").
CREATE TABLE drill_items (
    id @ID@,
    drill_id BIGINT NOT NULL REFERENCES drills(id),
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    description TEXT NOT NULL,
    owner TEXT NOT NULL,
    due_date TEXT NOT NULL,
    status TEXT NOT NULL,
    done_on TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX drill_items_drill ON drill_items(drill_id, id);
