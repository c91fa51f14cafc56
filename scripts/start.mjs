// npm start: builds the extension and opens it in a local code-server (a real VS Code in the browser)
// on examples/, so a newcomer can try NAT Lens without installing anything else. Ctrl+C stops it.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, symlinkSync, writeFileSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { harnessDir } from '../test/vscode/browser.mjs';

const root = new URL('..', import.meta.url).pathname.replace(/\/$/, '');
const step = (cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
};

step('bash', ['test/vscode/setup.sh']);          // code-server 4.100.3 in the harness dir (once)
step(process.execPath, ['scripts/build.mjs']);

const port = Number(process.env.PORT) || await new Promise(resolve => {
  const s = createServer().listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
});
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const run = mkdtempSync(join(tmpdir(), 'natlens-start-'));
const extensions = join(run, 'extensions');
mkdirSync(extensions);
// the repository itself is the installed extension: a rebuild (npm run build) shows after "Reload Window"
symlinkSync(root, join(extensions, `${pkg.publisher}.${pkg.name}-${pkg.version}`));
mkdirSync(join(run, 'user', 'User'), { recursive: true });
writeFileSync(join(run, 'user', 'User', 'settings.json'), JSON.stringify({
  'workbench.startupEditor': 'none', 'security.workspace.trust.enabled': false, 'telemetry.telemetryLevel': 'off',
  'extensions.autoUpdate': false, 'extensions.autoCheckUpdates': false, 'update.mode': 'none', 'git.openRepositoryInParentFolders': 'never',
}, null, 2));

const codeServer = join(harnessDir(), 'node_modules', '.bin', 'code-server');
const server = spawn(codeServer, [
  '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none', '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust',
  '--user-data-dir', join(run, 'user'), '--extensions-dir', extensions, join(root, 'examples'),
], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, XDG_DATA_HOME: join(run, 'xdg'), XDG_CONFIG_HOME: join(run, 'xdg-config') } });

const cleanup = () => { server.kill(); rmSync(run, { recursive: true, force: true }); };
process.on('SIGINT', () => { cleanup(); process.exit(0); });
process.on('SIGTERM', () => { cleanup(); process.exit(0); });
server.on('exit', code => { rmSync(run, { recursive: true, force: true }); process.exit(code ?? 0); });

for (let i = 0; i < 300; i++) {
  try { if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) break; } catch { /* not up yet */ }
  await new Promise(r => setTimeout(r, 100));
}
console.log(`\nNAT Lens is running in VS Code at http://127.0.0.1:${port}/?folder=${encodeURIComponent(join(root, 'examples'))}`);
console.log('Open one of the example manifests, hover a field, or run "NAT Lens: Trace Packet..." (F1). Ctrl+C stops the server.');
