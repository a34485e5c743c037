#!/usr/bin/env bash
# Runs every test of the mall: unit, storage (real Azurite), local host, end-to-end (local host +
# WeChat sandbox over HTTP), the operator dashboard in a browser, and infrastructure (Bicep). Installs
# what it needs (npm ci for the pinned Azurite and ECharts, dotnet restore, Debian's Chromium); each test
# process starts and stops its own in-memory Azurite.
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

echo "==> npm ci (Azurite, and ECharts for the dashboard, pinned by package-lock.json)"
npm ci --no-audit --no-fund --loglevel=error

# The browser tests (tests/Mall.BrowserTests) drive Debian's Chromium; MALL_CHROMIUM names another one.
# A CJK font too, so the dashboard's screenshot shows its Chinese labels.
if [ -z "${MALL_CHROMIUM:-}" ] && [ ! -x /usr/bin/chromium ]; then
  echo "==> apt-get install chromium (for the dashboard's browser tests)"
  if ! command -v apt-get > /dev/null; then
    echo "    no apt-get here: install Chromium and set MALL_CHROMIUM to it, or the browser tests fail" >&2
  else
    as_root=(); [ "$(id -u)" -eq 0 ] || as_root=(sudo)
    apt_install() { "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei > /tmp/mall-apt-$$.log 2>&1; }
    # A fresh machine may have no package lists yet.
    apt_install || { "${as_root[@]}" apt-get update -qq > /dev/null && apt_install; } || { cat /tmp/mall-apt-$$.log >&2; exit 1; }
    rm -f /tmp/mall-apt-$$.log
  fi
fi

echo "==> dotnet restore + build"
dotnet restore Mall.Functions.sln --verbosity quiet
dotnet build Mall.Functions.sln --no-restore --configuration Release --verbosity quiet -nologo

echo "==> dotnet test"
dotnet test Mall.Functions.sln --no-build --configuration Release --logger "console;verbosity=minimal" "$@"
