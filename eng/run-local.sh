#!/usr/bin/env bash
# Runs Athos.Webhooks locally, with no Azure account and no Functions Core Tools: the pinned Azurite (in memory)
# and `athos-webhooks serve` (webhook endpoint, queue worker, reconciler).
#  - Without ATHOS_API_KEY: a demo against the built-in Athos simulator, which generates calls and delivers
#    signed webhooks (20% dropped) that the reconciler visibly recovers.
#  - With ATHOS_API_KEY and ATHOS_WHSEC set: against Athos itself.
# Ctrl-C stops everything this script started.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -n "${ATHOS_API_KEY:-}" ] && [ -z "${ATHOS_WHSEC:-}" ]; then
  echo "ATHOS_API_KEY is set but ATHOS_WHSEC is not: set both to run against Athos, or neither for the demo." >&2
  exit 2
fi

if [ ! -f node_modules/azurite/dist/src/azurite.js ]; then
  echo "Installing the pinned Azurite (npm ci)..."
  npm ci --no-audit --no-fund
fi

echo "Building athos-webhooks..."
dotnet build src/Athos.Webhooks.Cli -c Release --nologo -v quiet

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if [ -z "${AzureWebJobsStorage:-}" ]; then
  node node_modules/azurite/dist/src/azurite.js --silent --disableTelemetry --inMemoryPersistence --skipApiVersionCheck --loose \
    --blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1 > /dev/null &
  pids+=($!)
  for _ in $(seq 1 50); do
    (echo > /dev/tcp/127.0.0.1/10002) 2>/dev/null && break
    kill -0 "${pids[0]}" 2>/dev/null || { echo "Azurite did not start (are ports 10000-10002 in use?)." >&2; exit 1; }
    sleep 0.2
  done
  export AzureWebJobsStorage=UseDevelopmentStorage=true
  echo "Azurite (in memory): blob 10000, queue 10001, table 10002."
fi

mode=()
[ -z "${ATHOS_API_KEY:-}" ] && mode=(--demo)
dotnet src/Athos.Webhooks.Cli/bin/Release/net10.0/athos-webhooks.dll serve "${mode[@]}" "$@" &
pids+=($!)
wait "${pids[-1]}"
