#!/usr/bin/env bash
# The one entry for the real-VS Code tests:  bash test/vscode/run.sh
#
#  1. test/vscode/setup.sh          (code-server 4.100.3 + playwright-core in the harness dir; no-op when present)
#  2. node scripts/build.mjs        (the extension -> dist/extension.js)
#  3. node test/vscode/build.mjs    (the mocha suite -> out/test/vscode/)
#  4. suite: fresh code-server on a free 127.0.0.1 port, workspace = temp copy of test/fixtures/workspace/, the
#     suite runs in its extension host (test/vscode/exttests.mjs); it prints its own `N passed, N failed`
#  5. ui (when test/vscode/ui.mjs exists): `npm run package`, then another fresh server + workspace with the
#     built natlens.vsix installed (code-server --install-extension: what a user installs, not the dev folder);
#     the workbench is driven with playwright-core + Debian chromium (screenshots in test-results/vscode/); it
#     prints its own `N passed, N failed`
#  6. the last line is ONE `N passed, N failed`: suite + ui summed. Exit code 0 only when nothing failed.
#
# env: VSCODE_RUN_TIMEOUT_S (overall, default 900)   VSCODE_SKIP_SUITE=1 / VSCODE_SKIP_UI=1
#      VSCODE_TEST_GREP (mocha grep inside the suite)  UI_CHECKS (regexp on UI check names)
#      VSCODE_KEEP_RUN=1 (keep the temp run dir: server logs, user-data, workspace; 0: never keep it)
#      SHOTS (screenshot dir, default <repo>/test-results/vscode, emptied of *.png by each UI run)
#      DEBUG_PAGE_CONSOLE=1 (print the workbench's own console)   VSCODE_HARNESS_DIR (default ~/.cache/natlens/vscode-harness)
#      VSCODE_LOCALE (code-server --locale, the display language: de runs the German UI checks; default en)
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"

# Overall timeout: re-run this script under coreutils timeout (TERM, then KILL 20 s later). On TERM the trap
# below still stops the servers and prints the closing line.
if [ -z "${NATLENS_VSCODE_RUN_INNER:-}" ]; then
  export NATLENS_VSCODE_RUN_INNER=1
  exec timeout -k 20 "${VSCODE_RUN_TIMEOUT_S:-900}" bash "$0" "$@"
fi

HARNESS=$(realpath -m "${VSCODE_HARNESS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/natlens/vscode-harness}")
export VSCODE_HARNESS_DIR=$HARNESS
CS="$HARNESS/node_modules/.bin/code-server"
SHOTS=$(realpath -m "${SHOTS:-$ROOT/test-results/vscode}")
T0=$(date +%s%N)
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
log() { echo "[vscode $(( $(ms_since "$T0") / 1000 ))s] $*"; }

PASSED=0 FAILED=0
RUN= SERVER_PID= DRIVER_PID=

# kill_group PID: TERM the process group led by PID (started with setsid), KILL what is left after 5 s
kill_group() {
  kill -TERM -- "-$1" 2>/dev/null || return 0
  for _ in $(seq 50); do kill -0 -- "-$1" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL -- "-$1" 2>/dev/null
  return 0
}

# code-server runs in its own process group: server, extension host, pty host, file watcher
stop_server() {
  [ -n "$SERVER_PID" ] && kill_group "$SERVER_PID"
  SERVER_PID=
}

finish() {
  local rc=$?
  trap - EXIT TERM INT
  [ -n "$DRIVER_PID" ] && kill_group "$DRIVER_PID"   # the driver and its chromium
  stop_server
  if [ -n "$RUN" ]; then
    if [ "${VSCODE_KEEP_RUN:-}" = 1 ] || { [ "$FAILED" -gt 0 ] && [ "${CI:-}" != true ] && [ "${VSCODE_KEEP_RUN:-}" != 0 ]; }; then
      echo "[vscode] run dir kept: $RUN" >&2
    else
      rm -rf "$RUN"
    fi
  fi
  [ "$rc" -ne 0 ] && [ "$FAILED" -eq 0 ] && FAILED=1
  echo "[vscode] total $(( $(ms_since "$T0") / 1000 )) s" >&2
  echo "$PASSED passed, $FAILED failed"
  [ "$FAILED" -gt 0 ] && [ "$rc" -eq 0 ] && rc=1
  exit "$rc"
}
trap finish EXIT
trap 'echo "[vscode] interrupted or timed out (VSCODE_RUN_TIMEOUT_S=${VSCODE_RUN_TIMEOUT_S:-900})" >&2; FAILED=$((FAILED + 1)); exit 124' TERM INT

fail() { echo "[vscode] error: $*" >&2; exit 1; }

# ---- 1-3: install, build ----------------------------------------------------------------------------------
t=$(date +%s%N)
bash "$ROOT/test/vscode/setup.sh" || fail "test/vscode/setup.sh failed"
log "setup ok ($(ms_since "$t") ms)"
t=$(date +%s%N)
node scripts/build.mjs || fail "node scripts/build.mjs failed"
node test/vscode/build.mjs || fail "node test/vscode/build.mjs failed"
log "extension + suite built ($(ms_since "$t") ms)"
[ -f "$ROOT/dist/extension.js" ] || fail "dist/extension.js missing after build (package.json main)"
[ -d "$ROOT/test/fixtures/workspace" ] || fail "test/fixtures/workspace/ missing"

# Everything below keeps its state in one temp dir: code-server's and chromium's config/data/cache, VS Code's
# ipc/git sockets, tsserver dirs. Nothing lands in ~/.config or /tmp.
RUN=$(mktemp -d "${TMPDIR:-/tmp}/natlens-vscode.XXXXXX")
# inherited by code-server -> extension host (suite/index.ts prefixes its console output with it) and exttests.mjs
export NATLENS_TEST_MARK="[natlens-test-$(od -An -N4 -tx4 /dev/urandom | tr -d ' ')]"
mkdir -p "$RUN/tmp" "$SHOTS"
export XDG_CONFIG_HOME="$RUN/xdg-config" XDG_DATA_HOME="$RUN/xdg-data" XDG_CACHE_HOME="$RUN/xdg-cache" TMPDIR="$RUN/tmp"

# start_server NAME [VSIX]: fresh user-data/extensions dirs (VSIX installed into them) and a fresh copy of the
# fixture workspace, code-server on 127.0.0.1 with a port the kernel picks. Sets SERVER_PID, BASE, WS, SRV.
start_server() {
  SRV="$RUN/$1"; WS="$SRV/ws"
  mkdir -p "$SRV/ud/User" "$SRV/exts" "$WS"
  if [ -n "${2:-}" ]; then
    "$CS" --user-data-dir "$SRV/ud" --extensions-dir "$SRV/exts" --install-extension "$2" > "$SRV/install.log" 2>&1 \
      || { cat "$SRV/install.log" >&2; fail "code-server --install-extension $2 failed"; }
    log "installed $(basename "$2") into $SRV/exts"
  fi
  # a display language other than English needs an installed language pack, or the workbench resolves it to
  # English; the test pack declares the language without translating the workbench
  if [ -n "${VSCODE_LOCALE:-}" ] && [ "$VSCODE_LOCALE" != en ]; then
    local pack="$ROOT/test/vscode/language-pack-$VSCODE_LOCALE"
    [ -d "$pack" ] || fail "no test language pack $pack for VSCODE_LOCALE=$VSCODE_LOCALE"
    mkdir -p "$SRV/lp" && cp -a "$pack/." "$SRV/lp/"
    (cd "$SRV/lp" && "$ROOT/node_modules/.bin/vsce" package --no-dependencies --allow-missing-repository --skip-license -o "$SRV/lp.vsix") > "$SRV/lp.log" 2>&1 \
      || { cat "$SRV/lp.log" >&2; fail "packaging $pack failed"; }
    "$CS" --user-data-dir "$SRV/ud" --extensions-dir "$SRV/exts" --install-extension "$SRV/lp.vsix" >> "$SRV/install.log" 2>&1 \
      || { cat "$SRV/install.log" >&2; fail "installing the $VSCODE_LOCALE language pack failed"; }
    # the language pack registry the server reads when it serves the workbench (code-server writes it only from
    # a running server's own installs; the shape is VS Code's LanguagePacksCache)
    node -e 'const [ud, exts, lang] = process.argv.slice(1); const fs = require("fs"), path = require("path");
      const dir = fs.readdirSync(exts).find(d => d.startsWith("natlens-test.natlens-test-language-pack-"));
      const id = "natlens-test.natlens-test-language-pack-" + lang;
      fs.writeFileSync(path.join(ud, "languagepacks.json"), JSON.stringify({ [lang]: { hash: "natlens-test-" + lang,
        extensions: [{ extensionIdentifier: { id }, version: "0.0.1" }],
        translations: { vscode: path.join(exts, dir, "translations", "main.i18n.json") }, label: lang } }));' \
      "$SRV/ud" "$SRV/exts" "$VSCODE_LOCALE"
    log "installed the test language pack for $VSCODE_LOCALE"
  fi
  cp -a "$ROOT/test/fixtures/workspace/." "$WS/"
  cat > "$SRV/ud/User/settings.json" <<'JSON'
{
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "workbench.enableExperiments": false,
  "workbench.welcomePage.walkthroughs.openOnInstall": false,
  "workbench.editor.enablePreview": false,
  "security.workspace.trust.enabled": false,
  "telemetry.telemetryLevel": "off",
  "extensions.autoUpdate": false,
  "extensions.autoCheckUpdates": false,
  "extensions.ignoreRecommendations": true,
  "update.mode": "none",
  "git.enabled": false,
  "files.autoSave": "off",
  "files.hotExit": "off",
  "chat.commandCenter.enabled": false,
  "editor.hover.delay": 200,
  "editor.minimap.enabled": false
}
JSON
  printf 'bind-addr: 127.0.0.1:0\nauth: none\ncert: false\n' > "$SRV/config.yaml"
  local t; t=$(date +%s%N)
  setsid "$CS" --config "$SRV/config.yaml" --bind-addr 127.0.0.1:0 --auth none \
    --user-data-dir "$SRV/ud" --extensions-dir "$SRV/exts" \
    --disable-telemetry --disable-update-check --disable-workspace-trust --disable-getting-started-override \
    --disable-proxy --ignore-last-opened ${VSCODE_LOCALE:+--locale "$VSCODE_LOCALE"} "$WS" > "$SRV/server.log" 2>&1 < /dev/null &
  SERVER_PID=$!
  local port=
  for _ in $(seq 600); do
    port=$(sed -n 's#.*HTTP server listening on http://127\.0\.0\.1:\([0-9]*\)/.*#\1#p' "$SRV/server.log" | head -1)
    [ -n "$port" ] && break
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  if [ -z "$port" ]; then tail -40 "$SRV/server.log" >&2; fail "code-server did not start (log above)"; fi
  BASE="http://127.0.0.1:$port"
  for _ in $(seq 300); do curl -fs "$BASE/healthz" > /dev/null && break; sleep 0.1; done
  curl -fs "$BASE/healthz" > /dev/null || { tail -40 "$SRV/server.log" >&2; fail "code-server at $BASE is not healthy"; }
  log "code-server ($1) ready at $BASE in $(ms_since "$t") ms"
}

# run_phase NAME CMD...: runs a driver (in the background in its own process group, so that a TERM from the
# timeout is handled at once and the driver and its chromium can be stopped together), adds
# the "<passed> <failed> <exit>" it writes to VSCODE_RESULT_FILE to the totals; a non-zero exit without a
# counted failure counts as one failure.
run_phase() {
  local name=$1; shift
  local t; t=$(date +%s%N)
  VSCODE_RESULT_FILE="$SRV/result" setsid "$@" < /dev/null &
  DRIVER_PID=$!
  wait "$DRIVER_PID"; local drc=$?
  DRIVER_PID=
  local p=0 f=0
  [ -s "$SRV/result" ] && read -r p f _ < "$SRV/result"
  [ "$drc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
  [ $((p + f)) -eq 0 ] && { echo "[vscode] $name ran no test" >&2; f=1; }
  PASSED=$((PASSED + p)); FAILED=$((FAILED + f))
  log "$name: $p passed, $f failed, exit $drc ($(ms_since "$t") ms)"
  if [ "$drc" -ne 0 ]; then
    echo "---- tail of $SRV/server.log" >&2; tail -25 "$SRV/server.log" >&2
    # e.g. "Extension is not compatible with Code 1.100.3. Extension requires: ^1.105.0."
    grep -h -i "not compatible\|activating extension.*failed\|cannot activate" "$SRV/server.log" 2>/dev/null | head -5 >&2
    local ehlog; ehlog=$(find "$SRV/ud/logs" -name 'exthost*.log' 2>/dev/null | head -1)
    [ -n "$ehlog" ] && { echo "---- tail of $ehlog" >&2; tail -25 "$ehlog" >&2; }
  fi
}

# ---- 4: mocha suite in the extension host ------------------------------------------------------------------
if [ "${VSCODE_SKIP_SUITE:-}" != 1 ]; then
  start_server suite
  run_phase suite node "$ROOT/test/vscode/exttests.mjs" "$BASE" "$ROOT" "$ROOT/out/test/vscode/index.js" "$WS"
  stop_server
fi

# ---- 5: UI driver -------------------------------------------------------------------------------------------
if [ -f "$ROOT/test/vscode/ui.mjs" ] && [ "${VSCODE_SKIP_UI:-}" != 1 ]; then
  t=$(date +%s%N)
  npm run --silent package > "$RUN/package.log" 2>&1 || { tail -30 "$RUN/package.log" >&2; fail "npm run package failed"; }
  log "natlens.vsix packaged ($(ms_since "$t") ms)"
  start_server ui "$ROOT/natlens.vsix"
  run_phase ui node "$ROOT/test/vscode/ui.mjs" "$BASE" "$WS" "$SHOTS"
  stop_server
fi
# finish (EXIT trap) prints the summed closing line
exit 0
