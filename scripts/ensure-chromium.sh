#!/usr/bin/env bash
# Installs a headless-capable Chromium (used only by the admin console's browser tests) with the platform's package
# manager when none is found. Run by test.sh; safe to run again. Prints nothing when one is already installed.
set -euo pipefail

for name in chromium chromium-browser google-chrome; do
  if command -v "$name" >/dev/null 2>&1; then exit 0; fi
done

echo "chromium not found; installing it (admin console browser tests)..." >&2
sudo_cmd=""
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then sudo_cmd="sudo"; fi

if command -v apt-get >/dev/null 2>&1; then
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
elif command -v dnf >/dev/null 2>&1; then
  $sudo_cmd dnf install -y chromium
elif command -v brew >/dev/null 2>&1; then
  brew install --cask chromium
else
  echo "Cannot install chromium automatically: install Chromium yourself (chromium on PATH)." >&2
  exit 1
fi

command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || { echo "chromium still not on PATH after install" >&2; exit 1; }
