#!/usr/bin/env bash
# Installs the dashboard schema checker's npm packages (@grafana/schema types and TypeScript, pinned in
# dashboards/schema-check/package.json) into dashboards/schema-check/node_modules, where missing.
# Needs Node.js and npm; installs them from Debian's packages where missing (needs root or sudo).
gw_sudo=""
if [ "$(id -u)" != 0 ]; then gw_sudo="sudo"; fi
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "GradientWatch: installing nodejs and npm (Debian packages)..."
  export DEBIAN_FRONTEND=noninteractive
  $gw_sudo apt-get update -qq >/dev/null
  $gw_sudo apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
gw_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/dashboards/schema-check"
if [ ! -f "$gw_dir/node_modules/@grafana/schema/package.json" ] || [ ! -f "$gw_dir/node_modules/typescript/bin/tsc" ]; then
  echo "GradientWatch: installing the dashboard schema checker (npm: @grafana/schema, typescript)..."
  (cd "$gw_dir" && npm install --no-audit --no-fund --loglevel=error --no-package-lock >/dev/null)
fi
unset gw_sudo gw_dir
