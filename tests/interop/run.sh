#!/usr/bin/env bash
# Starts a private hub (its own redis-server, free loopback ports, a temp data folder), runs
# `buf lint` on protos/ and the Node.js interop tests against it, stops the hub by PID.
# Exits non-zero when anything fails. Needs dotnet, node/npm and redis-server.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cd "$here"

[ -d node_modules ] || npm ci --no-audit --no-fund

echo "== buf lint protos/"
npx buf lint ../../protos

free_port() { node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close();});'; }
http_port="$(free_port)"
grpc_port="$(free_port)"
data="$(mktemp -d "${TMPDIR:-/tmp}/federation-interop-XXXXXX")"
admin_id="interop-admin"
admin_secret="$(node -e 'console.log(require("crypto").randomBytes(24).toString("hex"))')"
log="$data/hub.log"

dotnet build "$root/src/Federation.Hub/Federation.Hub.csproj" -c Release -v quiet -nologo >/dev/null
unset Federation__Redis
dotnet run --no-build -c Release --project "$root/src/Federation.Hub" -- \
  --Federation:HttpPort="$http_port" --Federation:GrpcPort="$grpc_port" --Federation:DataPath="$data" \
  --Federation:Issuer="http://127.0.0.1:$http_port/" --Federation:Feed:HeartbeatInterval=00:00:01 \
  --Federation:Bootstrap:AdminClientId="$admin_id" --Federation:Bootstrap:AdminClientSecret="$admin_secret" \
  >"$log" 2>&1 &
hub_pid=$!
stop_hub() {
  kill "$hub_pid" 2>/dev/null && wait "$hub_pid" 2>/dev/null || true
  rm -rf "$data"
}
trap stop_hub EXIT

for _ in $(seq 1 120); do
  if curl -fsS "http://127.0.0.1:$http_port/health/ready" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$hub_pid" 2>/dev/null; then echo "hub exited early:"; cat "$log"; exit 1; fi
  sleep 0.5
done
curl -fsS "http://127.0.0.1:$http_port/health/ready" >/dev/null || { echo "hub did not become healthy:"; cat "$log"; exit 1; }

echo "== node --test (hub on 127.0.0.1:$http_port / :$grpc_port)"
FEDERATION_TOKEN_URL="http://127.0.0.1:$http_port/connect/token" \
FEDERATION_GRPC="127.0.0.1:$grpc_port" \
FEDERATION_ADMIN_ID="$admin_id" FEDERATION_ADMIN_SECRET="$admin_secret" \
  node --test --test-timeout=60000 || { rc=$?; echo "--- hub log (tail)"; tail -n 60 "$log"; exit "$rc"; }
