// The reproducers of issue 17 (test/fixtures/hostile, copied from the fuzz run that found them): each
// goes through every engine entry point the shells use and must give located messages, never an
// exception, a call over 2 s, or "[object Object]".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { runPipeline, timeBudget } from '../fuzz/pipeline';
import { runCli, withFile } from '../support/cli';
import { parseManifest } from '../../extension/src/engine/manifest/manifest';
import { parseProfile, withProxyMode } from '../../extension/src/engine/model/profile';
import { backendFor } from '../../extension/src/engine/proxy/backends';
import { debugCommands } from '../../extension/src/engine/debug';
import { buildClusterModel, MAX_TOTAL_PODS } from '../../extension/src/engine/model/cluster';
import { generateIptables } from '../../extension/src/engine/proxy/iptables/generator';
import { toIptablesSave } from '../../extension/src/engine/proxy/iptables/save';

const dir = new URL('../fixtures/hostile/', import.meta.url).pathname;
const read = (name: string, file: string) => readFileSync(`${dir}${name}/${file}`, 'utf8');

for (const name of readdirSync(dir).sort()) {
  test(`hostile reproducer ${name}: no exception, no slow call, no [object Object]`, () => {
    const profile = existsSync(`${dir}${name}/profile.yaml`) ? read(name, 'profile.yaml') : null;
    const { failures } = runPipeline(read(name, 'input.yaml'), profile, { hoverSamples: 8, budgetMs: timeBudget() });
    assert.deepEqual(failures, []);
  });
}

const problemsOf = (text: string) => parseManifest(text, 'x.yaml').problems.map(p => `${p.range.start.line + 1}:${p.range.start.character + 1} ${p.severity} ${p.message}`);

test('01: a namespace that is no DNS label makes the Service unmodelled, with the API server\'s wording at the field', () => {
  const file = parseManifest(read('01-exception-proxy_iptables_ruleParser_ts_123', 'input.yaml'), 'x.yaml');
  assert.equal(file.objects.length, 0);
  const p = file.problems.find(p => p.code === 'invalid-field')!;
  assert.equal(p.range.start.line, 3);
  assert.match(p.message, /^metadata\.namespace: Invalid value: "-\\"": a lowercase RFC 1123 label must consist of/);
});

test('02: clusterIP: 2 is refused as the API server refuses to decode it; other objects still modelled', () => {
  const text = `${read('02-exception-util_ip_ts_73', 'input.yaml')}\n---\napiVersion: v1\nkind: Service\nmetadata: {name: ok}\nspec: {clusterIP: 10.96.0.9, ports: [{port: 80}]}\n`;
  const file = parseManifest(text, 'x.yaml');
  assert.deepEqual(file.objects.map(o => o.name), ['ok']);
  assert.ok(problemsOf(text).some(p => p.startsWith('4:13 error spec.clusterIP: Invalid type: expected string, got number 2')), problemsOf(text).join('\n'));
});

test('63: a self-referencing alias in a sequence is one located error; the good document after it is read', () => {
  const file = parseManifest(read('63-exception-parseManifest-self-alias-seq', 'input.yaml'), 'x.yaml');
  assert.deepEqual(file.objects.map(o => o.name), ['good']);
  assert.ok(file.problems.some(p => p.severity === 'error' && /alias/i.test(p.message)));
  assert.doesNotThrow(() => parseProfile('nodes: &a [*a]\n'));
});

test('64: U+2028 and "---" inside a quoted scalar do not split the document', () => {
  const file = parseManifest(read('64-oracle-u2028-document-split', 'input.yaml'), 'x.yaml');
  assert.equal(file.documents.length, 1);
  assert.deepEqual(file.problems.filter(p => p.code === 'yaml-syntax'), []);
});

test('h1: toIptablesSave of the most pods NAT Lens models is linear (well under 2 s)', () => {
  const file = parseManifest(read('h1-hang-toIptablesSave-10k-pods', 'input.yaml'), 'x.yaml');
  const model = buildClusterModel(file.objects, parseProfile('nodeName: node-a\n').profile);
  const ruleset = generateIptables(model);
  assert.ok(ruleset.lines.length > 4 * MAX_TOTAL_PODS);
  const start = performance.now();
  assert.ok(toIptablesSave(ruleset, 'IPv4').length > 0);
  assert.ok(performance.now() - start < timeBudget(), `${performance.now() - start} ms`);
});

test('h3: 50,000 keys in one mapping parse in well under 2 s', () => {
  const start = performance.now();
  const file = parseManifest(read('h3-hang-parse-json-many-keys', 'input.yaml'), 'x.yaml');
  assert.ok(performance.now() - start < timeBudget(), `${performance.now() - start} ms`);
  assert.deepEqual(file.problems.filter(p => p.severity === 'error'), []);
});

// One test per class of issue 17, with inputs of our own.
const svc = (spec: string, meta = '{name: web, namespace: shop}') => `apiVersion: v1\nkind: Service\nmetadata: ${meta}\nspec: ${spec}\n`;
const good = svc('{clusterIP: 10.96.0.10, ports: [{name: http, port: 80}]}', '{name: good, namespace: shop}');
const clean = (text: string, profile: string | null = null) => runPipeline(text, profile, { hoverSamples: 4, budgetMs: timeBudget() }).failures;

test('class A: wrong types never reach the model; the good Service beside them is modelled', () => {
  for (const spec of ['{clusterIPs: "10.96.0.1", ports: [{port: 80}]}', '{clusterIP: 10.96.0.2, externalIPs: 6}', '{clusterIP: 10.96.0.3, ports: {}}', '{clusterIP: [1], ports: [{port: 80}]}']) {
    const text = `${svc(spec)}---\n${good}`;
    const file = parseManifest(text, 'a.yaml');
    assert.deepEqual(file.objects.map(o => o.name), ['good'], spec);
    assert.ok(file.problems.some(p => p.code === 'invalid-field' && / Invalid type: expected /.test(p.message)), spec);
    assert.deepEqual(clean(text), [], spec);
  }
  const workload = 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: w}\nspec: {template: {spec: {containers: {a: 1}}}}\n';
  assert.equal(parseManifest(workload, 'w.yaml').objects.length, 0);
});

test('class B: wrong types in fields the findings read (policy, source ranges) give located errors, not a lost file', () => {
  const text = `${svc('{type: LoadBalancer, clusterIP: 10.96.0.4, loadBalancerSourceRanges: null, ports: [{port: 80}]}')}---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: p}\nspec: {ingress: [{from: {ipBlock: 1}}]}\n`;
  const file = parseManifest(text, 'b.yaml');
  assert.deepEqual(file.objects.map(o => o.kind), ['Service']);
  assert.ok(file.problems.some(p => p.message.startsWith('spec.ingress[0].from: Invalid type: expected list')));
  assert.deepEqual(clean(text), []);
});

test('class C: a mapping where a scalar belongs never becomes "[object Object]"', () => {
  const text = `${svc('{clusterIP: 10.96.0.5, selector: {app: {x: 1}}, ports: [{port: 80, targetPort: {a: b}}]}')}---\n${good}`;
  assert.deepEqual(clean(text), []);
  assert.ok(parseManifest(text, 'c.yaml').problems.some(p => p.message.startsWith('spec.selector.app: Invalid type')));
});

test('class D: values that cannot appear in a rule are refused before generation; the injection cannot happen', () => {
  const injected = 'x" -s 198.51.100.1 -m comment --comment "y';
  const text = svc(`{clusterIP: 10.96.0.6, selector: {app: web}, ports: [{name: '${injected}', port: 80}, {name: ok, port: 81}]}`);
  const file = parseManifest(text, 'd.yaml');
  const p = file.problems.find(p => p.code === 'invalid-field')!;
  assert.match(p.message, /^spec\.ports\[0\]\.name: Invalid value: "x\\" -s 198\.51\.100\.1.*a lowercase RFC 1123 label.*; NAT Lens does not model this port$/);
  assert.equal(p.range.start.line, 3);
  const model = buildClusterModel(file.objects, parseProfile('nodeName: node-a\n').profile);
  assert.deepEqual(model.services[0]!.ports.map(x => x.info.portName), ['ok']);
  const rules = generateIptables(model).payload;
  assert.ok(!rules.includes('198.51.100.1'));
  for (const bad of ['nodePort: -1', 'port: .5', 'port: "80 "', 'protocol: ICMP', 'targetPort: "a b"']) {
    const text = svc(`{clusterIP: 10.96.0.7, ports: [{${bad.startsWith('port:') ? '' : 'port: 80, '}${bad}}]}`);
    assert.ok(parseManifest(text, 'd.yaml').problems.some(p => p.code === 'invalid-field'), bad);
    assert.deepEqual(clean(text), [], bad);
  }
  assert.ok(problemsOf(svc('{clusterIP: 10.96.0.8, ports: [{port: 80, protocol: ICMP}]}')).some(m => m.includes('spec.ports[0].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"')));
});

test('class E: a LoadBalancer port without a port number and a profile naming a node twice give no routing loop', () => {
  const text = svc('{type: LoadBalancer, clusterIP: 10.96.0.9, ports: [{}, {name: b, port: 82}]}');
  // a port without a port number is not modelled (never port 0), located in the API server's words
  const file = parseManifest(text, 'e.yaml');
  const missing = file.problems.find(p => p.code === 'invalid-field')!;
  assert.equal(missing.message, 'spec.ports[0].port: Required value; NAT Lens does not model this port');
  assert.equal(text.slice(missing.range.start.offset, missing.range.end.offset), '{}');
  const model = buildClusterModel(file.objects, parseProfile('nodeName: n1\n').profile);
  assert.deepEqual(model.services[0]!.ports.map(p => [p.info.portIndex, p.info.port]), [[1, 82]]);
  const profile = 'nodeName: n1\nnodes:\n  - {name: n1, ips: [192.168.0.2]}\n  - {name: n1, ips: [192.168.0.3]}\n  - {name: n2, ips: [192.168.0.4]}\n';
  const parsed = parseProfile(profile);
  assert.deepEqual(parsed.profile.nodes.map(n => n.name), ['n1', 'n2']);
  assert.match(parsed.problems[0]!.message, /^nodes\[1\]\.name: Duplicate value: "n1"/);
  assert.deepEqual(clean(text, profile), []);
});

test('class F: YAML edge cases: nested alias cycles, deep nesting after an edit, many keys, %YAML 1.1, U+2029', () => {
  const cyclic = parseManifest(`x: &x {a: [1, *x]}\n---\n${good}`, 'f.yaml');
  assert.deepEqual(cyclic.objects.map(o => o.name), ['good']);
  const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}\n---\n${good}`;
  const first = parseManifest(deep, 'f.yaml');
  const edited = parseManifest(deep.replace('[[', '[ ['), 'f.yaml', { previous: first });
  assert.deepEqual(edited.objects.map(o => o.name), ['good']);
  assert.ok(edited.problems.some(p => /nested more than 1000 deep/.test(p.message)));
  const v11 = parseManifest(`%YAML 1.1\n---\n${svc('{clusterIP: 10.96.0.11, allocateLoadBalancerNodePorts: no, ports: [{port: 80}]}')}`, 'f.yaml');
  assert.equal((v11.objects[0]!.object as { spec: { allocateLoadBalancerNodePorts: unknown } }).spec.allocateLoadBalancerNodePorts, false);
  const keys = `{"apiVersion":"v1","kind":"ConfigMap","data":{${Array.from({ length: 20_000 }, (_, i) => `"k${i}":"v"`).join(',')},"k7":"dup"}}`;
  const dup = parseManifest(keys, 'f.json');
  assert.ok(dup.problems.some(p => p.message.includes('Map keys must be unique')));
  assert.equal(parseManifest(`metadata: {name: "a\u2029--- b"}\n`, 'f.yaml').documents.length, 1);
});

test('class G: 50 Deployments of 10,000 replicas: a limit message at the field, in bounded time and memory', () => {
  const deployments = Array.from({ length: 50 }, (_, i) => `---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d${i}, namespace: shop}\nspec:\n  replicas: 10000\n  template: {metadata: {labels: {app: web}}, spec: {containers: [{name: c, ports: [{name: http, containerPort: 8080}]}]}}\n`).join('');
  const file = parseManifest(svc('{clusterIP: 10.96.0.12, selector: {app: web}, ports: [{port: 80, targetPort: http}]}') + deployments, 'g.yaml');
  const before = process.memoryUsage().heapUsed;
  const start = performance.now();
  const model = buildClusterModel(file.objects, parseProfile('nodeName: node-a\n').profile);
  assert.ok(performance.now() - start < timeBudget(), `${performance.now() - start} ms`);
  assert.ok(process.memoryUsage().heapUsed - before < 300 * 1024 * 1024);
  assert.equal(model.workloads.reduce((n, w) => n + w.pods.length, 0), MAX_TOTAL_PODS);
  assert.equal(model.limits!.length, 50);
  assert.equal(model.limits![0]!.message, `Deployment shop/d0 asks for 10000 pods; NAT Lens models at most ${MAX_TOTAL_PODS} pods across all workloads, so it models ${MAX_TOTAL_PODS} of them`);
  assert.deepEqual(model.limits![0]!.path, ['spec', 'replicas']);
  // the rules for the pods modelled stay under the same memory bound (the run once took 2.4 GB)
  const rules = generateIptables(model, { nodeName: 'node-a' });
  assert.ok(toIptablesSave(rules, 'IPv4').length > 0);
  assert.ok(process.memoryUsage().heapUsed - before < 300 * 1024 * 1024, `${((process.memoryUsage().heapUsed - before) / 1048576).toFixed(0)} MB`);
});

test('class F: UTF-16 and UTF-32 files, with or without a byte order mark, are named as such, not "Not a Kubernetes object"', () => {
  const text = svc('{clusterIP: 10.96.0.13, ports: [{name: grün, port: 80}]}');
  const utf16be = (s: string) => Buffer.from(s, 'utf16le').swap16();
  const utf32 = (s: string, be: boolean) => Buffer.concat([...s].map(ch => { const b = Buffer.alloc(4); if (be) b.writeUInt32BE(ch.codePointAt(0)!); else b.writeUInt32LE(ch.codePointAt(0)!); return b; }));
  const files: [string, Buffer][] = [
    ['UTF-16 LE (with a byte order mark)', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])],
    ['UTF-16 LE', Buffer.from(text, 'utf16le')],
    ['UTF-16 BE (with a byte order mark)', Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be(text)])],
    ['UTF-16 BE', utf16be(text)],
    ['UTF-32 LE (with a byte order mark)', Buffer.concat([Buffer.from([0xff, 0xfe, 0, 0]), utf32(text, false)])],
    ['UTF-32 LE', utf32(text, false)],
    ['UTF-32 BE (with a byte order mark)', Buffer.concat([Buffer.from([0, 0, 0xfe, 0xff]), utf32(text, true)])],
    ['UTF-32 BE', utf32(text, true)],
  ];
  for (const [name, bytes] of files) {
    for (const decoding of ['utf8', 'latin1'] as const) {
      const file = parseManifest(bytes.toString(decoding), 'u.yaml');
      assert.deepEqual(file.problems.map(p => [p.code, p.severity, p.range.start.line, p.message]),
        [['file-encoding', 'error', 0, `This file is ${name}, not UTF-8: NAT Lens reads manifests as UTF-8. Save it as UTF-8 to analyse it`]], `${name} read as ${decoding}`);
    }
  }
  // decoded by an editor that names the encoding (VS Code's TextDocument.encoding)
  assert.match(parseManifest(text, 'u.yaml', { encoding: 'utf16le' }).problems[0]!.message, /^This file is UTF-16 LE, not UTF-8/);
  // UTF-8 with a BOM or with a NUL in a string stays UTF-8
  assert.equal(parseManifest(`\uFEFF${good}`, 'u.yaml').objects.length, 1);
  assert.equal(parseManifest(`${good}# a \0 in a comment\n`, 'u.yaml').problems.filter(p => p.code === 'file-encoding').length, 0);
});

test('CLI: a walk that fails in trace is an internal error (exit 3, one line) located at the Service; bad addresses are exit 2', async () => {
  const { main } = await import('../../extension/src/cli/main');
  const { Walker } = await import('../../extension/src/engine/walk/walk');
  const { WalkError } = await import('../../extension/src/engine/walk/netfilter');
  const examples = new URL('../../examples/', import.meta.url).pathname;
  const run = (...argv: string[]) => { let out = '', err = ''; const code = main(argv, { out: s => { out += s; }, err: s => { err += s; } }); return { code, out, err }; };
  const args = ['trace', '--cluster', `${examples}cluster.yaml`, '--src', '203.0.113.7', '--dport', '30080', `${examples}nodeport-local.yaml`];
  const trace = Walker.prototype.trace;
  Walker.prototype.trace = () => { throw new WalkError('a rule the walk cannot read\nsecond line'); };
  try {
    const r = run(...args, '--dst', '192.168.0.2');
    assert.equal(r.code, 3);
    assert.match(r.err, /^natlens: internal error: \S*nodeport-local\.yaml:\d+:1: Service shop\/web: the walk stopped: a rule the walk cannot read\n$/);
  } finally {
    Walker.prototype.trace = trace;
  }
  const bad = run(...args, '--dst', '192.168.0.999');
  assert.equal(bad.code, 2);
  assert.equal(bad.err, 'natlens: trace: destination "192.168.0.999" is not an IP address\n');
});

test('class D: shell and rule syntax in annotations, hostnames, slice fields and Node labels reaches no rule and no command unquoted', () => {
  const payload = '$(touch /tmp/natlens-pwned)`id`;x" -j ACCEPT';
  const yamlString = JSON.stringify(payload);
  const text = [
    `apiVersion: v1\nkind: Service\nmetadata: {name: web, namespace: shop, annotations: {service.kubernetes.io/topology-mode: ${yamlString}, note: ${yamlString}}}\n` +
      `spec: {type: LoadBalancer, clusterIP: 10.96.0.20, externalTrafficPolicy: Local, ports: [{name: http, port: 80, nodePort: 30080}]}\n` +
      `status: {loadBalancer: {ingress: [{hostname: ${yamlString}}, {ip: 198.51.100.20}]}}`,
    `apiVersion: discovery.k8s.io/v1\nkind: EndpointSlice\nmetadata: {name: web-x, namespace: shop, labels: {kubernetes.io/service-name: web}}\naddressType: IPv4\nports: [{name: http, port: 8080}]\n` +
      `endpoints: [{addresses: [10.244.1.10], nodeName: node-b, hostname: ${yamlString}, targetRef: {kind: Pod, name: ${yamlString}}, zone: ${yamlString}, hints: {forZones: [{name: ${yamlString}}]}, conditions: {ready: true}}]`,
    `apiVersion: v1\nkind: Node\nmetadata: {name: node-b, labels: {topology.kubernetes.io/zone: ${yamlString}}}\nstatus: {addresses: [{type: InternalIP, address: 192.168.0.3}]}`,
    `apiVersion: v1\nkind: Node\nmetadata: {name: node-a}\nstatus: {addresses: [{type: InternalIP, address: 192.168.0.2}]}`,
  ].join('\n---\n') + '\n';
  const file = parseManifest(text, 'd.yaml');
  const unquoted = (command: string) => command.replace(/'(?:[^']|'\\'')*'/g, "''");
  let commands = 0;
  for (const mode of ['iptables', 'nftables', 'ipvs'] as const) {
    const model = buildClusterModel(file.objects, withProxyMode(parseProfile('nodeName: node-a\n').profile, mode));
    assert.equal(model.services.length, 1);
    for (const node of model.profile.nodes) {
      const rules = backendFor(mode).rulesText(model, node.name);
      for (const piece of ['natlens-pwned', '`id`', '-j ACCEPT"']) assert.ok(!rules.text.includes(piece), `${mode} ${node.name} rules: ${piece}`);
      for (const c of debugCommands(model, model.services[0]!, { nodeName: node.name, proxyMode: mode })) {
        commands++;
        for (const piece of ['natlens-pwned', '`id`', ';x"']) assert.ok(!unquoted(c.command).includes(piece), `${mode}: ${c.command}`);
      }
    }
  }
  assert.ok(commands > 20);
  assert.deepEqual(clean(text), []);
});

test('natlens node: garbage dumps give located information lines, escaped, and a normal exit; never a stack trace', () => {
  const dumps = [
    '\u0000\u0001garbage\n*nat\n-A X -j\n:FOO\nCOMMIT\n',
    '\u001b]0;pwned\u0007\u001b[2J*filter\n' + '-A INPUT -m '.repeat(2000) + '\n',
    'table ip t {\n' + 'chain c { '.repeat(3000) + '\n',
    'TCP  10.96.0.1:443 rr\n  -> \n' + 'udp 17 src= dst= sport=\n'.repeat(500),
  ];
  for (const dump of dumps) {
    withFile(dump, path => {
      for (const argv of [['trace', path, '--src', '10.244.0.9', '--dst', '10.96.0.1', '--dport', '443'], ['conntrack', path], ['ipvs', path]]) {
        const r = runCli(['node', ...argv]);
        assert.ok([0, 1, 2].includes(r.code), `${argv[0]}: exit ${r.code}: ${r.err.slice(0, 300)}`);
        assert.ok(!/\n\s+at /.test(r.err) && !/\n\s+at /.test(r.out), `${argv[0]}: a stack trace`);
        assert.ok(!/[\u0000-\u0008\u000b-\u001f\u007f]/.test(r.err + r.out), `${argv[0]}: control characters reach the terminal`);
        for (const line of r.err.split('\n').filter(l => l.includes(': info: not a line'))) assert.match(line, new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+: info: `));
      }
    });
  }
  const escaped = withFile(dumps[1]!, path => runCli(['node', 'conntrack', path]).err);
  assert.match(escaped, /:1: info: .*\\x1b\]0;pwned\\x07\\x1b\[2J/);
});

test('huge scalars: a 1 MB name or port name is one located error of bounded length; the other documents are read', () => {
  const big = 'a'.repeat(1_000_000);
  for (const meta of [`{name: ${big}, namespace: shop}`, '{name: web, namespace: shop}']) {
    const ports = meta.startsWith('{name: web') ? `[{name: "${big}", port: 80}, {name: ok, port: 81}]` : '[{port: 80}]';
    const text = `${svc(`{clusterIP: 10.96.0.30, ports: ${ports}}`, meta)}---\n${good}`;
    const t0 = performance.now();
    const file = parseManifest(text, 'h.yaml');
    assert.ok(performance.now() - t0 < timeBudget());
    const p = file.problems.find(x => x.code === 'invalid-field')!;
    assert.ok(p.message.length < 600, `a message of ${p.message.length} characters`);
    assert.match(p.message, /: Invalid value: "a{64}…" \(1000000 characters\): /);
    assert.ok(file.objects.some(o => o.name === 'good'));
  }
});

test('two flow maps on consecutive lines: the parser\'s error per token is cut to a located few and a count', () => {
  const map = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' }, data: Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`k${i}`, 'v'])) });
  const yaml = parseManifest(`${map}\n${map}\n`, 'x.yaml').problems.filter(p => p.code === 'yaml-syntax');
  assert.equal(yaml.length, 51);
  assert.equal(yaml[0]!.range.start.line, 1);
  assert.match(yaml[50]!.message, /^YAML: \d+ more problems in this document, not listed$/);
});

test('a profile node name that is no DNS subdomain: the API server\'s wording, not an object', () => {
  const { problems } = parseProfile('nodeName: Local\nnodes:\n  - name: Local\n    ips: [192.168.0.2]\n', 'cluster.yaml');
  const p = problems.find(x => x.message.startsWith('nodes[0].name'))!;
  assert.equal(p.message, 'nodes[0].name: Invalid value: "Local": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, \'-\' or \'.\', and must start and end with an alphanumeric character (e.g. \'example.com\', regex used for validation is \'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\')');
});
