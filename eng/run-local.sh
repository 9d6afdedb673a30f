#!/usr/bin/env bash
# Runs Athos.Webhooks locally with no Azure account and no Athos account:
# the pinned Azurite (in memory) and the Athos simulator. Ctrl-C stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -f node_modules/azurite/dist/src/azurite.js ]; then
  echo "Installing the pinned Azurite (npm ci)..."
  npm ci --no-audit --no-fund
fi

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

node node_modules/azurite/dist/src/azurite.js --silent --disableTelemetry --inMemoryPersistence --skipApiVersionCheck --loose \
  --blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1 &
pids+=($!)
echo "Azurite: blob 127.0.0.1:10000, queue 127.0.0.1:10001, table 127.0.0.1:10002 (AzureWebJobsStorage=UseDevelopmentStorage=true)"

# Build first and start the program itself (not `dotnet run`), so that stopping it stops everything.
dotnet build src/Athos.Simulator -c Release --nologo -v quiet
dotnet src/Athos.Simulator/bin/Release/net10.0/Athos.Simulator.dll --urls http://127.0.0.1:5080 &
pids+=($!)
wait -n "${pids[@]}"
