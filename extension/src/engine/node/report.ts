// The node trace report: the JSON contract (every branch's fields, and the top level with
// what all branches share), whichever back end the dump holds.
import type { PathStep, Verdict } from './interpreter';
import type { Owner } from './owners';

export interface TraceEndpoint {
  readonly endpoint: string;
  readonly probability: number;
  readonly chain: string | null;
}

export interface TraceStep {
  readonly table: string;
  readonly chain: string;
  /** 1-based line in the paste; null for a policy. */
  readonly line: number | null;
  readonly rule: string | null;
  readonly effect: PathStep['effect'];
  readonly owner: Owner;
}

/** The fields every branch has, and the top level (common to all branches). */
export interface TraceFields {
  readonly verdict: Verdict;
  readonly jumps: readonly string[];
  readonly unresolvedChain: string | null;
  /** Why the walk stopped, for UNRESOLVED. */
  readonly unresolvedReason: string | null;
  readonly firstMatchingRule: string | null;
  readonly terminalRule: string | null;
  readonly dnatTo: string | null;
  readonly snatTo: string | null;
  readonly masquerade: boolean;
  readonly randomFully: boolean;
  readonly markAfter: string;
  readonly service: string | null;
  readonly endpoints: readonly TraceEndpoint[];
}

export interface BranchReport extends TraceFields {
  readonly probability: number;
  readonly path: readonly TraceStep[];
}

export interface NodeTraceReport extends TraceFields {
  readonly entered: string;
  readonly branches: readonly BranchReport[];
  readonly notes: readonly string[];
}

/** The top level: what all branches share; endpoints from every branch, probabilities summed. */
export function common(branches: readonly BranchReport[]): TraceFields {
  const same = <T>(f: (b: BranchReport) => T, otherwise: T): T => {
    const first = f(branches[0]!);
    return branches.every(b => JSON.stringify(f(b)) === JSON.stringify(first)) ? first : otherwise;
  };
  const jumps: string[] = [];
  for (let i = 0; branches.every(b => b.jumps[i] !== undefined && b.jumps[i] === branches[0]!.jumps[i]); i++) jumps.push(branches[0]!.jumps[i]!);
  const endpoints = new Map<string, TraceEndpoint>();
  for (const b of branches) for (const e of b.endpoints) {
    const key = `${e.endpoint}\u0000${e.chain}`;
    const prev = endpoints.get(key);
    endpoints.set(key, { ...e, probability: (prev?.probability ?? 0) + e.probability });
  }
  const verdict = same(b => b.verdict, 'UNRESOLVED' as Verdict);
  return {
    verdict,
    jumps,
    unresolvedChain: same(b => b.unresolvedChain, null),
    unresolvedReason: same(b => b.unresolvedReason, verdict === 'UNRESOLVED' ? 'the load-balancing branches end differently (see branches)' : null),
    firstMatchingRule: same(b => b.firstMatchingRule, null),
    terminalRule: same(b => b.terminalRule, null),
    dnatTo: same(b => b.dnatTo, null),
    snatTo: same(b => b.snatTo, null),
    masquerade: branches.every(b => b.masquerade),
    randomFully: branches.every(b => b.randomFully),
    markAfter: same(b => b.markAfter, branches[0]!.markAfter),
    service: same(b => b.service, null) ?? branches.find(b => b.service)?.service ?? null,
    endpoints: [...endpoints.values()].map(e => ({ ...e, probability: round(e.probability) })),
  };
}

/** Probabilities as the rules state them (0.333333333 rather than 0.33333333349 summed in floating point). */
export function round(p: number): number {
  return Math.round(p * 1e9) / 1e9;
}
