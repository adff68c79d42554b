#!/bin/sh
# Lints docs/openapi.yaml (OpenAPI 3.1) with Redocly CLI from tests/node_modules, using the
# recommended-strict ruleset (every finding is an error). Exits non-zero on any problem.
# Install once: (cd tests && npm ci)
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
redocly=$root/tests/node_modules/.bin/redocly
if [ ! -x "$redocly" ]; then
	echo "lint-openapi: $redocly missing; run: (cd tests && npm ci)" >&2
	exit 2
fi
# No telemetry, no update check: CI may be offline.
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true NO_UPDATE_NOTIFIER=1
spec=${1:-$root/docs/openapi.yaml}
"$redocly" lint --extends recommended-strict --format stylish "$spec"

# Every endpoint of the contract is described (method + path).
missing=0
for op in 'get /api/v1/health' 'get /api/v1/meta' 'post /api/v1/session' 'delete /api/v1/session' \
	'get /api/v1/me' 'post /api/v1/me/password' 'delete /api/v1/me/sessions' \
	'get /api/v1/orgs' 'post /api/v1/orgs' 'get /api/v1/orgs/{id}' 'patch /api/v1/orgs/{id}' \
	'get /api/v1/users' 'post /api/v1/users' 'get /api/v1/users/{id}' 'patch /api/v1/users/{id}' \
	'post /api/v1/users/{id}/password' 'get /api/v1/tokens' 'post /api/v1/tokens' \
	'delete /api/v1/tokens/{id}' 'get /api/v1/audit' 'get /api/v1/audit/verify'; do
	method=${op%% *} path=${op#* }
	# The path line, then the method before the next path line.
	if ! awk -v p="  $path:" -v m="    $method:" '
		$0 == p { inpath = 1; next }
		inpath && /^  \/api/ { inpath = 0 }
		inpath && $0 == m { found = 1 }
		END { exit !found }' "$spec"; then
		echo "lint-openapi: $op is not described" >&2
		missing=1
	fi
done
[ $missing -eq 0 ] || exit 1
echo "lint-openapi: $spec OK"
