#!/usr/bin/env bash
# Makes sure prometheus, promtool, prometheus-alertmanager and amtool are on PATH.
# Installs Debian's packages when they are missing (needs root or sudo). Nothing is started here:
# the tests start their own instances on 127.0.0.1 and stop them by PID.
gw_need_install=0
for bin in prometheus promtool prometheus-alertmanager amtool; do
  command -v "$bin" >/dev/null 2>&1 || gw_need_install=1
done
if [ "$gw_need_install" = 1 ]; then
  echo "GradientWatch: installing prometheus and prometheus-alertmanager (Debian packages)..."
  gw_sudo=""
  if [ "$(id -u)" != 0 ]; then gw_sudo="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $gw_sudo apt-get update -qq >/dev/null
  $gw_sudo apt-get install -y -qq --no-install-recommends prometheus prometheus-alertmanager >/dev/null
  # Debian's packages start services when systemd runs; the tests use their own instances.
  $gw_sudo systemctl stop prometheus prometheus-alertmanager prometheus-node-exporter 2>/dev/null || true
fi
unset gw_need_install gw_sudo
