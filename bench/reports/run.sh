#!/usr/bin/env bash
# Documents benchmark (see run.py): the annual report of a group company with 10,000 units as DOCX
# and PDF, beside LibreOffice converting the same DOCX (capped, default 600 s), and the exposure
# workbook with 100,000 rows. SQLite, release binary, loopback only; local files only.
# Env: FANGHU_BIN (default build/fanghu). Arguments go to run.py (--units, --exposure, --runs,
# --lo-timeout, --keep DIR).
set -euo pipefail
cd "$(dirname "$0")/../.."
for tool in sqlite3 soffice pdfinfo python3; do
	command -v "$tool" >/dev/null || { echo "bench/reports: $tool not installed" >&2; exit 2; }
done
python3 bench/reports/run.py "$@"
