#!/usr/bin/env bash
# Builds a real Kubernetes control plane from Go modules (nothing is downloaded but
# modules from the Go module proxy): kube-apiserver, kube-controller-manager,
# kube-scheduler and kubectl from k8s.io/kubernetes, etcd from
# go.etcd.io/etcd/server/v3, and helm from helm.sh/helm/v4 (on the same k8s.io
# modules), at the versions pinned in this folder's go.mod.
#
# Output: $KUBE_BIN_DIR (default: ~/.cache/agent-sandbox/k8s/<version>-linux-<arch>/).
# The tests and `local --control-plane=kube` look there.
#
# Idempotent: a stamp of go.mod, go.sum and this script beside the binaries skips the
# build when nothing changed; otherwise Go's build cache makes a rebuild incremental.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"

command -v go >/dev/null 2>&1 || { echo "build.sh: go is not on the PATH; install Go 1.26 or newer" >&2; exit 1; }

kube_version="$(awk '$1 == "k8s.io/kubernetes" { print $2; exit }' go.mod)"
etcd_version="$(awk '$1 == "go.etcd.io/etcd/server/v3" { print $2; exit }' go.mod)"
helm_version="$(awk '$1 == "helm.sh/helm/v4" { print $2; exit }' go.mod)"
arch="$(go env GOARCH)"
out="${KUBE_BIN_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/agent-sandbox/k8s/${kube_version}-linux-${arch}}"
binaries=(kube-apiserver kube-controller-manager kube-scheduler kubectl etcd helm)

stamp="$(cat go.mod go.sum build.sh cmd/etcd/main.go | sha256sum | cut -c1-64)"
if [ "${1:-}" != "--force" ] && [ -f "$out/.stamp" ] && [ "$(cat "$out/.stamp")" = "$stamp" ]; then
  missing=0
  for b in "${binaries[@]}"; do [ -x "$out/$b" ] || missing=1; done
  if [ "$missing" = 0 ]; then
    echo "$out"
    exit 0
  fi
fi

mkdir -p "$out"
rm -f "$out/.stamp"
start=$(date +%s)

# The version stamps that Kubernetes' own build sets (hack/lib/version.sh), so that
# /version, kubectl version and the components' --version report the release.
minor="$(echo "$kube_version" | cut -d. -f2)"
build_date="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
ldflags="-s -w"
for pkg in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
  ldflags+=" -X $pkg.gitVersion=$kube_version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor"
  ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$build_date"
done

export CGO_ENABLED=0
# selinux,notest are the tags of Kubernetes' own release build (hack/lib/golang.sh).
echo "build.sh: building Kubernetes $kube_version, etcd $etcd_version and Helm $helm_version into $out" >&2
go build -trimpath -tags=selinux,notest -ldflags="$ldflags" -o "$out/" \
  k8s.io/kubernetes/cmd/kube-apiserver \
  k8s.io/kubernetes/cmd/kube-controller-manager \
  k8s.io/kubernetes/cmd/kube-scheduler \
  k8s.io/kubernetes/cmd/kubectl
go build -trimpath -ldflags="-s -w" -o "$out/etcd" ./cmd/etcd
# The version stamp of Helm's own release build (its Makefile); `helm version` reports it.
go build -trimpath -ldflags="-s -w -X helm.sh/helm/v4/internal/version.version=$helm_version -X helm.sh/helm/v4/internal/version.metadata=" \
  -o "$out/helm" helm.sh/helm/v4/cmd/helm

echo "$stamp" > "$out/.stamp"
echo "build.sh: done in $(( $(date +%s) - start )) s" >&2
echo "$out"
