#!/usr/bin/env bash
# Makes sure victoria-metrics and vmalert are on PATH (Debian package victoria-metrics, which also ships
# vmagent, vmauth and vmctl). Installs it when missing (needs root or sudo). Nothing is started here: the
# tests and the load test start their own instances on 127.0.0.1 and stop them by PID.
source "$(dirname "${BASH_SOURCE[0]}")/ensure-debian-packages.sh"
gw_ensure_debian_packages "victoria-metrics vmalert" "victoria-metrics" "victoria-metrics"
