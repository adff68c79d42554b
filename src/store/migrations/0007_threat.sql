-- Threat monitoring ingest (R8 监测 → 研判): sensor events (Suricata EVE) attributed to the
-- organisation and unit that declared the address, aggregated into threats; the events
-- themselves kept in compressed segments; lines that are not usable events in quarantine; the
-- read position of each followed file, committed with the events it covers.

-- One row per (organisation, unit, signature, indicator): the indicator is the address on the
-- other side of the event (the external address), '' when the event had none.
CREATE TABLE threats (
    id @ID@,
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    unit_id BIGINT NOT NULL DEFAULT 0, -- 0: a range of the organisation itself, not of a unit
    signature_id BIGINT NOT NULL,
    indicator TEXT NOT NULL,
    signature TEXT NOT NULL,           -- the latest text seen for the signature id
    sensor_category TEXT NOT NULL,     -- Suricata's classtype description
    category TEXT NOT NULL,            -- 202号 category code (data/threat-categories.json)
    category_version TEXT NOT NULL,
    severity INTEGER NOT NULL,         -- Suricata: 1 is the most severe; the most severe seen
    event_count BIGINT NOT NULL,
    first_us BIGINT NOT NULL,          -- event times, microseconds since 1970 UTC
    last_us BIGINT NOT NULL,
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
-- The key's index also serves the lists of one organisation; no index on last_us, which every
-- ingest batch changes for every threat it touches.
CREATE UNIQUE INDEX threats_key ON threats(org_id, unit_id, signature_id, indicator);
-- 一处发现、全网处置: every organisation showing the same indicator.
CREATE INDEX threats_indicator ON threats(indicator);

-- A bounded sample of each threat's raw events: its first three lines as received (the later
-- events are in the segments, as extracted fields).
CREATE TABLE threat_samples (
    threat_id BIGINT NOT NULL REFERENCES threats(id),
    slot INTEGER NOT NULL,
    seen_us BIGINT NOT NULL,
    raw TEXT NOT NULL,
    PRIMARY KEY (threat_id, slot)
);

-- Files read by `fanghu ingest` (absolute path): identity and the offset after the last line
-- committed, so a restart resumes exactly there.
CREATE TABLE threat_sources (
    id @ID@,
    name TEXT NOT NULL UNIQUE,
    device BIGINT NOT NULL DEFAULT 0,
    inode BIGINT NOT NULL DEFAULT 0,
    head_len INTEGER NOT NULL DEFAULT 0,
    head_hash TEXT NOT NULL DEFAULT '',
    read_offset BIGINT NOT NULL DEFAULT 0,
    lines BIGINT NOT NULL DEFAULT 0,
    alerts BIGINT NOT NULL DEFAULT 0,
    anomalies BIGINT NOT NULL DEFAULT 0,
    other BIGINT NOT NULL DEFAULT 0,
    quarantined BIGINT NOT NULL DEFAULT 0,
    unattributed BIGINT NOT NULL DEFAULT 0,
    updated_at TEXT NOT NULL
);

-- The alerts and anomalies of one batch, packed and deflated (src/threat/segment.c), base64.
CREATE TABLE threat_segments (
    id @ID@,
    source_id BIGINT NOT NULL DEFAULT 0,  -- threat_sources.id; 0 for events posted over HTTP
    source TEXT NOT NULL,                 -- file path, 'stdin' or 'http:USERNAME'
    received_us BIGINT NOT NULL,
    received_at TEXT NOT NULL,
    t_min BIGINT NOT NULL,                -- event times covered, microseconds
    t_max BIGINT NOT NULL,
    n_events INTEGER NOT NULL,
    raw_len BIGINT NOT NULL,              -- packed size before deflate
    data TEXT NOT NULL
);
CREATE INDEX threat_segments_received ON threat_segments(received_us);
CREATE INDEX threat_segments_time ON threat_segments(t_max, t_min);

-- Which threats, and which organisations (0: unattributed), a segment holds events of. Keyed by
-- segment first, so that each batch appends at the end of the index instead of touching a page
-- per threat: the events of a threat are found from the segments of its time span
-- (threat_segments_time) probed here, and a purge deletes by segment.
CREATE TABLE threat_segment_threats (
    segment_id BIGINT NOT NULL REFERENCES threat_segments(id),
    threat_id BIGINT NOT NULL REFERENCES threats(id),
    n_events INTEGER NOT NULL,
    PRIMARY KEY (segment_id, threat_id)
);
CREATE TABLE threat_segment_orgs (
    segment_id BIGINT NOT NULL REFERENCES threat_segments(id),
    org_id BIGINT NOT NULL,
    n_events INTEGER NOT NULL,
    PRIMARY KEY (segment_id, org_id)
);

-- Lines that are not usable events: the reason and the first 2,048 bytes (invalid UTF-8 and
-- control bytes written as \xNN), kept for the same retention as the events.
CREATE TABLE threat_quarantine (
    id @ID@,
    source TEXT NOT NULL,
    line_offset BIGINT NOT NULL,
    reason TEXT NOT NULL,
    line TEXT NOT NULL,
    line_bytes BIGINT NOT NULL,
    received_us BIGINT NOT NULL,
    received_at TEXT NOT NULL
);
CREATE INDEX threat_quarantine_received ON threat_quarantine(received_us);
