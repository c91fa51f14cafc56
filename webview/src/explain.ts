// Says in words what one line of the rules pane does: the hover on a rule. Works on the text alone
// (plus the pane's per-line metadata), for iptables-restore/iptables-save lines and for kube-proxy's
// nftables lines. Returns plain text lines; the caller escapes them for Markdown.
import type { RulesView } from '../../protocol/preview';

export interface Explanation {
  /** One line: what the rule does. */
  readonly summary: string;
  /** Further lines: when it applies, and context. */
  readonly details: string[];
}

/** Splits a rule like a shell would: whitespace-separated words, "double" and 'single' quotes. */
export function shellWords(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: '"' | "'" | null = null;
  let has = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"' && i + 1 < line.length) cur += line[++i];
      else cur += c;
    } else if (c === '"' || c === "'") { quote = c; has = true; }
    else if (/\s/.test(c)) { if (has || cur) out.push(cur); cur = ''; has = false; }
    else { cur += c; has = true; }
  }
  if (has || cur) out.push(cur);
  return out;
}

/** "1 of 2 remaining endpoints" from a statistic probability (kube-proxy uses 1/n). */
export function probabilityWords(p: number): string {
  if (!(p > 0)) return `probability ${p}`;
  const n = Math.round(1 / p);
  const exact = Math.abs(1 / n - p) < 1e-6;
  return exact ? `probability ${trimNumber(p)}: 1 of ${n} remaining endpoints` : `probability ${trimNumber(p)}`;
}

function trimNumber(p: number): string {
  return String(Number(p.toFixed(6)));
}

/** What kind of chain a name is, in words; null for unknown names. */
export function chainRole(name: string): string | null {
  if (/^KUBE-SVC-/.test(name) || /^service-[A-Z0-9]{8}-/.test(name)) return "the Service's endpoint chain: picks one of its endpoints";
  if (/^KUBE-SVL-/.test(name) || /^local-[A-Z0-9]{8}-/.test(name)) return "the Service's node-local endpoints (traffic policy Local)";
  if (/^KUBE-(?:EXT|XLB)-/.test(name) || /^external-[A-Z0-9]{8}-/.test(name)) return "the Service's external-traffic chain: masquerade decision, then its endpoints";
  if (/^KUBE-FW-/.test(name) || /^firewall-[A-Z0-9]{8}-/.test(name)) return "the load balancer's source-range firewall";
  if (/^KUBE-SEP-/.test(name) || /^endpoint-[A-Z0-9]{8}-/.test(name)) return 'one endpoint: DNAT to that pod';
  switch (name) {
    case 'KUBE-SERVICES': case 'services': return 'the table of every Service address';
    case 'KUBE-NODEPORTS': return 'the NodePort dispatch';
    case 'KUBE-POSTROUTING': case 'masquerading': return 'the masquerade step in POSTROUTING';
    case 'KUBE-MARK-MASQ': case 'mark-for-masquerade': return 'marks the packet for masquerade';
    case 'KUBE-MARK-DROP': return 'marks the packet to be dropped';
    case 'KUBE-FORWARD': return 'forwarding rules for Service traffic';
    case 'KUBE-EXTERNAL-SERVICES': return 'rejects or drops external traffic to Services without usable endpoints';
    case 'KUBE-PROXY-FIREWALL': return 'drops load-balancer traffic outside loadBalancerSourceRanges';
    case 'KUBE-FIREWALL': return 'blocks martian localhost traffic';
    case 'KUBE-PROXY-CANARY': case 'KUBE-KUBELET-CANARY': return 'a canary chain: its presence tells the proxy the table was not flushed';
    case 'cluster-ips-check': return 'rejects traffic to unused ports of ClusterIPs';
    case 'firewall-check': return 'applies loadBalancerSourceRanges';
    case 'nodeport-endpoints-check': case 'service-endpoints-check': case 'endpoints-check': return 'rejects or drops traffic to Services without endpoints';
    case 'reject-chain': return 'rejects the packet';
  }
  if (/^(?:PREROUTING|INPUT|FORWARD|OUTPUT|POSTROUTING)$/.test(name)) return `the kernel's built-in ${name} chain`;
  return null;
}

/** The endpoint a chain DNATs to, from the pane's line metadata. */
function endpointOfChain(rules: RulesView, chain: string): string | null {
  for (const l of rules.lines) if (l.chain === chain && l.endpoint) return l.endpoint;
  return null;
}

function jumpWords(target: string, rules: RulesView, verb = 'jumps to'): string {
  if (target === 'KUBE-MARK-MASQ' || target === 'mark-for-masquerade') return `marks the packet for masquerade (${verb} ${target})`;
  if (target === 'KUBE-MARK-DROP') return `marks the packet to be dropped (${verb} ${target})`;
  const role = chainRole(target);
  const ep = /^KUBE-SEP-|^endpoint-/.test(target) ? endpointOfChain(rules, target) : null;
  if (ep) return `${verb} ${target} (one endpoint: DNAT to ${ep})`;
  return role ? `${verb} ${target} (${role})` : `${verb} ${target}`;
}

const PROTOCOL_NAMES: Record<string, string> = { tcp: 'TCP', udp: 'UDP', sctp: 'SCTP', icmp: 'ICMP' };

/** Explains one iptables rule (restore or save form). */
export function explainIptablesRule(line: string, rules: RulesView): Explanation | null {
  const words = shellWords(line.trim());
  if (words[0] !== '-A' && words[0] !== '-I' && words[0] !== '--append' && words[0] !== '--insert') return null;
  const chain = words[1] ?? '?';
  const conds: string[] = [];
  let comment: string | null = null;
  let target: string | null = null;
  let goto = false;
  const targetOpts: Record<string, string | true> = {};
  let probability: number | null = null;
  let affinity: string | null = null;
  let dst: string | null = null, dport: string | null = null, proto: string | null = null;
  let neg = false;
  for (let i = 2; i < words.length; i++) {
    const w = words[i]!;
    const next = () => words[++i] ?? '';
    if (w === '!') { neg = true; continue; }
    const not = neg; neg = false;
    if (target !== null && w.startsWith('--')) {
      const v = words[i + 1];
      if (v !== undefined && !v.startsWith('--')) { targetOpts[w] = v; i++; } else targetOpts[w] = true;
      continue;
    }
    switch (w) {
      case '-j': case '--jump': target = next(); break;
      case '-g': case '--goto': target = next(); goto = true; break;
      case '-m': case '--match': next(); break;
      case '--comment': comment = next(); break;
      case '-p': case '--protocol': { const p = next(); proto = PROTOCOL_NAMES[p] ?? p; if (not) conds.push(`protocol is not ${proto}`); break; }
      case '-d': case '--destination': { const v = next(); if (not) conds.push(`destination is not ${v}`); else dst = v; break; }
      case '-s': case '--source': { const v = next(); conds.push(not ? `source is not in ${v}` : `source is ${v}`); break; }
      case '--dport': case '--destination-port': { const v = next(); if (not) conds.push(`destination port is not ${v}`); else dport = v; break; }
      case '--sport': case '--source-port': { const v = next(); conds.push(`source port ${not ? 'is not' : 'is'} ${v}`); break; }
      case '-i': case '--in-interface': conds.push(`arrives ${not ? 'not ' : ''}on interface ${next()}`); break;
      case '-o': case '--out-interface': conds.push(`leaves ${not ? 'not ' : ''}by interface ${next()}`); break;
      case '--dst-type': { const v = next(); conds.push(v === 'LOCAL' ? `destination is ${not ? 'not ' : ''}an address of this node` : `destination type ${not ? 'is not ' : ''}${v}`); break; }
      case '--src-type': { const v = next(); conds.push(v === 'LOCAL' ? `source is ${not ? 'not ' : ''}this node itself` : `source type ${not ? 'is not ' : ''}${v}`); break; }
      case '--mark': { const v = next(); conds.push(/0x0*4000\/0x0*4000/.test(v) ? (not ? 'the packet is not marked for masquerade' : 'the packet is marked for masquerade') : `mark ${not ? 'is not' : 'is'} ${v}`); break; }
      case '--ctstate': case '--state': conds.push(`connection state ${not ? 'is not' : 'is'} ${next().split(',').join(' or ')}`); break;
      case '--mode': next(); break;
      case '--probability': probability = Number(next()); break;
      case '--name': affinity = next(); break;
      case '--rcheck': conds.push(`this client address connected to ${affinity ?? 'this endpoint'} recently (session affinity)`); break;
      case '--seconds': conds[conds.length - 1] = `${conds[conds.length - 1] ?? 'seen'} within ${next()} s`; break;
      case '--reap': break;
      case '--set': conds.push('remembers the client address for session affinity'); break;
      default: break;
    }
  }
  if (dst || dport) conds.unshift(`destination is ${dst ?? 'any address'}${dport ? ` port ${dport}` : ''}${proto ? `/${proto.toLowerCase()}` : ''}`);
  else if (proto && !conds.some(c => c.startsWith('protocol'))) conds.unshift(`protocol ${proto}`);
  if (probability !== null) conds.push(probabilityWords(probability));

  let summary: string;
  const t = target;
  if (t === null) summary = 'no target: the rule only counts packets, which go on to the next rule';
  else if (t === 'DNAT') summary = `DNAT to ${String(targetOpts['--to-destination'] ?? '?')}`;
  else if (t === 'SNAT') summary = `SNAT to ${String(targetOpts['--to-source'] ?? '?')}`;
  else if (t === 'MASQUERADE') summary = `MASQUERADE: rewrites the source to the address of the interface the packet leaves by${targetOpts['--random-fully'] ? ' (random-fully: the source port is randomised too)' : ''}`;
  else if (t === 'MARK') {
    const or = targetOpts['--or-mark'], xor = targetOpts['--xor-mark'], set = targetOpts['--set-xmark'] ?? targetOpts['--set-mark'];
    if (typeof or === 'string' && /^0x0*4000$/.test(or)) summary = 'sets the masquerade bit (0x4000) in the packet mark';
    else if (typeof xor === 'string' && /^0x0*4000$/.test(xor)) summary = 'clears the masquerade bit, so a packet is masqueraded only once';
    else summary = `sets the packet mark${typeof set === 'string' ? ` to ${set}` : typeof or === 'string' ? ` bits ${or}` : ''}`;
  }
  else if (t === 'REJECT') summary = `REJECT: the client sees connection refused${typeof targetOpts['--reject-with'] === 'string' ? ` (${targetOpts['--reject-with']})` : ''}`;
  else if (t === 'DROP') summary = 'DROP: the packet is discarded silently; the client times out';
  else if (t === 'ACCEPT') summary = 'ACCEPT: lets the packet through';
  else if (t === 'RETURN') summary = 'RETURN: goes back to the chain that jumped here';
  else summary = jumpWords(t, rules, goto ? 'goes to' : 'jumps to');

  const details: string[] = [];
  if (conds.length) details.push(`When: ${conds.join('; ')}.`);
  const role = chainRole(chain);
  details.push(`In chain ${chain}${role ? ` (${role})` : ''}.`);
  if (comment !== null) details.push(`Comment: ${comment}`);
  return { summary, details };
}

/** Explains one line of kube-proxy's nftables text. */
export function explainNftLine(line: string, rules: RulesView): Explanation | null {
  const words = shellWords(line.trim());
  if (words.length < 4) return null;
  const [verb, kind] = words;
  let i = 2;
  if (['ip', 'ip6', 'inet', 'arp', 'bridge', 'netdev'].includes(words[i]!)) i++;
  const table = words[i++] ?? '';
  if (kind === 'table') return { summary: `creates the nftables table ${table}`, details: ['kube-proxy owns this table: every object below belongs to it.'] };
  const name = words[i++] ?? '';
  const rest = words.slice(i);
  const commentAt = rest.indexOf('comment');
  const comment = commentAt >= 0 ? rest[commentAt + 1] ?? null : null;
  if (kind === 'chain') {
    const hook = rest.indexOf('hook') >= 0 ? rest[rest.indexOf('hook') + 1] : null;
    const type = rest.indexOf('type') >= 0 ? rest[rest.indexOf('type') + 1] : null;
    const prio = rest.indexOf('priority') >= 0 ? rest[rest.indexOf('priority') + 1] : null;
    const role = chainRole(name);
    return {
      summary: hook ? `base chain ${name}: ${type ?? ''} hook ${hook}, priority ${prio ?? '?'}` : `declares chain ${name}${role ? ` (${role})` : ''}`,
      details: comment ? [`Comment: ${comment}`] : [],
    };
  }
  if (kind === 'set' || kind === 'map') {
    return { summary: `declares the ${kind} ${name}`, details: comment ? [`Comment: ${comment}`] : [] };
  }
  if (kind === 'element') {
    const body = rest.join(' ').replace(/^\{\s*|\s*\}$/g, '');
    const m = /^(.*?)\s*:\s*(jump|goto)\s+(\S+)$/.exec(body);
    if (m) return { summary: `${name}: ${m[1]!.split(' . ').join(' ')} → ${jumpWords(m[3]!, rules, m[2] === 'goto' ? 'goes to' : 'jumps to')}`, details: [] };
    return { summary: `adds ${body} to ${name}`, details: [] };
  }
  if (kind !== 'rule' || verb === 'delete') return null;
  const conds: string[] = [];
  let summary: string | null = null;
  for (let j = 0; j < rest.length; j++) {
    const w = rest[j]!;
    const nx = rest[j + 1];
    if (w === 'comment') { j++; continue; }
    if ((w === 'ip' || w === 'ip6') && (nx === 'daddr' || nx === 'saddr')) {
      let k = j + 2; let op = '';
      if (rest[k] === '!=' || rest[k] === '==') op = rest[k++]!;
      let v = rest[k] ?? '';
      if (v === '{') { const end = rest.indexOf('}', k); v = rest.slice(k + 1, end).join(' '); k = end; }
      if (v === '.' || rest[k + 1] === '.') { j = k; continue; } // a concatenated key for a map lookup
      const what = nx === 'daddr' ? 'destination' : 'source';
      conds.push(v.startsWith('@') ? `${what} ${op === '!=' ? 'is not' : 'is'} in the set ${v.slice(1)}` : `${what} ${op === '!=' ? 'is not in' : 'is'} ${v}`);
      j = k; continue;
    }
    if ((w === 'tcp' || w === 'udp' || w === 'sctp' || w === 'th') && nx === 'dport' && rest[j + 2] !== 'vmap') { conds.push(`destination port ${rest[j + 2]}`); j += 2; continue; }
    if (w === 'meta' && nx === 'l4proto' && rest[j + 2] !== '.') { conds.push(`protocol ${PROTOCOL_NAMES[rest[j + 2] ?? ''] ?? rest[j + 2]}`); j += 2; continue; }
    if (w === 'ct' && nx === 'state') { conds.push(`connection state ${rest[j + 2]}`); j += 2; continue; }
    if (w === 'fib' && nx === 'daddr' && rest[j + 2] === 'type') { conds.push(`destination is ${rest[j + 3] === 'local' ? 'an address of this node' : `of type ${rest[j + 3]}`}`); j += 3; continue; }
    if (w === 'mark' && nx === 'and' && rest[j + 3] === '==' && rest[j + 4] === '0') { conds.push('the packet is not marked for masquerade'); j += 4; continue; }
    if (w === 'mark' && nx === 'set') {
      const op = rest[j + 3], v = rest[j + 4] ?? '';
      summary = /^0x0*4000$/.test(v) ? (op === 'or' ? 'sets the masquerade bit (0x4000) in the packet mark' : 'clears the masquerade bit, so a packet is masqueraded only once') : `sets the packet mark (${rest.slice(j + 2, j + 5).join(' ')})`;
      j += 4; continue;
    }
    if (w === 'vmap' && nx?.startsWith('@')) { summary = `looks the packet up in the verdict map ${nx.slice(1)} and follows the matching entry`; j++; continue; }
    if (w === 'numgen' && nx === 'random' && rest[j + 2] === 'mod') {
      const n = Number(rest[j + 3]);
      summary = `picks one of ${n} endpoints at random: each gets 1 of ${n} (probability ${trimNumber(1 / n)})`;
      break;
    }
    if ((w === 'update' || w === 'add') && nx?.startsWith('@')) { summary = `remembers the client address in ${nx.slice(1)} (session affinity)`; break; }
    if ((w === 'dnat' || w === 'snat') && nx === 'to') { summary = `${w.toUpperCase()} to ${rest[j + 2]}`; break; }
    if (w === 'dnat' || w === 'snat') { summary = `${w.toUpperCase()} to ${rest.slice(j + 1).filter(x => x !== 'to').join(' ')}`; break; }
    if (w === 'masquerade') { summary = `MASQUERADE: rewrites the source to the address of the interface the packet leaves by${nx === 'fully-random' ? ' (fully-random: the source port is randomised too)' : ''}`; break; }
    if (w === 'jump' || w === 'goto') { summary = jumpWords(nx ?? '?', rules, w === 'goto' ? 'goes to' : 'jumps to'); break; }
    if (w === 'reject') { summary = 'REJECT: the client sees connection refused'; break; }
    if (w === 'drop') { summary = 'DROP: the packet is discarded silently; the client times out'; break; }
    if (w === 'accept') { summary = 'ACCEPT: lets the packet through'; break; }
    if (w === 'return') { summary = 'RETURN: goes back to the chain that jumped here'; break; }
  }
  const details: string[] = [];
  if (conds.length) details.push(`When: ${conds.join('; ')}.`);
  const role = chainRole(name);
  details.push(`In chain ${name}${role ? ` (${role})` : ''}.`);
  if (comment !== null) details.push(`Comment: ${comment}`);
  return { summary: summary ?? 'matches packets and goes on to the next rule', details };
}

/** Explains line `index` (0-based) of the rules pane. */
export function explainLine(rules: RulesView, text: string, index: number): Explanation | null {
  const meta = rules.lines[index];
  const trimmed = text.trim();
  if (!trimmed) return null;
  let e: Explanation | null;
  if (rules.mode === 'nftables') e = explainNftLine(trimmed, rules);
  else if (trimmed.startsWith('#')) e = null;
  else if (/^\*\S+$/.test(trimmed)) e = { summary: `starts the ${trimmed.slice(1)} table`, details: ['Everything up to COMMIT is loaded into it in one step.'] };
  else if (trimmed === 'COMMIT') e = { summary: 'commits the table: the kernel swaps in all its rules at once', details: [] };
  else if (trimmed.startsWith(':')) {
    const name = trimmed.slice(1).split(/\s+/)[0]!;
    const role = chainRole(name);
    e = { summary: `declares chain ${name}${role ? ` (${role})` : ''}`, details: trimmed.includes(' - ') || trimmed.endsWith(' -') ? ['A user chain: packets reach it only through jumps.'] : ['A built-in chain with its default policy.'] };
  } else e = explainIptablesRule(trimmed, rules);
  if (!e) return null;
  const extra: string[] = [];
  if (meta?.service) extra.push(`Service port: ${meta.service}`);
  if (meta?.endpoint) extra.push(`Endpoint: ${meta.endpoint}`);
  return extra.length ? { summary: e.summary, details: [...e.details, ...extra] } : e;
}

/** Escapes text for Monaco's Markdown hover: every ASCII punctuation character is backslash-escaped, so it renders literally. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!<>|~"'&:;=/$%^?@,]/g, c => '\\' + c);
}
