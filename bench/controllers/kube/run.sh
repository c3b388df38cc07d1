#!/usr/bin/env bash
# This platform's controller and the upstream agent-sandbox controller side by side on one real
# Kubernetes control plane (docs/benchmarks.md, "Controllers on a real API server").
#
#   bench/controllers/kube/run.sh [ROUNDS]      # default 3 rounds per controller, alternating
#
# Builds what is missing first: the control plane (tools/kube/build.sh), the upstream controller
# (bench/upstream-controller/build.sh, Go module proxy) and the packaged application
# (./mvnw package). Other sizes: BENCH_OPTS="-Dbench.pool=300 -Dbench.warmClaims=200 ...",
# one controller only: BENCH_OPTS=-Dbench.controllers=ours.
# Results: target/bench-kube/results.md and results.json; controller logs in target/bench-kube/logs.
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
cd "$root"
rounds="${1:-3}"
tools/kube/build.sh >/dev/null
if command -v go >/dev/null 2>&1; then
  bench/upstream-controller/build.sh >/dev/null
else
  echo "run.sh: go is not on the PATH: the upstream controller cannot be built; measuring ours alone" >&2
fi
if [ ! -f target/quarkus-app/quarkus-run.jar ]; then
  ./mvnw -B -q package -DskipTests
fi
# shellcheck disable=SC2086
./mvnw -B -o -Pbench test -Dtest=ControllersOnKubeBench -Dsurefire.failIfNoSpecifiedTests=false \
  -Dcpd.skip -Dpmd.skip -Dbench.rounds="$rounds" ${BENCH_OPTS:-}
echo "results: $root/target/bench-kube/results.md"
