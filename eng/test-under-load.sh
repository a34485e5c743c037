#!/usr/bin/env bash
# Runs the whole suite (eng/test.sh) several times while stress-ng keeps every core busy, to show the
# tests wait on conditions rather than on timing. Installs stress-ng (Debian) if it is missing.
# Usage: eng/test-under-load.sh [runs, default 2]
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-2}"
if ! command -v stress-ng > /dev/null; then
  echo "==> Installing stress-ng"
  apt-get install -y stress-ng > /dev/null 2>&1 || { apt-get update > /dev/null && apt-get install -y stress-ng > /dev/null; }
fi

cores=$(nproc)
stress-ng --cpu "$cores" --quiet &
stress=$!
trap 'kill "$stress" 2>/dev/null || true; wait "$stress" 2>/dev/null || true' EXIT
echo "==> stress-ng keeps $cores core(s) busy (pid $stress)"

for run in $(seq 1 "$runs"); do
  started=$SECONDS
  echo "==> Run $run of $runs under load (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
  if bash eng/test.sh; then
    echo "==> Run $run passed in $((SECONDS - started)) s (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
  else
    echo "==> Run $run FAILED after $((SECONDS - started)) s" >&2
    exit 1
  fi
done
