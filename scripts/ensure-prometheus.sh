#!/usr/bin/env bash
# Makes sure prometheus, promtool, prometheus-alertmanager and amtool are on PATH.
# Installs Debian's packages when they are missing (needs root or sudo). Nothing is started here:
# the tests start their own instances on 127.0.0.1 and stop them by PID.
source "$(dirname "${BASH_SOURCE[0]}")/ensure-debian-packages.sh"
gw_ensure_debian_packages "prometheus promtool prometheus-alertmanager amtool" "prometheus prometheus-alertmanager" \
  "prometheus prometheus-alertmanager prometheus-node-exporter"
