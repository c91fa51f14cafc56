// The walk as text for a terminal or a read-only document: one hop a line.
import { formatPacket } from './netfilter';
import { CNI_EGRESS_CHAIN, describeWalk, type ReturningClient, type WalkResult } from './walk';
import { describeEffects } from './effects';
import { english, type Messages } from '../i18n';

export function formatWalk(r: WalkResult, m: Messages = english): string {
  const out: string[] = [];
  out.push(m.tracePacket({ packet: formatPacket(r.packet), node: r.firstNode }));
  const reached = r.outcomes.filter(o => o.verdict === 'DNAT');
  out.push(m.traceVerdict({ verdict: r.verdict, masqueraded: reached.filter(o => o.masqueraded).length, reached: reached.length, masquerade: r.masquerade, snat: r.snatAddress }));
  if (r.endpoints.length) out.push(m.traceEndpoints({ endpoints: r.endpoints.map(e => `${e.endpoint}${e.node ? ` (${e.node})` : ''} ${m.percent(e.probability)}`).join(', ') }));
  r.outcomes.forEach((o, i) => {
    out.push('');
    const head = r.outcomes.length > 1 ? m.traceBranch({ i: i + 1, n: r.outcomes.length, probability: o.probability }) : '';
    const fate = o.verdict === 'DROP' || o.verdict === 'REJECT' ? m.walkDelivered(o.delivery) : m.traceDelivered({ to: m.walkDelivered(o.delivery) });
    out.push(m.traceOutcome({ head, verdict: o.verdict, endpoint: o.endpoint, fate, seen: o.sourceSeen }));
    const width = Math.max(...o.hops.map(h => `${h.node} ${h.hook} ${h.table}/${h.chain}`.length), 10);
    for (const h of o.hops) {
      const where = `${h.node} ${h.hook} ${h.table}/${h.chain}`.padEnd(width);
      const line = h.line === null ? (h.chain === CNI_EGRESS_CHAIN ? 'cni  ' : 'jump ') : `L${h.line + 1}`.padEnd(5);
      const rewrite = formatPacket(h.before) !== formatPacket(h.after) ? `  => ${formatPacket(h.after)}` : '';
      out.push(`  ${where}  ${line} ${describeEffects(h.effects, m).padEnd(28)} ${h.rule}${rewrite}`);
    }
    for (const step of o.reply) out.push(m.traceReply({ node: step.node, description: m.walkReplyStep(step.what), packet: formatPacket(step.packet) }));
  });
  out.push('', describeWalk(r, m));
  return out.join('\n') + '\n';
}

/** The same client's next connection after each way its first one went (session affinity). */
export function formatReturning(returns: readonly ReturningClient[], m: Messages = english): string {
  const out = ['', m.traceAgain()];
  for (const r of returns) {
    const next = r.again.endpoints.map(e => `${e.endpoint}${e.node ? ` (${e.node})` : ''} ${m.percent(e.probability)}`).join(', ');
    out.push(m.traceAfter({ first: r.first.endpoint ?? r.first.verdict, probability: r.first.probability, verdict: r.again.verdict, next }));
  }
  return out.join('\n') + '\n';
}
