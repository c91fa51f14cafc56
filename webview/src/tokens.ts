// Monarch tokenizers for the rules pane. Token names mirror the TextMate scopes of
// syntaxes/iptables-save.tmLanguage.json and syntaxes/nft.tmLanguage.json (chains by kube-proxy
// kind, options, targets, addresses, comments and quoted strings, numbers, probabilities), so the
// theme rules below colour them the way VS Code colours the generated-rules documents.
import type { monaco } from './monaco';

type Monarch = monaco.languages.IMonarchLanguage;

const TARGETS = ['ACCEPT', 'DROP', 'REJECT', 'RETURN', 'QUEUE', 'NFQUEUE', 'DNAT', 'SNAT', 'MASQUERADE', 'REDIRECT', 'NETMAP', 'MARK',
  'CONNMARK', 'LOG', 'NFLOG', 'ULOG', 'TRACE', 'NOTRACK', 'CT', 'TPROXY', 'TCPMSS', 'TOS', 'DSCP', 'TTL', 'HL', 'ECN', 'CLASSIFY', 'SET',
  'CHECKSUM', 'AUDIT', 'SECMARK', 'CONNSECMARK', 'IDLETIMER', 'LED', 'RATEEST', 'SYNPROXY', 'TEE', 'HMARK', 'CLUSTERIP', 'CONTINUE'];
const BUILTIN_CHAINS = ['INPUT', 'OUTPUT', 'FORWARD', 'PREROUTING', 'POSTROUTING'];

/** Token for a chain name, by kube-proxy kind (the grammar's chain-name patterns). */
const IPT_CHAIN_CASES = {
  '@builtinChains': 'entity.name.function.chain.builtin',
  '~KUBE-SVC-[A-Z0-9]+': 'entity.name.function.chain.kube-proxy.service',
  '~KUBE-SVL-[A-Z0-9]+': 'entity.name.function.chain.kube-proxy.local',
  '~KUBE-(?:EXT|XLB)-[A-Z0-9]+': 'entity.name.function.chain.kube-proxy.external',
  '~KUBE-FW-[A-Z0-9]+': 'entity.name.function.chain.kube-proxy.firewall',
  '~KUBE-SEP-[A-Z0-9]+': 'entity.name.function.chain.kube-proxy.endpoint',
  '~KUBE-[A-Z0-9][A-Z0-9-]*': 'entity.name.function.chain.kube-proxy',
  '@default': 'entity.name.function.chain',
};
const IPT_TARGET_CASES = { '@targets': 'support.function.target', ...IPT_CHAIN_CASES };

const IPV4 = /(?:\d{1,3}\.){3}\d{1,3}/.source;
const IPV6 = /[0-9a-fA-F]{0,4}(?::[0-9a-fA-F]{0,4}){2,7}/.source;

export const iptablesLanguage: Monarch = {
  defaultToken: '',
  tokenPostfix: '.iptables',
  builtinChains: BUILTIN_CHAINS,
  targets: TARGETS,
  policies: ['ACCEPT', 'DROP', 'QUEUE', 'RETURN'],
  tokenizer: {
    root: [
      [/^\s*#.*$/, 'comment.line.number-sign'],
      [/^(\s*)(\*)(\S+)(\s*)$/, ['', 'punctuation.definition.table', 'entity.name.section.table', '']],
      [/^\s*COMMIT\s*$/, 'keyword.control.commit'],
      [/^(\s*)(:)(\S+)(\s*)(\S*)/, ['', 'punctuation.definition.chain', { cases: IPT_CHAIN_CASES }, '',
        { cases: { '@policies': 'support.function.target', '-': 'constant.language.policy.none', '@default': '' } }]],
      { include: '@rule' },
    ],
    counters: [
      [/(\[)(\d+)(:)(\d+)(\])/, ['punctuation.section.counters.begin', 'constant.numeric.integer.packets', 'punctuation.separator.counters', 'constant.numeric.integer.bytes', 'punctuation.section.counters.end']],
    ],
    rule: [
      [/\s+/, ''],
      { include: '@counters' },
      [/(-[AIDRNXFZCLSP]|--(?:append|insert|delete|replace|new-chain|delete-chain|flush|zero|check|list|policy))(\s+)([^\s!-]\S*)/,
        ['keyword.control.command', '', { cases: IPT_CHAIN_CASES }]],
      [/(-j|--jump)(\s+)(\S+)/, ['keyword.control.jump', '', { cases: IPT_TARGET_CASES }]],
      [/(-g|--goto)(\s+)(\S+)/, ['keyword.control.goto', '', { cases: IPT_CHAIN_CASES }]],
      [/(-m|--match)(\s+)([\w-]+)/, ['variable.parameter.option', '', 'support.type.module']],
      [/(-t|--table)(\s+)(\S+)/, ['variable.parameter.option', '', 'entity.name.section.table']],
      [/(-p|--protocol)(\s+)((?:!\s+)?)(\d+)(?=\s|$)/, ['variable.parameter.option', '', 'keyword.operator.negation', 'constant.numeric.integer.protocol']],
      [/(-p|--protocol)(\s+)((?:!\s+)?)(\S+)/, ['variable.parameter.option', '', 'keyword.operator.negation', 'constant.language.protocol']],
      [/(-i|--in-interface|-o|--out-interface)(\s+)((?:!\s+)?)(\S+)/, ['variable.parameter.option', '', 'keyword.operator.negation', 'variable.other.interface']],
      [/(--comment)(\s+)(?=["'])/, ['variable.parameter.option', '']],
      [/(--comment)(\s+)(\S+)/, ['variable.parameter.option', '', 'string.unquoted.comment']],
      [/(--probability)(\s+)(\d*\.\d+|\d+)/, ['variable.parameter.option', '', 'constant.numeric.float.probability']],
      [/(--mode)(\s+)(random|nth)\b/, ['variable.parameter.option', '', 'constant.language.statistic-mode']],
      [/(--ctstate|--state|--ctstatus)(\s+)((?:!\s+)?)([A-Za-z_,]+)/, ['variable.parameter.option', '', 'keyword.operator.negation', 'constant.language.ctstate']],
      [/(--src-type|--dst-type)(\s+)((?:!\s+)?)([A-Za-z_,]+)/, ['variable.parameter.option', '', 'keyword.operator.negation', 'constant.language.addrtype']],
      [/(--reject-with)(\s+)([\w-]+)/, ['variable.parameter.option', '', 'constant.language.reject-type']],
      [/(--(?:dport|sport|destination-port|source-port|dports|sports|ports|to-ports?))(\s+)((?:!\s+)?)([\d,:-]+)/, ['variable.parameter.option', '', 'keyword.operator.negation', 'constant.numeric.integer.port']],
      [/(--name|--match-set)(\s+)(\S+)/, ['variable.parameter.option', '', 'string.unquoted.argument']],
      [/--?[A-Za-z][\w-]*/, 'variable.parameter.option'],
      [/!(?=\s|$)/, 'keyword.operator.negation'],
      [/"/, 'string.quoted.double', '@dstring'],
      [/'/, 'string.quoted.single', '@sstring'],
      { include: '@address' },
      [/0[xX][0-9a-fA-F]+(?:\/0[xX][0-9a-fA-F]+)?/, 'constant.numeric.hex'],
      [/\d+(?:\.\d+)?/, 'constant.numeric'],
      [/[^\s"']+/, ''],
    ],
    address: [
      [new RegExp(`\\[${IPV6}\\](?::\\d+(?:-\\d+)?)?`), 'constant.other.ip.ipv6'],
      [new RegExp(`${IPV4}/\\d{1,2}(?![\\w.:/])`), 'constant.other.ip.ipv4.cidr'],
      [new RegExp(`(${IPV4})(:)(\\d+(?:-\\d+)?)`), ['constant.other.ip.ipv4', 'punctuation.separator.port', 'constant.numeric.integer.port']],
      [new RegExp(`${IPV4}(?![\\w.:/])`), 'constant.other.ip.ipv4'],
      [new RegExp(`${IPV6}/\\d{1,3}(?![\\w.:/])`), 'constant.other.ip.ipv6.cidr'],
      [new RegExp(`(?:${IPV6})(?![\\w.:/])`), 'constant.other.ip.ipv6'],
    ],
    dstring: [
      [/[^\\"]+/, 'string.quoted.double'],
      [/\\./, 'constant.character.escape'],
      [/"/, 'string.quoted.double', '@pop'],
    ],
    sstring: [
      [/[^\\']+/, 'string.quoted.single'],
      [/\\./, 'constant.character.escape'],
      [/'/, 'string.quoted.single', '@pop'],
    ],
  },
};

const NFT_KUBE_CHAINS = ['nat-prerouting', 'nat-output', 'nat-postrouting', 'filter-prerouting', 'filter-prerouting-pre-dnat', 'filter-input',
  'filter-forward', 'filter-output', 'filter-output-pre-dnat', 'filter-output-post-dnat', 'cluster-ips-check', 'firewall-check',
  'mark-for-masquerade', 'masquerading', 'nodeport-endpoints-check', 'reject-chain', 'services', 'service-endpoints-check',
  'endpoints-check', 'firewall-allow-check'];

const NFT_CHAIN_CASES = {
  '@builtinChains': 'entity.name.function.chain.builtin',
  '~(?:KUBE-SVC-[A-Z0-9]+|service-[A-Z0-9]{8}-.+)': 'entity.name.function.chain.kube-proxy.service',
  '~(?:KUBE-SVL-[A-Z0-9]+|local-[A-Z0-9]{8}-.+)': 'entity.name.function.chain.kube-proxy.local',
  '~(?:KUBE-(?:EXT|XLB)-[A-Z0-9]+|external-[A-Z0-9]{8}-.+)': 'entity.name.function.chain.kube-proxy.external',
  '~(?:KUBE-FW-[A-Z0-9]+|firewall-[A-Z0-9]{8}-.+)': 'entity.name.function.chain.kube-proxy.firewall',
  '~(?:KUBE-SEP-[A-Z0-9]+|endpoint-[A-Z0-9]{8}-.+)': 'entity.name.function.chain.kube-proxy.endpoint',
  '~KUBE-[A-Z0-9][A-Z0-9-]*': 'entity.name.function.chain.kube-proxy',
  '@kubeChains': 'entity.name.function.chain.kube-proxy',
  '@default': 'entity.name.function.chain',
};

const NAME = /[^\s{};,#]+/.source;

export const nftLanguage: Monarch = {
  defaultToken: '',
  tokenPostfix: '.nft',
  builtinChains: BUILTIN_CHAINS,
  kubeChains: NFT_KUBE_CHAINS,
  verdicts: ['accept', 'drop', 'reject', 'return', 'continue', 'queue'],
  families: ['ip', 'ip6', 'inet', 'arp', 'bridge', 'netdev'],
  expressions: ['ip6', 'ip', 'tcp', 'udp', 'udplite', 'sctp', 'dccp', 'th', 'meta', 'ct', 'fib', 'icmpv6', 'icmpx', 'icmp', 'igmp', 'ether', 'vlan',
    'arp', 'numgen', 'jhash', 'symhash', 'rt', 'socket'],
  fields: ['saddr', 'daddr', 'sport', 'dport', 'l4proto', 'l3proto', 'nfproto', 'protocol', 'mark', 'state', 'status', 'direction', 'iifname',
    'oifname', 'iif', 'oif', 'length', 'version', 'type', 'code', 'pkttype', 'zone', 'helper', 'label', 'expiration', 'count'],
  ctStates: ['new', 'established', 'related', 'invalid', 'untracked'],
  addrTypes: ['local', 'unicast', 'broadcast', 'anycast', 'multicast', 'blackhole', 'unreachable', 'prohibit'],
  natFlags: ['fully-random', 'random', 'persistent'],
  statements: ['counter', 'log', 'limit', 'quota', 'notrack', 'synproxy', 'tproxy', 'fwd', 'dup', 'flow', 'meter', 'last'],
  keywords: ['to', 'with', 'prefix', 'rate', 'burst', 'over', 'until', 'offset', 'seed', 'by', 'position', 'handle', 'index', 'timeout', 'expires',
    'packets', 'bytes', 'match', 'target', 'from', 'group', 'mod', 'at'],
  properties: ['type', 'hook', 'priority', 'policy', 'flags', 'comment', 'typeof', 'elements', 'size', 'gc-interval', 'auto-merge', 'device', 'devices'],
  tokenizer: {
    root: [
      [/#.*$/, 'comment.line.number-sign'],
      // "add rule ip kube-proxy CHAIN …", "add chain ip kube-proxy CHAIN …"
      [new RegExp(`^(\\s*)(add|create|insert|replace|delete|destroy|flush|list|reset|rename)(\\s+)(rule|chain)(\\s+)((?:(?:ip6|ip|inet|arp|bridge|netdev)\\s+)?)(${NAME})(\\s+)(${NAME})`),
        ['', 'keyword.control.command', '', 'storage.type.$4', '', 'storage.modifier.family', 'entity.name.section.table', '', { cases: NFT_CHAIN_CASES }]],
      [new RegExp(`^(\\s*)(add|create|delete|destroy|flush|list|reset|get)(\\s+)(set|map|element|counter|quota|limit|flowtable)(\\s+)((?:(?:ip6|ip|inet|arp|bridge|netdev)\\s+)?)(${NAME})(\\s+)(${NAME})`),
        ['', 'keyword.control.command', '', 'storage.type.$4', '', 'storage.modifier.family', 'entity.name.section.table', '', 'entity.name.variable.$4']],
      [new RegExp(`^(\\s*)(add|create|delete|destroy|flush|list|reset)(\\s+)(table)(\\s+)((?:(?:ip6|ip|inet|arp|bridge|netdev)\\s+)?)(${NAME})`),
        ['', 'keyword.control.command', '', 'storage.type.table', '', 'storage.modifier.family', 'entity.name.section.table']],
      [new RegExp(`^(\\s*)(table)(\\s+)((?:(?:ip6|ip|inet|arp|bridge|netdev)\\s+)?)(${NAME})`), ['', 'storage.type.table', '', 'storage.modifier.family', 'entity.name.section.table']],
      [new RegExp(`^(\\s*)(chain)(\\s+)(${NAME})`), ['', 'storage.type.chain', '', { cases: NFT_CHAIN_CASES }]],
      [new RegExp(`^(\\s*)(set|map)(\\s+)(${NAME})`), ['', 'storage.type.$2', '', 'entity.name.variable.$2']],
      { include: '@statement' },
    ],
    statement: [
      [/\s+/, ''],
      [/#.*$/, 'comment.line.number-sign'],
      [/"/, 'string.quoted.double', '@string'],
      [new RegExp(`(jump|goto)(\\s+)(${NAME})`), ['keyword.control.$1', '', { cases: NFT_CHAIN_CASES }]],
      [/(dnat|snat)(\s+)((?:ip6?\s+)?)(to)\b/, ['support.function.nat', '', 'storage.modifier.family', 'keyword.other']],
      [/(masquerade|redirect)\b/, 'support.function.nat'],
      [/(numgen)(\s+)(random|inc)\b/, ['support.type.expression', '', 'constant.language.numgen-mode']],
      [/(add|update|delete)(?=\s+@)/, 'support.function.statement'],
      [/(@)([\w./-]+)/, ['punctuation.definition.variable', 'variable.other.set']],
      [/(\$)([\w-]+)/, ['punctuation.definition.variable', 'variable.other.define']],
      { include: '@address' },
      [/0[xX][0-9a-fA-F]+/, 'constant.numeric.hex'],
      [/\d+(?:ms|d|h|m|s)\b/, 'constant.numeric.time'],
      [/(:)(\d+)(?![\w.:])/, ['punctuation.separator.port', 'constant.numeric.integer.port']],
      [/\d+/, 'constant.numeric.integer'],
      [/==|!=|<=|>=|<|>/, 'keyword.operator.comparison'],
      [/!/, 'keyword.operator.negation'],
      [/[{}]/, 'punctuation.section.braces'],
      [/[()]/, 'punctuation.section.parens'],
      [/;/, 'punctuation.terminator.statement'],
      [/,/, 'punctuation.separator.comma'],
      [/:/, 'punctuation.separator.key-value'],
      [/\.(?=\s)/, 'keyword.operator.concatenation'],
      [/[a-zA-Z_][\w-]*/, {
        cases: {
          '@verdicts': 'support.function.verdict',
          '@families': 'storage.modifier.family',
          '@statements': 'support.function.statement',
          '@ctStates': 'constant.language.ct-state',
          '@addrTypes': 'constant.language.addrtype',
          '@natFlags': 'constant.language.nat-flag',
          '@properties': 'keyword.other.property',
          '@expressions': 'support.type.expression',
          '@fields': 'support.variable.field',
          '@keywords': 'keyword.other',
          'vmap|map': 'keyword.operator.lookup',
          'set': 'keyword.operator.assignment',
          'and|or|xor|lshift|rshift': 'keyword.operator.bitwise',
          '@default': '',
        },
      }],
      [/[^\s"{};,#]+/, ''],
    ],
    address: [
      [new RegExp(`${IPV4}/\\d{1,2}(?![\\w.:/])`), 'constant.other.ip.ipv4.cidr'],
      [new RegExp(`(${IPV4})(:)(\\d+(?:-\\d+)?)`), ['constant.other.ip.ipv4', 'punctuation.separator.port', 'constant.numeric.integer.port']],
      [new RegExp(`${IPV4}(?![\\w.:/])`), 'constant.other.ip.ipv4'],
      [new RegExp(`\\[${IPV6}\\](?::\\d+)?`), 'constant.other.ip.ipv6'],
      [new RegExp(`${IPV6}/\\d{1,3}(?![\\w.:/])`), 'constant.other.ip.ipv6.cidr'],
    ],
    string: [
      [/[^\\"]+/, 'string.quoted.double'],
      [/\\./, 'constant.character.escape'],
      [/"/, 'string.quoted.double', '@pop'],
    ],
  },
};
