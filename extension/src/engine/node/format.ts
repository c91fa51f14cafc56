// A node trace as text: per branch, one matched rule a line, then the outcome.
import type { Effect } from './interpreter';
import type { NodeTraceReport, TraceStep } from './report';
import type { ConntrackReport } from './conntrack';
import type { NodeDiff } from './diff';
import type { VirtualService } from './ipvsDump';

function pct(p: number): string {
  const v = p * 100;
  return `${v.toFixed(Number.isInteger(Math.round(v * 10) / 10) ? 0 : 1)}%`;
}

export function effectText(e: Effect): string {
  switch (e.kind) {
    case 'match': return 'matched (no target)';
    case 'jump': return `jump ${e.chain}`;
    case 'goto': return `goto ${e.chain}`;
    case 'return': return 'RETURN';
    case 'verdict': return e.verdict;
    case 'policy': return `policy ${e.verdict}`;
    case 'mark': return `mark 0x${e.mark.toString(16)}`;
    case 'connmark': return e.ctmark === null ? 'connmark (unknown)' : `connmark 0x${e.ctmark.toString(16)}`;
    case 'dnat': return `DNAT to ${e.to}`;
    case 'snat': return `SNAT to ${e.to}`;
    case 'masquerade': return `MASQUERADE${e.randomFully ? ' --random-fully' : ''}`;
    case 'redirect': return `REDIRECT${e.toPorts ? ` to port ${e.toPorts}` : ''}`;
    case 'notrack': return 'no conntrack (NOTRACK)';
    case 'side-effect': return `${e.target} (no effect on the path)`;
  }
}

function stepLine(s: TraceStep, width: number): string {
  const where = `${s.table}/${s.chain}`.padEnd(width);
  const line = (s.line === null ? 'policy' : `L${s.line}`).padEnd(7);
  return `  ${where}  ${line} ${effectText(s.effect).padEnd(26)} ${s.rule ?? ''}${s.owner !== 'kernel' && s.owner !== 'unknown' ? `  [${s.owner}]` : ''}`.trimEnd();
}

export function formatNodeTrace(r: NodeTraceReport): string {
  const out: string[] = [];
  out.push(`entered: ${r.entered}`);
  out.push(`verdict: ${r.verdict}${r.unresolvedReason ? ` (${r.unresolvedReason})` : ''}`);
  if (r.service) out.push(`service: ${r.service}`);
  if (r.endpoints.length) out.push(`endpoints: ${r.endpoints.map(e => `${e.endpoint} ${pct(e.probability)}${e.chain ? ` (${e.chain})` : ''}`).join(', ')}`);
  if (r.masquerade || r.snatTo) out.push(`source NAT: ${r.snatTo ? `SNAT to ${r.snatTo}` : `MASQUERADE${r.randomFully ? ' --random-fully' : ''} (the outgoing interface's address)`}`);
  out.push(`mark after: ${r.markAfter}`);
  r.branches.forEach((b, i) => {
    out.push('');
    out.push(`${r.branches.length > 1 ? `branch ${i + 1}/${r.branches.length}, ${pct(b.probability)}: ` : ''}${b.verdict}${b.dnatTo ? ` DNAT to ${b.dnatTo}` : ''}${b.unresolvedReason ? `: ${b.unresolvedReason}` : ''}`);
    const width = Math.max(10, ...b.path.map(s => `${s.table}/${s.chain}`.length));
    for (const s of b.path) out.push(stepLine(s, width));
  });
  for (const n of r.notes) out.push(`note: ${n}`);
  return out.join('\n') + '\n';
}

export function formatConntrack(r: ConntrackReport): string {
  const out: string[] = [];
  for (const e of r.entries) {
    const t = (x: { src: string; dst: string; sport: number | null; dport: number | null }) => `${x.src}${x.sport !== null ? `:${x.sport}` : ''} -> ${x.dst}${x.dport !== null ? `:${x.dport}` : ''}`;
    const nat = [e.dnatTo ? `DNAT to ${e.dnatTo}` : null, e.snatTo ? `SNAT to ${e.snatTo}` : null].filter(Boolean).join(', ') || 'no NAT';
    out.push(`L${e.line}: ${e.proto} ${e.state ?? ''} ${t(e.orig)}: ${nat}${e.service ? ` (${e.service})` : ''}${e.zone !== null ? ` zone ${e.zone}` : ''}`.replace(/\s+/g, ' '));
    if (e.stale) out.push(`  stale: ${e.staleReason}`, `  delete: ${e.deleteCommand}`);
  }
  const stale = r.entries.filter(e => e.stale).length;
  out.push(`${r.entries.length} entries${stale ? `, ${stale} stale` : ''}${r.footerCounts.length ? ` (conntrack reported ${r.footerCounts.join(', ')})` : ''}`);
  return out.join('\n') + '\n';
}

export function formatIpvs(services: readonly VirtualService[]): string {
  const out: string[] = [];
  for (const v of services) {
    out.push(`${v.proto} ${v.vip}${v.port !== null ? `:${v.port}` : ''} ${v.scheduler}${v.flags.length ? ` (${v.flags.join(', ')})` : ''}: ${v.realServers.length ? v.realServers.map(r => `${r.addr} weight ${r.weight}`).join(', ') : 'no real servers'}`);
  }
  return out.join('\n') + (out.length ? '\n' : 'no virtual servers\n');
}

export function formatDiff(d: NodeDiff): string {
  const out: string[] = [];
  if (d.services.length === 0) out.push(`node ${d.node}: kube-proxy's rules are as predicted`);
  for (const s of d.services) {
    out.push(`${s.service ?? '(node-wide kube-proxy rules)'}:`);
    for (const l of s.lines) out.push(`  ${l.kind}${l.line !== null ? ` (L${l.line})` : ''}: ${l.explanation}`, `    ${l.kind === 'missing' ? l.expected : l.found}`);
  }
  if (d.otherOwners.length) out.push(`other rule owners on the node (not predicted): ${d.otherOwners.join(', ')}`);
  out.push('', 'profile implied by the dump:', ...d.implied.yaml.trimEnd().split('\n').map(l => `  ${l}`));
  return out.join('\n') + '\n';
}
