#!/usr/bin/env bash
# A local cluster for the platform: creates the kind cluster, builds the JVM-mode platform and agent images,
# loads them into kind, installs the platform with its Helm chart (target/helm/kubernetes/agent-sandbox: the CRDs
# by server-side apply, then helm upgrade --install) and applies the example with the kind template (no Kata: runc,
# or gVisor when the cluster has a RuntimeClass "gvisor"). Idempotent: a second run changes nothing that is right. For the dev loop (controllers in ./mvnw quarkus:dev against this cluster), see
# docs/operations.md.
#
# Settings (environment): KIND_CLUSTER_NAME (agent-sandbox), IMAGE_TAG (dev-<git commit>), MVNW (./mvnw),
# MANIFESTS (target/kubernetes, for --render-only), CHART (target/helm/kubernetes/agent-sandbox), AGENT_MAVEN_PROFILE
# (agent), RUNTIME_CLASS (with --render-only); OPENAI_BASE_URL,
# OPENAI_API_KEY, LLM_MODEL for the azure-foundry Secret.
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=../lib/common.sh
source "$ROOT/deploy/lib/common.sh"

usage() {
  cat <<'EOF'
Usage: deploy/kind/setup.sh [--dry-run] [--rebuild] [--no-demo] [--render-only DIR]
  --dry-run          print every command in order, run none (works without kind, docker or a cluster)
  --rebuild          build and load the images even when images with this tag exist
  --no-demo          platform only: skip the example namespace, its Secrets, router, template, pool and claim
  --render-only DIR  only write the manifests with the image names substituted to DIR
EOF
}

REBUILD=false
DEMO=true
RENDER_ONLY=""
while (($#)); do
  case $1 in
    --dry-run) DRY_RUN=true ;;
    --rebuild) REBUILD=true ;;
    --no-demo) DEMO=false ;;
    --render-only)
      RENDER_ONLY=${2:?--render-only needs a directory}
      shift
      ;;
    -h | --help)
      usage
      exit 0
      ;;
    *)
      usage >&2
      die "unknown option: $1"
      ;;
  esac
  shift
done

MVNW=${MVNW:-$ROOT/mvnw}
MANIFESTS=${MANIFESTS:-$ROOT/target/kubernetes}
CHART=${CHART:-$ROOT/target/helm/kubernetes/agent-sandbox}
KIND_CLUSTER_NAME=${KIND_CLUSTER_NAME:-agent-sandbox}
AGENT_MAVEN_PROFILE=${AGENT_MAVEN_PROFILE:-agent}
BASE_IMAGE=${BASE_IMAGE:-eclipse-temurin:17-jre}
if [[ -z ${IMAGE_TAG:-} ]]; then
  commit=$(git -C "$ROOT" rev-parse --short=12 HEAD 2>/dev/null || true)
  [[ -z $commit ]] || IMAGE_TAG=dev-$commit
fi
require_settings IMAGE_TAG
# Local names: kind load puts them on the nodes, and IfNotPresent (the manifests' pull policy) never pulls them.
PLATFORM_IMAGE=agent-sandbox:$IMAGE_TAG
AGENT_IMAGE=agent-sandbox-agent:$IMAGE_TAG
RENDERED=${RENDER_ONLY:-$ROOT/target/deploy/kind}
use_kube_context "kind-$KIND_CLUSTER_NAME"

render_example() {
  local runtime_class=$1 file
  for file in namespace.yaml router.yaml warm-pool.yaml claim.yaml; do
    render "$ROOT/deploy/kata-aks/$file" "$RENDERED/$file"
  done
  render "$ROOT/deploy/kind/sandbox-template.yaml" "$RENDERED/sandbox-template.yaml" "$runtime_class"
}

# --render-only writes the plain manifests too, for tools that apply files rather than charts.
if [[ -n $RENDER_ONLY ]]; then
  render "$MANIFESTS/kubernetes.yml" "$RENDERED/kubernetes.yml"
  render_example "${RUNTIME_CLASS:-}"
  exit 0
fi

[[ $DRY_RUN == true ]] && say "Dry run: printing the commands in order; nothing is run"

say "Checking the prerequisites"
require_tools kind kubectl docker helm

say "Cluster $KIND_CLUSTER_NAME"
clusters=$(query '' kind get clusters)
if grep -qx "$KIND_CLUSTER_NAME" <<<"$clusters"; then
  say "kind cluster $KIND_CLUSTER_NAME exists"
else
  run kind create cluster --name "$KIND_CLUSTER_NAME" --config "$ROOT/deploy/kind/kind-config.yaml" --wait 120s
fi

# A tag is built once: dev-<commit> names the code it came from (--rebuild after local edits). The docker builds are
# those of tools/images/build.sh (the image tests), on BASE_IMAGE (a registry's JRE by default; the tests build theirs
# from Debian's packages).
say "Building the JVM images ($IMAGE_TAG)"
if [[ $REBUILD == true ]] || ! check docker image inspect "$AGENT_IMAGE"; then
  run "$MVNW" -B package -DskipTests -P"$AGENT_MAVEN_PROFILE"
  run docker build --network host -f "$ROOT/src/main/docker/Dockerfile.jvm" --build-arg "BASE_IMAGE=$BASE_IMAGE" \
    --build-arg APP=target/agent/quarkus-app --build-arg SANDBOX_ROLE=agent -t "$AGENT_IMAGE" "$ROOT"
fi
# The platform build comes last: its chart is the one installed below.
run "$MVNW" -B package -DskipTests
if [[ $REBUILD == true ]] || ! check docker image inspect "$PLATFORM_IMAGE"; then
  run docker build --network host -f "$ROOT/src/main/docker/Dockerfile.jvm" --build-arg "BASE_IMAGE=$BASE_IMAGE" \
    -t "$PLATFORM_IMAGE" "$ROOT"
fi
# kind skips images that the nodes already have.
run kind load docker-image "$PLATFORM_IMAGE" "$AGENT_IMAGE" --name "$KIND_CLUSTER_NAME"

runtime_class=""
if check "${KUBECTL[@]}" get runtimeclass gvisor; then
  runtime_class=gvisor
  say "RuntimeClass gvisor found: sandboxes run in gVisor"
else
  say "No RuntimeClass gvisor: sandboxes run with runc (no VM isolation on kind)"
fi

say "Rendering the example into $RENDERED"
render_example "$runtime_class"
# The local image names above: no registry.
install_chart "$CHART" "" agent-sandbox "$IMAGE_TAG"
if [[ $DEMO == true ]]; then
  apply_demo "$RENDERED"
else
  ROUTER_NAMESPACE=$SYSTEM_NAMESPACE
fi

# kind has no load balancer: the router is reached through a port-forward on loopback.
print_smoke_test "http://127.0.0.1:18080" \
  "kubectl --context $KUBE_CONTEXT port-forward --namespace $ROUTER_NAMESPACE service/sandbox-router-svc 18080:8080 &"
