// Was das Modell über seine eigene Eingabe sagt: der Hinweis bei einem Profil mit einem Node und die
// Feldfehler der Validierung, im Aufbau der Feldfehler des API-Servers.
import type { FormatDetail, modelEn } from './model.en';

const EXPECTED = {
  string: 'String', integer: 'Ganzzahl (int32)', boolean: 'Boolean', 'int-or-string': 'Ganzzahl oder String', list: 'Liste', object: 'Mapping', 'string-map': 'Mapping von Strings',
} as const;
const GOT = { null: 'null', list: 'eine Liste', mapping: 'ein Mapping', number: 'Zahl', string: 'String', boolean: 'Boolean' } as const;

export const modelDe: typeof modelEn = {
  assumedBecause: (r) => (r.kind === 'allocated' ? `nicht gesetzt; der API-Server vergibt einen Wert aus ${r.range}`
    : `abgeleitet aus ${r.from} (kein EndpointSlice in der Eingabe)${r.hostNetwork ? '; hostNetwork: Der Pod hat die Adresse seines Nodes' : ''}${r.hints}`),
  noteOneNode: ({ node }) =>
    `Das Cluster-Profil hat nur einen Node (${node}), also wurden Effekte, die sich zwischen Nodes unterscheiden, nicht ausgewertet ` +
    '(externalTrafficPolicy oder internalTrafficPolicy Local auf Nodes ohne Endpoint, Masquerading von Traffic, der über einen Node hereinkommt ' +
    'und einen Pod auf einem anderen erreicht, Session Affinity pro Node); geben Sie die Nodes des Clusters mit --cluster PROFILE an, einem Profil mit ' +
    'einer `nodes:`-Liste (siehe examples/cluster.yaml). --verbose listet jede Annahme auf.',
  fieldProblem: ({ field, problem, leftOut }) => {
    const text = problem.kind === 'type'
      ? `Ungültiger Typ: erwartet ${EXPECTED[problem.expected]}, gefunden ${problem.got.kind === 'number' || problem.got.kind === 'string' || problem.got.kind === 'boolean' ? `${GOT[problem.got.kind]} ${problem.got.text}` : GOT[problem.got.kind]} (der API-Server kann das nicht dekodieren)`
      : problem.kind === 'unsupported' ? `Nicht unterstützter Wert: ${problem.value}: erlaubt sind ${problem.supported.map(v => JSON.stringify(v)).join(', ')}`
        : problem.kind === 'invalid' ? `Ungültiger Wert: ${problem.value}: ${formatDetailDe(problem.detail)}`
          : 'Wert erforderlich';
    return `${field}: ${text}; NAT Lens bildet ${leftOut === 'port' ? 'diesen Port' : `dieses Objekt (${leftOut.kind})`} nicht nach`;
  },
};

function formatDetailDe(d: FormatDetail): string {
  switch (d.kind) {
    case 'max-length': return `darf höchstens ${d.max} Zeichen lang sein`;
    case 'dns1123-label': return regexError("ein RFC-1123-Label muss aus Kleinbuchstaben, Ziffern oder '-' bestehen und mit einem Buchstaben oder einer Ziffer beginnen und enden", d);
    case 'dns1035-label': return regexError("ein DNS-1035-Label muss aus Kleinbuchstaben, Ziffern oder '-' bestehen, mit einem Buchstaben beginnen und mit einem Buchstaben oder einer Ziffer enden", d);
    case 'dns1123-subdomain': return regexError("eine RFC-1123-Subdomain muss aus Kleinbuchstaben, Ziffern, '-' oder '.' bestehen und mit einem Buchstaben oder einer Ziffer beginnen und enden", d);
    case 'port-range': return 'muss zwischen 1 und 65535 liegen (einschließlich)';
    case 'iana-chars': return 'darf nur Buchstaben, Ziffern (a-z, 0-9) und Bindestriche (-) enthalten';
    case 'iana-letter': return 'muss mindestens einen Buchstaben (a-z) enthalten';
    case 'iana-hyphens': return 'darf keine zwei Bindestriche hintereinander enthalten';
    case 'iana-edge': return 'darf nicht mit einem Bindestrich beginnen oder enden';
  }
}

function regexError(msg: string, d: { readonly regex: string; readonly examples: readonly string[] }): string {
  return `${msg} (z. B. ${d.examples.map(e => `'${e}'`).join(' oder ')}; geprüft mit dem regulären Ausdruck '${d.regex}')`;
}
