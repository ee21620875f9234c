#!/usr/bin/env bash
# Installs the ffmpeg program (used by the SDK's and fedctl's vPDQ video hasher to decode frames) with
# the platform's package manager when it is missing. Run by run.sh and test.sh; safe to run again.
# The vPDQ reference data (testdata/vpdq/) was made with Debian 12's FFmpeg 5.1; see docs/decisions.md.
set -euo pipefail

if command -v ffmpeg >/dev/null 2>&1 && command -v ffprobe >/dev/null 2>&1; then
  exit 0
fi

echo "ffmpeg not found; installing it..." >&2
sudo_cmd=""
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1; then sudo_cmd="sudo"; fi

if command -v apt-get >/dev/null 2>&1; then
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends ffmpeg >/dev/null
elif command -v dnf >/dev/null 2>&1; then
  $sudo_cmd dnf install -y ffmpeg
elif command -v brew >/dev/null 2>&1; then
  brew install ffmpeg
else
  echo "Cannot install ffmpeg automatically: install FFmpeg 5+ yourself (ffmpeg and ffprobe on PATH)." >&2
  exit 1
fi

command -v ffmpeg >/dev/null 2>&1 || { echo "ffmpeg still not on PATH after install" >&2; exit 1; }
