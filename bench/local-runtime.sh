#!/usr/bin/env bash
# Measures local mode (docs/benchmarks.md, "Local runtime"): time for `local --serve` to print its lines, and for
# agent-image Pods the time from `kubectl apply` to Ready (a tcpSocket probe: the HTTP listener accepts) and the
# resident memory of the agent process.
# Usage: bench/local-runtime.sh [pods]   (needs target/quarkus-app from ./mvnw package, and kubectl)
#   READY_TIMEOUT=0s (default): the first Pod is applied while the warm pool's three agents are still starting, so
#   four agent JVMs start at once; READY_TIMEOUT=120s: --serve waits for the pool first, as it does by default.
set -euo pipefail
cd "$(dirname "$0")/.."
PODS=${1:-3}
READY_TIMEOUT=${READY_TIMEOUT:-0s}
DIR=$(mktemp -d /tmp/local-bench.XXXXXX)
JAR=target/quarkus-app/quarkus-run.jar
t0=$(date +%s.%N)
java -Dsandbox.local.data-dir="$DIR" -Dquarkus.http.port=0 -Dsandbox.router.port=0 -Dsandbox.local.ready-timeout="$READY_TIMEOUT" -jar "$JAR" local --serve >"$DIR/out.txt" 2>"$DIR/local.log" &
LOCAL=$!
trap 'kill $LOCAL 2>/dev/null; wait $LOCAL 2>/dev/null || true' EXIT
until grep -q '^KUBECONFIG=' "$DIR/out.txt" 2>/dev/null; do sleep 0.05; done
t1=$(date +%s.%N)
printf 'local --serve printed its lines after %.2f s (ready-timeout %s)\n' "$(echo "$t1 - $t0" | bc)" "$READY_TIMEOUT"
K="kubectl --kubeconfig $DIR/kubeconfig --cache-dir $DIR/cache -n sandbox-agent-demo"
for i in $(seq 1 "$PODS"); do
  start=$(date +%s.%N)
  cat <<YAML | $K apply -f - >/dev/null
apiVersion: v1
kind: Pod
metadata: {name: agent-$i}
spec:
  containers:
  - name: agent
    image: ghcr.io/agent-sandbox/agent-sandbox-agent:0.1.0
    ports: [{name: http, containerPort: 8080}]
    readinessProbe:
      tcpSocket: {port: http}
YAML
  applied=$(date +%s.%N)
  until [ "$($K get pod agent-"$i" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')" = "True" ]; do sleep 0.1; done
  created=$($K get pod agent-"$i" -o jsonpath='{.metadata.creationTimestamp}')
  ready=$($K get pod agent-"$i" -o jsonpath='{.status.conditions[?(@.type=="Ready")].lastTransitionTime}')
  ready_s=$(date -d "$ready" +%s.%N)
  wrapper=$($K get pod agent-"$i" -o jsonpath='{.status.containerStatuses[0].containerID}' | sed 's#local://##')
  java_pid=$(pgrep -P "$wrapper" -x java | head -1)
  sleep 2
  rss=$(awk '/VmRSS/ {print $2}' /proc/"$java_pid"/status)
  printf 'pod agent-%d: ready %.2f s after kubectl apply started, %.2f s after it returned (created %s, ready %s); agent RSS %d MiB (pid %s)\n' "$i" \
    "$(echo "$ready_s - $start" | bc)" "$(echo "$ready_s - $applied" | bc)" "$created" "$ready" "$((rss / 1024))" "$java_pid"
done
