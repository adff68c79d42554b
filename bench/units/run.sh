#!/usr/bin/env bash
# Units benchmark on SQLite and PostgreSQL (see run.py). Bounded: local files and loopback only.
set -euo pipefail
cd "$(dirname "$0")/../.."
make --no-print-directory build >/dev/null
python3 bench/units/run.py --engine sqlite "$@"
python3 bench/units/run.py --engine postgresql "$@"
