-- 年度安全防护工作报告 (seed 000 §八, annex 5; R3): a draft per organisation and year with its
-- narrative sections, submission along the R3 routing (one row per receiver, each acknowledging
-- on its own), the exposure list (annex 4) attached as a stored file, the due date per year
-- [configurable], and the template files of the document centre (文件下载中心).

-- R3 [configurable per year]: the due date of the annual report. A year without a row uses the
-- default of seed 000 §八 (30 November).
CREATE TABLE annual_due_dates (
    year INTEGER PRIMARY KEY,
    due_date TEXT NOT NULL,
    source TEXT NOT NULL,
    set_by TEXT NOT NULL,
    set_at TEXT NOT NULL
);

-- status: draft | submitted. Once submitted, facts holds the counts as they were (canonical
-- JSON) and the report no longer changes; exposure_sm3/exposure_size name the annex 4 workbook
-- generated at submission (stored under DATA/files like uploads).
CREATE TABLE annual_reports (
    id @ID@,
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    year INTEGER NOT NULL,
    status TEXT NOT NULL,
    facts TEXT,
    exposure_sm3 TEXT,
    exposure_size BIGINT,
    submitted_by TEXT,
    submitted_at TEXT,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX annual_reports_org_year ON annual_reports(org_id, year);
CREATE INDEX annual_reports_year ON annual_reports(year, status);

-- The narrative of each section of annex 5 (overview, filing, assessment, risk, exposure,
-- emergency, problems, plan).
CREATE TABLE annual_report_sections (
    report_id BIGINT NOT NULL REFERENCES annual_reports(id),
    section TEXT NOT NULL,
    body TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (report_id, section)
);

-- Submissions: one row per receiver (route local_ca | group | ministry), acknowledged by that
-- receiver.
CREATE TABLE annual_submissions (
    id @ID@,
    report_id BIGINT NOT NULL REFERENCES annual_reports(id),
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    year INTEGER NOT NULL,
    receiver_org_id BIGINT NOT NULL REFERENCES orgs(id),
    route TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    acknowledged_by TEXT,
    acknowledged_at TEXT,
    ack_comment TEXT
);
CREATE UNIQUE INDEX annual_submissions_receiver ON annual_submissions(report_id, receiver_org_id);
CREATE INDEX annual_submissions_org_year ON annual_submissions(org_id, year);
CREATE INDEX annual_submissions_to ON annual_submissions(receiver_org_id, year);

-- Template files of the document centre: not tenant data; uploaded by a system administrator,
-- downloaded by anyone logged in.
CREATE TABLE doc_templates (
    id @ID@,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    sm3 TEXT NOT NULL,
    name TEXT NOT NULL,
    size BIGINT NOT NULL,
    media_type TEXT NOT NULL,
    uploaded_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
