#!/bin/sh
# Lints docs/openapi.yaml (OpenAPI 3.1) with Redocly CLI from tests/node_modules, using the
# recommended-strict ruleset (every finding is an error), then checks that the document and the
# server agree: every route of every C route table (`const struct route x_routes[] = {…}` in
# src/) is described (method + path, ":param" written "{param}"), and every described operation
# is a route. Exits non-zero on any problem, listing what is missing on either side.
# Install once: (cd tests && npm ci). Needs python3.
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
status=0
"$redocly" lint --extends recommended-strict --format stylish "$spec" || status=1

# The document as JSON (references kept), for python3 to read without a YAML library.
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
"$redocly" bundle "$spec" --ext json -o "$tmp/spec.json" >/dev/null 2>&1 || {
	echo "lint-openapi: redocly bundle failed" >&2
	exit 1
}

python3 - "$root/src" "$tmp/spec.json" <<'EOF' || status=1
import json, os, re, sys

src, spec = sys.argv[1], sys.argv[2]
METHODS = ('get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace')
table_re = re.compile(r'struct\s+route\s+(\w+)\s*\[\s*\]\s*=\s*\{')
entry_re = re.compile(r'\{\s*"([A-Z]+)"\s*,\s*"([^"]+)"')


def strip_comments(text):
    """C source without its comments; string and character literals kept as they are."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if c in '"\'':
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == '\\' else 1
            out.append(text[i:j + 1])
            i = j + 1
        elif text.startswith('/*', i):
            j = text.find('*/', i + 2)
            i = n if j < 0 else j + 2
            out.append(' ')
        elif text.startswith('//', i):
            j = text.find('\n', i)
            i = n if j < 0 else j
        else:
            out.append(c)
            i += 1
    return ''.join(out)

def table_body(text, start):
    """The text of the initializer whose '{' is at text[start - 1], up to its matching '}'."""
    depth, i = 1, start
    while i < len(text) and depth:
        if text[i] == '"':
            j = i + 1
            while j < len(text) and text[j] != '"':
                j += 2 if text[j] == '\\' else 1
            i = j
        elif text[i] == '{':
            depth += 1
        elif text[i] == '}':
            depth -= 1
        i += 1
    return text[start:i - 1]

routes = {}  # (method, path) -> "file: table"
for d, _, files in os.walk(src):
    for f in sorted(files):
        if not f.endswith('.c'):
            continue
        p = os.path.join(d, f)
        with open(p, encoding='utf-8', errors='replace') as fh:
            text = strip_comments(fh.read())
        for m in table_re.finditer(text):
            for method, pattern in entry_re.findall(table_body(text, m.end())):
                path = re.sub(r':([A-Za-z_][A-Za-z0-9_]*)', r'{\1}', pattern)
                routes[(method.lower(), path)] = '%s: %s' % (os.path.relpath(p, os.path.dirname(src)), m.group(1))

if not routes:
    sys.exit('lint-openapi: no route tables found under %s' % src)

with open(spec, encoding='utf-8') as fh:
    doc = json.load(fh)
documented = set()
for path, item in (doc.get('paths') or {}).items():
    for method in METHODS:
        if method in item:
            documented.add((method, path))

bad = 0
for (method, path), where in sorted(routes.items(), key=lambda x: (x[0][1], x[0][0])):
    if (method, path) not in documented:
        print('lint-openapi: %s %s (%s) is not described' % (method.upper(), path, where), file=sys.stderr)
        bad = 1
for method, path in sorted(documented, key=lambda x: (x[1], x[0])):
    if (method, path) not in routes:
        print('lint-openapi: %s %s is described but no route table serves it' % (method.upper(), path), file=sys.stderr)
        bad = 1
if bad:
    sys.exit(1)
print('lint-openapi: %d routes, all described; %d operations, all served' % (len(routes), len(documented)))
EOF
if [ $status -ne 0 ]; then
	echo "lint-openapi: $spec has problems (above)" >&2
	exit 1
fi
echo "lint-openapi: $spec OK"
