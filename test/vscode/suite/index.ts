// Entry point the VS Code extension host loads as `extensionTestsPath` (code-server via test/vscode/run.sh,
// or desktop VS Code via test/vscode/electron.mjs). It runs every bundled `*.test.js` next to it with mocha
// (tdd UI: suite/test/suiteSetup/setup/teardown/suiteTeardown, imported from 'mocha') and closes with the plain
// line `N passed, N failed`, which test/vscode/run.sh reads.
//
// Env (set on the code-server process, inherited by the extension host):
//   VSCODE_TEST_GREP     only run tests whose full title matches this regexp
//   VSCODE_TEST_TIMEOUT  per-test timeout in ms (default 30000)
//   NATLENS_TEST_MARK    set by run.sh: every console message of the extension host during the run (mocha's
//                        report, the tests' and the extension's own logs) is prefixed with it, so that
//                        exttests.mjs can tell them from the workbench's own log lines, which reach it on the
//                        same channel. Unset (desktop VS Code via electron.mjs): output is left alone.
import * as fs from 'fs';
import * as path from 'path';
import * as util from 'util';
import Mocha from 'mocha';

function findTests(dir: string): string[] {
  const found: string[] = [];
  for (const name of fs.readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    if (fs.statSync(p).isDirectory()) found.push(...findTests(p));
    else if (name.endsWith('.test.js')) found.push(p);
  }
  return found;
}

type ConsoleMethod = 'log' | 'info' | 'warn' | 'error' | 'debug';

/**
 * Prefixes console output with `mark` until the returned function is called. VS Code's extension host pins its
 * forwarding wrappers onto the console object (assigning console.log is silently ignored), so the global
 * `console` itself is swapped for an object that delegates to it.
 */
function markConsole(mark: string): () => void {
  const original = globalThis.console;
  const marked: Console = Object.create(original);
  for (const m of ['log', 'info', 'warn', 'error', 'debug'] as ConsoleMethod[]) {
    const write = original[m].bind(original);
    Object.defineProperty(marked, m, { value: (...args: unknown[]) => write(`${mark} ${util.format(...args)}`), writable: true, configurable: true });
  }
  globalThis.console = marked;
  // mocha's reporters keep the console.log they saw when mocha was loaded: hand them the marked one
  const reporterLog = Mocha.reporters.Base.consoleLog;
  Mocha.reporters.Base.consoleLog = marked.log;
  return () => {
    globalThis.console = original;
    Mocha.reporters.Base.consoleLog = reporterLog;
  };
}

export function run(): Promise<void> {
  const unmark = process.env.NATLENS_TEST_MARK ? markConsole(process.env.NATLENS_TEST_MARK) : () => {};
  return runMocha().finally(unmark);
}

function runMocha(): Promise<void> {
  const mocha = new Mocha({
    ui: 'tdd',
    reporter: 'spec',
    color: false,
    timeout: Number(process.env.VSCODE_TEST_TIMEOUT || 30000),
    ...(process.env.VSCODE_TEST_GREP ? { grep: process.env.VSCODE_TEST_GREP } : {}),
  });
  const files = findTests(__dirname);
  for (const f of files) mocha.addFile(f);
  return new Promise((resolve, reject) => {
    if (files.length === 0) {
      console.log('no *.test.js found next to ' + __filename);
      console.log('0 passed, 1 failed');
      reject(new Error('no vscode tests found'));
      return;
    }
    try {
      const runner = mocha.run(() => {
        const { passes = 0, failures = 0, pending = 0 } = runner.stats ?? {};
        if (pending) console.log(`${pending} pending (skipped)`);
        // plain closing line, alone and last: test/vscode/run.sh and scripts/test-all.mjs read it
        console.log(`${passes} passed, ${failures} failed`);
        if (failures > 0) reject(new Error(`${failures} tests failed.`));
        else if (passes === 0) reject(new Error('no test ran'));
        else resolve();
      });
    } catch (err) {
      console.error(err);
      console.log('0 passed, 1 failed');
      reject(err);
    }
  });
}
