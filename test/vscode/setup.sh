#!/usr/bin/env bash
# Idempotent setup of the offline "real VS Code" harness used by test/vscode/run.sh:
#   code-server 4.100.3 (= VS Code 1.100.3; the last code-server whose engines.node accepts Node 20)
#   + playwright-core (drives Debian's chromium; no browser download)
#   + Debian packages: chromium, ripgrep, libkrb5-dev, pkg-config (the last two build code-server's native deps).
# Everything lands in ~/.cache/natlens/vscode-harness/ (outside the repository, shared by clones). A second
# call is a fast no-op.
#
# usage: bash test/vscode/setup.sh [--force]
# env:   VSCODE_HARNESS_DIR (default ${XDG_CACHE_HOME:-$HOME/.cache}/natlens/vscode-harness)
set -euo pipefail

DEST=$(realpath -m "${VSCODE_HARNESS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/natlens/vscode-harness}")
CODE_SERVER_VERSION=4.100.3
PLAYWRIGHT_VERSION=1.65.1
# @vscode/ripgrep version pinned by code-server 4.100.3 (lib/vscode/npm-shrinkwrap.json); its postinstall
# downloads rg from GitHub unless it finds the archive in $TMPDIR/vscode-ripgrep-cache-<version>/.
RIPGREP_PKG_VERSION=1.15.11
STAMP="$DEST/.installed-$CODE_SERVER_VERSION-pw$PLAYWRIGHT_VERSION"
FORCE=${1:-}

die() { echo "test/vscode/setup.sh: error: $*" >&2; exit 1; }
log() { echo "[vscode-setup] $*"; }

have_apt_bits() { command -v chromium >/dev/null && command -v rg >/dev/null && [ -e /usr/include/gssapi/gssapi.h ] && command -v pkg-config >/dev/null; }

# ---- fast path --------------------------------------------------------------------------------------
if [ "$FORCE" != --force ] && [ -f "$STAMP" ] && [ -x "$DEST/node_modules/.bin/code-server" ] \
   && [ -f "$DEST/node_modules/playwright-core/package.json" ] && have_apt_bits; then
  exit 0
fi

# ---- preconditions ----------------------------------------------------------------------------------
command -v node >/dev/null || die "node is not on PATH (Node 20 required)"
command -v npm >/dev/null || die "npm is not on PATH"
NODE_MAJOR=$(node -p 'process.versions.node.split(".")[0]')
[ "$NODE_MAJOR" -ge 20 ] || die "Node >= 20 required (found $(node --version))"
[ "$NODE_MAJOR" -eq 20 ] || log "warning: code-server $CODE_SERVER_VERSION is built for Node 20 (found $(node --version)); its native modules may not load"

# ---- Debian packages --------------------------------------------------------------------------------
if ! have_apt_bits; then
  command -v apt-get >/dev/null || die "chromium/ripgrep/libkrb5-dev/pkg-config missing and apt-get is not available; install them by hand"
  SUDO=
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || die "need root (or sudo) to apt-get install chromium ripgrep libkrb5-dev pkg-config"
    SUDO=sudo
  fi
  log "installing Debian packages: chromium ripgrep libkrb5-dev pkg-config"
  export DEBIAN_FRONTEND=noninteractive
  # another apt may be running (e.g. a parallel setup); wait for the dpkg lock rather than failing
  $SUDO apt-get -o DPkg::Lock::Timeout=600 update -q >/dev/null || die "apt-get update failed"
  $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends chromium ripgrep libkrb5-dev pkg-config \
    >/dev/null || die "apt-get install chromium ripgrep libkrb5-dev pkg-config failed"
  have_apt_bits || die "Debian packages installed but chromium/rg/gssapi.h/pkg-config still missing"
fi

# ---- code-server + playwright-core ------------------------------------------------------------------
t0=$(date +%s)
mkdir -p "$DEST/tmp" "$DEST/rg-seed"
case "$(uname -m)" in
  x86_64) RG_TRIPLE=x86_64-unknown-linux-musl ;;
  aarch64|arm64) RG_TRIPLE=aarch64-unknown-linux-musl ;;
  *) die "unsupported architecture $(uname -m)" ;;
esac
# Seed @vscode/ripgrep's download cache with Debian's rg, so its postinstall never goes to GitHub.
# npm runs with TMPDIR=$DEST/tmp, so os.tmpdir() (where @vscode/ripgrep looks) is that directory.
RGCACHE="$DEST/tmp/vscode-ripgrep-cache-$RIPGREP_PKG_VERSION"
mkdir -p "$RGCACHE"
cp "$(command -v rg)" "$DEST/rg-seed/rg"
for v in v13.0.0-10 v13.0.0-4; do
  tar czf "$RGCACHE/ripgrep-$v-$RG_TRIPLE.tar.gz" -C "$DEST/rg-seed" rg
done

cd "$DEST"
[ -f package.json ] || echo '{"name":"natlens-vscode-harness","private":true}' > package.json
log "npm install code-server@$CODE_SERVER_VERSION playwright-core@$PLAYWRIGHT_VERSION into $DEST (log: $DEST/install.log)"
# unsafe_perm: code-server's postinstall refuses to run as root without it.
# yes: node-pty's postinstall runs `npx node-gyp ...`, which otherwise aborts without a TTY.
if ! TMPDIR="$DEST/tmp" npm_config_unsafe_perm=true npm_config_yes=true \
     npm install --no-audit --no-fund --foreground-scripts \
       "code-server@$CODE_SERVER_VERSION" "playwright-core@$PLAYWRIGHT_VERSION" > "$DEST/install.log" 2>&1; then
  tail -60 "$DEST/install.log" >&2
  die "npm install failed (full log: $DEST/install.log). If the log mentions github.com/microsoft/ripgrep-prebuilt, the @vscode/ripgrep version changed: update RIPGREP_PKG_VERSION."
fi
[ -x "$DEST/node_modules/.bin/code-server" ] || die "code-server binary missing after install (see $DEST/install.log)"
# @vscode/ripgrep must have put a binary in place (the workbench's search/file picker use it)
RG_BIN=$(find "$DEST/node_modules/code-server/lib/vscode/node_modules/@vscode/ripgrep/bin" -name rg 2>/dev/null | head -1 || true)
[ -n "$RG_BIN" ] || log "warning: @vscode/ripgrep has no bin/rg; file search in the workbench will not work"
# --version writes a default config.yaml under $XDG_CONFIG_HOME: keep it inside the harness, not in ~/.config
VERSION_LINE=$(XDG_CONFIG_HOME="$DEST/tmp/xdg-config" "$DEST/node_modules/.bin/code-server" --version 2>/dev/null | grep -E '^[0-9]+\.[0-9]+\.[0-9]+ ' | head -1) \
  || die "code-server --version failed"
case "$VERSION_LINE" in "$CODE_SERVER_VERSION "*) ;; *) die "unexpected code-server version: $VERSION_LINE";; esac
rm -f "$DEST"/.installed-*
touch "$STAMP"
log "ready: code-server $VERSION_LINE ($(( $(date +%s) - t0 )) s)"
