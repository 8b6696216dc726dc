#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what the real-peer tests
# need (Debian packages via apt, npm packages), builds, type-checks, runs.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages of the real peers the tests run: command → package.
# buildah builds the release image; qemu-user and Debian's arm64 libraries run the arm64 executable.
declare -A PEERS=([openssl]=openssl [etcd]=etcd-server [etcdctl]=etcd-client [cfssl]=golang-cfssl [promtool]=prometheus [chromium]=chromium [jq]=jq [curl]=curl [buildah]=buildah [qemu-aarch64]=qemu-user)
missing=()
for cmd in "${!PEERS[@]}"; do command -v "$cmd" >/dev/null 2>&1 || missing+=("${PEERS[$cmd]}"); done
[ -e /usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1 ] || missing+=(libc6-arm64-cross libstdc++6-arm64-cross)
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
# The release executable, for the release tests and the re-run below: only when they run.
# arm64 too where qemu-user can run it (test/release.test.ts says what to install otherwise).
if [ $# -eq 0 ] || [[ " $* " == *release* ]]; then
  archs=x64; command -v qemu-aarch64 >/dev/null 2>&1 && archs=x64,arm64
  node scripts/release.mjs --arch "$archs" | tail -1
fi
node --import tsx --test --test-concurrency=2 --test-timeout=300000 "${files[@]}"

# The whole suite, once more for the tests of real peers and the check corpus, against the
# release executable with no node to lean on: it runs in a mount namespace where every node on
# PATH is /dev/null (a file that cannot be executed). The tests themselves still run in node.
if [ $# -eq 0 ]; then
  exe="$PWD/dist/release/kubepki-linux-x64"
  hide='for n in $(which -a node nodejs 2>/dev/null); do mount --bind /dev/null "$(readlink -f "$n")" || exit 2; done'
  wrapper=dist/release/kubepki-without-node
  # $hide holds no single quote, and neither may the repository's path.
  if unshare -m sh -c "$hide; ! node -e 0 2>/dev/null && ! command -v node >/dev/null"; then
    cat > "$wrapper" <<EOF
#!/bin/sh
exec unshare -m sh -c '$hide; exec "\$0" "\$@"' '$exe' "\$@"
EOF
  else
    echo "warning: cannot hide node in a mount namespace here (not root?); the release executable runs beside it" >&2
    printf '#!/bin/sh\nexec "%s" "$@"\n' "$exe" > "$wrapper"
  fi
  chmod +x "$wrapper"
  echo "again with KUBEPKI_BIN=$wrapper ($("$wrapper" --version))"
  KUBEPKI_BIN="$PWD/$wrapper" node --import tsx --test --test-concurrency=2 --test-timeout=300000 \
    test/peers-*.test.ts test/check.test.ts test/init-kubeadm.test.ts test/inspect-endpoint.test.ts
fi
