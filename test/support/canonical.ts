// Upstream's test canonicalisation (pkg/proxy/iptables/proxier_test.go sortIPTablesRules): kube-proxy
// emits services in random map order, so its tests sort both tables into one stable shape before
// comparing. Our golden tests sort our output the same way and compare it with upstream's dumps.

const FIRST_CHAINS = ['KUBE-NODEPORTS', 'KUBE-SERVICES'];

function chainRank(a: string, b: string): number {
  const ra = FIRST_CHAINS.indexOf(a), rb = FIRST_CHAINS.indexOf(b);
  if (ra >= 0 || rb >= 0) return (ra < 0 ? 99 : ra) - (rb < 0 ? 99 : rb);
  const ka = a.startsWith('KUBE-') ? 0 : 1, kb = b.startsWith('KUBE-') ? 0 : 1;
  if (ka !== kb) return ka - kb;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Service name in a rule's comment: the text up to the first space or ':'. */
function commentServiceName(rule: string): string {
  const m = /--comment (?:"([^"]*)"|(\S+))/.exec(rule);
  const text = m ? (m[1] ?? m[2]!) : '';
  return text.split(/[ :]/)[0]!;
}

function stableSortByService(rules: string[]): string[] {
  return rules.map((r, i) => ({ r, i, k: commentServiceName(r) }))
    .sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : a.i - b.i))
    .map(x => x.r);
}

export function sortIptablesRules(payload: string): string {
  const tables: { name: string; chains: string[]; rules: Map<string, string[]>; extra: string[] }[] = [];
  let current: (typeof tables)[number] | undefined;
  for (const line of payload.split('\n')) {
    if (line.startsWith('*')) { current = { name: line.slice(1), chains: [], rules: new Map(), extra: [] }; tables.push(current); continue; }
    if (!current || line === '' || line === 'COMMIT') continue;
    if (line.startsWith(':')) { current.chains.push(line); continue; }
    const chain = line.split(' ')[1]!;
    if (line.startsWith('-A ')) (current.rules.get(chain) ?? current.rules.set(chain, []).get(chain)!).push(line);
    else current.extra.push(line);
  }
  tables.sort((a, b) => (a.name < b.name ? -1 : 1));
  const out: string[] = [];
  for (const t of tables) {
    out.push(`*${t.name}`);
    const chainName = (decl: string) => decl.slice(1).split(' ')[0]!;
    const chains = [...t.chains].sort((a, b) => chainRank(chainName(a), chainName(b)));
    out.push(...chains);
    for (const decl of chains) {
      const name = chainName(decl);
      let rules = t.rules.get(name) ?? [];
      if (name === 'KUBE-NODEPORTS' || (name === 'KUBE-SERVICES' && t.name === 'filter')) rules = stableSortByService(rules);
      else if (name === 'KUBE-SERVICES' && t.name === 'nat') {
        const last = rules.at(-1);
        const tail = last?.includes('"kubernetes service nodeports; NOTE: this must be the last rule in this chain"') ? [last] : [];
        rules = [...stableSortByService(tail.length ? rules.slice(0, -1) : rules), ...tail];
      }
      out.push(...rules);
    }
    out.push(...t.extra, 'COMMIT');
  }
  return out.join('\n') + '\n';
}
