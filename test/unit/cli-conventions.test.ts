// The CLI's conventions, common to every command: --version, --help, COMMAND --help, `-` for standard
// input, directories as the manifests under them, and exit 3 with one line on an internal error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main, usage } from '../../extension/src/cli/main';
import { runCli } from '../support/cli';
import { COMMANDS } from '../../extension/src/cli/commands';
import { VERSION } from '../../extension/src/cli/version';

const root = new URL('../../', import.meta.url).pathname;
const examples = join(root, 'examples');

const cli = runCli;

test('--version prints the version; --help and help list every command', () => {
  assert.deepEqual(cli(['--version']), { code: 0, out: `natlens ${VERSION}\n`, err: '' });
  for (const argv of [['--help'], ['-h'], ['help']]) {
    const r = cli(argv);
    assert.equal(r.code, 0, argv.join(' '));
    assert.equal(r.out, usage());
    for (const c of COMMANDS) assert.match(r.out, new RegExp(`^  natlens ${c.name} .*(FILE|MANIFEST|DUMP)\\b`, 'm'));
  }
  assert.equal(cli([]).code, 2, 'no command is a usage error');
});

test('COMMAND --help (and help COMMAND) shows the command\'s synopsis and every option it accepts', () => {
  for (const c of COMMANDS) {
    const r = cli([c.name, '--help']);
    assert.equal(r.code, 0, c.name);
    assert.match(r.out, new RegExp(`^Usage: natlens ${c.name} `));
    for (const o of c.options) assert.match(r.out, new RegExp(`^  --${o.name}\\b`, 'm'), `${c.name} --${o.name}`);
    assert.equal(cli(['help', c.name]).out, r.out);
    assert.equal(cli([c.name, '--cluster', 'x.yaml', '-h']).out, r.out, 'help wins over the other arguments');
  }
  assert.equal(cli(['help', 'frobnicate']).code, 2);
});

test('the README\'s CLI synopsis is the --help synopsis, line for line', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const block = /## The CLI\n[\s\S]*?```text\n([\s\S]*?)```/.exec(readme)?.[1];
  assert.ok(block, 'README.md has a ```text block under "## The CLI"');
  const synopsis = usage().split('Usage:\n')[1]!.split('\n\n')[0]!.split('\n').map(l => l.replace(/^ {2}/, ''));
  assert.deepEqual(block.trimEnd().split('\n'), synopsis);
});

test('- reads the manifest from standard input; its problems are named <stdin>', () => {
  const file = join(examples, 'nodeport-local.yaml');
  const fromFile = cli(['rules', '--cluster', join(examples, 'cluster.yaml'), file]);
  const fromStdin = cli(['rules', '--cluster', join(examples, 'cluster.yaml'), '-'], { stdin: () => readFileSync(file, 'utf8') });
  assert.equal(fromStdin.code, 0, fromStdin.err);
  assert.equal(fromStdin.out, fromFile.out);
  const bad = cli(['rules', '-'], { stdin: () => 'apiVersion: v1\nkind: Service\nmetadata: [oops\n' });
  assert.equal(bad.code, 2);
  assert.match(bad.err, /^<stdin>:\d+:\d+: error: YAML: /m);
  // check does not abort: the parse error is a finding of <stdin>
  const checked = cli(['check', '-'], { stdin: () => 'apiVersion: v1\nkind: Service\nmetadata: [oops\n' });
  assert.equal(checked.code, 1);
  assert.match(checked.out, /^<stdin>:\d+:\d+: error \[yaml-syntax\] YAML: /m);
  assert.equal(cli(['check', '-', '-'], { stdin: () => '' }).code, 2, 'standard input is read once');
});

test('the natlens process reads - from its standard input', () => {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(root, 'extension/src/cli/index.ts'), 'check', '--format', 'json', '-'], {
    cwd: root, encoding: 'utf8', input: readFileSync(join(examples, 'loadbalancer.yaml'), 'utf8'),
  });
  assert.ok(r.status === 0 || r.status === 1, r.stderr);
  const findings = JSON.parse(r.stdout) as { file: string }[];
  assert.ok(findings.every(f => f.file === '<stdin>'), r.stdout);
});

test('a directory stands for the YAML and JSON files under it, recursively and sorted', () => {
  const dir = mkdtempSync(join(tmpdir(), 'natlens-dir-'));
  try {
    const service = (name: string) => `apiVersion: v1\nkind: Service\nmetadata: { name: ${name} }\nspec:\n  type: ClusterIP\n  externalTrafficPolicy: Local\n  ports: [{ port: 80 }]\n`;
    mkdirSync(join(dir, 'b'));
    mkdirSync(join(dir, '.hidden'));
    writeFileSync(join(dir, 'z.yaml'), service('z'));
    writeFileSync(join(dir, 'b', 'a.yml'), service('b-a'));
    writeFileSync(join(dir, 'a.json'), JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'a' }, spec: { type: 'ClusterIP', externalTrafficPolicy: 'Local', ports: [{ port: 80 }] } }));
    writeFileSync(join(dir, '.hidden', 'x.yaml'), service('hidden'));
    writeFileSync(join(dir, 'notes.txt'), 'not a manifest');
    const r = cli(['check', '--format', 'json', dir]);
    assert.equal(r.code, 1, r.err); // etp-not-external is an error in each file
    const files = [...new Set((JSON.parse(r.out) as { file: string }[]).map(f => f.file))];
    assert.deepEqual(files, [join(dir, 'a.json'), join(dir, 'b', 'a.yml'), join(dir, 'z.yaml')]);
    mkdirSync(join(dir, 'empty'));
    const empty = cli(['check', join(dir, 'empty')]);
    assert.equal(empty.code, 2);
    assert.match(empty.err, /no \.yaml, \.yml or \.json file/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an internal error prints one line and exits 3, without a stack trace', () => {
  let err = '';
  const code = main(['rules', join(examples, 'loadbalancer.yaml')], {
    out: () => { throw new TypeError('cannot write\n    at somewhere (file.ts:1:1)'); },
    err: s => { err += s; },
  });
  assert.equal(code, 3);
  assert.equal(err, 'natlens: internal error: cannot write\n');
});
