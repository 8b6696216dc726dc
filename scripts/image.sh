#!/usr/bin/env bash
# `npm run image`: dist/release/kubepki-image-linux-x64.oci.tar, an OCI image made from scratch
# (nothing pulled) with buildah: the release executable, exactly the shared libraries ldd lists
# for it, and an unprivileged user (65532) that it runs as by default. Prints the image's digest
# (its manifest's sha256, what a registry and `podman inspect` call the digest).
# Load it with `podman load -i …` or `skopeo copy oci-archive:… docker://…`.
set -euo pipefail
cd "$(dirname "$0")/.."

exe=dist/release/kubepki-linux-x64
archive=dist/release/kubepki-image-linux-x64.oci.tar
[ -x "$exe" ] || node scripts/release.mjs --arch x64 >/dev/null
if ! command -v buildah >/dev/null 2>&1; then
  echo "installing Debian package: buildah"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends buildah >/dev/null
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rootfs="$work/rootfs"
install -D -m 0755 "$exe" "$rootfs/usr/local/bin/kubepki"
# Each library at the path the executable asks for (the loader included), with the content of
# the file it resolves to here.
ldd "$exe" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' | while read -r lib; do
  install -D -m 0755 "$(readlink -f "$lib")" "$rootfs$lib"
done
mkdir -p "$rootfs/etc" "$rootfs/tmp"
chmod 1777 "$rootfs/tmp"
echo 'root:x:0:0:root:/root:/sbin/nologin
kubepki:x:65532:65532:kubepki:/home/kubepki:/sbin/nologin' > "$rootfs/etc/passwd"
echo 'root:x:0:
kubepki:x:65532:' > "$rootfs/etc/group"
mkdir -p "$work/home"

version=$(node -p 'require("./package.json").version')
revision=$(git rev-parse HEAD 2>/dev/null || echo unknown)
b=(buildah --root "$work/storage" --runroot "$work/run" --storage-driver vfs)
ctr=$("${b[@]}" from scratch)
"${b[@]}" copy --quiet "$ctr" "$rootfs" /
"${b[@]}" copy --quiet --chown 65532:65532 "$ctr" "$work/home" /home/kubepki
"${b[@]}" config --os linux --arch amd64 --user 65532:65532 --workingdir /home/kubepki \
  --env HOME=/home/kubepki --entrypoint '["/usr/local/bin/kubepki"]' --cmd '["--help"]' \
  --label org.opencontainers.image.title=kubepki --label "org.opencontainers.image.version=$version" \
  --label "org.opencontainers.image.revision=$revision" --label org.opencontainers.image.licenses=Apache-2.0 "$ctr"
rm -f "$archive"
"${b[@]}" commit --quiet --format oci --timestamp 0 --disable-compression=false --rm "$ctr" "oci-archive:$archive:kubepki:$version" >/dev/null

digest=$(tar -xOf "$archive" index.json | node -e 'process.stdout.write(JSON.parse(require("fs").readFileSync(0, "utf8")).manifests[0].digest)')
echo "$archive"
echo "kubepki:$version@$digest"
