#!/bin/sh
# HTTP benchmark of the release binary against nginx serving the same bytes as static files,
# measured in the same run on the same machine (loopback only).
#   (a) GET /api/v1/health                 vs nginx static file of the same size
#   (b) GET /api/v1/orgs?limit=50 (Bearer read token, 60 orgs in the database)
#                                          vs nginx static file of the same size
# wrk: 2 threads, 64 connections, BENCH_SECONDS (default 10) each after a 2 s warm-up.
# Prints req/s and p99 latency with the ratio fanghu/nginx, and the server's idle RSS.
# Env: FANGHU_BIN (default build/fanghu), BENCH_SECONDS, BENCH_CONNECTIONS, BENCH_THREADS,
#      BENCH_RUNS (default 1; with 3, each figure is the median run of three),
#      FANGHU_BENCH_DB (optional postgresql:// URL of an empty database).
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${FANGHU_BIN:-$root/build/fanghu}
SECS=${BENCH_SECONDS:-10}
CONNS=${BENCH_CONNECTIONS:-64}
THREADS=${BENCH_THREADS:-2}
RUNS=${BENCH_RUNS:-1}
NGINX=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}

die() { echo "bench/http: $*" >&2; exit 1; }
[ -x "$BIN" ] || die "no release binary at $BIN (meson setup build && ninja -C build)"
command -v wrk >/dev/null || die "wrk not installed (apt-get install wrk)"
[ -x "$NGINX" ] || die "nginx not installed (apt-get install nginx-light)"
command -v curl >/dev/null || die "curl not installed"
command -v python3 >/dev/null || die "python3 not installed"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/fanghu-bench.XXXXXX")
fanghu_pid='' nginx_pid=''
cleanup() {
	[ -n "$fanghu_pid" ] && kill "$fanghu_pid" 2>/dev/null && wait "$fanghu_pid" 2>/dev/null
	[ -n "$nginx_pid" ] && kill "$nginx_pid" 2>/dev/null && wait "$nginx_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap 'cleanup' EXIT
trap 'exit 130' INT TERM

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
json_get() { # KEY (reads JSON on stdin)
	python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"
}
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

# ---- fanghu -------------------------------------------------------------------------------
port=$(free_port)
base=http://127.0.0.1:$port
mkdir -p "$tmp/data"
admin_pw='Bench-Admin-Init-2026'
set -- serve --listen "127.0.0.1:$port" --data "$tmp/data"
[ -n "${FANGHU_BENCH_DB:-}" ] && set -- "$@" --db "$FANGHU_BENCH_DB"
FANGHU_ADMIN_PASSWORD=$admin_pw "$BIN" "$@" >"$tmp/fanghu.log" 2>&1 &
fanghu_pid=$!
i=0
until curl -fsS -o /dev/null "$base/api/v1/health" 2>/dev/null; do
	i=$((i + 1))
	kill -0 "$fanghu_pid" 2>/dev/null || { cat "$tmp/fanghu.log" >&2; die "fanghu exited"; }
	[ $i -lt 300 ] || die "fanghu not healthy after 30 s"
	sleep 0.1
done
sleep 1
rss_start=$(rss_kb "$fanghu_pid")

# Setup: admin login, password change, 60 organisations, a read token.
jar=$tmp/cookies
csrf=$(curl -fsS -c "$jar" -H 'content-type: application/json' \
	-d "{\"username\":\"admin\",\"password\":\"$admin_pw\"}" "$base/api/v1/session" | json_get csrf_token)
new_pw='Bench-Admin-Changed-2026!'
curl -fsS -b "$jar" -c "$jar" -H 'content-type: application/json' -H "x-csrf-token: $csrf" \
	-d "{\"old_password\":\"$admin_pw\",\"new_password\":\"$new_pw\"}" "$base/api/v1/me/password" >/dev/null
csrf=$(curl -fsS -b "$jar" "$base/api/v1/me" | json_get csrf_token)
python3 - "$base" "$jar" "$csrf" <<'EOF'
# 60 organisations with valid 统一社会信用代码 (GB 32100-2015 check character; GB 11714 inside).
import json, sys, urllib.request
base, jarfile, csrf = sys.argv[1:4]
# curl writes HttpOnly cookies as "#HttpOnly_host ..." lines, which cookiejar skips: read it here.
session = [l.split('\t')[6].strip() for l in open(jarfile) if '\tfanghu_session\t' in l][-1]
CS = '0123456789ABCDEFGHJKLMNPQRTUWXY'
W = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
def orgcheck(s):
    r = 11 - sum(int(c) * w for c, w in zip(s, [3, 7, 9, 10, 5, 8, 4, 2])) % 11
    return 'X' if r == 10 else '0' if r == 11 else str(r)
def uscc(n):
    body = '%08d' % (31000000 + n)
    s17 = '91350100' + body + orgcheck(body)
    return s17 + CS[(31 - sum(CS.index(c) * w for c, w in zip(s17, W)) % 31) % 31]
kinds = ['vas', 'dns', 'telecom_provincial', 'platform', 'iiot_connected']
for n in range(60):
    body = json.dumps({'name': '基准测试单位%02d有限公司' % n, 'kind': kinds[n % 5], 'uscc': uscc(n),
                       'province': ['35', '44', '11', '31'][n % 4]}).encode()
    req = urllib.request.Request(base + '/api/v1/orgs', data=body, method='POST',
                                 headers={'content-type': 'application/json', 'x-csrf-token': csrf,
                                          'cookie': 'fanghu_session=' + session})
    with urllib.request.urlopen(req) as r:
        assert r.status == 201, r.status
EOF
token=$(curl -fsS -b "$jar" -H 'content-type: application/json' -H "x-csrf-token: $csrf" \
	-d '{"name":"bench","scope":"read"}' "$base/api/v1/tokens" | json_get token)
auth="Authorization: Bearer $token"
orgs_path='/api/v1/orgs?limit=50'

# The exact bytes fanghu answers, for nginx to serve.
mkdir -p "$tmp/www"
curl -fsS "$base/api/v1/health" >"$tmp/www/health.json"
curl -fsS -H "$auth" "$base$orgs_path" >"$tmp/www/orgs.json"
n_items=$(python3 -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["items"]))' "$tmp/www/orgs.json")
[ "$n_items" -eq 50 ] || die "orgs list has $n_items items, expected 50"
size_health=$(wc -c <"$tmp/www/health.json")
size_orgs=$(wc -c <"$tmp/www/orgs.json")

# ---- nginx --------------------------------------------------------------------------------
nport=$(free_port)
mkdir -p "$tmp/nginx/logs"
chmod 755 "$tmp" "$tmp/www"
chmod 644 "$tmp/www/"*.json
cat >"$tmp/nginx/nginx.conf" <<EOF
worker_processes auto;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/logs/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    default_type application/json;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    keepalive_timeout 65;
    client_body_temp_path $tmp/nginx/body;
    proxy_temp_path $tmp/nginx/proxy;
    fastcgi_temp_path $tmp/nginx/fastcgi;
    uwsgi_temp_path $tmp/nginx/uwsgi;
    scgi_temp_path $tmp/nginx/scgi;
    server {
        listen 127.0.0.1:$nport;
        root $tmp/www;
        location / { try_files \$uri =404; }
    }
}
EOF
"$NGINX" -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" -g 'daemon off;' 2>"$tmp/nginx/logs/stderr.log" &
nginx_pid=$!
nbase=http://127.0.0.1:$nport
i=0
until curl -fsS -o /dev/null "$nbase/health.json" 2>/dev/null; do
	i=$((i + 1))
	kill -0 "$nginx_pid" 2>/dev/null || { cat "$tmp/nginx/logs/"* >&2; die "nginx exited"; }
	[ $i -lt 100 ] || die "nginx not answering"
	sleep 0.1
done
[ "$(curl -fsS "$nbase/orgs.json" | wc -c)" -eq "$size_orgs" ] || die "nginx serves a different size"

# ---- measure ------------------------------------------------------------------------------
# wrk_once NAME URL [HEADER] → prints "reqs p99ms non2xx" of one measured run (after a warm-up)
wrk_once() {
	name=$1 url=$2 hdr=${3:-}
	if [ -n "$hdr" ]; then
		timeout 30 wrk -t"$THREADS" -c"$CONNS" -d2s -H "$hdr" "$url" >/dev/null 2>&1 || true
		timeout $((SECS + 30)) wrk -t"$THREADS" -c"$CONNS" -d"${SECS}s" --latency -H "$hdr" "$url" >"$tmp/wrk-$name.txt" 2>&1 || true
	else
		timeout 30 wrk -t"$THREADS" -c"$CONNS" -d2s "$url" >/dev/null 2>&1 || true
		timeout $((SECS + 30)) wrk -t"$THREADS" -c"$CONNS" -d"${SECS}s" --latency "$url" >"$tmp/wrk-$name.txt" 2>&1 || true
	fi
	awk '
		function ms(v) {
			if (v ~ /us$/) return substr(v, 1, length(v) - 2) / 1000
			if (v ~ /ms$/) return substr(v, 1, length(v) - 2) + 0
			if (v ~ /s$/) return substr(v, 1, length(v) - 1) * 1000
			return v + 0
		}
		/Requests\/sec:/ { rps = $2 }
		$1 == "99%" { p99 = ms($2) }
		/Non-2xx or 3xx responses:/ { bad = $NF }
		END { printf "%.0f %.2f %d\n", rps, p99, bad + 0 }' "$tmp/wrk-$name.txt"
	if grep -q 'Socket errors' "$tmp/wrk-$name.txt"; then
		echo "note: $name: $(grep 'Socket errors' "$tmp/wrk-$name.txt")" >&2
	fi
}
# wrk_run NAME URL [HEADER] → the run with the median req/s of BENCH_RUNS runs; non-2xx summed.
wrk_run() {
	: >"$tmp/runs-$1"
	r=0
	while [ $r -lt "$RUNS" ]; do
		wrk_once "$@" >>"$tmp/runs-$1"
		r=$((r + 1))
	done
	bad=$(awk '{ s += $3 } END { print s + 0 }' "$tmp/runs-$1")
	sort -n "$tmp/runs-$1" | awk -v n="$RUNS" -v bad="$bad" 'NR == int((n + 1) / 2) { print $1, $2, bad }'
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "fanghu: $BIN (pid $fanghu_pid, $(nproc) CPUs), nginx $("$NGINX" -v 2>&1 | sed 's/.*nginx\///'), wrk -t$THREADS -c$CONNS -d${SECS}s, median of $RUNS run(s)"
set -- $(wrk_run fh_health "$base/api/v1/health");        fh_h_rps=$1 fh_h_p99=$2 fh_h_bad=$3
set -- $(wrk_run ng_health "$nbase/health.json");         ng_h_rps=$1 ng_h_p99=$2 ng_h_bad=$3
set -- $(wrk_run fh_orgs "$base$orgs_path" "$auth");      fh_o_rps=$1 fh_o_p99=$2 fh_o_bad=$3
set -- $(wrk_run ng_orgs "$nbase/orgs.json");             ng_o_rps=$1 ng_o_p99=$2 ng_o_bad=$3
sleep 2
rss_after=$(rss_kb "$fanghu_pid")
kill -0 "$fanghu_pid" 2>/dev/null || die "fanghu died during the benchmark"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
printf '\n%-34s %8s %12s %9s %12s %9s %10s %9s\n' "request" "body B" "fanghu rq/s" "p99 ms" "nginx rq/s" "p99 ms" "rq/s f/n" "p99 f/n"
printf '%-34s %8s %12s %9s %12s %9s %10s %9s\n' "GET /api/v1/health" "$size_health" "$fh_h_rps" "$fh_h_p99" "$ng_h_rps" "$ng_h_p99" \
	"$(ratio "$fh_h_rps" "$ng_h_rps")" "$(ratio "$fh_h_p99" "$ng_h_p99")"
printf '%-34s %8s %12s %9s %12s %9s %10s %9s\n' "GET $orgs_path (Bearer)" "$size_orgs" "$fh_o_rps" "$fh_o_p99" "$ng_o_rps" "$ng_o_p99" \
	"$(ratio "$fh_o_rps" "$ng_o_rps")" "$(ratio "$fh_o_p99" "$ng_o_p99")"
printf '\nfanghu idle RSS: %s kB after start, %s kB idle after the load\n' "$rss_start" "$rss_after"

rc=0
for v in "fh_health:$fh_h_bad" "ng_health:$ng_h_bad" "fh_orgs:$fh_o_bad" "ng_orgs:$ng_o_bad"; do
	if [ "${v#*:}" -ne 0 ]; then echo "WARNING: ${v%%:*}: ${v#*:} non-2xx responses (figure not valid)"; rc=1; fi
done
exit $rc
