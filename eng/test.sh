#!/usr/bin/env bash
# Runs every test of the mall: unit, storage (real Azurite), local host, end-to-end (local host +
# WeChat sandbox over HTTP) and infrastructure (Bicep). Installs what it needs (npm ci for the pinned
# Azurite, dotnet restore); each test process starts and stops its own in-memory Azurite.
# Usage: eng/test.sh [extra dotnet test arguments, e.g. --filter FullyQualifiedName~Orders]
set -euo pipefail
cd "$(dirname "$0")/.."

# Marks the processes this run starts, so nothing is left behind even if a test host crashes.
export MALL_TEST_RUN_ID="mall-test-$$-$RANDOM"
cleanup() {
  for environ in /proc/[0-9]*/environ; do
    if grep -qz "^MALL_TEST_RUN_ID=$MALL_TEST_RUN_ID$" "$environ" 2>/dev/null; then
      pid=${environ#/proc/}; pid=${pid%/environ}
      [ "$pid" != "$$" ] && kill "$pid" 2>/dev/null || true
    fi
  done
}
trap cleanup EXIT

echo "==> npm ci (Azurite, pinned by package-lock.json)"
npm ci --no-audit --no-fund --loglevel=error

echo "==> dotnet restore + build"
dotnet restore Mall.Functions.sln --verbosity quiet
dotnet build Mall.Functions.sln --no-restore --configuration Release --verbosity quiet -nologo

echo "==> dotnet test"
dotnet test Mall.Functions.sln --no-build --configuration Release --logger "console;verbosity=minimal" "$@"
