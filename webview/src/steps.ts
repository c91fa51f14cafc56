// The walk as a sequence of steps to move through: the rule hops of one branch (outcome), where the
// packet ends up, then the reply path.
import type { HopView, OutcomeView, PacketView, WalkView } from '../../protocol/preview';
import { labels } from './labels';

export interface Step {
  readonly kind: 'hop' | 'end' | 'reply';
  readonly node: string | null;
  readonly title: string;
  readonly detail: string;
  readonly before: PacketView | null;
  readonly after: PacketView;
  readonly hop: HopView | null;
  /** The destination was rewritten at this step. */
  readonly dnat: boolean;
  /** The source was rewritten at this step. */
  readonly snat: boolean;
}

export function bracket(ip: string): string {
  return ip.includes(':') ? `[${ip}]` : ip;
}

export function endpointText(p: { src?: string; sport?: number; dst?: string; dport?: number }, side: 'src' | 'dst'): string {
  const ip = side === 'src' ? p.src! : p.dst!;
  const port = side === 'src' ? p.sport! : p.dport!;
  return `${bracket(ip)}:${port === 0 ? '*' : port}`;
}

export function packetText(p: PacketView): string {
  return `${p.proto} ${endpointText(p, 'src')} → ${endpointText(p, 'dst')}`;
}

/** Index of the most likely outcome (the first of equals, which is the rule order). */
export function likeliest(walk: WalkView): number {
  let best = 0;
  walk.outcomes.forEach((o, i) => { if (o.probability > walk.outcomes[best]!.probability + 1e-9) best = i; });
  return best;
}

export function pct(p: number): string {
  const v = p * 100;
  return Math.abs(v - Math.round(v)) < 0.05 ? `${Math.round(v)}%` : `${v.toFixed(1)}%`;
}

export function outcomeLabel(o: OutcomeView): string {
  const where = o.verdict === 'DNAT' && o.endpoint ? `${o.endpoint}${o.endpointNode ? ` on ${o.endpointNode}` : ''}` : o.delivered;
  return `${pct(o.probability)} · ${o.verdict === 'DNAT' ? 'DNAT to ' : o.verdict === 'DROP' || o.verdict === 'REJECT' ? `${o.verdict}: ` : ''}${where}`;
}

export function stepsOf(outcome: OutcomeView): Step[] {
  const steps: Step[] = outcome.hops.map(hop => {
    const dnat = hop.before.dst !== hop.after.dst || hop.before.dport !== hop.after.dport;
    const snat = hop.before.src !== hop.after.src || hop.before.sport !== hop.after.sport;
    return {
      kind: 'hop' as const, node: hop.node, hop, dnat, snat, before: hop.before, after: hop.after,
      title: `${hop.hook} · ${hop.table} ${hop.chain}`,
      detail: hop.action,
    };
  });
  const last = outcome.hops.at(-1);
  if (last) {
    steps.push({
      kind: 'end', node: outcome.verdict === 'DNAT' ? outcome.endpointNode ?? last.node : last.node, hop: null, dnat: false, snat: false,
      before: null, after: last.after,
      title: outcome.verdict === 'DROP' || outcome.verdict === 'REJECT' ? `${outcome.verdict}` : labels().delivered(),
      detail: outcome.sourceSeen ? labels().deliveredSees({ delivered: outcome.delivered, source: outcome.sourceSeen }) : outcome.delivered,
    });
  }
  outcome.reply.forEach((r, i) => {
    const prev = i > 0 ? outcome.reply[i - 1]!.packet : null;
    steps.push({
      kind: 'reply', node: r.node, hop: null, before: prev, after: r.packet,
      dnat: !!prev && (prev.dst !== r.packet.dst || prev.dport !== r.packet.dport),
      snat: !!prev && (prev.src !== r.packet.src || prev.sport !== r.packet.sport),
      title: labels().reply({ n: i + 1 }), detail: r.description,
    });
  });
  return steps;
}
