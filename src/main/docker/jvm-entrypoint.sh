#!/bin/sh
# Entrypoint of the JVM-mode images (Dockerfile.jvm). The router and controller roles run with the JVM flags they
# are benchmarked with (ROLE.jvm-options; docs/benchmarks.md): the router with a small heap, the serial collector,
# C2 only and at most two malloc arenas; the controller with C1 only and a larger young generation. The other roles
# run with the JVM's defaults and the image's JAVA_TOOL_OPTIONS. JAVA_OPTS adds flags to any role. Arguments go to the application (a role
# name, `client ...`).
#
#   APP_DIR     where quarkus-run.jar and the ROLE.jvm-options files are (default /deployments)
#   SANDBOX_ROLE  the role, as the application reads it (the Deployments set it)
set -eu

APP_DIR=${APP_DIR:-/deployments}
role=${SANDBOX_ROLE:-}
if [ -z "$role" ] && [ $# -gt 0 ]; then role=$1; fi

flags=
case "$role" in
  router)
    export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-2}"
    flags="@$APP_DIR/router.jvm-options" ;;
  controller)
    flags="@$APP_DIR/controller.jvm-options" ;;
esac
# JAVA_OPTS holds several flags: split on purpose.
# shellcheck disable=SC2086
exec java ${flags:+"$flags"} ${JAVA_OPTS:-} -jar "$APP_DIR/quarkus-run.jar" "$@"
