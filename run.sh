#!/usr/bin/env bash
# Runs the Federation hub. With no Federation__Redis set, the hub starts a private redis-server
# on a free loopback port (installed here first if missing) with its data under ./.data.
# Extra arguments go to the hub, e.g. ./run.sh --Federation:HttpPort=6080
set -euo pipefail
cd "$(dirname "$0")"
if [ -z "${Federation__Redis:-}" ]; then
  ./scripts/ensure-redis.sh
fi
# fedctl and the SDK decode video with ffmpeg for vPDQ hashing; the hub itself does not need it.
./scripts/ensure-ffmpeg.sh || echo "ffmpeg could not be installed: vPDQ video hashing (fedctl hash) will not work" >&2
exec dotnet run -c Release --project src/Federation.Hub -- --contentRoot "$PWD/src/Federation.Hub" --Federation:DataPath="$PWD/.data" "$@"
