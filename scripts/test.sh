#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what the real-peer tests
# need (Debian packages via apt, npm packages), builds, type-checks, runs.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages of the real peers the tests run: command → package.
declare -A PEERS=([openssl]=openssl [etcd]=etcd-server [etcdctl]=etcd-client [cfssl]=golang-cfssl [promtool]=prometheus [chromium]=chromium)
missing=()
for cmd in "${!PEERS[@]}"; do command -v "$cmd" >/dev/null 2>&1 || missing+=("${PEERS[$cmd]}"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
command -v kubectl >/dev/null 2>&1 || echo "warning: kubectl not found; the kubectl tests will fail" >&2

[ -x node_modules/.bin/tsx ] || npm ci --no-audit --no-fund
npm run --silent build
npx tsc -p .   # type-checks, and emits the library's .d.ts files
npx tsc -p test/tsconfig.json   # the tests too
if [ $# -gt 0 ]; then files=("$@"); else files=(test/*.test.ts); fi
node --import tsx --test --test-concurrency=2 --test-timeout=300000 "${files[@]}"
