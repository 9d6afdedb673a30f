#!/usr/bin/env bash
# The end-to-end tests against the real Azure Functions host, where Azure Functions Core Tools (`func`) is on PATH:
# the same tests that run against the local runner, pointed at `func start` of the built Functions app by
# ATHOS_E2E_HOST=functions. Each test's fixture (tests/Athos.Webhooks.Tests/Fixtures/FunctionsHostProcess.cs) writes
# local.settings.json for its own Azurite and Athos simulator, starts the host on a free port, waits until it reports
# Running, and stops it after. Run by .ci/run after the build; CI (.github/workflows/ci.yml) installs Core Tools.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v func >/dev/null 2>&1; then
  echo "SKIPPED: the end-to-end tests against the Functions host (func start) did not run: Azure Functions Core Tools (func) is not on PATH."
  exit 0
fi

echo "Azure Functions Core Tools $(func --version)"
ATHOS_E2E_HOST=functions dotnet test tests/Athos.Webhooks.Tests -c Release --no-build --nologo \
  --filter "FullyQualifiedName~Athos.Webhooks.Tests.Cli.EndToEndTests|FullyQualifiedName~Athos.Webhooks.Tests.Cli.CurrentContractEndToEndTests"
