#!/usr/bin/env bash
# Prints the path of a Python virtual environment with requirements.txt installed, creating it on first use under
# ~/.cache/agent-sandbox/venv-<hash of requirements.txt>; later runs only print the path. Everything but the path
# goes to standard error. Used by .ci/run and by the compatibility tests (WatchOrderCompatIT).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
requirements="$here/requirements.txt"
hash="$(sha256sum "$requirements" | cut -c1-16)"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/agent-sandbox"
venv="$cache/venv-$hash"
if [ ! -f "$venv/.complete" ]; then
  command -v python3 >/dev/null 2>&1 || { echo "venv.sh: python3 is not installed" >&2; exit 2; }
  mkdir -p "$cache"
  exec 9>"$venv.lock"
  flock 9 # one creator at a time; the others find it complete
  if [ ! -f "$venv/.complete" ]; then
    # .complete is written last: a run interrupted before it leaves a directory the next run starts over
    rm -rf "$venv"
    python3 -m venv "$venv" >&2
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements" >&2
    touch "$venv/.complete"
  fi
fi
echo "$venv"
