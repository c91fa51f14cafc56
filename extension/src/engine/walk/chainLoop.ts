// The one chain-execution loop of every rule interpreter (NodeRules in netfilter.ts, NftRules in
// nftables.ts, NodeInterpreter in node/interpreter.ts): each state goes through a chain's rules in
// order until a rule takes it. What the rule does comes back as outcomes: go on at the next rule
// (the branch a load-balancing rule did not pick, a rule without a verdict, a jump that returned),
// or leave the chain (a verdict, RETURN, a stop). States that go on are run again, so every branch
// is followed without recursion per rule.

/** What a rule that took a state does with it. */
export type RuleOutcome<S, E> = { readonly next: S } | { readonly end: E };

export interface ChainRun<S, E> {
  /** How many rules the chain has. */
  readonly rules: number;
  /** The rule indices worth trying for a state, ascending (an index by destination); default all. */
  readonly candidates?: (state: S) => readonly number[];
  /**
   * Rule `index` on `state`: null when the rule does not match, else its outcomes. `live` counts the
   * states the loop holds (for a cap on load-balancing branches).
   */
  readonly onRule: (index: number, state: S, live: number) => readonly RuleOutcome<S, E>[] | null;
  /** A state that went past the last rule. */
  readonly fallOff: (state: S) => E;
}

export function runChainRules<S, E>(start: S, run: ChainRun<S, E>): E[] {
  const done: E[] = [];
  let pending: { state: S; index: number }[] = [{ state: start, index: 0 }];
  while (pending.length > 0) {
    const next: typeof pending = [];
    for (const { state, index } of pending) {
      const order = run.candidates?.(state);
      const end = order ? order.length : run.rules;
      let taken = false;
      for (let k = order ? lowerBound(order, index) : index; k < end && !taken; k++) {
        const i = order ? order[k]! : k;
        const outcomes = run.onRule(i, state, done.length + next.length + pending.length);
        if (outcomes === null) continue;
        taken = true;
        for (const o of outcomes) {
          if ('next' in o) next.push({ state: o.next, index: i + 1 });
          else done.push(o.end);
        }
      }
      if (!taken) done.push(run.fallOff(state));
    }
    pending = next;
  }
  return done;
}

function lowerBound(sorted: readonly number[], value: number): number {
  let lo = 0, hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < value) lo = mid + 1; else hi = mid;
  }
  return lo;
}
