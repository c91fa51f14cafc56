// The walk as text for a terminal or a read-only document: one hop a line.
import { formatPacket } from './netfilter';
import { CNI_EGRESS_CHAIN, type ReturningClient, type WalkResult } from './walk';
import { percent } from '../facts/vocabulary';


export function formatWalk(r: WalkResult): string {
  const out: string[] = [];
  out.push(`packet: ${formatPacket(r.packet)}, entering ${r.firstNode}`);
  const reached = r.outcomes.filter(o => o.verdict === 'DNAT');
  const masqueraded = reached.filter(o => o.masqueraded).length;
  const masquerade = !r.masquerade ? '' : masqueraded < reached.length ? `, masqueraded on ${masqueraded} of ${reached.length} branches` : ', masqueraded';
  out.push(`verdict: ${r.verdict}${masquerade}${r.snatAddress ? ` (SNAT to ${r.snatAddress})` : ''}`);
  if (r.endpoints.length) out.push(`endpoints: ${r.endpoints.map(e => `${e.endpoint}${e.node ? ` (${e.node})` : ''} ${percent(e.probability)}`).join(', ')}`);
  r.outcomes.forEach((o, i) => {
    out.push('');
    const head = r.outcomes.length > 1 ? `branch ${i + 1}/${r.outcomes.length}, ${percent(o.probability)}: ` : '';
    const fate = o.verdict === 'DROP' || o.verdict === 'REJECT' ? o.delivered : `delivered to ${o.delivered}`;
    out.push(`${head}${o.verdict}${o.endpoint ? ` to ${o.endpoint}` : ''}; ${fate}${o.sourceSeen ? `; source seen: ${o.sourceSeen}` : ''}`);
    const width = Math.max(...o.hops.map(h => `${h.node} ${h.hook} ${h.table}/${h.chain}`.length), 10);
    for (const h of o.hops) {
      const where = `${h.node} ${h.hook} ${h.table}/${h.chain}`.padEnd(width);
      const line = h.line === null ? (h.chain === CNI_EGRESS_CHAIN ? 'cni  ' : 'jump ') : `L${h.line + 1}`.padEnd(5);
      const rewrite = formatPacket(h.before) !== formatPacket(h.after) ? `  => ${formatPacket(h.after)}` : '';
      out.push(`  ${where}  ${line} ${h.action.padEnd(28)} ${h.rule}${rewrite}`);
    }
    for (const step of o.reply) out.push(`  reply${step.node ? ` (${step.node})` : ''}: ${step.description}: ${formatPacket(step.packet)}`);
  });
  out.push('', r.summary);
  return out.join('\n') + '\n';
}

/** The same client's next connection after each way its first one went (session affinity). */
export function formatReturning(returns: readonly ReturningClient[]): string {
  const out = ['', 'again: the same client\'s next connection, with what the first one left in the session-affinity lists (taken as not yet expired):'];
  for (const r of returns) {
    const next = r.again.endpoints.map(e => `${e.endpoint}${e.node ? ` (${e.node})` : ''} ${percent(e.probability)}`).join(', ');
    out.push(`  after ${r.first.endpoint ?? r.first.verdict} (${percent(r.first.probability)}): ${r.again.verdict}${next ? ` to ${next}` : ''}`);
  }
  return out.join('\n') + '\n';
}
