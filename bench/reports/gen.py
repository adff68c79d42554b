#!/usr/bin/env python3
"""Writes the data of the documents benchmark as SQL for SQLite: organisation 1 is a group company
(telecom_group) with N_UNITS network units of every level and filing state (returned units with
their returned filing, this year's 符合性评测 and 风险评估 on some of them, plans, drills, incidents);
organisation 2 is one of its provincial companies with N_EXPOSURE exposure entries over the three
inventories of annex 4 (the entries only: the workbook reads nothing else). Usage: gen.py YEAR N_UNITS N_EXPOSURE > data.sql"""
import random
import sys

CS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
W = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
TYPES = ["mobile", "fixed", "internet", "idc", "cdn", "dns", "online_hall", "app_store", "cloud"]
# filing state, weight
STATES = [("filed", 60), ("change_pending", 8), ("submitted", 10), ("returned", 8), ("draft", 14)]


def uscc(n):
    body = ("91110000%09d" % n)[:17]
    s = sum(CS.index(c) * W[i] for i, c in enumerate(body))
    return body + CS[(31 - s % 31) % 31]


def q(s):
    return "'" + s.replace("'", "''") + "'"


def batched(out, head, rows, n=500):
    for i in range(0, len(rows), n):
        out.write(head + ",\n".join(rows[i:i + n]) + ";\n")


def main():
    year, n_units, n_exposure = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    rnd = random.Random(6)
    now = "%d-06-30T10:00:00+08:00" % year
    out = sys.stdout
    out.write("BEGIN;\n")
    out.write("INSERT INTO orgs (id,name,kind,uscc,province,parent_id,created_at,updated_at) VALUES "
              "(1,'基准集团有限公司','telecom_group',%s,'11',NULL,%s,%s),"
              "(2,'基准集团福建分公司','telecom_provincial',%s,'35',1,%s,%s);\n"
              % (q(uscc(1)), q(now), q(now), q(uscc(2)), q(now), q(now)))
    out.write("INSERT INTO org_tree (ancestor,descendant,depth) VALUES (1,1,0),(2,2,0),(1,2,1);\n")

    units, filings, assessments, risks = [], [], [], []
    weights = [w for _, w in STATES]
    for u in range(1, n_units + 1):
        state = rnd.choices([s for s, _ in STATES], weights)[0]
        level = rnd.choice([1, 2, 2, 3, 3, 3, 4, 5])
        if state == "draft" and u % 3 == 0:
            level = None
        filed = state in ("filed", "change_pending")
        status = "planned" if state == "draft" and u % 5 == 0 else "online"
        units.append("(%d,1,%s,%s,'业务','全国','个人用户','网络安全部','三层架构','',%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)" % (
            u, q("基准网络单元%05d" % u), q(TYPES[u % len(TYPES)]), q(status),
            "NULL" if level is None else level,
            "'bench'" if level else "NULL", q(state),
            q("京备%05d" % u) if filed else "NULL",
            q("%d-03-%02dT10:00:00+08:00" % (year - 1 - u % 2, 1 + u % 28)) if filed else "NULL",
            q("%d-05-01" % year) if state == "change_pending" else "NULL",
            q("%d-12-31" % year) if state == "returned" else "NULL", q(now), q(now)))
        if state in ("returned", "submitted"):
            filings.append("(%d,%d,1,'initial',%s,'{}','bench',%s,%s)" % (
                u, u, q("returned" if state == "returned" else "submitted"), q("%d-04-%02dT10:00:00+08:00" % (year, 1 + u % 28)),
                q('[{"field":"technical","reason":"技术情况描述不完整，请补充网络拓扑和边界划分"}]') if state == "returned" else "NULL"))
        if filed and u % 3 == 0:
            assessments.append("(%d,1,'self','网络安全部','%d-04-01','%d-04-%02d','bench',%s,%s)" % (u, year, year, 2 + u % 27, q(now), q(now)))
        if filed and u % 20 == 0:
            risks.append("(%d,1,'multiply','R7-multiply','%d-05-01','%d-05-%02d','bench',%s,%s)" % (u, year, year, 2 + u % 27, q(now), q(now)))
    batched(out, "INSERT INTO units (id,org_id,name,unit_type,business_scope,service_scope,user_types,management,"
            "technical,boundary,status,level,grade_ruleset,filing_status,filing_number,filed_at,change_since,"
            "correction_due,created_at,updated_at) VALUES\n", units)
    batched(out, "INSERT INTO filings (id,unit_id,org_id,kind,status,snapshot,submitted_by,submitted_at,reasons) VALUES\n", filings)
    batched(out, "INSERT INTO assessments (unit_id,org_id,assessor_kind,assessor_name,started_on,ended_on,created_by,"
            "created_at,updated_at) VALUES\n", assessments)
    batched(out, "INSERT INTO risk_assessments (unit_id,org_id,method,table_version,started_on,ended_on,created_by,"
            "created_at,updated_at) VALUES\n", risks)
    out.write("INSERT INTO emergency_plans (id,org_id,title,created_by,created_at,updated_at) VALUES "
              "(1,1,'网络安全事件应急预案','bench',%s,%s);\n" % (q(now), q(now)))
    out.write("INSERT INTO emergency_plan_versions (plan_id,org_id,version,approved_on,created_by,created_at,updated_at) "
              "VALUES (1,1,'v3','%d-03-01','bench',%s,%s);\n" % (year, q(now), q(now)))
    out.write("INSERT INTO drills (org_id,drill_date,scenario,participants,created_by,created_at,updated_at) VALUES %s;\n" % ",".join(
        "(1,'%d-%02d-15',%s,'[\"网络安全部\",\"运维中心\"]','bench',%s,%s)" % (year, m, q("应急演练%d" % m), q(now), q(now)) for m in range(1, 7)))
    out.write("INSERT INTO incidents (org_id,title,category,grade,grade_ruleset,detected_at,status,created_by,created_at,"
              "updated_at) VALUES (1,'DDoS攻击事件','attack','large','bench','%d-02-01T09:00:00+08:00','closed','bench',%s,%s);\n"
              % (year, q(now), q(now)))

    entries = []
    inventories = [("office", 0.4), ("vpn", 0.3), ("zero_trust", 0.3)]
    e = 0
    for inv, share in inventories:
        for k in range(int(n_exposure * share)):
            e += 1
            ip = "10.%d.%d.%d" % (e >> 16 & 255, e >> 8 & 255, e & 255)
            remote = inv != "office"
            entries.append("(%d,2,%s,'信息化部',%s,%s,%s,%s,%s,'办公网、业务支撑网','',%s,%s)" % (
                e, q(inv), q("%s出口%06d" % (inv, k + 1)), q("防火墙" if not remote else "VPN网关"), q(ip),
                q("OpenVPN 2.6" if remote else ""), q("远程运维接入" if remote else ""), q(now), q(now)))
    batched(out, "INSERT INTO exposure_entries (id,org_id,inventory,owner,asset_name,asset_type,ip,software,purpose,"
            "reachable,other,created_at,updated_at) VALUES\n", entries)
    out.write("COMMIT;\nANALYZE;\n")


if __name__ == "__main__":
    main()
