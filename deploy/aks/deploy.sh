#!/usr/bin/env bash
# One-shot deploy of the platform to AKS with Kata Pod Sandboxing: checks the prerequisites, builds the native
# platform and agent images and pushes them to Azure Container Registry, applies the CRDs, the generated
# manifests and deploy/kata-aks with the image names substituted, creates the Secrets, waits for everything and
# prints the router's public address and a smoke test. Idempotent: a second run changes nothing that is right.
# With --helm the platform is installed with its Helm chart (target/helm/kubernetes/agent-sandbox) instead.
#
# Settings (environment): AZ_RESOURCE_GROUP, AKS_CLUSTER, ACR_NAME (required); KATA_NODE_POOL (katapool),
# KATA_NODE_VM_SIZE (Standard_D4s_v3), KATA_NODE_COUNT (1), IMAGE_TAG (the git commit), REGISTRY
# (<ACR_NAME>.azurecr.io), MVNW (./mvnw), MANIFESTS (target/kubernetes), CHART (target/helm/kubernetes/agent-sandbox),
# AGENT_MAVEN_PROFILE (agent);
# OPENAI_BASE_URL, OPENAI_API_KEY, LLM_MODEL for the azure-foundry Secret (kept when they are not set and it
# exists).
# shellcheck source-path=SCRIPTDIR
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=../lib/common.sh
source "$ROOT/deploy/lib/common.sh"

usage() {
  cat <<'EOF'
Usage: deploy/aks/deploy.sh [--dry-run] [--create-node-pool] [--rebuild] [--helm] [--render-only DIR]
  --dry-run           print every command in order, run none (works without az, login or settings)
  --create-node-pool  add the Kata node pool when it is missing (otherwise stop and show the command)
  --rebuild           build and push the images even when the registry already has this tag
  --helm              install the platform with its Helm chart (release agent-sandbox) instead of kubectl apply
  --render-only DIR   only write the manifests with the image names substituted to DIR
EOF
}

CREATE_NODE_POOL=false
REBUILD=false
HELM=false
RENDER_ONLY=""
while (($#)); do
  case $1 in
    --dry-run) DRY_RUN=true ;;
    --create-node-pool) CREATE_NODE_POOL=true ;;
    --rebuild) REBUILD=true ;;
    --helm) HELM=true ;;
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
KATA_NODE_POOL=${KATA_NODE_POOL:-katapool}
KATA_NODE_VM_SIZE=${KATA_NODE_VM_SIZE:-Standard_D4s_v3}
KATA_NODE_COUNT=${KATA_NODE_COUNT:-1}
AGENT_MAVEN_PROFILE=${AGENT_MAVEN_PROFILE:-agent}
IMAGE_TAG=${IMAGE_TAG:-$(git -C "$ROOT" rev-parse --short=12 HEAD 2>/dev/null || true)}
if [[ -n $RENDER_ONLY ]]; then
  [[ -n ${REGISTRY:-} ]] || require_settings ACR_NAME
  require_settings IMAGE_TAG
else
  require_settings AZ_RESOURCE_GROUP AKS_CLUSTER ACR_NAME IMAGE_TAG
fi
REGISTRY=${REGISTRY:-$ACR_NAME.azurecr.io}
PLATFORM_IMAGE=$REGISTRY/agent-sandbox:$IMAGE_TAG
AGENT_IMAGE=$REGISTRY/agent-sandbox-agent:$IMAGE_TAG
RENDERED=${RENDER_ONLY:-$ROOT/target/deploy/aks}

render_example() {
  local file
  for file in namespace.yaml router.yaml sandbox-template.yaml warm-pool.yaml claim.yaml; do
    render "$ROOT/deploy/kata-aks/$file" "$RENDERED/$file"
  done
}

render_all() {
  render "$MANIFESTS/kubernetes.yml" "$RENDERED/kubernetes.yml"
  render_example
}

if [[ -n $RENDER_ONLY ]]; then
  render_all
  exit 0
fi

[[ $DRY_RUN == true ]] && say "Dry run: printing the commands in order; nothing is run"

say "Checking the prerequisites"
if [[ $HELM == true ]]; then
  require_tools az kubectl docker helm
else
  require_tools az kubectl docker
fi
check az account show --output none || [[ $DRY_RUN == true ]] || die "not logged in to Azure: run az login"
check az aks show --resource-group "$AZ_RESOURCE_GROUP" --name "$AKS_CLUSTER" --output none ||
  [[ $DRY_RUN == true ]] || die "AKS cluster $AZ_RESOURCE_GROUP/$AKS_CLUSTER not found"
check az acr show --name "$ACR_NAME" --output none ||
  [[ $DRY_RUN == true ]] || die "container registry $ACR_NAME not found"
run az aks get-credentials --resource-group "$AZ_RESOURCE_GROUP" --name "$AKS_CLUSTER" --overwrite-existing
use_kube_context "$AKS_CLUSTER"

say "Checking the Kata node pool $KATA_NODE_POOL (Pod Sandboxing)"
node_pool_add=(az aks nodepool add --resource-group "$AZ_RESOURCE_GROUP" --cluster-name "$AKS_CLUSTER"
  --name "$KATA_NODE_POOL" --os-sku AzureLinux --workload-runtime KataVmIsolation
  --node-vm-size "$KATA_NODE_VM_SIZE" --node-count "$KATA_NODE_COUNT" --node-taints kata=enabled:NoSchedule)
if check az aks nodepool show --resource-group "$AZ_RESOURCE_GROUP" --cluster-name "$AKS_CLUSTER" \
  --name "$KATA_NODE_POOL" --output none; then
  say "Node pool $KATA_NODE_POOL exists"
elif [[ $CREATE_NODE_POOL == true || $DRY_RUN == true ]]; then
  run "${node_pool_add[@]}"
else
  die "node pool $KATA_NODE_POOL not found; rerun with --create-node-pool, or run: $(format_cmd "${node_pool_add[@]}")"
fi

# An image tag is never pushed twice: an existing tag in the registry is the image of that commit.
say "Building and pushing the images ($IMAGE_TAG)"
logged_in=false
push_image() {
  if [[ $logged_in != true ]]; then
    run az acr login --name "$ACR_NAME"
    logged_in=true
  fi
  run docker push "$1"
}
if [[ $REBUILD == true ]] || ! check az acr repository show --name "$ACR_NAME" --image "agent-sandbox-agent:$IMAGE_TAG"; then
  run "$MVNW" -B package -DskipTests -Pnative,"$AGENT_MAVEN_PROFILE" -Dquarkus.native.container-build=true
  run docker build -f "$ROOT/src/main/docker/Dockerfile.native" --build-arg SANDBOX_ROLE=agent -t "$AGENT_IMAGE" "$ROOT"
  push_image "$AGENT_IMAGE"
else
  say "Registry has $AGENT_IMAGE"
fi
# The platform build comes last: its target/kubernetes/ is the one applied below.
if [[ $REBUILD == true ]] || ! check az acr repository show --name "$ACR_NAME" --image "agent-sandbox:$IMAGE_TAG"; then
  run "$MVNW" -B package -DskipTests -Pnative -Dquarkus.native.container-build=true
  run docker build -f "$ROOT/src/main/docker/Dockerfile.native" -t "$PLATFORM_IMAGE" "$ROOT"
  push_image "$PLATFORM_IMAGE"
else
  say "Registry has $PLATFORM_IMAGE"
  run "$MVNW" -B package -DskipTests
fi

say "Rendering the manifests into $RENDERED"
if [[ $HELM == true ]]; then
  render_example
  install_chart "$CHART" "$REGISTRY" agent-sandbox "$IMAGE_TAG"
else
  render_all
  apply_platform "$MANIFESTS" "$RENDERED"
fi
apply_demo "$RENDERED"

say "Waiting for the example router's public address"
router_ip=""
for _ in $(seq 1 60); do
  router_ip=$(query '<ROUTER_PUBLIC_IP>' "${KUBECTL[@]}" get service sandbox-router-public --namespace "$ROUTER_NAMESPACE" \
    --output 'jsonpath={.status.loadBalancer.ingress[0].ip}')
  [[ -n $router_ip ]] && break
  sleep 5
done
[[ -n $router_ip ]] || die "Service $ROUTER_NAMESPACE/sandbox-router-public has no public address after 5 minutes"
print_smoke_test "http://$router_ip"
