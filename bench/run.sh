#!/usr/bin/env bash
# Every benchmark, side by side with the tools users would use instead.
# Quote the ratios, not the absolute times: machines are noisy.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v cfssl >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq golang-cfssl >/dev/null; }
npm run --silent build
node scripts/release.mjs --arch x64 | tail -1   # for bench/release.mjs
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GiB; node $(node --version); $(openssl version)"
for b in bench/*.mjs bench/*.sh; do
  case "$b" in bench/lib.mjs|bench/run.sh) continue ;; esac
  echo; echo "== $b"
  case "$b" in *.mjs) node "$b" ;; *.sh) bash "$b" ;; esac
done
