#!/usr/bin/env bash
# Runs the Federation hub. With no Federation__Redis set, the hub starts a private redis-server
# on a free loopback port (installed here first if missing) with its data under ./.data.
# Extra arguments go to the hub, e.g. ./run.sh --Federation:HttpPort=6080
set -euo pipefail
cd "$(dirname "$0")"
if [ -z "${Federation__Redis:-}" ]; then
  ./scripts/ensure-redis.sh
fi
exec dotnet run -c Release --project src/Federation.Hub -- --contentRoot "$PWD/src/Federation.Hub" --Federation:DataPath="$PWD/.data" "$@"
