#!/usr/bin/env bash
# Duties benchmark (issue 4): part of the units benchmark, which builds the 1,000,000 units it
# needs; the duty figures are its last two lines.
exec "$(dirname "$0")/../units/run.sh" "$@"
