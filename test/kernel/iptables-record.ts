// How the kernel records an iptables verdict, for the walk-vs-kernel cases: the packet counters of
// the rules with the verdict's target in the walk's last chain, read before and after the tries.
// Shared by the kernel lab's own rules (walk.test.ts) and the real kube-proxy's (test/reference).
import assert from 'node:assert/strict';
import type { Lab } from './lab';
import type { KernelBackend } from './walk-cases';
import { generateIptables } from '../../extension/src/engine/proxy/iptables/generator';

/** Sum of the packet counters of the rules jumping to `target` in one chain (iptables-save -c). */
async function dropCounter(lab: Lab, node: string, table: string, chain: string, target: string): Promise<number> {
  const r = await lab.run({ node }, 'iptables-save', ['-c', '-t', table]);
  assert.equal(r.code, 0, r.stderr);
  let n = 0;
  for (const line of r.stdout.split('\n')) {
    const m = /^\[(\d+):\d+\] -A (\S+) .* -j (\S+)/.exec(line);
    if (m && m[2] === chain && m[3] === target) n += Number(m[1]);
  }
  return n;
}

/** What the kernel did, for failure messages: conntrack and nat/filter counters of every node. */
async function evidence(lab: Lab): Promise<string> {
  const out: string[] = [];
  for (const node of ['node1', 'node2']) {
    const ct = await lab.run({ node }, 'conntrack', ['-L']);
    out.push(`--- ${node}: conntrack -L\n${ct.stdout.trim()}`);
    const save = await lab.run({ node }, 'iptables-save', ['-c']);
    out.push(`--- ${node}: rules with hits\n${save.stdout.split('\n').filter((l) => /^\[[1-9]/.test(l)).join('\n')}`);
  }
  return out.join('\n');
}

export const iptablesRecord: Omit<KernelBackend, 'load'> = {
  // DROP/REJECT: the counters of the walk's last chain's rules with that target, before and after
  async record(lab, walk, last, fn) {
    if (!last) return { value: await fn() };
    const before = await dropCounter(lab, last.node, last.table, last.chain, walk.verdict);
    const value = await fn();
    const after = await dropCounter(lab, last.node, last.table, last.chain, walk.verdict);
    return { value, verdictPackets: after - before, text: `${last.table} ${last.chain} ${walk.verdict} counter on ${last.node} +${after - before}` };
  },
  verdictRecordName: (last, verdict) => `the ${verdict} rules of ${last.table} ${last.chain} on ${last.node}`,
  evidence,
};

/** The lab's own iptables back end: the rules generateIptables() makes for each lab node, loaded as kube-proxy does. */
export const iptablesBackend: KernelBackend = {
  async load(lab, model) {
    for (const node of ['node1', 'node2']) {
      const { payload, jumps } = generateIptables(model, { nodeName: node });
      await lab.loadRules(node, payload, jumps.map((j) => ({ table: j.table, chain: j.chain, args: [...j.args] })));
    }
  },
  ...iptablesRecord,
};
