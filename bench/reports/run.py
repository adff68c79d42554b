#!/usr/bin/env python3
"""Documents benchmark (issue 6), on SQLite with the release binary. Prints, for one run on one
machine:
  - the 安全防护工作报告 of a group company with --units network units, as DOCX and as PDF (HTTP:
    the facts read from the data and the document rendered), the median of --runs requests each;
  - LibreOffice converting that same DOCX to PDF (headless, a private profile), once, capped at
    --lo-timeout seconds — the reference the PDF is compared with;
  - the exposure workbook (annex 4) of an organisation with --exposure entries (HTTP);
  - the same entries as a list export (GET /exposure/entries?format=xlsx: the list's handler page
    by page), beside the annex-4 workbook of the same rows (one streaming statement) and the
    console's JSON pages of that list (500 a page), all measured in this run.
Aims: DOCX under 1 s, XLSX under 2 s, PDF faster than LibreOffice converting the DOCX.
Usage: run.py [--units N] [--exposure N] [--runs N] [--lo-timeout S] [--keep DIR]"""
import argparse, datetime, http.cookiejar, json, os, shutil, socket, statistics, subprocess, sys
import tempfile, time, urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
BIN = os.environ.get("FANGHU_BIN", os.path.join(ROOT, "build", "fanghu"))
PW = "Bench-Passw0rd!1"


def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p


class Client:
    def __init__(self, base):
        self.base, self.csrf = base, None
        self.op = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))

    def call(self, method, path, body=None, raw=False):
        h = {"Content-Type": "application/json"}
        if self.csrf:
            h["X-CSRF-Token"] = self.csrf
        data = json.dumps(body).encode() if body is not None else None
        with self.op.open(urllib.request.Request(self.base + path, data=data, method=method, headers=h), timeout=600) as r:
            t = r.read()
            return t if raw else (json.loads(t) if t else None)

    def login(self, user, pw):
        self.csrf = None
        self.csrf = self.call("POST", "/session", {"username": user, "password": pw})["csrf_token"]


def timed(fn, runs):
    """(median seconds, last result) of runs calls after one warm-up call."""
    out = fn()
    t = []
    for _ in range(runs):
        t0 = time.perf_counter(); out = fn(); t.append(time.perf_counter() - t0)
    return statistics.median(t), out


def pages(path):
    info = subprocess.run(["pdfinfo", path], capture_output=True, text=True).stdout
    for line in info.splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    return 0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=10000)
    ap.add_argument("--exposure", type=int, default=100000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--lo-timeout", type=int, default=600)
    ap.add_argument("--keep", help="copy the documents (DOCX, both PDFs, XLSX) into this directory")
    a = ap.parse_args()
    if not os.access(BIN, os.X_OK):
        sys.exit("bench/reports: no binary at %s (ninja -C build)" % BIN)
    year = (datetime.datetime.utcnow() + datetime.timedelta(hours=8)).year
    tmp = tempfile.mkdtemp(prefix="fanghu-bench-reports-")
    srv = None
    try:
        subprocess.check_call([BIN, "migrate", "--data", tmp], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        t0 = time.perf_counter()
        with open(tmp + "/data.sql", "w") as f:
            subprocess.check_call([sys.executable, HERE + "/gen.py", str(year), str(a.units), str(a.exposure)], stdout=f)
        subprocess.check_call(["sqlite3", tmp + "/fanghu.db"], stdin=open(tmp + "/data.sql"))
        print("# sqlite: a group company with %d units, an organisation with %d exposure entries; loaded in %.1f s"
              % (a.units, a.exposure, time.perf_counter() - t0))

        port = free_port()
        env = dict(os.environ, FANGHU_ADMIN_PASSWORD=PW)
        srv = subprocess.Popen([BIN, "serve", "--listen", "127.0.0.1:%d" % port, "--log-level", "warn", "--data", tmp],
                               env=env, stderr=subprocess.DEVNULL)
        c = Client("http://127.0.0.1:%d/api/v1" % port)
        for _ in range(100):
            try:
                c.call("GET", "/health"); break
            except Exception:
                time.sleep(0.1)
        c.login("admin", PW)
        c.call("POST", "/me/password", {"old_password": PW, "new_password": PW + "x"})
        c.login("admin", PW + "x")
        report = c.call("POST", "/annual-reports", {"org_id": "1", "year": year})
        for code, text in (("problems", "部分网络单元备案信息更新不及时。"), ("plan", "下一年度完成全部网络单元备案。")):
            c.call("PUT", "/annual-reports/%s/sections/%s" % (report["id"], code), {"text": text})
        path = "/annual-reports/%s/report." % report["id"]

        t_docx, docx = timed(lambda: c.call("GET", path + "docx", raw=True), a.runs)
        t_pdf, pdf = timed(lambda: c.call("GET", path + "pdf", raw=True), a.runs)
        open(tmp + "/report.docx", "wb").write(docx)
        open(tmp + "/fanghu.pdf", "wb").write(pdf)
        t_xlsx, xlsx = timed(lambda: c.call("GET", "/orgs/2/exposure.xlsx", raw=True), a.runs)
        t_list, listx = timed(lambda: c.call("GET", "/exposure/entries?org_id=2&format=xlsx", raw=True), a.runs)

        def json_pages():
            n, off = 0, 0
            while True:
                page = c.call("GET", "/exposure/entries?org_id=2&limit=500&offset=%d" % off)
                n += len(page["items"])
                if len(page["items"]) < 500:
                    return n
                off += 500
        t_json, n_json = timed(json_pages, a.runs)

        # LibreOffice converting the same DOCX, once, capped.
        lo_dir = tmp + "/lo"
        os.makedirs(lo_dir)
        t0 = time.perf_counter()
        lo = subprocess.Popen(["soffice", "-env:UserInstallation=file://" + tmp + "/lo-profile", "--headless",
                               "--convert-to", "pdf", "--outdir", lo_dir, tmp + "/report.docx"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            lo.wait(timeout=a.lo_timeout)
            t_lo = time.perf_counter() - t0
            capped = not os.path.exists(lo_dir + "/report.pdf")
        except subprocess.TimeoutExpired:
            os.killpg(lo.pid, 9)
            lo.wait()
            t_lo, capped = float(a.lo_timeout), True

        print("%-52s %9.3f s   %8d bytes" % ("annual report DOCX, %d units (HTTP)" % a.units, t_docx, len(docx)))
        print("%-52s %9.3f s   %8d bytes, %d pages" % ("annual report PDF, %d units (HTTP)" % a.units, t_pdf, len(pdf),
                                                      pages(tmp + "/fanghu.pdf")))
        if capped:
            print("%-52s > %7.0f s   (capped at --lo-timeout %d s: no PDF written)" % (
                "reference: LibreOffice DOCX → PDF (same DOCX)", t_lo, a.lo_timeout))
            print("%-52s > %9.1f   (LibreOffice time / fanghu PDF time, lower bound)" % ("ratio", t_lo / t_pdf))
        else:
            print("%-52s %9.3f s   %8d bytes, %d pages" % ("reference: LibreOffice DOCX → PDF (same DOCX)", t_lo,
                                                          os.path.getsize(lo_dir + "/report.pdf"), pages(lo_dir + "/report.pdf")))
            print("%-52s %9.1f     (LibreOffice time / fanghu PDF time)" % ("ratio", t_lo / t_pdf))
        print("%-52s %9.3f s   %8d bytes" % ("exposure XLSX, %d rows (HTTP)" % a.exposure, t_xlsx, len(xlsx)))
        print("%-52s %9.3f s   %8d bytes" % ("list export XLSX, %d rows (HTTP, pages of 500)" % a.exposure, t_list, len(listx)))
        print("%-52s %9.1f     (list export / annex-4 workbook of the same rows)" % ("ratio", t_list / t_xlsx))
        print("%-52s %9.3f s   %8d rows" % ("reference: the same list as JSON pages (HTTP)", t_json, n_json))
        print("%-52s %9.1f     (list export / JSON pages)" % ("ratio", t_list / t_json))
        print("# aims: DOCX < 1 s: %s; XLSX < 2 s: %s; PDF faster than LibreOffice: %s" % (
            "met" if t_docx < 1 else "NOT met", "met" if t_xlsx < 2 else "NOT met", "met" if t_pdf < t_lo else "NOT met"))
        print("# medians of %d requests after one warm-up; LibreOffice run once" % a.runs)
        if a.keep:
            os.makedirs(a.keep, exist_ok=True)
            open(tmp + "/exposure.xlsx", "wb").write(xlsx)
            for name in ("report.docx", "fanghu.pdf", "lo/report.pdf", "exposure.xlsx"):
                if os.path.exists(tmp + "/" + name):
                    shutil.copy(tmp + "/" + name, os.path.join(a.keep, name.replace("lo/", "libreoffice-")))
    finally:
        if srv:
            srv.terminate(); srv.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
