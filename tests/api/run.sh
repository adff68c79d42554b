#!/bin/sh
# Runs the black-box API suite against the real binary, on SQLite and then on a throwaway
# PostgreSQL server (scripts/pg-test.sh). Exits non-zero if anything fails on either engine.
# Usage: tests/api/run.sh [sqlite|postgresql|both] [test files...]
# Env: FANGHU_BIN (default build-test/fanghu), FANGHU_TEST_JOBS (files in parallel, default 2),
#      FANGHU_TEST_KEEP=1 keeps data directories.
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"

engines=both
case ${1:-} in
	sqlite|postgresql|both) engines=$1; shift ;;
esac
if [ $# -gt 0 ]; then files="$*"; else files=$(ls tests/api/*.test.mjs); fi

export FANGHU_BIN="${FANGHU_BIN:-$root/build-test/fanghu}"
[ -x "$FANGHU_BIN" ] || { echo "run.sh: no server binary at $FANGHU_BIN (build it or set FANGHU_BIN)" >&2; exit 2; }
command -v node >/dev/null || { echo "run.sh: node not found" >&2; exit 2; }
jobs=${FANGHU_TEST_JOBS:-2}
# ASan: report leaks, keep going to the summary; UBSan: stack traces.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}"

run_suite() { # engine
	echo "=== API tests on $1 ($FANGHU_BIN) ==="
	# shellcheck disable=SC2086
	node --test --test-concurrency="$jobs" --test-timeout=600000 --test-reporter=spec $files
}

status=0
sqlite_rc=skipped pg_rc=skipped

if [ "$engines" != postgresql ]; then
	unset FANGHU_TEST_DB_URL
	run_suite sqlite; sqlite_rc=$?
	[ "$sqlite_rc" -eq 0 ] || status=1
fi

if [ "$engines" != sqlite ]; then
	pgdir=$(mktemp -d "${TMPDIR:-/tmp}/fanghu-pgtest.XXXXXX")
	trap 'scripts/pg-test.sh stop "$pgdir" >/dev/null 2>&1 || true' EXIT INT TERM
	if url=$(scripts/pg-test.sh start "$pgdir"); then
		export FANGHU_TEST_DB_URL="$url"
		run_suite "postgresql $url"; pg_rc=$?
		[ "$pg_rc" -eq 0 ] || status=1
	else
		echo "run.sh: could not start PostgreSQL" >&2
		pg_rc=start-failed; status=1
	fi
	scripts/pg-test.sh stop "$pgdir" || true
	trap - EXIT INT TERM
fi

echo "=== API tests: sqlite=$sqlite_rc postgresql=$pg_rc ==="
exit $status
