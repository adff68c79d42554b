-- Internet exposure surface (互联网暴露面, R4; seed 000 §五 and annex 4): the three inventories
-- of each organisation (办公网互联网出入口, VPN 出入口, 零信任网络出入口) with the template's columns,
-- their addresses as ranges (first_hex/last_hex like unit_ranges, so the threat module's address
-- registry can read them), the 报备 exceptions to the office-exit limit, the limit itself as
-- versioned data, and imported nmap scans for reconciliation.

-- One row of an inventory. inventory: office | vpn | zero_trust. 序号 is the row's rank within
-- (org_id, inventory) by id, computed when read. software and purpose (软件类型、版本, 用途描述)
-- stay '' for office exits, whose template has no such columns.
CREATE TABLE exposure_entries (
    id @ID@,
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    inventory TEXT NOT NULL,
    owner TEXT NOT NULL,             -- 责任主体
    asset_name TEXT NOT NULL,        -- 资产名称
    asset_type TEXT NOT NULL DEFAULT '',  -- 资产类型
    ip TEXT NOT NULL,                -- IP 地址, canonical, '; ' between addresses
    software TEXT NOT NULL DEFAULT '',    -- 软件类型、版本
    purpose TEXT NOT NULL DEFAULT '',     -- 用途描述
    reachable TEXT NOT NULL DEFAULT '',   -- 可访问的网络和系统
    other TEXT NOT NULL DEFAULT '',       -- 其他
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX exposure_entries_org ON exposure_entries(org_id, inventory, id);

-- Each address or network of an entry's IP 地址 cell (a single address is a /32 or /128).
CREATE TABLE exposure_addresses (
    id @ID@,
    entry_id BIGINT NOT NULL REFERENCES exposure_entries(id),
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    cidr TEXT NOT NULL,
    first_hex TEXT NOT NULL,
    last_hex TEXT NOT NULL
);
CREATE INDEX exposure_addresses_entry ON exposure_addresses(entry_id);
CREATE INDEX exposure_addresses_first ON exposure_addresses(first_hex);
CREATE INDEX exposure_addresses_org ON exposure_addresses(org_id, first_hex);

-- 报备: an office exit beyond the limit reported (normally to the group company) with a reason.
CREATE TABLE exposure_exceptions (
    entry_id BIGINT PRIMARY KEY REFERENCES exposure_entries(id),
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    reason TEXT NOT NULL,
    reported_to TEXT NOT NULL,
    reported_on TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);
CREATE INDEX exposure_exceptions_org ON exposure_exceptions(org_id);

-- R4 [configurable]: the office-exit limit, one row per version; the newest applies. With no
-- row, the built-in default of seed 000 §五 (2 exits) applies.
CREATE TABLE exposure_rulesets (
    id @ID@,
    version TEXT NOT NULL,
    max_office_exits INTEGER NOT NULL,
    source TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE UNIQUE INDEX exposure_rulesets_version ON exposure_rulesets(version);

-- An imported nmap XML scan. Its results are attributed only to organisations within the
-- scope of whoever imported it: scope_mode all (system administrator, command line), tree
-- (an operator: scope_org's subtree) or juris (a regulator: scope_org's jurisdiction).
CREATE TABLE exposure_scans (
    id @ID@,
    scope_mode TEXT NOT NULL,
    scope_org BIGINT NOT NULL DEFAULT 0,
    scanner TEXT NOT NULL DEFAULT '',
    scanner_version TEXT NOT NULL DEFAULT '',
    args TEXT NOT NULL DEFAULT '',
    started_at TEXT,
    finished_at TEXT,
    scanned_at TEXT NOT NULL,        -- started_at, else finished_at, else imported_at: the order
    hosts INTEGER NOT NULL,
    hosts_up INTEGER NOT NULL,
    ports INTEGER NOT NULL,
    open_ports INTEGER NOT NULL,
    file_sm3 TEXT NOT NULL,
    file_bytes BIGINT NOT NULL,
    imported_by TEXT NOT NULL,
    imported_at TEXT NOT NULL
);
CREATE INDEX exposure_scans_order ON exposure_scans(scanned_at, id);
CREATE INDEX exposure_scans_scope ON exposure_scans(scope_org);

CREATE TABLE exposure_scan_hosts (
    id @ID@,
    scan_id BIGINT NOT NULL REFERENCES exposure_scans(id),
    addr TEXT NOT NULL,
    addr_hex TEXT NOT NULL,
    status TEXT NOT NULL,            -- up | down | unknown | skipped
    hostname TEXT NOT NULL DEFAULT '',
    started_at TEXT,
    ended_at TEXT
);
CREATE INDEX exposure_scan_hosts_addr ON exposure_scan_hosts(scan_id, addr_hex);

CREATE TABLE exposure_scan_ports (
    id @ID@,
    scan_id BIGINT NOT NULL REFERENCES exposure_scans(id),
    host_id BIGINT NOT NULL REFERENCES exposure_scan_hosts(id),
    protocol TEXT NOT NULL,
    port INTEGER NOT NULL,
    state TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    service TEXT NOT NULL DEFAULT '',
    product TEXT NOT NULL DEFAULT '',
    version TEXT NOT NULL DEFAULT '',
    extrainfo TEXT NOT NULL DEFAULT '',
    tunnel TEXT NOT NULL DEFAULT ''
);
CREATE INDEX exposure_scan_ports_host ON exposure_scan_ports(host_id);
CREATE INDEX exposure_scan_ports_scan ON exposure_scan_ports(scan_id, state);
