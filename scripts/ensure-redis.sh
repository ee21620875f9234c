#!/usr/bin/env bash
# Installs redis-server and redis-cli (the Redis Cluster tests create their cluster with `redis-cli --cluster create`)
# with the platform's package manager when either is missing.
# Sourced or run by run.sh, test.sh and .ci/run; safe to run again.
set -euo pipefail

have_server() { command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ] || [ -x /usr/sbin/redis-server ]; }
have_cli() { command -v redis-cli >/dev/null 2>&1 || [ -x /usr/bin/redis-cli ]; }
if have_server && have_cli; then
  exit 0
fi

echo "redis-server or redis-cli not found; installing them..." >&2
sudo_cmd=""
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then sudo_cmd="sudo"; fi

if command -v apt-get >/dev/null 2>&1; then
  $sudo_cmd apt-get update -qq
  # redis-tools holds redis-cli (redis-server depends on it; named so a machine with only the server gets it too).
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq redis-server redis-tools >/dev/null
elif command -v dnf >/dev/null 2>&1; then
  $sudo_cmd dnf install -y redis
elif command -v brew >/dev/null 2>&1; then
  brew install redis
else
  echo "Cannot install redis-server automatically: install Redis 7+ yourself, or set Federation__Redis=host:port." >&2
  exit 1
fi

# Debian's package starts a system-wide service on 6379; the hub and the tests start their own
# private servers on free ports, so that one is not needed (and may not run in containers anyway).
have_server || { echo "redis-server still not on PATH after install" >&2; exit 1; }
have_cli || { echo "redis-cli still not on PATH after install" >&2; exit 1; }
