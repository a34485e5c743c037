#!/usr/bin/env bash
# Runs the mall on this machine: Azurite (storage), the WeChat sandbox (login, pay, refund with real
# signatures) and the local Functions host (the same function classes as Azure), with sample data.
# Ctrl-C stops everything this script started.
#
# Settings (environment variables), so a second mall can run beside the first:
#   MALL_PORT (7071)  SANDBOX_PORT (7080)
#   AZURITE_BLOB_PORT (10000)  AZURITE_QUEUE_PORT (10001)  AZURITE_TABLE_PORT (10002)
#   MALL_STATE_DIR (.local): storage, generated keys, dev admin password and master key; one run at a time each
set -euo pipefail
cd "$(dirname "$0")/.."
MALL_PORT="${MALL_PORT:-7071}"
SANDBOX_PORT="${SANDBOX_PORT:-7080}"
AZURITE_BLOB_PORT="${AZURITE_BLOB_PORT:-10000}"
AZURITE_QUEUE_PORT="${AZURITE_QUEUE_PORT:-10001}"
AZURITE_TABLE_PORT="${AZURITE_TABLE_PORT:-10002}"
STATE="${MALL_STATE_DIR:-.local}"
started=$SECONDS

# One run per state directory: two Azurites on one data directory overwrite each other's writes, silently.
# The lock is held as long as this script or anything it started (Azurite, the host) runs.
if ! command -v flock > /dev/null; then
  echo "eng/run-local.sh needs flock (Debian/Ubuntu: util-linux; macOS: brew install flock)." >&2
  exit 1
fi
mkdir -p "$STATE"
exec {state_lock}> "$STATE/run-local.lock"
if ! flock --nonblock "$state_lock"; then
  echo "$STATE is in use by another eng/run-local.sh: two runs on one state directory lose each other's data." >&2
  echo "Stop that run (Ctrl-C in its terminal), or run this one with a state directory and ports of its own:" >&2
  echo "  MALL_PORT=7171 SANDBOX_PORT=7180 AZURITE_BLOB_PORT=10100 AZURITE_QUEUE_PORT=10101 AZURITE_TABLE_PORT=10102 MALL_STATE_DIR=.local2 eng/run-local.sh" >&2
  exit 1
fi

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

step() { step_started=$SECONDS; echo "==> $*"; }
done_step() { echo "    done in $((SECONDS - step_started)) s"; }

wait_for_port() {
  for _ in $(seq 1 240); do
    (echo > "/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.5
  done
  echo "Nothing is listening on port $1 after 120 s; see the output above." >&2
  exit 1
}

for port in "$AZURITE_BLOB_PORT" "$AZURITE_QUEUE_PORT" "$AZURITE_TABLE_PORT" "$SANDBOX_PORT" "$MALL_PORT"; do
  if (echo > "/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "Port $port is already in use (is another run-local.sh still running?). Stop it, or choose other ports:" >&2
    echo "  MALL_PORT=7171 SANDBOX_PORT=7180 AZURITE_BLOB_PORT=10100 AZURITE_QUEUE_PORT=10101 AZURITE_TABLE_PORT=10102 MALL_STATE_DIR=.local2 eng/run-local.sh" >&2
    exit 1
  fi
done

# ECharts is embedded into the function app when it builds (the operator dashboard), so npm ci comes first.
if [ ! -x node_modules/.bin/azurite ] || [ ! -f node_modules/echarts/dist/echarts.min.js ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  step "Installing Azurite and ECharts (npm ci, pinned by package-lock.json)"
  npm ci --no-audit --no-fund --loglevel=error
  done_step
fi

# The first build restores NuGet packages and takes a few minutes; each project prints a line when built.
step "Building the local host and the WeChat sandbox (the first build takes a few minutes)"
# NU1603 comes from the Worker SDK's generated extensions project (a newer patch of a dependency was taken).
build() { dotnet build "$1" --configuration Debug --verbosity minimal -nologo -consoleLoggerParameters:NoSummary | grep -v -e 'warning NU1603' -e 'Determining projects to restore' -e 'are up-to-date for restore'; }
build functions/Mall.LocalHost
build tests/Mall.WeChatSandbox
done_step
mkdir -p "$STATE/azurite" "$STATE/sandbox"

step "Starting Azurite (blobs/queues/tables on $AZURITE_BLOB_PORT/$AZURITE_QUEUE_PORT/$AZURITE_TABLE_PORT, data in $STATE/azurite)"
# In a session of its own, so a Ctrl-C in the terminal cannot stop Azurite before cleanup has stopped the mall.
setsid node_modules/.bin/azurite --disableTelemetry --silent --skipApiVersionCheck --location "$STATE/azurite" \
  --blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1 \
  --blobPort "$AZURITE_BLOB_PORT" --queuePort "$AZURITE_QUEUE_PORT" --tablePort "$AZURITE_TABLE_PORT" &
pids+=($!)
wait_for_port "$AZURITE_TABLE_PORT"
wait_for_port "$AZURITE_QUEUE_PORT"
done_step

step "Starting the WeChat sandbox on $SANDBOX_PORT"
rm -f "$STATE/sandbox/mall.settings.json"
dotnet tests/Mall.WeChatSandbox/bin/Debug/net10.0/Mall.WeChatSandbox.dll \
  --urls "http://127.0.0.1:$SANDBOX_PORT" --state-dir "$STATE/sandbox" --mall-settings-out "$STATE/sandbox/mall.settings.json" &
pids+=($!)
wait_for_port "$SANDBOX_PORT"
done_step

step "Starting the mall (local Functions host) on $MALL_PORT"
# Azurite's well-known development account, on the ports above (UseDevelopmentStorage=true means the default ports).
key="Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
storage="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$key;BlobEndpoint=http://127.0.0.1:$AZURITE_BLOB_PORT/devstoreaccount1;QueueEndpoint=http://127.0.0.1:$AZURITE_QUEUE_PORT/devstoreaccount1;TableEndpoint=http://127.0.0.1:$AZURITE_TABLE_PORT/devstoreaccount1;"
export Storage__ConnectionString="$storage" AzureWebJobsStorage="$storage"
export WeChat__ApiBaseUrl="http://127.0.0.1:$SANDBOX_PORT" WeChatPay__BaseUrl="http://127.0.0.1:$SANDBOX_PORT"
export WeChatPay__PaymentNotifyUrl="http://127.0.0.1:$MALL_PORT/api/payments/wechat/notify"
export WeChatPay__RefundNotifyUrl="http://127.0.0.1:$MALL_PORT/api/payments/wechat/refund-notify"
export MALL_STARTUP_SECONDS_BEFORE_HOST=$((SECONDS - started))
dotnet functions/Mall.LocalHost/bin/Debug/net10.0/Mall.LocalHost.dll \
  --urls "http://127.0.0.1:$MALL_PORT" --settings local.settings.sample.json --settings "$STATE/sandbox/mall.settings.json" \
  --dev "$STATE" &
pids+=($!)
wait "${pids[-1]}"
