#!/usr/bin/env bash
# Builds the two JVM images from the current build, as the tests run them and deploy/kind/setup.sh loads them:
#   the platform image (controller and router roles) from target/quarkus-app (./mvnw package);
#   the agent image from target/agent/quarkus-app (./mvnw package -Pagent, run here when older than the former).
# The engine is started if none runs (and stopped at the end if this script started it).
#
#   BASE_IMAGE     the base of both (default: the local Debian base from base.sh; set it to use a registry's image)
#   PLATFORM_IMAGE agent-sandbox:local    AGENT_IMAGE agent-sandbox-agent:local
#   KEEP_ENGINE=1  leave an engine this script started running
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$root"
PLATFORM_IMAGE=${PLATFORM_IMAGE:-agent-sandbox:local}
AGENT_IMAGE=${AGENT_IMAGE:-agent-sandbox-agent:local}

engine="$("$here/engine.sh" start)"
if [ "$engine" = started ] && [ "${KEEP_ENGINE:-}" != 1 ]; then
  trap '"$here/engine.sh" stop' EXIT
fi
base="${BASE_IMAGE:-$("$here/base.sh")}"

[ -f target/quarkus-app/quarkus-run.jar ] || { echo "build.sh: run ./mvnw package first" >&2; exit 1; }
# the agent build is redone whenever the platform build is newer, so both images carry the same code
if [ ! target/agent/quarkus-app/quarkus-run.jar -nt target/quarkus-app/quarkus-run.jar ]; then
  ./mvnw -B -q package -DskipTests -Pagent >&2
fi

# The same docker builds as deploy/kind/setup.sh. The legacy builder: BuildKit is not part of Debian's engine, and
# nothing here needs it.
export DOCKER_BUILDKIT=0
start=$(date +%s)
docker build -q --network host -f "$root/src/main/docker/Dockerfile.jvm" --build-arg "BASE_IMAGE=$base" \
  -t "$PLATFORM_IMAGE" "$root" >/dev/null
docker build -q --network host -f "$root/src/main/docker/Dockerfile.jvm" --build-arg "BASE_IMAGE=$base" \
  --build-arg APP=target/agent/quarkus-app --build-arg SANDBOX_ROLE=agent -t "$AGENT_IMAGE" "$root" >/dev/null
# the images these tags named before: with the vfs driver each layer is a full copy of the file system
docker image prune -f >/dev/null
echo "build.sh: $PLATFORM_IMAGE and $AGENT_IMAGE on $base in $(( $(date +%s) - start )) s" >&2
