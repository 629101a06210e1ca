#!/usr/bin/env bash
# gw_ensure_debian_packages "BINARIES" "PACKAGES" "SERVICES": installs Debian PACKAGES (needs root or sudo) when any
# of BINARIES is missing from PATH, then stops SERVICES the packages may have started where systemd runs (the tests
# start their own instances on 127.0.0.1 and stop them by PID). Sourced by the ensure-*.sh scripts.
gw_ensure_debian_packages() {
  local bin need=0 sudo=""
  for bin in $1; do
    command -v "$bin" >/dev/null 2>&1 || need=1
  done
  [ "$need" = 1 ] || return 0
  echo "GradientWatch: installing $2 (Debian packages)..."
  if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
  DEBIAN_FRONTEND=noninteractive $sudo apt-get update -qq >/dev/null
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $2 >/dev/null
  # shellcheck disable=SC2086
  $sudo systemctl stop $3 2>/dev/null || true
}
