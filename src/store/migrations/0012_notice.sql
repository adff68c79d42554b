-- Threat notices (R8 通报 → 处置反馈 → 核验关闭; seed 000 §六, seed 004 第十条): a regulator, or an
-- operator's own security team, notifies organisations of threats with a deadline; each recipient
-- organisation acknowledges, feeds back its disposal with evidence, and the issuer verifies and
-- closes it or reopens it with a reason. "一处发现、全网处置": one notice can go to every
-- organisation in the issuer's scope whose threats show the same indicator.

CREATE TABLE notices (
    id @ID@,
    issuer_org_id BIGINT NOT NULL REFERENCES orgs(id),
    issuer_side TEXT NOT NULL,        -- regulator | operator
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    deadline TEXT NOT NULL,           -- YYYY-MM-DD: 处置期限, the same for every recipient
    same_indicator INTEGER NOT NULL,  -- 1: sent to every organisation showing the indicators
    indicators TEXT NOT NULL,         -- JSON array: the indicators of the threats chosen
    issued_by TEXT NOT NULL,
    issued_at TEXT NOT NULL
);
CREATE INDEX notices_issuer ON notices(issuer_org_id, id);

-- One row per organisation notified, each with its own status:
-- issued → acknowledged → feedback_submitted → closed, or back to acknowledged when reopened.
CREATE TABLE notice_recipients (
    id @ID@,
    notice_id BIGINT NOT NULL REFERENCES notices(id),
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    reason TEXT NOT NULL,             -- selected (its threat was chosen) | same_indicator
    status TEXT NOT NULL,
    rounds INTEGER NOT NULL DEFAULT 0, -- feedback rounds submitted
    acknowledged_at TEXT,
    acknowledged_by TEXT,
    closed_at TEXT,
    closed_on TEXT,                   -- YYYY-MM-DD (Asia/Shanghai): closed late when after deadline
    closed_by TEXT,
    updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX notice_recipients_notice_org ON notice_recipients(notice_id, org_id);
CREATE INDEX notice_recipients_org ON notice_recipients(org_id, status);

-- The threats a recipient is notified of: the ones chosen, and with the fan-out the ones of the
-- same indicators.
CREATE TABLE notice_threats (
    notice_id BIGINT NOT NULL REFERENCES notices(id),
    threat_id BIGINT NOT NULL REFERENCES threats(id),
    recipient_id BIGINT NOT NULL REFERENCES notice_recipients(id),
    selected INTEGER NOT NULL,        -- 1: chosen by the issuer, 0: found by its indicator
    PRIMARY KEY (notice_id, threat_id)
);
CREATE INDEX notice_threats_recipient ON notice_threats(recipient_id);
CREATE INDEX notice_threats_threat ON notice_threats(threat_id);

-- Each round of disposal feedback, and the issuer's verdict on it (NULL while pending).
CREATE TABLE notice_feedback (
    id @ID@,
    recipient_id BIGINT NOT NULL REFERENCES notice_recipients(id),
    round INTEGER NOT NULL,
    measures TEXT NOT NULL,
    result TEXT NOT NULL,
    submitted_by TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    verdict TEXT,                     -- closed | reopened
    verdict_note TEXT,                -- the reason of a reopening, the note of a closing
    verdict_by TEXT,
    verdict_at TEXT
);
CREATE UNIQUE INDEX notice_feedback_round ON notice_feedback(recipient_id, round);

-- Evidence files of a feedback round (uploads, by SM3), held by the recipient organisation.
CREATE TABLE notice_evidence (
    feedback_id BIGINT NOT NULL REFERENCES notice_feedback(id),
    seq INTEGER NOT NULL,
    sm3 TEXT NOT NULL,
    org_id BIGINT NOT NULL,
    PRIMARY KEY (feedback_id, seq),
    FOREIGN KEY (sm3, org_id) REFERENCES files(sm3, org_id)
);
