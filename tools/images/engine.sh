#!/usr/bin/env bash
# Starts a Docker engine as this machine can run one, or stops the one it started.
#   engine.sh start   prints "started" when it started dockerd, "running" when one was already up
#   engine.sh stop    stops the dockerd that `start` started (none otherwise)
# The engine: Debian's docker.io, `dockerd --storage-driver=vfs --iptables=false --bridge=none` (no bridge here:
# containers use --network host). Needs root.
set -euo pipefail
pidfile="${ENGINE_PIDFILE:-/tmp/agent-sandbox-dockerd.pid}"
case "${1:-}" in
  start)
    if docker info >/dev/null 2>&1; then
      echo running
      exit 0
    fi
    command -v dockerd >/dev/null 2>&1 || { echo "engine.sh: dockerd is not installed (apt-get install docker.io)" >&2; exit 1; }
    nohup dockerd --storage-driver=vfs --iptables=false --bridge=none >/tmp/agent-sandbox-dockerd.log 2>&1 &
    echo $! > "$pidfile"
    for _ in $(seq 1 60); do
      if docker info >/dev/null 2>&1; then
        echo started
        exit 0
      fi
      sleep 0.5
    done
    echo "engine.sh: dockerd did not answer within 30 s; its log:" >&2
    tail -20 /tmp/agent-sandbox-dockerd.log >&2
    exit 1
    ;;
  stop)
    if [ -f "$pidfile" ]; then
      kill "$(cat "$pidfile")" 2>/dev/null || true
      for _ in $(seq 1 40); do
        kill -0 "$(cat "$pidfile")" 2>/dev/null || break
        sleep 0.5
      done
      rm -f "$pidfile"
    fi
    ;;
  *)
    echo "usage: engine.sh start|stop" >&2
    exit 2
    ;;
esac
