// The TextMate grammars in syntaxes/ (iptables-save/-restore and nft), tokenized by the engine VS Code
// itself uses: vscode-textmate with the Oniguruma wasm that ships inside the vscode-oniguruma package.
// Each case names tokens of a line and the exact scope they must carry; the fixture files in
// test/fixtures/grammar/ must tokenize with no visible text left at the bare root scope.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as vsctm from 'vscode-textmate';
import * as oniguruma from 'vscode-oniguruma';

const root = new URL('../../', import.meta.url).pathname;
const fixtures = join(root, 'test/fixtures/grammar');
const GRAMMAR_FILES: Record<string, string> = {
  'source.iptables': join(root, 'syntaxes/iptables-save.tmLanguage.json'),
  'source.nft': join(root, 'syntaxes/nft.tmLanguage.json'),
};

let registryPromise: Promise<vsctm.Registry> | undefined;
function registry(): Promise<vsctm.Registry> {
  registryPromise ??= (async () => {
    const wasm = readFileSync(join(dirname(createRequire(import.meta.url).resolve('vscode-oniguruma')), 'onig.wasm'));
    await oniguruma.loadWASM(wasm);
    return new vsctm.Registry({
      onigLib: Promise.resolve({
        createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
        createOnigString: (s: string) => new oniguruma.OnigString(s),
      }),
      loadGrammar: async (scopeName: string) => {
        const file = GRAMMAR_FILES[scopeName];
        return file ? vsctm.parseRawGrammar(readFileSync(file, 'utf8'), file) : null;
      },
    });
  })();
  return registryPromise;
}

async function grammar(scopeName: string): Promise<vsctm.IGrammar> {
  const g = await (await registry()).loadGrammar(scopeName);
  assert.ok(g, `grammar ${scopeName} loads`);
  return g;
}

interface Token { text: string; start: number; end: number; scopes: string[] }
interface Line { no: number; text: string; tokens: Token[] }

/** Tokenizes a whole document, carrying the rule stack from line to line as the editor does. */
async function tokenize(scopeName: string, text: string): Promise<{ lines: Line[]; endDepth: number }> {
  const g = await grammar(scopeName);
  let stack = vsctm.INITIAL;
  const lines: Line[] = [];
  text.replace(/\n$/, '').split('\n').forEach((line, i) => {
    const r = g.tokenizeLine(line, stack);
    stack = r.ruleStack;
    lines.push({
      no: i + 1,
      text: line,
      tokens: r.tokens.map(t => ({ text: line.slice(t.startIndex, t.endIndex), start: t.startIndex, end: Math.min(t.endIndex, line.length), scopes: t.scopes })),
    });
  });
  return { lines, endDepth: stack.depth };
}

async function line(scopeName: string, text: string): Promise<Line> {
  const { lines } = await tokenize(scopeName, text);
  assert.equal(lines.length, 1);
  return lines[0]!;
}

function dump(l: Line): string {
  return l.tokens.filter(t => t.text.trim()).map(t => `  ${JSON.stringify(t.text)} ${t.scopes.slice(1).join(' ')}`).join('\n');
}

/**
 * [text, scope, nth]: the nth occurrence of the text that starts and ends on token boundaries (so "-" is
 * not found inside "KUBE-SVC-..."); every token it spans carries the scope.
 */
type Expect = [text: string, scope: string, nth?: number];

function expectScopes(l: Line, expects: Expect[]): void {
  const starts = new Set(l.tokens.map(t => t.start));
  const ends = new Set(l.tokens.map(t => t.end));
  for (const [text, scope, nth = 0] of expects) {
    const where = `${JSON.stringify(text)} (#${nth}) in: ${l.text}\n${dump(l)}`;
    const aligned: number[] = [];
    for (let at = l.text.indexOf(text); at >= 0; at = l.text.indexOf(text, at + 1)) {
      if (starts.has(at) && ends.has(at + text.length)) aligned.push(at);
    }
    const at = aligned[nth];
    assert.ok(at !== undefined, `a token-aligned occurrence of ${where}`);
    const covering = l.tokens.filter(t => t.end > at && t.start < at + text.length);
    for (const t of covering) assert.ok(t.scopes.includes(scope), `${JSON.stringify(t.text)} has ${scope}, got [${t.scopes.join(', ')}]; ${where}`);
  }
}

/** Visible text whose only scopes are the root and meta.* scopes: the grammar did not recognise it. */
function gaps(lines: Line[]): string[] {
  const out: string[] = [];
  for (const l of lines) {
    for (const t of l.tokens) {
      if (!t.text.trim()) continue;
      const real = t.scopes.slice(1).filter(s => !s.startsWith('meta.'));
      if (real.length === 0) out.push(`${l.no}: ${JSON.stringify(t.text)} unscoped in: ${l.text}`);
      if (real.some(s => s.startsWith('invalid.'))) out.push(`${l.no}: ${JSON.stringify(t.text)} invalid in: ${l.text}`);
    }
  }
  return out;
}

const IPT = 'source.iptables';
const NFT = 'source.nft';

// ------------------------------------------------------------------------------------------------
// Static checks on the grammar files and the contribution snippet

function walk(node: unknown, visit: (key: string, value: unknown) => void): void {
  if (Array.isArray(node)) node.forEach(n => walk(n, visit));
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) { visit(k, v); walk(v, visit); }
  }
}

for (const [scopeName, file] of Object.entries(GRAMMAR_FILES)) {
  test(`${scopeName}: every include resolves and every scope ends in its language suffix`, () => {
    const raw = JSON.parse(readFileSync(file, 'utf8')) as { scopeName: string; patterns: unknown; repository: Record<string, unknown> };
    assert.equal(raw.scopeName, scopeName);
    const suffix = '.' + scopeName.split('.')[1];
    const problems: string[] = [];
    walk([raw.patterns, raw.repository], (k, v) => {
      if (k === 'include' && typeof v === 'string' && v.startsWith('#') && !(v.slice(1) in raw.repository)) problems.push(`missing repository entry ${v}`);
      if ((k !== 'name' && k !== 'contentName') || typeof v !== 'string') return;
      if (!v.endsWith(suffix)) problems.push(`scope ${v} lacks ${suffix}`);
      // VS Code derives the token type (comment / string, which turns off auto-closing and bracket
      // matching) from the first of these words in a scope name: it must agree with the scope's kind
      const kind = /\b(comment|string|regex)\b/.exec(v)?.[1];
      if (kind && !v.startsWith(`${kind}.`) && !v.startsWith(`punctuation.definition.${kind}.`)) problems.push(`scope ${v} would be typed as a ${kind} by VS Code`);
    });
    assert.deepEqual(problems, []);
  });
}

test('package.json contributes the grammars and language configurations that exist', () => {
  const c = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { contributes: unknown }).contributes as {
    languages: { id: string; extensions: string[]; configuration: string }[];
    grammars: { language: string; scopeName: string; path: string }[];
  };
  assert.deepEqual(c.languages.map(l => l.id), ['iptables', 'nft']);
  assert.deepEqual(c.languages.find(l => l.id === 'iptables')!.extensions, ['.rules', '.iptables', '.ipt']);
  assert.deepEqual(c.languages.find(l => l.id === 'nft')!.extensions, ['.nft', '.nftables']);
  for (const l of c.languages) {
    const conf = JSON.parse(readFileSync(join(root, l.configuration), 'utf8')) as { comments: { lineComment: string } };
    assert.equal(conf.comments.lineComment, '#');
  }
  for (const g of c.grammars) {
    assert.ok(existsSync(join(root, g.path)), g.path);
    assert.equal(GRAMMAR_FILES[g.scopeName], join(root, g.path));
    assert.ok(c.languages.some(l => l.id === g.language));
  }
});

// ------------------------------------------------------------------------------------------------
// iptables-save / iptables-restore

test('iptables: a kube-proxy service chain rule with comment, statistic and jump', async () => {
  const l = await line(IPT, '-A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 -> 10.180.0.1:80" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-SXIVWICOYRO3J4NJ');
  expectScopes(l, [
    ['-A', 'keyword.control.command.iptables'],
    ['KUBE-SVC-XPGD46QRK7WJZT7O', 'entity.name.function.chain.kube-proxy.service.iptables'],
    ['-m', 'variable.parameter.option.iptables'],
    ['comment', 'support.type.module.iptables'],
    ['--comment', 'variable.parameter.option.iptables'],
    ['"ns1/svc1:p80 -> 10.180.0.1:80"', 'string.quoted.double.iptables'],
    ['"', 'punctuation.definition.string.begin.iptables'],
    ['"', 'punctuation.definition.string.end.iptables', 1],
    ['-m', 'variable.parameter.option.iptables', 1],
    ['statistic', 'support.type.module.iptables'],
    ['--mode', 'variable.parameter.option.iptables'],
    ['random', 'constant.language.statistic-mode.iptables'],
    ['--probability', 'variable.parameter.option.iptables'],
    ['0.5000000000', 'constant.numeric.float.probability.iptables'],
    ['-j', 'keyword.control.jump.iptables'],
    ['KUBE-SEP-SXIVWICOYRO3J4NJ', 'entity.name.function.chain.kube-proxy.endpoint.iptables'],
  ]);
});

test('iptables: table headers, chain declarations, COMMIT and comments', async () => {
  const { lines } = await tokenize(IPT, [
    '# Generated by iptables-save v1.8.9 (nf_tables) on Mon Jun  2 10:15:42 2025',
    '*nat',
    ':PREROUTING ACCEPT [1520:91200]',
    ':KUBE-SVL-2KKYJRIGYGQNRODB - [0:0]',
    ':DOCKER - [0:0]',
    'COMMIT',
  ].join('\n'));
  expectScopes(lines[0]!, [
    ['#', 'punctuation.definition.comment.iptables'],
    ['# Generated by iptables-save v1.8.9 (nf_tables) on Mon Jun  2 10:15:42 2025', 'comment.line.number-sign.iptables'],
  ]);
  expectScopes(lines[1]!, [['*', 'punctuation.definition.table.iptables'], ['nat', 'entity.name.section.table.iptables']]);
  expectScopes(lines[2]!, [
    [':', 'punctuation.definition.chain.iptables'],
    ['PREROUTING', 'entity.name.function.chain.builtin.iptables'],
    ['ACCEPT', 'support.function.target.iptables'],
    ['[', 'punctuation.section.counters.begin.iptables'],
    ['1520', 'constant.numeric.integer.packets.iptables'],
    [':', 'punctuation.separator.counters.iptables', 1],
    ['91200', 'constant.numeric.integer.bytes.iptables'],
    [']', 'punctuation.section.counters.end.iptables'],
  ]);
  expectScopes(lines[3]!, [
    ['KUBE-SVL-2KKYJRIGYGQNRODB', 'entity.name.function.chain.kube-proxy.local.iptables'],
    ['-', 'constant.language.policy.none.iptables'],
  ]);
  expectScopes(lines[4]!, [['DOCKER', 'entity.name.function.chain.iptables']]);
  expectScopes(lines[5]!, [['COMMIT', 'keyword.control.commit.iptables']]);
});

test('iptables: built-in targets are distinct from user and kube-proxy chains', async () => {
  const cases: [string, string, string][] = [
    ['-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP', 'DROP', 'support.function.target.iptables'],
    ['-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN', 'RETURN', 'support.function.target.iptables'],
    ['-A KUBE-SERVICES -d 172.30.0.46/32 -p tcp -m tcp --dport 80 -j REJECT --reject-with icmp-port-unreachable', 'REJECT', 'support.function.target.iptables'],
    ['-A KUBE-POSTROUTING -j MASQUERADE --random-fully', 'MASQUERADE', 'support.function.target.iptables'],
    ['-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000', 'MARK', 'support.function.target.iptables'],
    ['-A POSTROUTING -j SNAT --to-source 192.0.2.1', 'SNAT', 'support.function.target.iptables'],
    ['-A INPUT -j ACCEPT', 'ACCEPT', 'support.function.target.iptables'],
    ['-A KUBE-EXT-GNZBNJ2PO5MGZ6GT -j KUBE-SVC-GNZBNJ2PO5MGZ6GT', 'KUBE-SVC-GNZBNJ2PO5MGZ6GT', 'entity.name.function.chain.kube-proxy.service.iptables'],
    ['-A KUBE-SERVICES -j KUBE-EXT-GNZBNJ2PO5MGZ6GT', 'KUBE-EXT-GNZBNJ2PO5MGZ6GT', 'entity.name.function.chain.kube-proxy.external.iptables'],
    ['-A KUBE-SERVICES -j KUBE-FW-NUKIZ6OKUXPJNT4C', 'KUBE-FW-NUKIZ6OKUXPJNT4C', 'entity.name.function.chain.kube-proxy.firewall.iptables'],
    ['-A KUBE-EXT-67NZLRHBNDSAWJRO -j KUBE-SVL-67NZLRHBNDSAWJRO', 'KUBE-SVL-67NZLRHBNDSAWJRO', 'entity.name.function.chain.kube-proxy.local.iptables'],
    ['-A KUBE-NODEPORTS -j KUBE-XLB-QKNQQNIN727HO3XU', 'KUBE-XLB-QKNQQNIN727HO3XU', 'entity.name.function.chain.kube-proxy.external.iptables'],
    ['-A KUBE-SEP-SXIVWICOYRO3J4NJ -s 10.180.0.1/32 -j KUBE-MARK-MASQ', 'KUBE-MARK-MASQ', 'entity.name.function.chain.kube-proxy.iptables'],
    ['-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES', 'KUBE-SERVICES', 'entity.name.function.chain.kube-proxy.iptables'],
    ['-A FORWARD -j DOCKER-USER', 'DOCKER-USER', 'entity.name.function.chain.iptables'],
    ['-A INPUT -g LOG-AND-DROP', 'LOG-AND-DROP', 'entity.name.function.chain.iptables'],
  ];
  for (const [text, token, scope] of cases) expectScopes(await line(IPT, text), [[token, scope]]);
  expectScopes(await line(IPT, '-A INPUT -g LOG-AND-DROP'), [['-g', 'keyword.control.goto.iptables']]);
});

test('iptables: addresses, CIDRs, ip:port, marks, ports, negation and enumerations', async () => {
  expectScopes(await line(IPT, '-A KUBE-FIREWALL -m comment --comment "block incoming localnet connections" -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP'), [
    ['127.0.0.0/8', 'constant.other.ip.ipv4.cidr.iptables'],
    ['!', 'keyword.operator.negation.iptables'],
    ['127.0.0.0/8', 'constant.other.ip.ipv4.cidr.iptables', 1],
    ['!', 'keyword.operator.negation.iptables', 1],
    ['--ctstate', 'variable.parameter.option.iptables'],
    ['RELATED', 'constant.language.ctstate.iptables'],
    [',', 'punctuation.separator.comma.iptables'],
    ['ESTABLISHED', 'constant.language.ctstate.iptables'],
    ['DNAT', 'constant.language.ctstate.iptables'],
  ]);
  expectScopes(await line(IPT, '-A KUBE-SEP-SXIVWICOYRO3J4NJ -m comment --comment ns1/svc1:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.1:80'), [
    ['ns1/svc1:p80', 'string.unquoted.comment.iptables'],
    ['tcp', 'support.type.module.iptables'],
    ['-p', 'variable.parameter.option.iptables'],
    ['tcp', 'constant.language.protocol.iptables', 1],
    ['DNAT', 'support.function.target.iptables'],
    ['--to-destination', 'variable.parameter.option.iptables'],
    ['10.180.0.1', 'constant.other.ip.ipv4.iptables'],
    [':', 'punctuation.separator.port.iptables'],
    ['80', 'constant.numeric.integer.port.iptables'],
  ]);
  expectScopes(await line(IPT, '-A KUBE-SEP-6B2JBCOLAFWQSCT6 -s fd00:10:244::b/128 -p tcp -m tcp -j DNAT --to-destination [fd00:10:244::b]:8080'), [
    ['fd00:10:244::b/128', 'constant.other.ip.ipv6.cidr.iptables'],
    ['[', 'punctuation.definition.ip.begin.iptables'],
    ['fd00:10:244::b', 'constant.other.ip.ipv6.iptables'],
    [']', 'punctuation.definition.ip.end.iptables'],
    ['8080', 'constant.numeric.integer.port.iptables'],
  ]);
  expectScopes(await line(IPT, '-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000'), [
    ['--set-xmark', 'variable.parameter.option.iptables'],
    ['0x4000', 'constant.numeric.hex.iptables'],
    ['/', 'punctuation.separator.mask.iptables'],
    ['0x4000', 'constant.numeric.hex.iptables', 1],
  ]);
  expectScopes(await line(IPT, '-A KUBE-NODEPORTS -m comment --comment "ns2/svc2:p80 health check node port" -m tcp -p tcp --dport 30000 -j ACCEPT'), [
    ['--dport', 'variable.parameter.option.iptables'],
    ['30000', 'constant.numeric.integer.port.iptables'],
  ]);
  expectScopes(await line(IPT, '-A INPUT -p tcp -m multiport --dports 22,80,443 -m tcp --dport 30000:32767 -j ACCEPT'), [
    ['22', 'constant.numeric.integer.port.iptables'],
    [',', 'punctuation.separator.comma.iptables'],
    ['443', 'constant.numeric.integer.port.iptables'],
    ['30000', 'constant.numeric.integer.port.iptables'],
    [':', 'punctuation.separator.range.iptables'],
    ['32767', 'constant.numeric.integer.port.iptables'],
  ]);
  expectScopes(await line(IPT, '-A KUBE-EXTERNAL-SERVICES -m addrtype --dst-type LOCAL -j DROP'), [['LOCAL', 'constant.language.addrtype.iptables']]);
  expectScopes(await line(IPT, '-A KUBE-SERVICES -j REJECT --reject-with icmp6-port-unreachable'), [['icmp6-port-unreachable', 'constant.language.reject-type.iptables']]);
  expectScopes(await line(IPT, '-A FORWARD -i cni0 ! -o eth+ -j ACCEPT'), [
    ['-i', 'variable.parameter.option.iptables'],
    ['cni0', 'variable.other.interface.iptables'],
    ['!', 'keyword.operator.negation.iptables'],
    ['eth+', 'variable.other.interface.iptables'],
  ]);
  expectScopes(await line(IPT, '-A KUBE-SVC-NUKIZ6OKUXPJNT4C -m recent --name KUBE-SEP-I77PXRDZVX7PMWMN --rcheck --seconds 10800 --reap --mask 255.255.255.255 --rsource -j KUBE-SEP-I77PXRDZVX7PMWMN'), [
    ['recent', 'support.type.module.iptables'],
    ['KUBE-SEP-I77PXRDZVX7PMWMN', 'entity.name.function.chain.kube-proxy.endpoint.iptables'],
    ['--rcheck', 'variable.parameter.option.iptables'],
    ['10800', 'constant.numeric.integer.iptables'],
    ['255.255.255.255', 'constant.other.ip.ipv4.iptables'],
    ['--rsource', 'variable.parameter.option.iptables'],
  ]);
  expectScopes(await line(IPT, '-A KUBE-FORWARD -m conntrack --ctstate INVALID -m nfacct --nfacct-name ct_state_invalid_dropped_pkts -j DROP'), [
    ['ct_state_invalid_dropped_pkts', 'string.unquoted.argument.iptables'],
  ]);
  expectScopes(await line(IPT, '-A INPUT -m limit --limit 5/min -j LOG --log-prefix "dropped: " --log-level 4'), [
    ['5', 'constant.numeric.integer.iptables'],
    ['/', 'punctuation.separator.rate.iptables'],
    ['min', 'keyword.other.unit.iptables'],
    ['LOG', 'support.function.target.iptables'],
    ['"dropped: "', 'string.quoted.double.iptables'],
  ]);
});

test('iptables: unquoted multi-word comments (as EnsureRule writes them) stop at the next option', async () => {
  expectScopes(await line(IPT, '-A INPUT -m conntrack --ctstate NEW -m comment --comment kubernetes externally-visible service portals -j KUBE-EXTERNAL-SERVICES'), [
    ['kubernetes externally-visible service portals', 'string.unquoted.comment.iptables'],
    ['-j', 'keyword.control.jump.iptables'],
    ['KUBE-EXTERNAL-SERVICES', 'entity.name.function.chain.kube-proxy.iptables'],
  ]);
});

test('iptables: counters of iptables-save -c, the other commands and full command lines', async () => {
  expectScopes(await line(IPT, '[12:960] -A KUBE-SERVICES -d fd00:10:96::2a7c/128 -p tcp -j KUBE-SVC-67NZLRHBNDSAWJRO'), [
    ['12', 'constant.numeric.integer.packets.iptables'],
    ['960', 'constant.numeric.integer.bytes.iptables'],
    ['fd00:10:96::2a7c/128', 'constant.other.ip.ipv6.cidr.iptables'],
  ]);
  expectScopes(await line(IPT, '-X KUBE-SEP-OYPFS5VJICHGATKP'), [['-X', 'keyword.control.command.iptables'], ['KUBE-SEP-OYPFS5VJICHGATKP', 'entity.name.function.chain.kube-proxy.endpoint.iptables']]);
  expectScopes(await line(IPT, '-N KUBE-SVC-XPGD46QRK7WJZT7O'), [['-N', 'keyword.control.command.iptables'], ['KUBE-SVC-XPGD46QRK7WJZT7O', 'entity.name.function.chain.kube-proxy.service.iptables']]);
  expectScopes(await line(IPT, '-I INPUT 1 -s 203.0.113.9 -j DROP'), [['-I', 'keyword.control.command.iptables'], ['INPUT', 'entity.name.function.chain.builtin.iptables'], ['1', 'constant.numeric.integer.iptables']]);
  expectScopes(await line(IPT, '-P FORWARD DROP'), [['-P', 'keyword.control.command.iptables'], ['FORWARD', 'entity.name.function.chain.builtin.iptables'], ['DROP', 'support.function.target.iptables']]);
  expectScopes(await line(IPT, '-E OLD-CHAIN NEW-CHAIN'), [['OLD-CHAIN', 'entity.name.function.chain.iptables'], ['NEW-CHAIN', 'entity.name.function.chain.iptables']]);
  expectScopes(await line(IPT, 'iptables -t nat -A POSTROUTING -o eth0 -j MASQUERADE'), [
    ['iptables', 'entity.name.command.iptables'],
    ['-t', 'variable.parameter.option.iptables'],
    ['nat', 'entity.name.section.table.iptables'],
    ['POSTROUTING', 'entity.name.function.chain.builtin.iptables'],
  ]);
});

const IPT_EXTRA = [
  '-A POSTROUTING -s 10.0.0.0/255.0.0.0 -j SNAT --to-source 192.0.2.1-192.0.2.9:1024-2048',
  '-A PREROUTING -p tcp --dport 80 -j REDIRECT --to-ports 8080',
  '-A INPUT -s ! 10.0.0.0/8 -j RETURN',
  '-A FORWARD -m physdev --physdev-in veth0 -j ACCEPT',
  '-A KUBE-SVC-X27LE4BHSL4DOUIK -m statistic --mode nth --every 2 --packet 0 -j KUBE-SEP-OYPFS5VJICHGATKP',
  '-A INPUT -p tcp -m tcp --tcp-flags FIN,SYN,RST,ACK SYN -j ACCEPT',
  '-A INPUT -p icmp -m icmp --icmp-type echo-request -j ACCEPT',
  '-A OUTPUT -m owner --uid-owner 1000 -j ACCEPT',
  '-A INPUT -m set --match-set blocklist src,dst -j DROP',
  '-A INPUT -m mac --mac-source 02:42:ac:11:00:02 -j DROP',
  '-A KUBE-SERVICES -m comment --comment "a \\"quoted\\" word" -j RETURN',
  'ip6tables-restore --noflush',
];

for (const [name, scopeName] of [['kube-proxy-restore.rules', IPT], ['iptables-save.rules', IPT], ['kube-proxy-ruleset.nft', NFT], ['kube-proxy-transaction.nft', NFT]] as const) {
  test(`fixture ${name}: no visible text is left unscoped and every block closes`, async () => {
    const { lines, endDepth } = await tokenize(scopeName, readFileSync(join(fixtures, name), 'utf8'));
    assert.ok(lines.length > 40, 'a realistic fixture');
    assert.deepEqual(gaps(lines), []);
    assert.equal(endDepth, 1, 'the rule stack is back at the root after the last line');
  });
}

test('iptables: less common rule forms leave no gaps', async () => {
  const { lines } = await tokenize(IPT, IPT_EXTRA.join('\n'));
  assert.deepEqual(gaps(lines), []);
  expectScopes(lines[0]!, [
    ['10.0.0.0/255.0.0.0', 'constant.other.ip.ipv4.cidr.iptables'],
    ['192.0.2.1', 'constant.other.ip.ipv4.iptables'],
    ['-', 'punctuation.separator.range.iptables', 1],
    ['192.0.2.9', 'constant.other.ip.ipv4.iptables'],
    ['1024', 'constant.numeric.integer.port.iptables'],
    ['2048', 'constant.numeric.integer.port.iptables'],
  ]);
  expectScopes(lines[1]!, [['REDIRECT', 'support.function.target.iptables'], ['8080', 'constant.numeric.integer.port.iptables']]);
  expectScopes(lines[4]!, [['nth', 'constant.language.statistic-mode.iptables']]);
  expectScopes(lines[5]!, [['FIN', 'constant.language.tcp-flag.iptables'], ['SYN', 'constant.language.tcp-flag.iptables', 1]]);
  expectScopes(lines[6]!, [['echo-request', 'constant.language.icmp-type.iptables']]);
  expectScopes(lines[8]!, [['blocklist', 'string.unquoted.argument.iptables'], ['src', 'constant.language.set-direction.iptables']]);
  expectScopes(lines[9]!, [['02:42:ac:11:00:02', 'constant.other.mac-address.iptables']]);
  expectScopes(lines[10]!, [['"a \\"quoted\\" word"', 'string.quoted.double.iptables'], ['\\"', 'constant.character.escape.iptables']]);
});

test('iptables: an unterminated quote ends with its line', async () => {
  const { lines } = await tokenize(IPT, '-A X -m comment --comment "oops\n-A KUBE-SERVICES -j KUBE-NODEPORTS');
  expectScopes(lines[1]!, [['-A', 'keyword.control.command.iptables'], ['KUBE-NODEPORTS', 'entity.name.function.chain.kube-proxy.iptables']]);
});

// ------------------------------------------------------------------------------------------------
// nft

test('nft: table, chain header with hook/priority/policy, and kube-proxy chain names', async () => {
  const { lines } = await tokenize(NFT, [
    'table ip kube-proxy {',
    '\tcomment "rules for kube-proxy"',
    '\tchain filter-prerouting-pre-dnat {',
    '\t\ttype filter hook prerouting priority dstnat - 10; policy accept;',
    '\t\tct state new jump firewall-check',
    '\t}',
    '\tchain nat-output {',
    '\t\ttype nat hook output priority -100; policy accept;',
    '\t\tjump services',
    '\t}',
    '}',
  ].join('\n'));
  expectScopes(lines[0]!, [
    ['table', 'storage.type.table.nft'],
    ['ip', 'storage.modifier.family.nft'],
    ['kube-proxy', 'entity.name.section.table.nft'],
    ['{', 'punctuation.section.block.begin.nft'],
  ]);
  expectScopes(lines[1]!, [['comment', 'keyword.other.property.nft'], ['"rules for kube-proxy"', 'string.quoted.double.nft']]);
  expectScopes(lines[2]!, [['chain', 'storage.type.chain.nft'], ['filter-prerouting-pre-dnat', 'entity.name.function.chain.kube-proxy.nft']]);
  expectScopes(lines[3]!, [
    ['type', 'keyword.other.property.nft'],
    ['filter', 'support.type.chain-type.nft'],
    ['hook', 'keyword.other.property.nft'],
    ['prerouting', 'support.constant.hook.nft'],
    ['priority', 'keyword.other.property.nft'],
    ['dstnat', 'support.constant.priority.nft'],
    ['-', 'keyword.operator.arithmetic.nft'],
    ['10', 'constant.numeric.integer.nft'],
    [';', 'punctuation.terminator.statement.nft'],
    ['policy', 'keyword.other.property.nft'],
    ['accept', 'support.function.verdict.nft'],
  ]);
  expectScopes(lines[4]!, [
    ['ct', 'support.type.expression.nft'],
    ['state', 'support.variable.field.nft'],
    ['new', 'constant.language.ct-state.nft'],
    ['jump', 'keyword.control.jump.nft'],
    ['firewall-check', 'entity.name.function.chain.kube-proxy.nft'],
  ]);
  expectScopes(lines[5]!, [['}', 'punctuation.section.block.end.nft']]);
  expectScopes(lines[7]!, [['-100', 'constant.numeric.integer.nft']]);
  expectScopes(lines[8]!, [['services', 'entity.name.function.chain.kube-proxy.nft']]);
  expectScopes(lines[10]!, [['}', 'punctuation.section.block.end.nft']]);
});

test('nft: verdict maps with concatenated types and goto elements', async () => {
  const { lines } = await tokenize(NFT, [
    'map service-ips {',
    '\ttype ipv4_addr . inet_proto . inet_service : verdict',
    '\telements = { 172.30.0.41 . tcp . 80 : goto service-ULMVA6XW-ns1/svc1/tcp/p80,',
    '\t\t     172.30.0.46 . tcp . 80 comment "ns6/svc6:p80" : goto reject-chain }',
    '}',
  ].join('\n'));
  expectScopes(lines[0]!, [['map', 'storage.type.map.nft'], ['service-ips', 'entity.name.variable.map.nft']]);
  expectScopes(lines[1]!, [
    ['type', 'keyword.other.property.nft'],
    ['ipv4_addr', 'support.type.datatype.nft'],
    ['.', 'keyword.operator.concatenation.nft'],
    ['inet_proto', 'support.type.datatype.nft'],
    ['inet_service', 'support.type.datatype.nft'],
    [':', 'punctuation.separator.key-value.nft'],
    ['verdict', 'support.type.datatype.nft'],
  ]);
  expectScopes(lines[2]!, [
    ['elements', 'keyword.other.property.nft'],
    ['=', 'keyword.operator.assignment.nft'],
    ['{', 'punctuation.section.braces.begin.nft'],
    ['172.30.0.41', 'constant.other.ip.ipv4.nft'],
    ['.', 'keyword.operator.concatenation.nft'],
    ['tcp', 'constant.language.protocol.nft'],
    ['80', 'constant.numeric.integer.nft'],
    [':', 'punctuation.separator.key-value.nft'],
    ['goto', 'keyword.control.goto.nft'],
    ['service-ULMVA6XW-ns1/svc1/tcp/p80', 'entity.name.function.chain.kube-proxy.service.nft'],
    [',', 'punctuation.separator.comma.nft'],
  ]);
  expectScopes(lines[3]!, [
    ['comment', 'keyword.other.property.nft'],
    ['"ns6/svc6:p80"', 'string.quoted.double.nft'],
    ['reject-chain', 'entity.name.function.chain.kube-proxy.nft'],
    ['}', 'punctuation.section.braces.end.nft'],
  ]);
  expectScopes(lines[4]!, [['}', 'punctuation.section.block.end.nft']]);
});

test('nft: kube-proxy service and endpoint rules', async () => {
  const { lines } = await tokenize(NFT, [
    'chain service-42NFTM6N-ns2/svc2/tcp/p80 {',
    '\tip daddr 172.30.0.42 ip saddr != 10.0.0.0/8 jump mark-for-masquerade',
    '\tnumgen random mod 2 vmap { 0 : goto endpoint-UNZV3OEC-ns4/svc4/tcp/p80__10.180.0.4/80, 1 : goto endpoint-5RFCDDV7-ns4/svc4/tcp/p80__10.180.0.5/80 }',
    '\tip daddr . meta l4proto . th dport vmap @service-ips',
    '\tfib daddr type local ip daddr @nodeport-ips counter packets 0 bytes 0 jump nodeport-endpoints-check',
    '\tmeta mark set meta mark | 0x00004000',
    '\tmark and 0x4000 == 0 return',
    '\tmeta l4proto tcp dnat to 10.180.0.1:80',
    '\tmasquerade fully-random',
    '\tupdate @affinity-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80 { ip saddr }',
    '\tip saddr 10.0.0.0/8 goto external-42NFTM6N-ns2/svc2/tcp/p80 comment "short-circuit pod traffic"',
    '\tip6 daddr fd00:10:96::2a7c tcp dport 80 meta l4proto tcp dnat to [fd00:10:244::b]:8080',
    '\tgoto local-67NZLRHB-shop/web/tcp/http',
    '\tgoto firewall-HVFWP5L3-ns5/svc5/tcp/p80',
    '}',
  ].join('\n'));
  expectScopes(lines[0]!, [['service-42NFTM6N-ns2/svc2/tcp/p80', 'entity.name.function.chain.kube-proxy.service.nft']]);
  expectScopes(lines[1]!, [
    ['ip', 'support.type.expression.nft'],
    ['daddr', 'support.variable.field.nft'],
    ['172.30.0.42', 'constant.other.ip.ipv4.nft'],
    ['!=', 'keyword.operator.comparison.nft'],
    ['10.0.0.0/8', 'constant.other.ip.ipv4.cidr.nft'],
    ['jump', 'keyword.control.jump.nft'],
    ['mark-for-masquerade', 'entity.name.function.chain.kube-proxy.nft'],
  ]);
  expectScopes(lines[2]!, [
    ['numgen', 'support.type.expression.nft'],
    ['random', 'constant.language.numgen-mode.nft'],
    ['mod', 'keyword.operator.arithmetic.nft'],
    ['2', 'constant.numeric.integer.nft'],
    ['vmap', 'keyword.operator.lookup.nft'],
    ['{', 'punctuation.section.braces.begin.nft'],
    ['0', 'constant.numeric.integer.nft'],
    ['endpoint-UNZV3OEC-ns4/svc4/tcp/p80__10.180.0.4/80', 'entity.name.function.chain.kube-proxy.endpoint.nft'],
    ['endpoint-5RFCDDV7-ns4/svc4/tcp/p80__10.180.0.5/80', 'entity.name.function.chain.kube-proxy.endpoint.nft'],
    ['}', 'punctuation.section.braces.end.nft'],
  ]);
  expectScopes(lines[3]!, [
    ['meta', 'support.type.expression.nft'],
    ['l4proto', 'support.variable.field.nft'],
    ['th', 'support.type.expression.nft'],
    ['dport', 'support.variable.field.nft'],
    ['@', 'punctuation.definition.variable.nft'],
    ['service-ips', 'variable.other.set.nft'],
  ]);
  expectScopes(lines[4]!, [
    ['fib', 'support.type.expression.nft'],
    ['type', 'support.variable.field.nft'],
    ['local', 'constant.language.addrtype.nft'],
    ['counter', 'support.function.statement.nft'],
    ['packets', 'keyword.other.nft'],
    ['0', 'constant.numeric.integer.packets.nft'],
    ['0', 'constant.numeric.integer.bytes.nft', 1],
  ]);
  expectScopes(lines[5]!, [
    ['mark', 'support.variable.field.nft'],
    ['set', 'keyword.operator.assignment.nft'],
    ['|', 'keyword.operator.bitwise.nft'],
    ['0x00004000', 'constant.numeric.hex.nft'],
  ]);
  expectScopes(lines[6]!, [['and', 'keyword.operator.bitwise.nft'], ['==', 'keyword.operator.comparison.nft'], ['return', 'support.function.verdict.nft']]);
  expectScopes(lines[7]!, [
    ['tcp', 'constant.language.protocol.nft'],
    ['dnat', 'support.function.nat.nft'],
    ['to', 'keyword.other.nft'],
    ['10.180.0.1', 'constant.other.ip.ipv4.nft'],
    [':', 'punctuation.separator.port.nft'],
    ['80', 'constant.numeric.integer.port.nft'],
  ]);
  expectScopes(lines[8]!, [['masquerade', 'support.function.nat.nft'], ['fully-random', 'constant.language.nat-flag.nft']]);
  expectScopes(lines[9]!, [['update', 'support.function.statement.nft'], ['affinity-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80', 'variable.other.set.nft']]);
  expectScopes(lines[10]!, [['external-42NFTM6N-ns2/svc2/tcp/p80', 'entity.name.function.chain.kube-proxy.external.nft'], ['"short-circuit pod traffic"', 'string.quoted.double.nft']]);
  expectScopes(lines[11]!, [
    ['ip6', 'support.type.expression.nft'],
    ['fd00:10:96::2a7c', 'constant.other.ip.ipv6.nft'],
    ['tcp', 'support.type.expression.nft'],
    ['[', 'punctuation.definition.ip.begin.nft'],
    ['fd00:10:244::b', 'constant.other.ip.ipv6.nft'],
    ['8080', 'constant.numeric.integer.port.nft'],
  ]);
  expectScopes(lines[12]!, [['local-67NZLRHB-shop/web/tcp/http', 'entity.name.function.chain.kube-proxy.local.nft']]);
  expectScopes(lines[13]!, [['firewall-HVFWP5L3-ns5/svc5/tcp/p80', 'entity.name.function.chain.kube-proxy.firewall.nft']]);
});

test('nft: nft -f command forms', async () => {
  const { lines } = await tokenize(NFT, [
    'add table ip kube-proxy { comment "rules for kube-proxy" ; }',
    'add chain ip kube-proxy nat-prerouting { type nat hook prerouting priority -100 ; }',
    'add set ip kube-proxy affinity-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80 { type ipv4_addr ; flags dynamic,timeout ; timeout 10800s ; }',
    'add rule ip kube-proxy service-ULMVA6XW-ns1/svc1/tcp/p80 numgen random mod 1 vmap { 0 : goto endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80 }',
    'add element ip kube-proxy service-ips { 172.30.0.41 . tcp . 80 : goto service-ULMVA6XW-ns1/svc1/tcp/p80 }',
    'flush chain ip kube-proxy service-ULMVA6XW-ns1/svc1/tcp/p80',
    'delete chain ip kube-proxy endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80',
    'delete rule inet filter input handle 7',
  ].join('\n'));
  expectScopes(lines[0]!, [
    ['add', 'keyword.control.command.nft'],
    ['table', 'storage.type.table.nft'],
    ['ip', 'storage.modifier.family.nft'],
    ['kube-proxy', 'entity.name.section.table.nft'],
    ['comment', 'keyword.other.property.nft'],
    [';', 'punctuation.terminator.statement.nft'],
  ]);
  expectScopes(lines[1]!, [['chain', 'storage.type.chain.nft'], ['nat-prerouting', 'entity.name.function.chain.kube-proxy.nft'], ['nat', 'support.type.chain-type.nft'], ['-100', 'constant.numeric.integer.nft']]);
  expectScopes(lines[2]!, [
    ['set', 'storage.type.set.nft'],
    ['affinity-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80', 'entity.name.variable.set.nft'],
    ['ipv4_addr', 'support.type.datatype.nft'],
    ['dynamic', 'constant.language.set-flag.nft'],
    ['10800s', 'constant.numeric.time.nft'],
  ]);
  expectScopes(lines[3]!, [
    ['rule', 'storage.type.rule.nft'],
    ['service-ULMVA6XW-ns1/svc1/tcp/p80', 'entity.name.function.chain.kube-proxy.service.nft'],
    ['endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80', 'entity.name.function.chain.kube-proxy.endpoint.nft'],
  ]);
  expectScopes(lines[4]!, [['element', 'storage.type.element.nft'], ['service-ips', 'variable.other.set.nft'], ['172.30.0.41', 'constant.other.ip.ipv4.nft']]);
  expectScopes(lines[5]!, [['flush', 'keyword.control.command.nft'], ['service-ULMVA6XW-ns1/svc1/tcp/p80', 'entity.name.function.chain.kube-proxy.service.nft']]);
  expectScopes(lines[6]!, [['delete', 'keyword.control.command.nft'], ['endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80', 'entity.name.function.chain.kube-proxy.endpoint.nft']]);
  expectScopes(lines[7]!, [['inet', 'storage.modifier.family.nft'], ['filter', 'entity.name.section.table.nft'], ['input', 'entity.name.function.chain.nft'], ['handle', 'keyword.other.nft'], ['7', 'constant.numeric.integer.nft']]);
});

const NFT_EXTRA = [
  'define LAN = 192.168.0.0/24',
  'include "/etc/nftables.d/*.nft"',
  'add rule inet filter input ip saddr $LAN tcp dport != 22 ct mark set 0x1 accept',
  'add rule ip nat prerouting tcp dport 80 redirect to :8080',
  'add rule ip nat postrouting oifname "eth0" snat to 192.0.2.1-192.0.2.9 persistent',
  'add rule inet filter forward ip6 daddr fd00::/8 ip6 nexthdr icmpv6 queue num 1 bypass',
  'add rule inet filter input ct state { established, related } accept # trailing comment',
  'add rule inet filter input tcp dport 22 reject with tcp reset',
  'flush ruleset',
];

test('nft: less common statements leave no gaps', async () => {
  const { lines, endDepth } = await tokenize(NFT, NFT_EXTRA.join('\n'));
  assert.deepEqual(gaps(lines), []);
  assert.equal(endDepth, 1);
  expectScopes(lines[0]!, [['define', 'keyword.control.command.nft'], ['LAN', 'variable.other.define.nft'], ['192.168.0.0/24', 'constant.other.ip.ipv4.cidr.nft']]);
  expectScopes(lines[1]!, [['include', 'keyword.control.import.nft'], ['"/etc/nftables.d/*.nft"', 'string.quoted.double.nft']]);
  expectScopes(lines[2]!, [['$', 'punctuation.definition.variable.nft'], ['LAN', 'variable.other.define.nft'], ['0x1', 'constant.numeric.hex.nft']]);
  expectScopes(lines[3]!, [['redirect', 'support.function.nat.nft'], ['8080', 'constant.numeric.integer.port.nft']]);
  expectScopes(lines[4]!, [['"eth0"', 'string.quoted.double.nft'], ['snat', 'support.function.nat.nft'], ['192.0.2.9', 'constant.other.ip.ipv4.nft'], ['persistent', 'constant.language.nat-flag.nft']]);
  expectScopes(lines[5]!, [['fd00::/8', 'constant.other.ip.ipv6.cidr.nft'], ['icmpv6', 'constant.language.protocol.nft'], ['queue', 'support.function.verdict.nft']]);
  expectScopes(lines[6]!, [['established', 'constant.language.ct-state.nft'], ['related', 'constant.language.ct-state.nft'], ['# trailing comment', 'comment.line.number-sign.nft']]);
  expectScopes(lines[7]!, [['reject', 'support.function.verdict.nft'], ['reset', 'constant.language.reject-type.nft']]);
  expectScopes(lines[8]!, [['flush', 'keyword.control.command.nft'], ['ruleset', 'storage.type.ruleset.nft']]);
});

test('nft: an unterminated string ends with its line and the chain still closes', async () => {
  const { lines, endDepth } = await tokenize(NFT, 'chain x {\n\tip daddr 10.0.0.1 drop comment "oops\n\tip daddr 10.0.0.2 accept\n}');
  expectScopes(lines[2]!, [['ip', 'support.type.expression.nft'], ['accept', 'support.function.verdict.nft']]);
  expectScopes(lines[3]!, [['}', 'punctuation.section.block.end.nft']]);
  assert.equal(endDepth, 1);
});
