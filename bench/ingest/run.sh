#!/bin/sh
# Ingest benchmark, on one machine, loopback only, bounded in time.
#
# A file of BENCH_BYTES (default 1.1 GB) is built by repeating the Suricata sample's lines with
# varied addresses (gen.py: BENCH_CAMPAIGNS victim/attacker pairs, victims inside 100,000
# declared /24 ranges of 2,000 organisations), then measured in the same run:
#   (a) a plain read + newline split of the file,
#   (b) a full parse of each line with cJSON (a benchmark reference only, never linked into fanghu),
#   (c) a full parse of each line with jansson,
#   (d) fanghu's EVE scanner alone,
#   (e) `fanghu ingest --format eve FILE` end to end: scan, match both addresses against the
#       100,000 ranges, aggregate into threats, pack events, commit on SQLite (WAL,
#       synchronous=FULL), with its peak RSS;
#   (f) `fanghu serve` with 8 concurrent senders posting 1,000-line gzip batches to
#       POST /api/v1/events for BENCH_HTTP_SECONDS; events/s acknowledged after commit.
# Rates are lines per second of wall time and per CPU second (user + system) of the process,
# medians of BENCH_RUNS interleaved rounds: on a shared machine the CPU figure is the steadier
# one. The ratio to cJSON is printed for both.
#
# Env: FANGHU_BIN (default build/fanghu), BENCH_BYTES, BENCH_CAMPAIGNS (2000), BENCH_DIR (the
#      generated file is kept there between runs; default ${TMPDIR:-/tmp}/fanghu-bench-ingest),
#      BENCH_HTTP_SECONDS (20), BENCH_SENDERS (8), BENCH_RUNS (3), FANGHU_EVE_SAMPLE.
# Needs: cc, pkg-config, libcjson-dev, libjansson-dev, python3, curl, GNU time (/usr/bin/time).
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
BIN=${FANGHU_BIN:-$root/build/fanghu}
BYTES=${BENCH_BYTES:-1100000000}
CAMPAIGNS=${BENCH_CAMPAIGNS:-2000}
DIR=${BENCH_DIR:-${TMPDIR:-/tmp}/fanghu-bench-ingest}
SECS=${BENCH_HTTP_SECONDS:-20}
SENDERS=${BENCH_SENDERS:-8}
RUNS=${BENCH_RUNS:-3}
SAMPLE=${FANGHU_EVE_SAMPLE:-/work/shared/data/samples/suricata-verify-eve-sample.json}

die() { echo "bench/ingest: $*" >&2; exit 1; }
[ -x "$BIN" ] || die "no release binary at $BIN (meson setup build && ninja -C build)"
"$BIN" ingest --help >/dev/null 2>&1 || die "$BIN has no ingest command"
[ -x /usr/bin/time ] || die "GNU time not installed (apt-get install time)"
pkg-config --exists libcjson || die "cJSON not installed (apt-get install libcjson-dev)"
pkg-config --exists jansson || die "jansson not installed (apt-get install libjansson-dev)"
command -v python3 >/dev/null || die "python3 not installed"
command -v curl >/dev/null || die "curl not installed"
[ -r "$SAMPLE" ] || die "no EVE sample at $SAMPLE"

mkdir -p "$DIR"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/fanghu-bench-ingest.XXXXXX")
server_pid=''
cleanup() {
	[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
	rm -rf "$tmp"
}
trap 'cleanup' EXIT
trap 'exit 130' INT TERM

# ---- inputs -------------------------------------------------------------------------------
cc -O2 -std=c17 -D_GNU_SOURCE -I"$root/src" -I"$root/src/base" "$root/bench/ingest/parsebench.c" \
	"$root/src/threat/eve.c" "$root/src/base/arena.c" "$root/src/base/err.c" \
	$(pkg-config --cflags --libs libcjson jansson) -lm -o "$tmp/parsebench"

data=$DIR/eve-$BYTES-c$CAMPAIGNS.json
if [ ! -s "$data" ]; then
	echo "generating $data ..."
	python3 "$root/bench/ingest/gen.py" eve "$SAMPLE" "$data.part" --bytes "$BYTES" --campaigns "$CAMPAIGNS"
	mv "$data.part" "$data"
fi
mkdir -p "$tmp/data"
"$BIN" migrate --data "$tmp/data" >/dev/null 2>&1 || die "migrate failed"
python3 "$root/bench/ingest/gen.py" ranges "$tmp/data/fanghu.db" --ranges 100000
python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute("PRAGMA wal_checkpoint(TRUNCATE)"); c.close()' "$tmp/data/fanghu.db"
mkdir -p "$tmp/http"
cp "$tmp/data/fanghu.db" "$tmp/http/fanghu.db"

# ---- file: references and end to end -------------------------------------------------------
cat "$data" >/dev/null # into the page cache, so that every run reads from memory
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) CPUs)"
echo "file: $data ($(wc -c <"$data") bytes)"

# measure NAME CMD... → $tmp/NAME.out (stdout), appends "wall cpu maxrss_kb" to $tmp/NAME.times
measure() {
	name=$1
	shift
	/usr/bin/time -f '%e %U %S %M' -o "$tmp/$name.time" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" ||
		{ cat "$tmp/$name.err" >&2; die "$name failed"; }
	awk '{ printf "%s %.2f %s\n", $1, $2 + $3, $4 }' "$tmp/$name.time" >>"$tmp/$name.times"
}
# Rounds interleave the runs, so that each sees the same load on a shared machine; each figure
# is the median of RUNS (jansson, the slowest, runs once). Each ingest starts from a copy of the
# database with the ranges and no events.
cp "$tmp/data/fanghu.db" "$tmp/ranges.db"
for round in $(seq "$RUNS"); do
	for mode in split cjson eve; do
		measure "$mode" "$tmp/parsebench" "$mode" "$data"
	done
	[ "$round" -eq 1 ] && measure jansson "$tmp/parsebench" jansson "$data"
	rm -f "$tmp/data/fanghu.db-wal" "$tmp/data/fanghu.db-shm"
	cp "$tmp/ranges.db" "$tmp/data/fanghu.db"
	measure ingest "$BIN" ingest --format eve "$data" --data "$tmp/data" --json
done

lines=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["lines"])' "$tmp/split.out")
python3 - "$tmp" "$lines" "$RUNS" <<'EOF2'
import json, statistics, sys
tmp, lines, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rows = [('split', '(a) read + newline split'), ('cjson', '(b) cJSON parse'),
        ('jansson', '(c) jansson parse'), ('eve', '(d) fanghu EVE scanner'),
        ('ingest', '(e) fanghu ingest, end to end')]
t = {}
for key, _ in rows:
    runs_ = [l.split() for l in open('%s/%s.times' % (tmp, key)) if l.strip()]
    t[key] = (statistics.median(float(r[0]) for r in runs_),
              statistics.median(float(r[1]) for r in runs_),
              max(int(r[2]) for r in runs_), len(runs_))
summary = json.load(open(tmp + '/ingest.out'))
assert summary['lines'] == lines, (summary, lines)
cj_wall, cj_cpu = lines / t['cjson'][0], lines / max(t['cjson'][1], 1e-9)
print('\n%-32s %5s %13s %13s %9s %9s %9s' % ('', 'runs', 'lines/s wall', 'lines/CPU-s',
                                             'x cJSON', 'x cJSON', 'peak RSS'))
print('%-32s %5s %13s %13s %9s %9s %9s' % ('', '', '(median)', '(median)', '(wall)', '(CPU)', 'MB'))
for key, label in rows:
    wall, cpu, rss, n = t[key]
    lw, lc = lines / wall, lines / max(cpu, 1e-9)
    print('%-32s %5d %13.0f %13.0f %9.2f %9.2f %9.1f' % (label, n, lw, lc, lw / cj_wall,
                                                        lc / cj_cpu, rss / 1024))
print('\ningest summary (each run): %s' % json.dumps(summary))
EOF2

# ---- HTTP: concurrent senders ---------------------------------------------------------------
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
base=http://127.0.0.1:$port
admin_pw='Bench-Admin-Init-2026'
FANGHU_ADMIN_PASSWORD=$admin_pw "$BIN" serve --listen "127.0.0.1:$port" --data "$tmp/http" >"$tmp/serve.log" 2>&1 &
server_pid=$!
i=0
until curl -fsS -o /dev/null "$base/api/v1/health" 2>/dev/null; do
	i=$((i + 1))
	kill -0 "$server_pid" 2>/dev/null || { cat "$tmp/serve.log" >&2; die "fanghu serve exited"; }
	[ $i -lt 300 ] || die "fanghu serve not healthy after 30 s"
	sleep 0.1
done
json_get() { python3 -c 'import json,sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }
jar=$tmp/cookies
csrf=$(curl -fsS -c "$jar" -H 'content-type: application/json' \
	-d "{\"username\":\"admin\",\"password\":\"$admin_pw\"}" "$base/api/v1/session" | json_get csrf_token)
curl -fsS -b "$jar" -c "$jar" -H 'content-type: application/json' -H "x-csrf-token: $csrf" \
	-d "{\"old_password\":\"$admin_pw\",\"new_password\":\"Bench-Admin-Changed-2026!\"}" \
	"$base/api/v1/me/password" >/dev/null
csrf=$(curl -fsS -b "$jar" "$base/api/v1/me" | json_get csrf_token)
token=$(curl -fsS -b "$jar" -H 'content-type: application/json' -H "x-csrf-token: $csrf" \
	-d '{"name":"bench-sensor","scope":"events:write"}' "$base/api/v1/tokens" | json_get token)

ticks=$(getconf CLK_TCK)
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$server_pid/stat"; }
c0=$(cpu_ticks)
python3 "$root/bench/ingest/send.py" 127.0.0.1 "$port" "$token" "$data" --senders "$SENDERS" \
	--batch 1000 --seconds "$SECS" >"$tmp/http.out"
c1=$(cpu_ticks)
hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$server_pid/status")
python3 - "$tmp/http.out" "$c0" "$c1" "$ticks" "$hwm" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
cpu = (int(sys.argv[3]) - int(sys.argv[2])) / int(sys.argv[4])
print('\n(f) HTTP: %d senders x %d-line gzip batches (%d B each) for %.1f s: %d requests, %d events '
      'acknowledged, %d errors' % (r['senders'], r['batch_lines'], r['gzip_bytes_per_request'],
                                  r['seconds'], r['requests'], r['lines'], r['errors']))
print('    %.0f events/s wall; server %.1f CPU-s, %.0f events per server CPU-s; server peak RSS %.1f MB'
      % (r['lines_per_s'], cpu, r['lines'] / max(cpu, 1e-9), int(sys.argv[5]) / 1024))
if r['errors']:
    print('    first error: %s' % r['first_error'])
EOF
kill -0 "$server_pid" 2>/dev/null || die "fanghu serve died during the benchmark"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
