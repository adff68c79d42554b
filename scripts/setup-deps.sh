#!/usr/bin/env bash
# Installs everything fanghu needs to build, run and test, from Debian packages and the npm
# registry only. Idempotent: a second run installs nothing new. Run as root (or with sudo).
set -euo pipefail
cd "$(dirname "$0")/.."

pkgs=(
  build-essential pkg-config meson ninja-build clang-format
  libmicrohttpd-dev libjansson-dev libsqlite3-dev sqlite3 libpq-dev libsodium-dev libssl-dev
  libxlsxwriter-dev libzip-dev libcairo2-dev libpango1.0-dev fonts-noto-cjk libexpat1-dev
  libcurl4-openssl-dev zlib1g-dev libcmocka-dev
  postgresql postgresql-client
  chromium nodejs
  wrk nginx-light valgrind poppler-utils python3 python3-icalendar
  libreoffice-writer-nogui libreoffice-calc-nogui
)

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Debian's nodejs ships npm separately; a nodejs build that bundles npm conflicts with it.
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ "${#missing[@]}" -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

# npm packages: the console (vue, element-plus, vite, playwright-core) and the test tools
# (the OpenAPI linter), each from its lock file.
for dir in web tests; do
  if [ -f "$dir/package.json" ]; then
    if [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
      # `npm install` follows the lock file; `npm ci` is refused by this registry setup
      # (omit-lockfile-registry-resolved drops optional platform packages from the lock).
      (cd "$dir" && npm install --no-audit --no-fund)
    fi
  fi
done
