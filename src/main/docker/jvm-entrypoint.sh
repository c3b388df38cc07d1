#!/bin/sh
# Entrypoint of the JVM-mode images (Dockerfile.jvm). The router role runs with the JVM flags it is benchmarked
# with (router.jvm-options: small heap, serial collector, C2 only; docs/benchmarks.md) and at most two malloc
# arenas; the other roles with the JVM's defaults and the image's JAVA_TOOL_OPTIONS. JAVA_OPTS adds flags to any
# role. Arguments go to the application (a role name, `client ...`).
#
#   APP_DIR     where quarkus-run.jar and router.jvm-options are (default /deployments)
#   SANDBOX_ROLE  the role, as the application reads it (the Deployments set it)
set -eu

APP_DIR=${APP_DIR:-/deployments}
role=${SANDBOX_ROLE:-}
if [ -z "$role" ] && [ $# -gt 0 ]; then role=$1; fi

if [ "$role" = router ]; then
  export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
  # JAVA_OPTS holds several flags: split on purpose.
  # shellcheck disable=SC2086
  exec java "@$APP_DIR/router.jvm-options" ${JAVA_OPTS:-} -jar "$APP_DIR/quarkus-run.jar" "$@"
fi
# shellcheck disable=SC2086
exec java ${JAVA_OPTS:-} -jar "$APP_DIR/quarkus-run.jar" "$@"
