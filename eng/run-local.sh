#!/usr/bin/env bash
# Runs the mall on this machine: Azurite (storage), the WeChat sandbox (login, pay, refund with real
# signatures) and the local Functions host (the same function classes as Azure), with sample data.
# Ctrl-C stops everything this script started. Ports: MALL_PORT (7071), SANDBOX_PORT (7080),
# Azurite 10000-10002. State (storage, generated keys, dev admin password) lives in .local/.
set -euo pipefail
cd "$(dirname "$0")/.."
MALL_PORT="${MALL_PORT:-7071}"
SANDBOX_PORT="${SANDBOX_PORT:-7080}"
pids=()
cleanup() {
  trap - INT TERM EXIT
  # Last started first, each waited for: the mall gives its task hub's leases back to Azurite before
  # Azurite goes (a restarted mall would take them back anyway, but only after a stop that timed out).
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill "${pids[i]}" 2>/dev/null || true
    wait "${pids[i]}" 2>/dev/null || true
  done
  echo "Stopped."
}
trap cleanup INT TERM EXIT

wait_for_port() {
  for _ in $(seq 1 120); do
    (echo > "/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.5
  done
  echo "Nothing is listening on port $1 after 60 s; see the output above." >&2
  exit 1
}

for port in 10000 10001 10002 "$SANDBOX_PORT" "$MALL_PORT"; do
  if (echo > "/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "Port $port is already in use (is another run-local.sh still running?). Stop it, or set MALL_PORT/SANDBOX_PORT." >&2
    exit 1
  fi
done

echo "==> Installing Azurite (npm ci) and building"
if [ ! -x node_modules/.bin/azurite ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
dotnet build functions/Mall.LocalHost --configuration Debug --verbosity quiet -nologo -consoleLoggerParameters:ErrorsOnly
dotnet build tests/Mall.WeChatSandbox --configuration Debug --verbosity quiet -nologo -consoleLoggerParameters:ErrorsOnly
mkdir -p .local/azurite .local/sandbox

echo "==> Starting Azurite (tables/queues/blobs on 10002/10001/10000)"
# In a session of its own, so a Ctrl-C in the terminal cannot stop Azurite before cleanup has stopped the mall.
setsid node_modules/.bin/azurite --disableTelemetry --silent --skipApiVersionCheck --location .local/azurite \
  --blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1 &
pids+=($!)
wait_for_port 10002

echo "==> Starting the WeChat sandbox on $SANDBOX_PORT"
rm -f .local/sandbox/mall.settings.json
dotnet tests/Mall.WeChatSandbox/bin/Debug/net10.0/Mall.WeChatSandbox.dll \
  --urls "http://127.0.0.1:$SANDBOX_PORT" --state-dir .local/sandbox --mall-settings-out .local/sandbox/mall.settings.json &
pids+=($!)
wait_for_port "$SANDBOX_PORT"

echo "==> Starting the mall (local Functions host) on $MALL_PORT"
export WeChatPay__PaymentNotifyUrl="http://127.0.0.1:$MALL_PORT/api/payments/wechat/notify"
export WeChatPay__RefundNotifyUrl="http://127.0.0.1:$MALL_PORT/api/payments/wechat/refund-notify"
dotnet functions/Mall.LocalHost/bin/Debug/net10.0/Mall.LocalHost.dll \
  --urls "http://127.0.0.1:$MALL_PORT" --settings local.settings.sample.json --settings .local/sandbox/mall.settings.json \
  --dev .local &
pids+=($!)
wait "${pids[-1]}"
