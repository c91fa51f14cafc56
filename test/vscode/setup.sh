#!/usr/bin/env bash
# Idempotent setup of the offline "real VS Code" harness used by test/vscode/run.sh:
#   code-server 4.100.3 (= VS Code 1.100.3; the last code-server whose engines.node accepts Node 20)
#   + playwright-core (drives Debian's chromium; no browser download)
#   + Debian packages: chromium, ripgrep, libkrb5-dev, pkg-config (the last two build code-server's native deps).
# Everything lands in ~/.cache/natlens/vscode-harness/ (outside the repository, shared by clones). A second
# call is a fast no-op. --server-only (npm start) installs code-server alone: no chromium, no playwright-core,
# and no root when ripgrep, libkrb5-dev and pkg-config are already there.
#
# usage: bash test/vscode/setup.sh [--force] [--server-only]
# env:   VSCODE_HARNESS_DIR (default ${XDG_CACHE_HOME:-$HOME/.cache}/natlens/vscode-harness)
set -euo pipefail

FORCE= SERVER_ONLY=
for arg in "$@"; do
  case "$arg" in
    --force) FORCE=1 ;;
    --server-only) SERVER_ONLY=1 ;;
    *) echo "usage: bash test/vscode/setup.sh [--force] [--server-only]" >&2; exit 2 ;;
  esac
done

DEST=$(realpath -m "${VSCODE_HARNESS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/natlens/vscode-harness}")
CODE_SERVER_VERSION=4.100.3
PLAYWRIGHT_VERSION=1.65.1
# @vscode/ripgrep version pinned by code-server 4.100.3 (lib/vscode/npm-shrinkwrap.json); its postinstall
# downloads rg from GitHub unless it finds the archive in $TMPDIR/vscode-ripgrep-cache-<version>/.
RIPGREP_PKG_VERSION=1.15.11
STAMP="$DEST/.installed-$CODE_SERVER_VERSION-pw$PLAYWRIGHT_VERSION"   # code-server and playwright-core
SERVER_STAMP="$DEST/.installed-$CODE_SERVER_VERSION"                   # code-server alone (--server-only)

die() { echo "test/vscode/setup.sh: error: $*" >&2; exit 1; }
log() { echo "[vscode-setup] $*"; }

# The Debian packages this mode needs that are missing, each with why.
missing_apt() {
  [ -n "$SERVER_ONLY" ] || command -v chromium >/dev/null || echo "chromium: the headless browser the UI checks drive (tests only)"
  command -v rg >/dev/null || echo "ripgrep: code-server's file search; seeds @vscode/ripgrep, which would download rg from GitHub"
  [ -e /usr/include/gssapi/gssapi.h ] || echo "libkrb5-dev: headers to build code-server's native kerberos module"
  command -v pkg-config >/dev/null || echo "pkg-config: finds those headers for the native build"
}
have_apt_bits() { [ -z "$(missing_apt)" ]; }
installed() {
  [ -x "$DEST/node_modules/.bin/code-server" ] || return 1
  if [ -n "$SERVER_ONLY" ]; then [ -f "$SERVER_STAMP" ] || [ -f "$STAMP" ]
  else [ -f "$STAMP" ] && [ -f "$DEST/node_modules/playwright-core/package.json" ]; fi
}

# ---- fast path --------------------------------------------------------------------------------------
if [ -z "$FORCE" ] && installed && have_apt_bits; then
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
  APT=$(missing_apt | cut -d: -f1 | tr '\n' ' ')
  log "missing Debian packages:"
  missing_apt | sed 's/^/[vscode-setup]   /'
  command -v apt-get >/dev/null || die "apt-get is not available; install them by hand: $APT"
  SUDO=
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || die "installing them needs root: run  sudo apt-get install $APT  and try again"
    SUDO=sudo
  fi
  log "installing them: ${SUDO:+sudo }apt-get install $APT"
  export DEBIAN_FRONTEND=noninteractive
  # another apt may be running (e.g. a parallel setup); wait for the dpkg lock rather than failing
  $SUDO apt-get -o DPkg::Lock::Timeout=600 update -q >/dev/null || die "apt-get update failed"
  # shellcheck disable=SC2086 # one word per package
  $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends $APT >/dev/null || die "apt-get install $APT failed"
  have_apt_bits || die "Debian packages installed but still missing: $(missing_apt | cut -d: -f1 | tr '\n' ' ')"
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
PKGS=("code-server@$CODE_SERVER_VERSION")
[ -n "$SERVER_ONLY" ] || PKGS+=("playwright-core@$PLAYWRIGHT_VERSION")
log "npm install ${PKGS[*]} into $DEST (log: $DEST/install.log)"
# unsafe_perm: code-server's postinstall refuses to run as root without it.
# yes: node-pty's postinstall runs `npx node-gyp ...`, which otherwise aborts without a TTY.
if ! TMPDIR="$DEST/tmp" npm_config_unsafe_perm=true npm_config_yes=true \
     npm install --no-audit --no-fund --foreground-scripts \
       "${PKGS[@]}" > "$DEST/install.log" 2>&1; then
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
touch "$SERVER_STAMP"
[ -n "$SERVER_ONLY" ] || touch "$STAMP"
log "ready: code-server $VERSION_LINE ($(( $(date +%s) - t0 )) s)"
