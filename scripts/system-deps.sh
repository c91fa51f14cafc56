#!/usr/bin/env bash
# Installs the Debian packages the test suite needs (kernel tests: iptables, nftables, conntrack,
# iproute2; real-VS Code and webview tests: chromium, ripgrep and code-server's build deps).
# Does nothing when they are all present; needs root (or prints what is missing and carries on).
set -euo pipefail
need=()
command -v iptables-restore >/dev/null || need+=(iptables)
command -v nft >/dev/null || need+=(nftables)
command -v conntrack >/dev/null || need+=(conntrack)
command -v ipset >/dev/null || need+=(ipset)
command -v ipvsadm >/dev/null || need+=(ipvsadm)
command -v ip >/dev/null || need+=(iproute2)
command -v chromium >/dev/null || need+=(chromium)
command -v rg >/dev/null || need+=(ripgrep)
[ -e /usr/include/gssapi/gssapi.h ] || need+=(libkrb5-dev)
command -v pkg-config >/dev/null || need+=(pkg-config)
command -v curl >/dev/null || need+=(curl)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "system-deps: missing Debian packages (${need[*]}); run as root or install them; the tests that need them will say so" >&2
  exit 0
fi
echo "system-deps: installing ${need[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
