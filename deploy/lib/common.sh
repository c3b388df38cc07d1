# shellcheck shell=bash
# Shared steps of deploy/aks/deploy.sh and deploy/kind/setup.sh. Sourced, never run.
#
# Every command that touches a cluster, a registry or the build goes through run/check/query below, which print it
# first ("+ cmd") and, with --dry-run, print only. Secret values never reach a command line or the output: they
# travel on standard input from printf (a shell builtin, so not visible in the process list either).

DRY_RUN=${DRY_RUN:-false}

# The image names the build bakes into manifests (application.properties, deploy/kata-aks); replaced on render.
readonly PLACEHOLDER_PLATFORM_IMAGE="ghcr.io/agent-sandbox/agent-sandbox:0.1.0"
readonly PLACEHOLDER_AGENT_IMAGE="ghcr.io/agent-sandbox/agent-sandbox-agent:0.1.0"
readonly SYSTEM_NAMESPACE="agent-sandbox-system"
# The Helm release of the platform's chart (target/helm/kubernetes/agent-sandbox, written by ./mvnw package).
readonly RELEASE="agent-sandbox"
readonly DEMO_NAMESPACE="sandbox-agent-demo"
# The router the smoke test talks to: the example's own (deploy/kata-aks/router.yaml); the cluster-wide one in
# SYSTEM_NAMESPACE when the example is not applied.
ROUTER_NAMESPACE=$DEMO_NAMESPACE
readonly CRD_FILES=(
  sandboxes.agents.x-k8s.io-v1.yml
  sandboxtemplates.extensions.agents.x-k8s.io-v1.yml
  sandboxwarmpools.extensions.agents.x-k8s.io-v1.yml
  sandboxclaims.extensions.agents.x-k8s.io-v1.yml
)

say() { printf '==> %s\n' "$*"; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# A command as one shell line; words with unusual characters are single-quoted.
format_cmd() {
  local out="" word safe='^[][A-Za-z0-9_./:=@,+%{}<>-]+$'
  for word in "$@"; do
    if [[ $word =~ $safe ]]; then
      out+=" $word"
    else
      out+=" '${word//\'/\'\\\'\'}'"
    fi
  done
  printf '%s' "${out# }"
}

# Runs a command that changes something (prints it; with --dry-run prints only).
run() {
  printf '+ %s\n' "$(format_cmd "$@")"
  [[ $DRY_RUN == true ]] && return 0
  "$@"
}

# Runs a read-only check and returns its status, output discarded. With --dry-run nothing is checked and the
# answer is "no", so the plan shows what a first install does.
check() {
  printf '+ %s   # check\n' "$(format_cmd "$@")"
  [[ $DRY_RUN == true ]] && return 1
  "$@" >/dev/null 2>&1
}

# Prints the output of a read-only query; with --dry-run prints the placeholder given as first argument.
query() {
  local placeholder=$1
  shift
  printf '+ %s\n' "$(format_cmd "$@")" >&2
  if [[ $DRY_RUN == true ]]; then
    printf '%s' "$placeholder"
    return 0
  fi
  "$@"
}

# kubectl pinned to the target cluster's context, so a script never acts on whatever context is current.
KUBECTL=(kubectl)
use_kube_context() {
  KUBE_CONTEXT=$1
  KUBECTL=(kubectl --context "$KUBE_CONTEXT")
}

require_tools() {
  local missing=() tool
  printf '+ %s   # check\n' "$(format_cmd command -v "$@")"
  [[ $DRY_RUN == true ]] && return 0
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
  done
  ((${#missing[@]} == 0)) || die "missing commands on PATH: ${missing[*]}"
}

# Settings from the environment: each missing one becomes a <NAME> placeholder with --dry-run, else an error
# that names all of them.
require_settings() {
  local missing=() name
  for name in "$@"; do
    if [[ -z ${!name:-} ]]; then
      if [[ $DRY_RUN == true ]]; then
        printf -v "$name" '<%s>' "$name"
      else
        missing+=("$name")
      fi
    fi
  done
  ((${#missing[@]} == 0)) || die "missing settings (environment variables): ${missing[*]}"
}

# Copies a manifest with the placeholder images replaced (and a gVisor runtime class when asked).
render() {
  local src=$1 dest=$2 runtime_class=${3:-}
  local sed_args=(-e "s|${PLACEHOLDER_PLATFORM_IMAGE}|${PLATFORM_IMAGE}|g" -e "s|${PLACEHOLDER_AGENT_IMAGE}|${AGENT_IMAGE}|g")
  if [[ -n $runtime_class ]]; then
    sed_args+=(-e "s|^\\( *\\)# runtime class: set by setup.sh when gVisor is installed\$|\\1runtimeClassName: ${runtime_class}|")
  fi
  printf '+ %s > %s\n' "$(format_cmd sed "${sed_args[@]}" "$src")" "$dest"
  [[ $DRY_RUN == true ]] && return 0
  mkdir -p "$(dirname "$dest")"
  sed "${sed_args[@]}" "$src" >"$dest"
}

# A Secret built from environment variables, values passed on standard input only.
secret_from_env() {
  local name=$1 namespace=$2
  shift 2
  printf '+ %s | %s   # values from %s, not shown\n' \
    "$(format_cmd "${KUBECTL[@]}" create secret generic "$name" --namespace "$namespace" --from-env-file=/dev/stdin --dry-run=client --output=yaml)" \
    "$(format_cmd "${KUBECTL[@]}" apply -f -)" "$*"
  [[ $DRY_RUN == true ]] && return 0
  local var
  for var in "$@"; do
    [[ ${!var} != *$'\n'* ]] || die "$var contains a newline; a Secret value from the environment must be one line"
    printf '%s=%s\n' "$var" "${!var}"
  done | "${KUBECTL[@]}" create secret generic "$name" --namespace "$namespace" --from-env-file=/dev/stdin \
    --dry-run=client --output=yaml | "${KUBECTL[@]}" apply -f -
}

# A router's shared bearer token (ROUTER_AUTH_TOKEN) in its namespace: created once with a random value, never
# rotated here.
ensure_router_token() {
  local namespace=$1
  if check "${KUBECTL[@]}" get secret sandbox-router-auth --namespace "$namespace"; then
    say "Secret $namespace/sandbox-router-auth exists; keeping its token"
    return 0
  fi
  local token=""
  # shellcheck disable=SC2034 # read by secret_from_env through ${!var}
  [[ $DRY_RUN == true ]] || token=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
  secret_from_env sandbox-router-auth "$namespace" token
}

# CRDs by server-side apply (the Sandbox and SandboxTemplate schemas each carry a whole PodSpec, ~160 KB, close to
# the 256 KiB limit of the annotation that a client-side apply writes), from target/kubernetes or the chart's crds/.
apply_crds() {
  local dir=$1
  local files=() crd
  for crd in "${CRD_FILES[@]}"; do
    files+=(-f "$dir/$crd")
  done
  say "Applying the CRDs"
  run "${KUBECTL[@]}" apply --server-side --force-conflicts --field-manager=agent-sandbox-deploy "${files[@]}"
  run "${KUBECTL[@]}" wait --for=condition=Established --timeout=60s \
    crd/sandboxes.agents.x-k8s.io crd/sandboxtemplates.extensions.agents.x-k8s.io \
    crd/sandboxwarmpools.extensions.agents.x-k8s.io crd/sandboxclaims.extensions.agents.x-k8s.io
}

# The CRDs, then the generated manifests.
apply_platform() {
  local manifests=$1 rendered=$2
  apply_crds "$manifests"
  say "Applying the controller, the router and their RBAC"
  run "${KUBECTL[@]}" apply -f "$rendered/kubernetes.yml"
  ensure_router_token "$SYSTEM_NAMESPACE"
  say "Waiting for the rollouts"
  run "${KUBECTL[@]}" rollout status deployment/agent-sandbox-controller --namespace "$SYSTEM_NAMESPACE" --timeout=300s
  run "${KUBECTL[@]}" rollout status deployment/sandbox-router-deployment --namespace "$SYSTEM_NAMESPACE" --timeout=300s
}

# The platform through its Helm chart. The CRDs first, by server-side apply, and --skip-crds: Helm never upgrades a
# chart's crds/, and Helm 4 would apply them again at install, in conflict with the fields applied here. The namespace
# and the router's token are made outside the release, so helm uninstall never takes the Secrets kept there.
# helm upgrade --install waits for both rollouts.
install_chart() {
  local chart=$1 registry=$2 repository=$3 tag=$4
  apply_crds "$chart/crds"
  say "Installing the chart as release $RELEASE"
  if ! check "${KUBECTL[@]}" get namespace "$SYSTEM_NAMESPACE"; then
    run "${KUBECTL[@]}" create namespace "$SYSTEM_NAMESPACE"
  fi
  ensure_router_token "$SYSTEM_NAMESPACE"
  run helm upgrade --install "$RELEASE" "$chart" --kube-context "$KUBE_CONTEXT" --namespace "$SYSTEM_NAMESPACE" \
    --skip-crds --set namespace.create=false \
    --set-string "image.registry=$registry,image.repository=$repository,image.tag=$tag" --wait --timeout 300s
}

# The model endpoint Secret for the agents: from the environment when all three are set, else an existing one.
ensure_model_secret() {
  local vars=(OPENAI_BASE_URL OPENAI_API_KEY LLM_MODEL) missing=() var
  for var in "${vars[@]}"; do
    [[ -n ${!var:-} ]] || missing+=("$var")
  done
  if ((${#missing[@]} == 0)) || [[ $DRY_RUN == true ]]; then
    secret_from_env azure-foundry "$DEMO_NAMESPACE" "${vars[@]}"
  elif check "${KUBECTL[@]}" get secret azure-foundry --namespace "$DEMO_NAMESPACE"; then
    say "Secret $DEMO_NAMESPACE/azure-foundry exists and ${missing[*]} not set; keeping it"
  else
    die "Secret $DEMO_NAMESPACE/azure-foundry does not exist and ${missing[*]} not set: export OPENAI_BASE_URL, OPENAI_API_KEY and LLM_MODEL (see deploy/kata-aks/secret.example.yaml)"
  fi
}

# The example: namespace, model Secret, its own router (as upstream's example: in the sandboxes' namespace, which
# the template's NetworkPolicy admits), template, warm pool, one claim; then waits until it is served.
apply_demo() {
  local rendered=$1
  say "Applying the kata-aks example in $DEMO_NAMESPACE"
  run "${KUBECTL[@]}" apply -f "$rendered/namespace.yaml"
  ensure_model_secret
  ensure_router_token "$DEMO_NAMESPACE"
  run "${KUBECTL[@]}" apply -f "$rendered/router.yaml"
  run "${KUBECTL[@]}" rollout status deployment/sandbox-router-deployment --namespace "$DEMO_NAMESPACE" --timeout=300s
  run "${KUBECTL[@]}" apply -f "$rendered/sandbox-template.yaml"
  run "${KUBECTL[@]}" apply -f "$rendered/warm-pool.yaml"
  run "${KUBECTL[@]}" apply -f "$rendered/claim.yaml"
  say "Waiting for the warm pool and the claim"
  run "${KUBECTL[@]}" wait --namespace "$DEMO_NAMESPACE" --for=jsonpath='{.status.readyReplicas}'=3 \
    sandboxwarmpool/kata-aks-warmpool --timeout=600s
  run "${KUBECTL[@]}" wait --namespace "$DEMO_NAMESPACE" --for=condition=Ready sandboxclaim/my-aks-agent --timeout=300s
}

# How to try it: the example router's address and token, one chat through it and the Java client.
print_smoke_test() {
  local router_url=$1 reach=${2:-}
  cat <<EOF

Router: $router_url
Smoke test:
EOF
  [[ -z $reach ]] || printf '  %s\n' "$reach"
  cat <<EOF
  export ROUTER_BASE_URL=$router_url
  export ROUTER_TOKEN="\$(kubectl get secret sandbox-router-auth --namespace $ROUTER_NAMESPACE -o jsonpath='{.data.token}' | base64 -d)"
  curl -sS "\$ROUTER_BASE_URL/healthz"
  SANDBOX="\$(kubectl get sandboxclaim my-aks-agent --namespace $DEMO_NAMESPACE -o jsonpath='{.status.sandbox.name}')"
  curl -sS -X POST "\$ROUTER_BASE_URL/chat" -H "Authorization: Bearer \$ROUTER_TOKEN" \\
    -H "X-Sandbox-ID: \$SANDBOX" -H "X-Sandbox-Namespace: $DEMO_NAMESPACE" -H "X-Sandbox-Port: 8080" \\
    -H "X-Owner: alice" -H "Content-Type: application/json" -d '{"prompt": "Who are you?"}'
  java -jar target/quarkus-app/quarkus-run.jar client --name bob --msg "Who are you?"
EOF
}
