#!/usr/bin/env bash
# Builds the local base image of the JVM images from Debian's packages alone (no registry can be pulled from here):
# debootstrap of Debian bookworm (minbase) plus openjdk-17-jre-headless, trimmed, imported with `docker import`.
# The tag carries a hash of this script, so the base is rebuilt exactly when its inputs change and reused otherwise.
# Prints the tag on standard output.
#
#   MIRROR   the Debian mirror (default: the one apt uses on this machine, else deb.debian.org)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

suite=bookworm
packages=openjdk-17-jre-headless,ca-certificates
hash="$(sha256sum < "$here/base.sh" | cut -c1-12)"
tag="agent-sandbox-base:${suite}-jre17-${hash}"

if docker image inspect "$tag" >/dev/null 2>&1; then
  echo "$tag"
  exit 0
fi

command -v debootstrap >/dev/null 2>&1 || { echo "base.sh: debootstrap is not installed (apt-get install debootstrap)" >&2; exit 1; }
mirror="${MIRROR:-$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)}"
mirror="${mirror:-http://deb.debian.org/debian}"

# debootstrap and the cleanup of its tree need root (CI runners that are not root have sudo)
sudo=""
[ "$(id -u)" = 0 ] || sudo=sudo
rootfs="$(mktemp -d)"
trap '$sudo rm -rf "$rootfs"' EXIT
start=$(date +%s)
echo "base.sh: debootstrap $suite with $packages from $mirror" >&2
if ! $sudo debootstrap --variant=minbase --include="$packages" "$suite" "$rootfs" "$mirror" >"$rootfs.log" 2>&1; then
  tail -20 "$rootfs.log" >&2
  rm -f "$rootfs.log"
  exit 1
fi
rm -f "$rootfs.log"
# What a JVM in a container never uses: package caches and lists, documentation, man pages, locales.
$sudo rm -rf "$rootfs"/var/cache/apt/* "$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* \
  "$rootfs"/usr/share/locale/* "$rootfs"/var/log/* "$rootfs"/tmp/*
# The images run as uid 1000 (the manifests' runAsUser): give it a name and a home, as the JVM asks for user.home.
echo "app:x:1000:1000:agent-sandbox:/deployments:/usr/sbin/nologin" | $sudo tee -a "$rootfs/etc/passwd" >/dev/null
echo "app:x:1000:" | $sudo tee -a "$rootfs/etc/group" >/dev/null
# mktemp made the root directory 0700, and the import keeps that mode: uid 1000 could not even stat its entrypoint
$sudo chmod 0755 "$rootfs"
$sudo tar -C "$rootfs" -c . | docker import \
  --change 'ENV LANG=C.UTF-8' \
  --change 'ENV JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64' \
  --change 'ENV PATH=/usr/lib/jvm/java-17-openjdk-amd64/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  - "$tag" >/dev/null
# an older base (built from an earlier version of this script) is not used any more
docker images agent-sandbox-base --format '{{.Repository}}:{{.Tag}}' | grep -vxF "$tag" | xargs -r docker rmi >/dev/null || true
echo "base.sh: $tag built in $(( $(date +%s) - start )) s ($(docker image inspect --format '{{.Size}}' "$tag") bytes)" >&2
echo "$tag"
