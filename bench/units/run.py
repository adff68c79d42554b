#!/usr/bin/env python3
"""Units benchmark (issue 3): 1,000,000 units over 100,000 organisations. Prints, each beside a
plain SQL reference measured in the same run on the same data:
  - import of 100,000 units from CSV (`fanghu import units`) vs the engine loading the same rows
    with one prepared INSERT in one transaction;
  - a provincial regulator's filtered unit list (first page + total) over HTTP vs the plain
    query for those rows;
  - the level distribution (GET /api/v1/units/stats) vs a plain GROUP BY.
Usage: run.py [--engine sqlite|postgresql] [--units N] [--orgs N] [--import-rows N]"""
import argparse, csv, json, os, shutil, socket, statistics, subprocess, sys, tempfile, time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
BIN = os.environ.get("FANGHU_BIN", os.path.join(ROOT, "build", "fanghu"))
PW = "Bench-Passw0rd!1"


def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p


def median_ms(fn, n=20):
    fn()  # warm
    t = []
    for _ in range(n):
        t0 = time.perf_counter(); fn(); t.append((time.perf_counter() - t0) * 1000)
    return statistics.median(t)


class Engine:
    def __init__(self, kind, data):
        self.kind, self.data, self.url = kind, data, None
        if kind == "postgresql":
            out = subprocess.check_output(["bash", os.path.join(ROOT, "scripts/pg-test.sh"), "start", data + "/pg"], text=True)
            self.url = out.strip().splitlines()[-1]

    def args(self):
        return ["--data", self.data] + (["--db", self.url] if self.url else [])

    def run_sql_file(self, path):
        if self.kind == "sqlite":
            subprocess.check_call(["sqlite3", self.data + "/fanghu.db"], stdin=open(path))
        else:
            subprocess.check_call(["psql", "-q", "-v", "ON_ERROR_STOP=1", self.url, "-f", path], stdout=subprocess.DEVNULL)

    def query_ms(self, sql, n=20):
        """Median time of sql run by the engine itself, in the same process each time."""
        if self.kind == "sqlite":
            import sqlite3
            con = sqlite3.connect(self.data + "/fanghu.db")
            return median_ms(lambda: con.execute(sql).fetchall(), n)
        # psql: one session running the query n times, timings from \timing
        script = "\\timing on\n" + "\n".join([sql + ";"] * (n + 1))
        out = subprocess.run(["psql", "-q", self.url], input=script, capture_output=True, text=True).stdout
        ts = [float(l.split()[1]) for l in out.splitlines() if l.startswith("Time:")][1:]
        return statistics.median(ts)

    def stop(self):
        if self.url:
            subprocess.call(["bash", os.path.join(ROOT, "scripts/pg-test.sh"), "stop", self.data + "/pg"])


def http(method, url, body=None, headers=None):
    req = urllib.request.Request(url, data=json.dumps(body).encode() if body is not None else None, method=method,
                                 headers={"Content-Type": "application/json", **(headers or {})})
    with urllib.request.urlopen(req) as r:
        t = r.read()
        return json.loads(t) if t else None, r.headers


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--engine", default="sqlite")
    ap.add_argument("--units", type=int, default=1000000)
    ap.add_argument("--orgs", type=int, default=100000)
    ap.add_argument("--import-rows", type=int, default=100000)
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="fanghu-bench-units-")
    eng = Engine(a.engine, tmp)
    srv = None
    try:
        subprocess.check_call([BIN, "migrate"] + eng.args(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        t0 = time.perf_counter()
        with open(tmp + "/data.sql", "w") as f:
            subprocess.check_call([sys.executable, HERE + "/gen.py", "sql", str(a.orgs), str(a.units)], stdout=f)
        eng.run_sql_file(tmp + "/data.sql")
        if a.engine == "postgresql":
            subprocess.check_call(["psql", "-q", eng.url, "-c", "SELECT setval(pg_get_serial_sequence('orgs','id'), (SELECT MAX(id) FROM orgs)); SELECT setval(pg_get_serial_sequence('units','id'), (SELECT MAX(id) FROM units)); ANALYZE;"], stdout=subprocess.DEVNULL)
        else:
            subprocess.check_call(["sqlite3", tmp + "/fanghu.db", "ANALYZE;"])
        print("# %s: %d units over %d organisations generated and loaded in %.1f s" % (a.engine, a.units, a.orgs, time.perf_counter() - t0))

        # Import: fanghu import units vs the engine inserting the same rows plainly.
        with open(tmp + "/import.csv", "w") as f:
            subprocess.check_call([sys.executable, HERE + "/gen.py", "csv", str(a.import_rows), str(a.orgs)], stdout=f)
        t0 = time.perf_counter()
        subprocess.check_call([BIN, "import", "units", tmp + "/import.csv"] + eng.args(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        imp = time.perf_counter() - t0
        rows = list(csv.reader(open(tmp + "/import.csv", encoding="utf-8")))[1:]
        with open(tmp + "/plain.sql", "w") as f:
            f.write("BEGIN;\nCREATE TABLE plain_import (uscc TEXT, name TEXT, unit_type TEXT, a TEXT, b TEXT, c TEXT, d TEXT, e TEXT, s TEXT, r TEXT, i TEXT, rr TEXT, v TEXT, ji TEXT, jr TEXT, jv TEXT);\n")
            for i in range(0, len(rows), 1000):
                f.write("INSERT INTO plain_import VALUES %s;\n" % ",".join("(" + ",".join("'%s'" % c.replace("'", "''") for c in r) + ")" for r in rows[i:i + 1000]))
            f.write("COMMIT;\n")
        t0 = time.perf_counter()
        eng.run_sql_file(tmp + "/plain.sql")
        ref = time.perf_counter() - t0
        print("%-44s %10.0f rows/s   reference (plain multi-row INSERT) %10.0f rows/s   ratio %.2f" % (
            "import %d units from CSV" % a.import_rows, a.import_rows / imp, a.import_rows / ref, ref / imp))

        # A provincial regulator (上海, 31) with a read token.
        port = free_port()
        env = dict(os.environ, FANGHU_ADMIN_PASSWORD=PW)
        srv = subprocess.Popen([BIN, "serve", "--listen", "127.0.0.1:%d" % port, "--log-level", "warn"] + eng.args(), env=env, stderr=subprocess.DEVNULL)
        base = "http://127.0.0.1:%d/api/v1" % port
        for _ in range(100):
            try:
                http("GET", base + "/health"); break
            except Exception:
                time.sleep(0.1)
        token = setup_regulator(base, tmp)
        auth = {"Authorization": "Bearer " + token}
        q = "/units?filing_status=filed&limit=50"
        page, _ = http("GET", base + q, headers=auth)
        api_list = median_ms(lambda: http("GET", base + q, headers=auth))
        plain_list = eng.query_ms(
            "SELECT u.id, u.name, u.level, u.filing_status FROM units u JOIN orgs o ON o.id = u.org_id "
            "WHERE o.province = '31' AND u.filing_status = 'filed' ORDER BY u.id DESC LIMIT 50")
        plain_count = eng.query_ms("SELECT COUNT(*) FROM units u JOIN orgs o ON o.id = u.org_id WHERE o.province = '31' AND u.filing_status = 'filed'")
        print("%-44s %10.1f ms       reference (plain page + count)       %10.1f ms   ratio %.2f   (total %d)" % (
            "regulator list, first page + total (HTTP)", api_list, plain_list + plain_count, (plain_list + plain_count) / api_list, page["total"]))
        api_stats = median_ms(lambda: http("GET", base + "/units/stats", headers=auth))
        plain_stats = eng.query_ms(
            "SELECT COALESCE(u.level,0), u.filing_status, COUNT(*) FROM units u JOIN orgs o ON o.id = u.org_id "
            "WHERE o.province = '31' AND u.status <> 'retired' GROUP BY 1, 2")
        print("%-44s %10.1f ms       reference (plain GROUP BY)           %10.1f ms   ratio %.2f" % (
            "level distribution, regulator (HTTP)", api_stats, plain_stats, plain_stats / api_stats))

        # Duties (issue 4): the full recompute, and a regulator's overdue duties.
        t0 = time.perf_counter()
        out = subprocess.run([BIN, "duty", "recompute"] + eng.args(), capture_output=True, text=True).stdout.strip()
        recompute = time.perf_counter() - t0
        plain_agg = eng.query_ms("SELECT u.org_id, COUNT(*), MIN(u.filed_at) FROM units u WHERE u.filing_status <> 'retired' GROUP BY u.org_id", n=3)
        print("%-44s %10.1f s        reference (plain aggregate of units) %10.1f ms   (%s)" % (
            "duty recompute, all units (CLI)", recompute, plain_agg, out))
        q = "/duties?state=overdue&limit=50"
        over, _ = http("GET", base + q, headers=auth)
        api_over = median_ms(lambda: http("GET", base + q, headers=auth))
        today = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 8 * 3600))
        plain_over = eng.query_ms(
            "SELECT d.id, d.due_date FROM duties d JOIN orgs o ON o.id = d.org_id WHERE o.province = '31' "
            "AND d.done_at IS NULL AND d.due_date < '%s' ORDER BY d.due_date LIMIT 50" % today)
        plain_over_count = eng.query_ms(
            "SELECT COUNT(*) FROM duties d JOIN orgs o ON o.id = d.org_id WHERE o.province = '31' "
            "AND d.done_at IS NULL AND d.due_date < '%s'" % today)
        print("%-44s %10.1f ms       reference (plain page + count)       %10.1f ms   ratio %.2f   (total %d)" % (
            "regulator overdue duties, page + total (HTTP)", api_over, plain_over + plain_over_count,
            (plain_over + plain_over_count) / api_over, over["total"]))
    finally:
        if srv:
            srv.terminate(); srv.wait()
        eng.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def setup_regulator(base, tmp):
    import http.cookiejar
    cj = http.cookiejar.CookieJar()
    op = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(cj))

    def call(method, path, body=None, csrf=None):
        h = {"Content-Type": "application/json"}
        if csrf:
            h["X-CSRF-Token"] = csrf
        r = op.open(urllib.request.Request(base + path, data=json.dumps(body).encode() if body is not None else None, method=method, headers=h))
        t = r.read()
        return json.loads(t) if t else None

    s = call("POST", "/session", {"username": "admin", "password": PW})
    call("POST", "/me/password", {"old_password": PW, "new_password": PW + "x"}, s["csrf_token"])
    s = call("POST", "/session", {"username": "admin", "password": PW + "x"})
    # A valid 统一社会信用代码 for the regulator, not used by the generated organisations.
    cs = "0123456789ABCDEFGHJKLMNPQRTUWXY"; w = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    body = "11310000MB0000001"; chk = cs[(31 - sum(cs.index(c) * w[i] for i, c in enumerate(body)) % 31) % 31]
    reg = call("POST", "/orgs", {"name": "上海市通信管理局", "kind": "regulator_ca", "uscc": body + chk, "province": "31",
                                 "jurisdiction": [{"province": "31", "kind": "*"}]}, s["csrf_token"])
    call("POST", "/users", {"username": "reg31", "display_name": "监管", "role": "regulator", "org_id": reg["id"], "password": PW}, s["csrf_token"])
    cj.clear()
    s = call("POST", "/session", {"username": "reg31", "password": PW})
    call("POST", "/me/password", {"old_password": PW, "new_password": PW + "y"}, s["csrf_token"])
    s = call("POST", "/session", {"username": "reg31", "password": PW + "y"})
    return call("POST", "/tokens", {"name": "bench", "scope": "read"}, s["csrf_token"])["token"]


if __name__ == "__main__":
    main()
