#!/usr/bin/env bash
# Generates the RSA key every hub replica signs tokens with (share it as a secret, never commit it).
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p secrets
umask 077
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out secrets/signing-key.pem
echo "wrote deploy/secrets/signing-key.pem"
