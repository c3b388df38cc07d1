#!/usr/bin/env bash
# Router benchmark, in one go: wrk against
#   (a) direct: nginx serving static files on 127.0.0.2 (the "sandbox"),
#   (b) nginx:  nginx as a plain reverse proxy in front of it (keep-alive upstream, access log on),
#   (c) router: this platform's router (packaged jar, router role, per-owner tokens, access log and metrics on),
# for a small and a 16 KiB response, at 10 and 50 connections, after a JIT warm-up of the router.
# nginx and the router take turns, ROUNDS times per cell; the table gives each one's median over the rounds and
# the ratio of the medians (the two share 2 cores with wrk and the backend, so single runs swing by +-10%).
# Only loopback traffic; every run is bounded by DURATION. Results: $WORK/results.md (also printed).
#
#   bench/router/run.sh                 # needs: wrk, nginx (apt-get install -y wrk nginx), java 17, a packaged build
#   DURATION=20s WARMUP=60s ROUNDS=5 bench/router/run.sh
#   FILES=small.txt CONNS=50 bench/router/run.sh   # only some cells, e.g. while trying a change
#   NMT=1 bench/router/run.sh             # also the router's native memory summary at the end ($WORK/nmt.txt)
#   MALLOC_ARENA_MAX=1 bench/router/run.sh   # the router process's glibc arena limit (2, as the image's entrypoint sets it)
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
WORK=${WORK:-/tmp/bench-router}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-30s}
ROUNDS=${ROUNDS:-3}
THREADS=${THREADS:-2}
# The router's event loops: 1 as local mode runs it; the router role's default is one per CPU.
ROUTER_EVENT_LOOPS=${ROUTER_EVENT_LOOPS:-1}
FILES=${FILES:-small.txt 16k.txt}
CONNS=${CONNS:-10 50}
BACKEND_IP=127.0.0.2
BACKEND_PORT=${BACKEND_PORT:-18181}
PROXY_PORT=${PROXY_PORT:-18182}
ROUTER_PORT=${ROUTER_PORT:-18183}
MANAGEMENT_PORT=${MANAGEMENT_PORT:-18184}
# The router's JVM flags, as the JVM image runs the router role (src/main/docker/router.jvm-options, chosen for the
# memory goal; see docs/benchmarks.md), and the same malloc arena limit as the image's entrypoint.
ROUTER_JVM_OPTIONS_FILE="$ROOT/src/main/docker/router.jvm-options"
ROUTER_JAVA_OPTS=${ROUTER_JAVA_OPTS:-$(sed -e 's/#.*//' "$ROUTER_JVM_OPTIONS_FILE" | xargs)}
APP="$ROOT/target/quarkus-app"

for tool in wrk nginx java curl; do
  command -v "$tool" >/dev/null || { echo "missing $tool (apt-get install -y wrk nginx curl)" >&2; exit 1; }
done
if [ ! -f "$APP/quarkus-run.jar" ]; then
  echo "no packaged build at $APP: run ./mvnw -B package -DskipTests first" >&2
  exit 1
fi

# A run still going (or its leftovers) would share the ports and the work directory: refuse rather than mix them.
for addr in "$BACKEND_IP:$BACKEND_PORT" "127.0.0.1:$PROXY_PORT" "127.0.0.1:$ROUTER_PORT" "127.0.0.1:$MANAGEMENT_PORT"; do
  if (exec 3<>"/dev/tcp/${addr%:*}/${addr#*:}") 2>/dev/null; then
    echo "$addr is in use: another benchmark run still going? Stop it first." >&2
    exit 1
  fi
done
rm -rf "$WORK"
mkdir -p "$WORK/www" "$WORK/logs" "$WORK/nginx-backend" "$WORK/nginx-proxy"
printf 'hello, sandbox\n' > "$WORK/www/small.txt"
head -c 16384 /dev/zero | tr '\0' 'x' > "$WORK/www/16k.txt"

PIDS=()
cleanup() {
  for pid in "${PIDS[@]:-}"; do
    if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi
  done
  # wait for them to go (the router drains for up to 25 s), so that a next run finds its ports free
  for pid in "${PIDS[@]:-}"; do
    if [ -n "$pid" ]; then timeout 30 tail --pid="$pid" -f /dev/null 2>/dev/null || true; fi
  done
  nginx -p "$WORK/nginx-backend" -c "$WORK/nginx-backend.conf" -s stop 2>/dev/null || true
  nginx -p "$WORK/nginx-proxy" -c "$WORK/nginx-proxy.conf" -s stop 2>/dev/null || true
}
trap cleanup EXIT

cat > "$WORK/nginx-backend.conf" <<CONF
worker_processes 1;
pid $WORK/nginx-backend/nginx.pid;
error_log $WORK/logs/backend-error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 1000000;
  server {
    listen $BACKEND_IP:$BACKEND_PORT;
    root $WORK/www;
  }
}
CONF
cat > "$WORK/nginx-proxy.conf" <<CONF
worker_processes auto;
pid $WORK/nginx-proxy/nginx.pid;
error_log $WORK/logs/proxy-error.log warn;
events { worker_connections 1024; }
http {
  access_log $WORK/logs/proxy-access.log combined buffer=64k flush=1s;
  keepalive_requests 1000000;
  upstream sandbox { server $BACKEND_IP:$BACKEND_PORT; keepalive 128; }
  server {
    listen 127.0.0.1:$PROXY_PORT;
    location / {
      proxy_pass http://sandbox;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
    }
  }
}
CONF
nginx -p "$WORK/nginx-backend" -c "$WORK/nginx-backend.conf"
nginx -p "$WORK/nginx-proxy" -c "$WORK/nginx-proxy.conf"

CP="$APP/app/*:$APP/lib/main/*"
java -Xmx128m -cp "$CP" "$ROOT/bench/router/BenchApiServer.java" "$WORK" "$BACKEND_IP" > "$WORK/logs/api-server.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 120); do [ -s "$WORK/api-url" ] && [ -s "$WORK/alice-token" ] && break; sleep 0.5; done
[ -s "$WORK/api-url" ] || { echo "API server did not start; see $WORK/logs/api-server.log" >&2; exit 1; }
TOKEN=$(cat "$WORK/alice-token")

if [ "${NMT:-0}" = 1 ]; then ROUTER_JAVA_OPTS="$ROUTER_JAVA_OPTS -XX:NativeMemoryTracking=summary"; fi
# ROUTER_JAVA_OPTS holds several JVM flags: split on purpose.
# shellcheck disable=SC2086
MALLOC_ARENA_MAX=${MALLOC_ARENA_MAX:-2} SANDBOX_ROUTER_OWNER_TOKENS_ENABLED=true SANDBOX_ROUTER_EVENT_LOOPS=$ROUTER_EVENT_LOOPS \
SANDBOX_ROUTER_HOST=127.0.0.1 SANDBOX_ROUTER_PORT=$ROUTER_PORT QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_HTTP_PORT=$MANAGEMENT_PORT \
QUARKUS_KUBERNETES_CLIENT_API_SERVER_URL=$(cat "$WORK/api-url") \
  java $ROUTER_JAVA_OPTS -jar "$APP/quarkus-run.jar" router > "$WORK/logs/router.log" 2>&1 &
ROUTER_PID=$!
PIDS+=("$ROUTER_PID")

ROUTE=(-H "Authorization: Bearer $TOKEN" -H "X-Sandbox-ID: bench" -H "X-Sandbox-Namespace: bench" -H "X-Sandbox-Port: $BACKEND_PORT")
CURL_ROUTE=()
for ((i = 1; i < ${#ROUTE[@]}; i += 2)); do CURL_ROUTE+=(-H "${ROUTE[$i]}"); done
for _ in $(seq 1 120); do
  code=$(curl -s -o /dev/null -w '%{http_code}' "${CURL_ROUTE[@]}" "http://127.0.0.1:$ROUTER_PORT/small.txt" || true)
  [ "$code" = 200 ] && break
  sleep 0.5
done
[ "$code" = 200 ] || { echo "router not routing (last status $code); see $WORK/logs/router.log" >&2; exit 1; }
curl -sf "http://127.0.0.1:$PROXY_PORT/small.txt" >/dev/null
curl -sf "http://$BACKEND_IP:$BACKEND_PORT/16k.txt" >/dev/null

url() {
  case $1 in
    direct) echo "http://$BACKEND_IP:$BACKEND_PORT/$2" ;;
    nginx) echo "http://127.0.0.1:$PROXY_PORT/$2" ;;
    router) echo "http://127.0.0.1:$ROUTER_PORT/$2" ;;
  esac
}

# wrk latency figures come as 812.00us, 1.20ms or 1.02s: normalise to milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN {
    if (v ~ /us$/) { sub(/us$/, "", v); printf "%.2f", v / 1000 }
    else if (v ~ /ms$/) { sub(/ms$/, "", v); printf "%.2f", v }
    else if (v ~ /s$/) { sub(/s$/, "", v); printf "%.2f", v * 1000 }
    else printf "%s", v }'
}

# utime+stime, in clock ticks, of the process(es) that do the proxying for a target.
cpu_ticks() {
  local pids
  case $1 in
    router) pids=$ROUTER_PID ;;
    nginx) pids=$(pgrep -P "$(cat "$WORK/nginx-proxy/nginx.pid")" | tr '\n' ' ') ;;
    direct) pids=$(pgrep -P "$(cat "$WORK/nginx-backend/nginx.pid")" | tr '\n' ' ') ;;
  esac
  local sum=0
  for pid in $pids; do sum=$((sum + $(awk '{print $14 + $15}' "/proc/$pid/stat"))); done
  echo "$sum"
}

echo "warm-up: router ${WARMUP} at 50 connections (both sizes)" >&2
wrk -t"$THREADS" -c50 -d"$WARMUP" "${ROUTE[@]}" "$(url router small.txt)" > /dev/null
wrk -t"$THREADS" -c50 -d10s "${ROUTE[@]}" "$(url router 16k.txt)" > /dev/null
wrk -t"$THREADS" -c50 -d5s "$(url nginx small.txt)" > /dev/null

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
RESULTS="$WORK/results.tsv"
: > "$RESULTS"
# One wrk run: appends file, conns, target, round, req/s, p50, p99, errors, CPU µs/req to $RESULTS.
measure() {
  local file=$1 conns=$2 target=$3 round=$4
  local cpu_before cpu_after out requests cpu_us rps p50 p99 errors
  cpu_before=$(cpu_ticks "$target")
  out=$(wrk -t"$THREADS" -c"$conns" -d"$DURATION" --latency "${ROUTE[@]}" "$(url "$target" "$file")")
  cpu_after=$(cpu_ticks "$target")
  requests=$(awk '/requests in/ {print $1}' <<<"$out")
  # CPU time the proxy itself spent per request: far less sensitive to other load on the machine than req/s.
  cpu_us=$(awk -v t=$((cpu_after - cpu_before)) -v r="$requests" -v hz="$(getconf CLK_TCK)" \
    'BEGIN { if (r > 0) printf "%.1f", t * 1000000 / hz / r; else print "-" }')
  rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
  p50=$(to_ms "$(awk '$1 == "50%" {print $2}' <<<"$out")")
  p99=$(to_ms "$(awk '$1 == "99%" {print $2}' <<<"$out")")
  errors=$(awk '/Non-2xx|Socket errors/ {print}' <<<"$out" | tr '\n' ' ')
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$file" "$conns" "$target" "$round" "$rps" "$p50" "$p99" \
    "${errors:-none}" "$cpu_us" | tee -a "$RESULTS" >&2
}
for file in $FILES; do
  for conns in $CONNS; do
    measure "$file" "$conns" direct 1
    for round in $(seq 1 "$ROUNDS"); do
      measure "$file" "$conns" nginx "$round"
      measure "$file" "$conns" router "$round"
    done
  done
done

RSS_KB=$(awk '/^VmRSS/ {print $2}' "/proc/$ROUTER_PID/status")
HWM_KB=$(awk '/^VmHWM/ {print $2}' "/proc/$ROUTER_PID/status")
ACCESS_LINES=$(grep -c ' ACCESS ' "$WORK/logs/router.log" || true)
if [ "${NMT:-0}" = 1 ]; then
  { jcmd "$ROUTER_PID" VM.native_memory summary; jcmd "$ROUTER_PID" GC.heap_info; grep -E 'Rss' "/proc/$ROUTER_PID/status"; } > "$WORK/nmt.txt" 2>&1 || true
fi
METRICS=$(curl -s "http://127.0.0.1:$MANAGEMENT_PORT/q/metrics" | grep -c '^sandbox_router_requests_seconds_count' || true)

{
  echo "## Router benchmark run $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "Load average before the run: $LOAD_BEFORE; after: $(cut -d' ' -f1-3 /proc/loadavg) (other processes share these cores)."
  echo "Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo); $(nginx -v 2>&1); $(java -version 2>&1 | head -1)."
  echo "wrk -t$THREADS, $DURATION per run, $ROUNDS rounds of nginx and router per cell, router warm-up $WARMUP. Router event loops: $ROUTER_EVENT_LOOPS. Router JVM: $ROUTER_JAVA_OPTS."
  echo
  echo "Each figure is the median over the rounds (direct: one run); the last column lists the router/nginx"
  echo "throughput ratio of each round."
  echo
  echo "| response | conns | target | req/s | p50 ms | p99 ms | CPU µs/req | router/nginx req/s | router/nginx p99 | errors | per round |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|"
  # median FILE CONNS TARGET COLUMN: the median of that column over the target's rounds in $RESULTS.
  median() {
    awk -F'\t' -v f="$1" -v c="$2" -v t="$3" -v col="$4" '$1==f && $2==c && $3==t {print $col}' "$RESULTS" |
      sort -g | awk '{v[NR]=$1} END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR+1)/2];
        else printf "%.2f", (v[NR/2] + v[NR/2+1]) / 2 }'
  }
  for file in $FILES; do
    for conns in $CONNS; do
      for target in direct nginx router; do
        rps=$(median "$file" "$conns" "$target" 5)
        p50=$(median "$file" "$conns" "$target" 6)
        p99=$(median "$file" "$conns" "$target" 7)
        cpu_us=$(median "$file" "$conns" "$target" 9)
        errors=$(awk -F'\t' -v f="$file" -v c="$conns" -v t="$target" '$1==f && $2==c && $3==t && $8!="none" {print $8}' \
          "$RESULTS" | tr '\n' ' ')
        ratio=""; pratio=""; rounds=""
        if [ "$target" = router ]; then
          nginx_rps=$(median "$file" "$conns" nginx 5)
          nginx_p99=$(median "$file" "$conns" nginx 7)
          ratio=$(awk -v a="$rps" -v b="$nginx_rps" 'BEGIN {printf "%.0f%%", 100 * a / b}')
          pratio=$(awk -v a="$p99" -v b="$nginx_p99" 'BEGIN {printf "%.2fx", a / b}')
          rounds=$(awk -F'\t' -v f="$file" -v c="$conns" '$1==f && $2==c && $3=="nginx" {n[$4]=$5}
            $1==f && $2==c && $3=="router" {r[$4]=$5}
            END { for (i = 1; i in r; i++) printf "%s%.0f%%", (i > 1 ? ", " : ""), 100 * r[i] / n[i] }' "$RESULTS")
        fi
        echo "| $file | $conns | $target | $rps | $p50 | $p99 | $cpu_us | $ratio | $pratio | ${errors:-none} | $rounds |"
      done
    done
  done
  echo
  echo "Router resident memory after the run: VmRSS $((RSS_KB / 1024)) MiB, peak VmHWM $((HWM_KB / 1024)) MiB."
  echo "Router access log lines written: $ACCESS_LINES; status series in /q/metrics: $METRICS."
} | tee "$WORK/results.md"
