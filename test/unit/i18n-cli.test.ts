// The CLI in German: --lang de, else the locale environment (LC_ALL, LC_MESSAGES, LANG), English otherwise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../support/cli';

const examples = new URL('../../examples/', import.meta.url).pathname;

const cli = (argv: string[], env: Record<string, string | undefined> = {}) => runCli(argv, { env });

const explain = ['explain', '--cluster', `${examples}cluster.yaml`, `${examples}nodeport-local.yaml`];
const trace = ['trace', '--cluster', `${examples}cluster.yaml`, '--src', '203.0.113.10', '--dst', '192.168.0.3', '--dport', '30080', `${examples}nodeport-local.yaml`];

test('natlens explain --lang de prints the Service summary and every way in in German', () => {
  const r = cli([...explain, '--lang', 'de']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^\*\*shop\/web: Pods erreichen [\d.]+:80 von jedem Node aus und behalten ihre Adresse; externe Clients erreichen ihn über node-a und behalten ihre Adresse; node-b verwirft sie \(iptables-Modus\)\.\*\*/);
  assert.match(r.out, /Jeder Weg hinein, durch die generierten Regeln jedes Nodes verfolgt:/);
  assert.match(r.out, /- Externer Client 203\.0\.113\.10 über NodePort 30080 auf node-b: \*\*DROP\*\* \(filter `KUBE-EXTERNAL-SERVICES`\), der Client läuft in einen Timeout/);
  assert.doesNotMatch(r.out, /\b(the pod sees|External client|every node|keeping their address)\b/);
});

test('natlens explain --format json: the lens and summary in the chosen language, the facts unchanged', () => {
  const en = JSON.parse(cli([...explain, '--format', 'json']).out);
  const de = JSON.parse(cli([...explain, '--format', 'json', '--lang', 'de']).out);
  assert.match(de.lens, /^NAT: 1 Endpoint bereit · extern: die Client-IP bleibt erhalten · DROP auf node-b$/);
  assert.deepEqual(de.entries, en.entries);
  assert.deepEqual(de.findings.map((f: { rule: string }) => f.rule), en.findings.map((f: { rule: string }) => f.rule));
});

test('natlens trace --lang de labels the walk and says it in German; the rules stay as kube-proxy writes them', () => {
  const r = cli([...trace, '--lang', 'de']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^Paket: tcp 203\.0\.113\.10:40000 -> 192\.168\.0\.3:30080, Eintritt über node-b\nErgebnis: DROP\n/);
  assert.match(r.out, /-A KUBE-EXTERNAL-SERVICES -m comment --comment "shop\/web:http has no local endpoints"/);
  assert.match(r.out, /\(von einem externen Client, Eintritt über node-b\) wird per DROP verworfen: der Client bekommt keine Antwort und läuft in einen Timeout\. Die Regel steht in filter KUBE-EXTERNAL-SERVICES auf node-b:/);
});

test('without --lang the locale environment decides: LC_ALL, then LC_MESSAGES, then LANG', () => {
  const german = /^Paket: /;
  assert.match(cli(trace, { LANG: 'de_DE.UTF-8' }).out, german);
  assert.match(cli(trace, { LC_MESSAGES: 'de_AT.UTF-8', LANG: 'en_US.UTF-8' }).out, german);
  assert.match(cli(trace, { LC_ALL: 'en_US.UTF-8', LANG: 'de_DE.UTF-8' }).out, /^packet: /);
  assert.match(cli(trace, { LC_ALL: '', LANG: 'de' }).out, german, 'an empty LC_ALL does not count');
  assert.match(cli(trace, { LANG: 'C.UTF-8' }).out, /^packet: /);
  assert.match(cli([...trace, '--lang', 'en'], { LANG: 'de_DE.UTF-8' }).out, /^packet: /, '--lang wins over the environment');
});

test('--lang takes en or de', () => {
  const r = cli([...trace, '--lang', 'fr']);
  assert.equal(r.code, 2);
  assert.match(r.err, /--lang is en or de/);
});
