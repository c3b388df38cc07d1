#!/usr/bin/env bash
# Creates, once, the virtual environment of the Python SDK compatibility test (tests/compat/sdk/python/flow.py) and
# prints its path: ${XDG_CACHE_HOME:-~/.cache}/agent-sandbox/venv-<hash of requirements.txt>. Idempotent: a complete
# environment for the same requirements is reused as it is; one that an interrupted run left without its marker is
# built again; concurrent runs wait for each other (flock). Needs python3 with venv, and PyPI the first time.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REQUIREMENTS=$HERE/requirements.txt
command -v python3 >/dev/null 2>&1 || { echo "venv.sh: python3 not found on PATH" >&2; exit 2; }

hash=$(python3 -c 'import hashlib, sys; print(hashlib.sha256(open(sys.argv[1], "rb").read()).hexdigest()[:16])' \
  "$REQUIREMENTS")
CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/agent-sandbox
VENV=$CACHE/venv-$hash
mkdir -p "$CACHE"

exec 9>"$VENV.lock"
flock 9
if [[ ! -f $VENV/.complete ]]; then
  rm -rf "$VENV"
  python3 -m venv "$VENV" >&2
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$REQUIREMENTS" >&2
  cp "$REQUIREMENTS" "$VENV/.complete"
fi
printf '%s\n' "$VENV"
