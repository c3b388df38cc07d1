#!/usr/bin/env bash
# Idle sleep benchmarks (docs/benchmarks.md, "Idle sleep"), in one go, about 6 minutes on 2 cores:
#   WakeLatencyBench     the wake latency in local mode: 20 wakes of an idle-suspended sandbox, each beside a chat
#                        to the same sandbox awake (local mode with deploy/kata-aks/idle-sleep);
#   RouterActivityBench  the router's throughput with activity tracking off, on, and on publishing every second
#                        (wrk, alternating rounds), and the activity writes per sandbox-hour.
# Needs: java 17, wrk (apt-get install -y wrk), a packaged build (built here when missing).
# Results: target/bench-idle/{wake,router}.{md,tsv}, copied to $RESULTS (default bench/results/<date>-idle).
#
#   bench/idle/run.sh
#   BENCH_OPTS="-Dbench.wakes=10 -Dbench.rounds=3 -Dbench.seconds=10" bench/idle/run.sh   # shorter
#   TESTS=RouterActivityBench bench/idle/run.sh                                          # one of the two
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
command -v wrk >/dev/null || { echo "run.sh: wrk is not on the PATH (apt-get install -y wrk)" >&2; exit 1; }
if [ ! -f target/quarkus-app/quarkus-run.jar ]; then
  ./mvnw -B -q package -DskipTests
fi
results="${RESULTS:-bench/results/$(date -u +%F)-idle}"
rm -rf target/bench-idle
echo "load average at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
# shellcheck disable=SC2086
./mvnw -B -o -Pbench test -Dtest="${TESTS:-WakeLatencyBench,RouterActivityBench}" \
  -Dsurefire.failIfNoSpecifiedTests=false -Dcpd.skip -Dpmd.skip ${BENCH_OPTS:-}
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
mkdir -p "$results"
cp target/bench-idle/*.md target/bench-idle/*.tsv "$results"/
echo "results: $root/$results"
