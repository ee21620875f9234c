#!/usr/bin/env bash
# Validates deploy/ (compose file, Kubernetes manifests, Envoy config, Docker build context) against their schemas
# with no cluster, and builds the image where a container engine answers (the test says why it skipped otherwise).
# Needs node/npm; packages come from the npm registry through npm ci (versions pinned in package-lock.json).
set -euo pipefail
cd "$(dirname "$0")"
[ -d node_modules ] || npm ci --no-audit --no-fund
node --test --test-timeout=1500000
