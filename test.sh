#!/usr/bin/env bash
# Runs every test: the .NET suites (unit + integration against real redis-server processes and
# real in-process hubs over gRPC) and, when Node.js is available, the non-.NET interop client and
# `buf lint` of protos/, and the validation of deploy/ against its schemas. Installs redis-server first if it is missing.
# Ends with one line "N passed, N failed, N skipped" computed from the real results; exits
# non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")"
root="$PWD"

./scripts/ensure-redis.sh || { echo "0 passed, 1 failed, 0 skipped"; exit 1; }
# The vPDQ hasher tests decode the reference videos with ffmpeg.
./scripts/ensure-ffmpeg.sh || { echo "0 passed, 1 failed, 0 skipped"; exit 1; }
# The admin console's browser tests drive a headless Chromium; without one they are skipped, saying why.
./scripts/ensure-chromium.sh || echo "chromium could not be installed: the admin console browser tests will be skipped" >&2

# A private temporary folder per run: the tests' redis-server data folders live below it, so the
# clean-up below can only ever touch this run's servers.
run_tmp="$(mktemp -d "${TMPDIR:-/tmp}/federation-test-run-XXXXXX")"
export TMPDIR="$run_tmp"
results="$run_tmp/results"
mkdir -p "$results"
cleanup() {
  # Test fixtures stop their redis-server children by PID; this only catches orphans of a crashed test host.
  # redis-server rewrites its command line, so recognise this run's servers by their working directory
  # (redis chdirs into its --dir, which lives below this run's temporary folder).
  # Out-of-process hub replicas of the fault tests (HubProcess) run with their working directory there too.
  for pid in $(pgrep -x redis-server 2>/dev/null) $(pgrep -x dotnet 2>/dev/null); do
    case "$(readlink "/proc/$pid/cwd" 2>/dev/null)" in
      "$run_tmp"/*) kill "$pid" 2>/dev/null || true ;;
    esac
  done
  rm -rf "$run_tmp"
}
trap cleanup EXIT

passed=0; failed=0; skipped=0

echo "== dotnet test"
# --blame-*: should a test host crash or hang, say which test it was running instead of failing silently.
dotnet test "$root/Federation.sln" -c Release --logger "trx" --logger "console;verbosity=minimal" \
  --blame-crash --blame-hang-timeout 10m \
  --results-directory "$results" -- RunConfiguration.TreatNoTestsAsError=true
dotnet_rc=$?

trx_count=0
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  trx_count=$((trx_count + 1))
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  get() { echo "$counters" | grep -o "$1=\"[0-9]*\"" | grep -o '[0-9]*'; }
  total=$(get total); executed=$(get executed); p=$(get passed); f=$(get failed); e=$(get error)
  passed=$((passed + p))
  failed=$((failed + f + e))
  skipped=$((skipped + total - executed))
done
if [ "$dotnet_rc" -ne 0 ] && [ "$failed" -eq 0 ]; then
  # The build or a test host failed without a test failing: count it, never report green.
  echo "dotnet test exited with $dotnet_rc (build failure or crashed test host)"
  failed=$((failed + 1))
fi
if [ "$trx_count" -eq 0 ]; then
  echo "no test results were produced"
  failed=$((failed + 1))
fi

# Runs one Node.js suite (its script ends with node --test) and adds the TAP summary ("# pass N", "# fail N",
# "# skipped N") to the totals; a non-zero exit without a failed test counts as one failure.
run_node_suite() {
  local name="$1" script="$2" out="$results/$1.txt"
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    echo "$name skipped: node/npm not installed"
    return
  fi
  "$script" 2>&1 | tee "$out"
  local rc=${PIPESTATUS[0]} p f s
  p=$(grep -E '^# pass [0-9]+' "$out" | tail -n 1 | grep -o '[0-9]*' || echo 0)
  f=$(grep -E '^# fail [0-9]+' "$out" | tail -n 1 | grep -o '[0-9]*' || echo 0)
  s=$(grep -E '^# skipped [0-9]+' "$out" | tail -n 1 | grep -o '[0-9]*' || echo 0)
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${s:-0}))
  if [ "$rc" -ne 0 ] && [ "${f:-0}" -eq 0 ]; then
    echo "$name exited with $rc"
    failed=$((failed + 1))
  fi
}

if [ -x "$root/tests/interop/run.sh" ]; then
  echo "== interop (Node.js client, buf lint)"
  run_node_suite interop "$root/tests/interop/run.sh"
fi

echo "== deploy/ (compose, Kubernetes and Envoy files against their schemas; image build where an engine runs)"
run_node_suite deploy "$root/deploy/validate/run.sh"

# Name the .NET failures next to the totals: the last lines of a long log are often all a reader gets.
for trx in "$results"/*.trx; do
  [ -e "$trx" ] || continue
  grep -o '<UnitTestResult [^>]*outcome="Failed"[^>]*>' "$trx" | grep -o 'testName="[^"]*"' | sed 's/^testName="\(.*\)"$/failed: \1/'
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
