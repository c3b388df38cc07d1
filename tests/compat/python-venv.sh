#!/usr/bin/env bash
# Usage: tests/compat/python-venv.sh REQUIREMENTS_TXT
# Prints the path of a Python virtual environment with REQUIREMENTS_TXT installed from PyPI, created on first use
# under ${XDG_CACHE_HOME:-~/.cache}/agent-sandbox/venv-<hash of the requirements>; later runs only print the path.
# Everything but the path goes to standard error. A run interrupted before the environment is complete leaves no
# marker, so the next run starts over; concurrent runs wait for each other (flock). Needs python3 with its venv module
# (Debian: python3-venv). Used by .ci/run and by the compatibility tests (CompatToolchain.pythonVenv).
set -euo pipefail
requirements=${1:?usage: python-venv.sh REQUIREMENTS_TXT}
[[ -f $requirements ]] || { echo "python-venv.sh: $requirements not found" >&2; exit 2; }
command -v python3 >/dev/null 2>&1 || { echo "python-venv.sh: python3 not found on PATH" >&2; exit 2; }

hash=$(sha256sum "$requirements" | cut -c1-16)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/agent-sandbox
venv=$cache/venv-$hash
mkdir -p "$cache"

exec 9>"$venv.lock"
flock 9
if [[ ! -f $venv/.complete ]]; then
  # .complete is written last
  rm -rf "$venv"
  python3 -m venv "$venv" >&2
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements" >&2
  cp "$requirements" "$venv/.complete"
fi
printf '%s\n' "$venv"
