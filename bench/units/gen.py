#!/usr/bin/env python3
"""Writes the benchmark data as SQL for the units benchmark: N_ORGS organisations (groups and
their provincial companies over 31 provinces, with the org_tree closure), N_UNITS units spread
over them with a level and a filing status, and a CSV of extra units for the import timing.
Usage: gen.py sql N_ORGS N_UNITS > data.sql ; gen.py csv N_ROWS USCC_FILE > import.csv"""
import random, sys

CS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
W = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
PROV = ["11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
        "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65"]
TYPES = ["mobile", "fixed", "internet", "idc", "cdn", "dns", "online_hall", "app_store", "cloud"]
FS = ["draft", "filed", "filed", "filed", "submitted", "returned", "change_pending"]


def uscc(n):
    body = "91" + "%06d" % (110000 + n % 890000) + "%09d" % n
    body = body[:17]
    s = sum(CS.index(c) * W[i] for i, c in enumerate(body))
    return body + CS[(31 - s % 31) % 31]


def sql(n_orgs, n_units):
    rnd = random.Random(7)
    now = "2026-01-01T00:00:00+08:00"
    out = sys.stdout
    out.write("BEGIN;\n")
    groups = max(1, n_orgs // 32)
    rows, tree = [], []
    for i in range(1, n_orgs + 1):
        if i <= groups:
            rows.append("(%d,'集团%d','telecom_group','%s','11',NULL,'%s','%s')" % (i, i, uscc(i), now, now))
            tree.append("(%d,%d,0)" % (i, i))
        else:
            parent = 1 + (i % groups)
            prov = PROV[i % len(PROV)]
            rows.append("(%d,'省公司%d','telecom_provincial','%s','%s',%d,'%s','%s')" % (i, i, uscc(i), prov, parent, now, now))
            tree.append("(%d,%d,0)" % (i, i))
            tree.append("(%d,%d,1)" % (parent, i))
        if len(rows) >= 2000:
            out.write("INSERT INTO orgs (id,name,kind,uscc,province,parent_id,created_at,updated_at) VALUES %s;\n" % ",".join(rows))
            rows = []
        if len(tree) >= 4000:
            out.write("INSERT INTO org_tree (ancestor,descendant,depth) VALUES %s;\n" % ",".join(tree))
            tree = []
    if rows:
        out.write("INSERT INTO orgs (id,name,kind,uscc,province,parent_id,created_at,updated_at) VALUES %s;\n" % ",".join(rows))
    if tree:
        out.write("INSERT INTO org_tree (ancestor,descendant,depth) VALUES %s;\n" % ",".join(tree))
    units = []
    for u in range(1, n_units + 1):
        org = groups + 1 + rnd.randrange(n_orgs - groups)
        level = rnd.choice([1, 2, 2, 3, 3, 3, 4, 5])
        fs = rnd.choice(FS)
        filed = "'2025-%02d-%02d'" % (1 + u % 12, 1 + u % 28) if fs in ("filed", "change_pending") else "NULL"
        number = "'%d-%d'" % (org, u) if fs in ("filed", "change_pending") else "NULL"
        units.append("(%d,%d,'单元%d','%s','业务','本省','企业','m','t','',NULL,'online',%d,3,3,3,37,'a','b','c','bench','2025-01-01T00:00:00+08:00','%s',%s,%s,%s,%s,'%s','%s')" % (
            u, org, u, rnd.choice(TYPES), level, fs, number, filed, "%d" % level if filed != "NULL" else "NULL",
            "'2026-01-10'" if fs == "change_pending" else "NULL", now, now))
        if len(units) >= 1000:
            out.write("INSERT INTO units (id,org_id,name,unit_type,business_scope,service_scope,user_types,management,technical,boundary,device_count,status,level,grade_i,grade_r,grade_v,grade_k10,just_i,just_r,just_v,grade_ruleset,graded_at,filing_status,filing_number,filed_at,filed_level,change_since,created_at,updated_at) VALUES %s;\n" % ",".join(units))
            units = []
    if units:
        out.write("INSERT INTO units (id,org_id,name,unit_type,business_scope,service_scope,user_types,management,technical,boundary,device_count,status,level,grade_i,grade_r,grade_v,grade_k10,just_i,just_r,just_v,grade_ruleset,graded_at,filing_status,filing_number,filed_at,filed_level,change_since,created_at,updated_at) VALUES %s;\n" % ",".join(units))
    out.write("COMMIT;\n")


def csv(n_rows, n_orgs):
    groups = max(1, n_orgs // 32)
    rnd = random.Random(11)
    sys.stdout.write("所属单位统一社会信用代码,网络单元名称,网络单元类型,业务/应用范围,服务范围,用户类型,管理情况,技术情况,运行状态,IP地址段,社会影响力I,规模和服务范围R,服务重要性V,I赋值理由,R赋值理由,V赋值理由\n")
    for i in range(n_rows):
        org = groups + 1 + rnd.randrange(n_orgs - groups)
        sys.stdout.write("%s,导入单元%d,%s,业务,本省,企业,管理,技术,在网运行,10.%d.%d.0/24,%d,%d,%d,理由I,理由R,理由V\n" % (
            uscc(org), i, rnd.choice(TYPES), (i >> 8) & 255, i & 255, rnd.randint(1, 5), rnd.randint(1, 5), rnd.randint(1, 5)))


if __name__ == "__main__":
    if sys.argv[1] == "sql":
        sql(int(sys.argv[2]), int(sys.argv[3]))
    else:
        csv(int(sys.argv[2]), int(sys.argv[3]))
