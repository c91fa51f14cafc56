// One set of facts behind every surface: natlens explain's entries are natlens trace's walks, and the
// CodeLens, the hover summaries, the diagnostics and the walk summaries agree with the facts, for
// every example Service in every mode; nftables and IPVS text names no iptables-only chain.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli } from '../support/cli';
import { parseManifest, ofKind } from '../../extension/src/engine/manifest/manifest';
import { parseProfile, withProxyMode, type ProxyMode } from '../../extension/src/engine/model/profile';
import { buildClusterModel } from '../../extension/src/engine/model/cluster';
import { serviceFacts } from '../../extension/src/engine/facts/service';
import { serviceLenses } from '../../extension/src/engine/findings/codelens';
import { hoverAt, hoverMarkdown } from '../../extension/src/engine/findings/hover';
import { analyzeFile } from '../../extension/src/engine/findings/analyze';
import { serviceEntryOf } from '../../extension/src/engine/findings/walks';
import { serviceWalker } from '../../extension/src/engine/facts/service';
import { entryOutcome, externalSummary, internalSummary } from '../../extension/src/engine/facts/render';
import { debugCommands } from '../../extension/src/engine/debug';
import { defaultService, externallyAccessible } from '../../extension/src/engine/model/service';

const examples = new URL('../../examples/', import.meta.url).pathname;
const clusterFile = join(examples, 'cluster.yaml');
const profile = parseProfile(readFileSync(clusterFile, 'utf8')).profile;
const manifests = readdirSync(examples).filter(f => f.endsWith('.yaml') && f !== 'cluster.yaml').sort();
// every fixture Service too (test/fixtures, the hostile inputs aside: they have tests of their own)
const fixtures = new URL('../../test/fixtures/', import.meta.url).pathname;
const fixtureFiles = readdirSync(fixtures, { recursive: true, encoding: 'utf8' })
  .filter(f => f.endsWith('.yaml') && !f.startsWith('hostile') && /^kind: Service$/m.test(readFileSync(join(fixtures, f), 'utf8'))).sort();
const everyFile = [...manifests.map(f => join(examples, f)), ...fixtureFiles.map(f => join(fixtures, f))];
const MODES: readonly ProxyMode[] = ['iptables', 'nftables', 'ipvs'];

const ipOf = (hostPort: string) => hostPort.replace(/:(\d+|\*)$/, '').replace(/^\[|\]$/g, '');

for (const mode of MODES) {
  test(`${mode}: natlens explain --format json gives, for every way in, the walk natlens trace --json gives`, () => {
    let compared = 0;
    for (const name of manifests) {
      const file = parseManifest(readFileSync(join(examples, name), 'utf8'), name);
      for (const obj of ofKind(file.objects, 'Service')) {
        const service = `${obj.namespace}/${obj.name}`;
        const r = cli('explain', '--format', 'json', '--mode', mode, '--cluster', clusterFile, '--service', service, join(examples, name));
        assert.equal(r.code, 0, r.err);
        const facts = JSON.parse(r.out);
        assert.equal(facts.service, service);
        assert.equal(facts.mode, mode);
        for (const e of facts.entries) {
          const [, host, port] = /^\[?(.+?)\]?:(\d+)$/.exec(e.address)!;
          const t = cli('trace', '--json', '--mode', mode, '--cluster', clusterFile, '--src', e.source, '--dst', host!, '--dport', port!, '--node', e.node, join(examples, name));
          assert.equal(t.code, 0, t.err);
          const walk = JSON.parse(t.out);
          const what = `${mode} ${service} ${e.client} ${e.source} via ${e.node} to ${e.address}`;
          assert.equal(e.verdict, walk.verdict, what);
          assert.deepEqual(e.endpoints.map((p: { endpoint: string; node: string; probability: number }) => [p.endpoint, p.node, p.probability]),
            walk.endpoints.map((p: { endpoint: string; node: string; probability: number }) => [p.endpoint, p.node, p.probability]), what);
          for (const p of e.endpoints) {
            const branches = walk.outcomes.filter((o: { endpoint: string; verdict: string }) => o.endpoint === p.endpoint && o.verdict === 'DNAT');
            assert.equal(p.masquerade, branches.some((o: { masqueraded: boolean }) => o.masqueraded), what);
            assert.equal(p.replyBroken, branches.some((o: { replyBroken: boolean }) => o.replyBroken), what);
            assert.equal(p.sourceSeen, ipOf(branches[0].sourceSeen), what);
          }
          compared++;
        }
      }
    }
    assert.ok(compared >= 20, `walks compared: ${compared}`);
  });

  test(`${mode}: CodeLens, hover summaries, diagnostics, debug look-fors and walk summaries agree with the facts, for every example and fixture Service`, () => {
    let services = 0;
    for (const path of everyFile) {
      const name = path.slice(path.lastIndexOf('/') + 1);
      const file = parseManifest(readFileSync(path, 'utf8'), name);
      const model = buildClusterModel(file.objects, withProxyMode(profile, mode));
      const lenses = serviceLenses(file, model);
      const findings = analyzeFile(file, model);
      for (const obj of ofKind(file.objects, 'Service')) {
        const entry = serviceEntryOf(model, obj);
        if (!entry) continue;
        services++;
        const facts = serviceFacts(entry, model);
        const lens = lenses.find(l => l.service === facts.service)!.title;
        const what = `${mode} ${name} ${facts.service}`;
        const external = facts.entries.filter(e => e.client === 'external');
        const dropping = [...new Set(external.filter(e => e.verdict === 'DROP').map(e => e.node))];
        const lost = [...new Set(external.filter(e => e.verdict === 'DNAT' && e.endpoints.every(p => p.replyBroken)).map(e => e.node))];
        const masqueraded = external.some(e => e.endpoints.some(p => p.masquerade));
        // the CodeLens
        if (dropping.length) assert.match(lens, new RegExp(`drops on ${dropping.join(', ')}`), what);
        else assert.doesNotMatch(lens, /drops on/, what);
        if (lost.length) assert.match(lens, new RegExp(`reply lost via ${lost.join(', ')}`), what);
        if (facts.externallyAccessible) assert.equal(/client IP lost|SNAT via/.test(lens), masqueraded, `${what}: ${lens}`);
        // the hover on externalTrafficPolicy / type
        const policy = obj.rangeOf(['spec', 'externalTrafficPolicy'], 'key') ?? obj.rangeOf(['spec', 'type'], 'key');
        if (policy && facts.externallyAccessible) {
          const h = hoverAt(file, policy.start.offset + 1, model)!;
          for (const node of dropping) assert.match(h.summary, new RegExp(node), `${what}: ${h.summary}`);
          if (!dropping.length && !lost.length) assert.doesNotMatch(h.summary, /drop|refuse|lost/, `${what}: ${h.summary}`);
          if (/SNATed: the pod never sees the client IP/.test(h.summary)) assert.ok(external.every(e => e.verdict !== 'DNAT' || e.endpoints.every(p => p.masquerade)), what);
        }
        // the diagnostics
        const imbalance = findings.find(f => f.service === facts.service && f.rule === 'local-policy-imbalance');
        for (const node of [...dropping, ...lost]) assert.match(imbalance?.message ?? '', new RegExp(`${node} has no local endpoint`), what);
        assert.equal(findings.some(f => f.service === facts.service && f.rule === 'client-ip-lost'), masqueraded && !/Local/.test(String(obj.object.spec?.externalTrafficPolicy)), what);
        // the debug look-fors: the traffic policy as the hover summary says it, the predictions as the facts
        if (facts.port && !facts.headless && defaultService(entry.service).type !== 'ExternalName') {
          const debug = debugCommands(model, entry);
          const d = defaultService(entry.service);
          const policy = debug.find(c => /traffic policy$/.test(c.title))!;
          if (externallyAccessible(entry.service)) {
            assert.equal(policy.lookFor, externalSummary(facts, d.externalTrafficPolicy === 'Local' ? 'Local' : 'Cluster'), what);
            if (policy && hoverAt(file, obj.rangeOf(['spec', 'type'], 'key')?.start.offset ?? -1, model)) {
              assert.equal(hoverAt(file, obj.rangeOf(['spec', 'type'], 'key')!.start.offset + 1, model)!.summary, policy.lookFor, `${what}: debug and hover`);
            }
          } else {
            assert.ok(policy.lookFor.startsWith(internalSummary(facts, d.internalTrafficPolicy === 'Local')), what);
          }
          const here = (client: string, via: string) => facts.entries.find(e => e.client === client && e.via === via && e.node === model.profile.nodeName);
          const pod = here('pod', 'clusterIP');
          const probe = debug.find(c => /throwaway client pod on .* connecting to the ClusterIP/.test(c.title));
          if (pod && probe) assert.ok(probe.lookFor.startsWith(`NAT Lens predicts ${entryOutcome(pod)}. `), `${what}: ${probe.lookFor}`);
          const nodePort = here('external', 'nodePort');
          const ct = debug.find(c => /^conntrack entries for NodePort/.test(c.title));
          if (nodePort && ct) assert.ok(ct.lookFor.includes(nodePort.verdict === 'DNAT' ? `(predicted: ${entryOutcome(nodePort)})` : `No entry: ${entryOutcome(nodePort)}.`), `${what}: ${ct.lookFor}`);
        }
        // the walk summaries: each entry's trace summary says what its facts say
        const walker = serviceWalker(entry, model);
        for (const e of facts.entries) {
          const summary = walker.trace(e.request).summary;
          if (e.endpoints.some(p => p.replyBroken)) assert.match(summary, /the reply does not return through/, what);
          else assert.doesNotMatch(summary, /the reply does not return/, what);
          if (e.verdict === 'DROP') assert.match(summary, /is DROPped/, what);
          if (e.verdict === 'REJECT') assert.match(summary, /is REJECTed/, what);
          if (e.verdict === 'DNAT') {
            const all = e.endpoints.every(p => p.masquerade), none = e.endpoints.every(p => !p.masquerade);
            assert.equal(/is not visible to the pod/.test(summary), all, `${what}: ${summary}`);
            assert.equal(/No masquerade/.test(summary), none, `${what}: ${summary}`);
            if (!all && !none) assert.match(summary, /Only some branches are masqueraded/, what);
          }
        }
      }
    }
    assert.ok(services >= 20, `Services compared: ${services}`);
  });
}

const IPTABLES_ONLY = /KUBE-(SVC|SVL|EXT|FW|SEP|XLB)-[A-Z0-9]{16}|KUBE-(EXT|FW|SVC|XLB)\b|KUBE-NODEPORTS|KUBE-EXTERNAL-SERVICES/;

for (const mode of ['nftables', 'ipvs'] as const) {
  test(`${mode}: no hover, CodeLens, finding, debug check or walk summary names an iptables-only chain`, () => {
    for (const path of everyFile) {
      const name = path.slice(path.lastIndexOf('/') + 1);
      const text = readFileSync(path, 'utf8');
      const file = parseManifest(text, name);
      const model = buildClusterModel(file.objects, withProxyMode(profile, mode));
      const texts: string[] = [...serviceLenses(file, model).map(l => l.title), ...analyzeFile(file, model).map(f => f.message)];
      for (const entry of model.services) {
        for (const c of debugCommands(model, entry)) texts.push(`${c.title} | ${c.command} | ${c.lookFor}`);
        const walker = serviceWalker(entry, model);
        for (const e of serviceFacts(entry, model).entries) texts.push(walker.trace(e.request).summary);
      }
      for (let offset = 0; offset < text.length; offset = text.indexOf('\n', offset) + 1 || text.length) {
        const keyAt = offset + text.slice(offset).search(/\S/) + 1;
        const h = hoverAt(file, keyAt, model);
        if (h) texts.push(hoverMarkdown(h));
      }
      assert.ok(texts.length > 5, `${mode} ${name}: surfaces collected`);
      for (const t of texts) assert.doesNotMatch(t, IPTABLES_ONLY, `${mode} ${name}: ${t}`);
      // nftables mode has no KUBE- chain at all; IPVS mode's own are KUBE-NODE-PORT, KUBE-LOAD-BALANCER, KUBE-PROXY-FIREWALL, ...
      if (mode === 'nftables') for (const t of texts) assert.doesNotMatch(t, /KUBE-[A-Z]/, `${name}: ${t}`);
    }
  });
}
