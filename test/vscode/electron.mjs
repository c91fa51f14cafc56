// The same in-editor mocha suite, launched in DESKTOP VS Code through @vscode/test-electron, for machines that
// can download VS Code (or have one: VSCODE_EXECUTABLE_PATH). This sandbox cannot; run.sh (code-server) is the
// default here. On a Linux box without a display run it under xvfb-run.
//
// usage: node test/vscode/electron.mjs
// env:   VSCODE_VERSION (default 1.100.3, same VS Code as code-server 4.100.3; 'stable' for the latest)
//        VSCODE_EXECUTABLE_PATH  use this VS Code instead of downloading one into .vscode-test/
//        VSCODE_TEST_GREP / VSCODE_TEST_TIMEOUT  passed to the suite (see suite/index.ts)
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTests } from '@vscode/test-electron';

const root = fileURLToPath(new URL('../..', import.meta.url));
for (const script of ['scripts/build.mjs', 'test/vscode/build.mjs']) {
  const r = spawnSync(process.execPath, [script], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) { console.error(`${script} failed`); console.log('0 passed, 1 failed'); process.exit(1); }
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'natlens-electron-'));
const workspace = path.join(tmp, 'ws');
fs.cpSync(path.join(root, 'test/fixtures/workspace'), workspace, { recursive: true });

// keep the suite's closing line last: test-electron prints "Exit code: N" after VS Code exits
let summary;
const write = process.stdout.write.bind(process.stdout);
process.stdout.write = (chunk, ...rest) => {
  for (const line of String(chunk).split('\n')) {
    const m = /^(\d+ passed, \d+ failed)$/.exec(line.trim());
    if (m) summary = m[1];
  }
  return write(chunk, ...rest);
};

let code = 1;
try {
  code = await runTests({
    ...(process.env.VSCODE_EXECUTABLE_PATH ? { vscodeExecutablePath: process.env.VSCODE_EXECUTABLE_PATH } : { version: process.env.VSCODE_VERSION || '1.100.3' }),
    extensionDevelopmentPath: root,
    extensionTestsPath: path.join(root, 'out/test/vscode/index.js'),
    launchArgs: [
      workspace,
      '--disable-extensions', // other installed extensions; the one under development still loads
      '--disable-workspace-trust',
      '--skip-welcome', '--skip-release-notes', '--disable-telemetry',
      '--user-data-dir', path.join(tmp, 'user-data'),
      '--extensions-dir', path.join(tmp, 'extensions'),
    ],
  });
} catch (err) {
  console.error('desktop VS Code tests failed to run:', err?.message ?? err);
  code = typeof err?.code === 'number' && err.code !== 0 ? err.code : 1;
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
process.stdout.write = write;
console.log(summary ?? '0 passed, 1 failed');
process.exit(code);
