#!/usr/bin/env bash
# Runs the whole GradientWatch test suite on a fresh machine: installs what the tests need, then runs them.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v dotnet >/dev/null 2>&1; then
  echo "error: the .NET SDK (dotnet) is required: https://dot.net" >&2
  exit 1
fi

# Observability tests need Prometheus and Alertmanager (Debian packages); install them where missing.
source scripts/ensure-prometheus.sh && source scripts/ensure-victoria-metrics.sh
# Dashboard tests type-check the dashboards against Grafana's published schema (@grafana/schema, npm).
source scripts/ensure-dashboard-tools.sh
# The detection corpus (benchmarks/GradientWatch.Corpus and its tests) trains on real datasets from Debian packages.
source scripts/ensure-datasets.sh

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build GradientWatch.sln -c Release
dotnet test GradientWatch.sln -c Release --no-build --logger "console;verbosity=normal" "$@"
