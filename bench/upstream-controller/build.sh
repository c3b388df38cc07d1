#!/usr/bin/env bash
# Builds the upstream agent-sandbox controller (sigs.k8s.io/agent-sandbox, the version pinned in
# this folder's go.mod: v0.5.6, API v1beta1) from the Go module proxy, for the side-by-side
# benchmark bench/controllers/kube/run.sh. Nothing of upstream is kept in this repository: the
# module is fetched into the Go module cache, and the binary and the CRDs of the same release
# are placed in $UPSTREAM_DIR (default ~/.cache/agent-sandbox/upstream/<version>/).
#
# Idempotent: a stamp of go.mod, go.sum and this script skips the build when nothing changed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
command -v go >/dev/null 2>&1 || { echo "build.sh: go is not on the PATH; install Go 1.26 or newer" >&2; exit 1; }

version="$(awk '$1 == "sigs.k8s.io/agent-sandbox" { print $2; exit } $1 == "require" && $2 == "sigs.k8s.io/agent-sandbox" { print $3; exit }' go.mod)"
out="${UPSTREAM_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/agent-sandbox/upstream/$version}"
stamp="$(cat go.mod go.sum build.sh | sha256sum | cut -c1-64)"
if [ -f "$out/.stamp" ] && [ "$(cat "$out/.stamp")" = "$stamp" ] && [ -x "$out/agent-sandbox-controller" ]; then
  echo "$out"
  exit 0
fi
mkdir -p "$out/crds"
rm -f "$out/.stamp"
start=$(date +%s)
echo "build.sh: building sigs.k8s.io/agent-sandbox $version into $out" >&2
go mod download sigs.k8s.io/agent-sandbox
CGO_ENABLED=0 nice go build -trimpath -ldflags="-s -w" -o "$out/agent-sandbox-controller" \
  sigs.k8s.io/agent-sandbox/cmd/agent-sandbox-controller
# The CRDs of the same release, as its deployment applies them (k8s/crds in the module).
src="$(go list -m -f '{{.Dir}}' sigs.k8s.io/agent-sandbox)"
cp "$src"/k8s/crds/*.yaml "$out/crds/"
chmod -R u+w "$out/crds"
echo "$stamp" > "$out/.stamp"
echo "build.sh: done in $(( $(date +%s) - start )) s" >&2
echo "$out"
