#!/usr/bin/env bash
# Measures the README's run command (docs/benchmarks.md, "Local demo"): the time from starting
# `java -jar quarkus-run.jar local` to the first agent reply on standard output, the time to the end of the demo,
# and the resident memory of the whole (local mode plus every agent process), sampled every 0.2 s.
# Usage: bench/local-demo.sh [runs]   (needs target/quarkus-app from ./mvnw package)
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-3}
JAR=target/quarkus-app/quarkus-run.jar
[ -f "$JAR" ] || { echo "build first: ./mvnw -B package -DskipTests" >&2; exit 1; }

tree_rss_kib() { # resident KiB of a process and all its descendants
  local total=0 rss child
  rss=$(awk '/VmRSS/ {print $2}' /proc/"$1"/status 2>/dev/null || true)
  total=${rss:-0}
  for child in $(pgrep -P "$1" 2>/dev/null || true); do
    total=$((total + $(tree_rss_kib "$child")))
  done
  echo "$total"
}

for run in $(seq 1 "$RUNS"); do
  DIR=$(mktemp -d /tmp/local-demo.XXXXXX)
  t0=$(date +%s.%N)
  java -Dsandbox.local.data-dir="$DIR" -Dquarkus.http.port=0 -Dsandbox.router.port=0 -jar "$JAR" local >"$DIR/out.txt" 2>"$DIR/local.log" &
  pid=$!
  peak=0 first=""
  while kill -0 "$pid" 2>/dev/null; do
    rss=$(tree_rss_kib "$pid")
    [ "$rss" -gt "$peak" ] && peak=$rss
    if [ -z "$first" ] && grep -qE '^(alice|bob): ' "$DIR/out.txt" 2>/dev/null; then
      first=$(echo "$(date +%s.%N) - $t0" | bc)
    fi
    sleep 0.2
  done
  wait "$pid" && status=0 || status=$?
  total=$(echo "$(date +%s.%N) - $t0" | bc)
  printf 'run %d: exit %d, first reply after %.1f s, demo done after %.1f s, peak RSS of the whole %d MiB\n' \
    "$run" "$status" "${first:-0}" "$total" "$((peak / 1024))"
  grep -E '^(alice|bob): ' "$DIR/out.txt" | cut -c1-90
  rm -rf "$DIR"
done
