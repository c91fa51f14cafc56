// What the model says about its own input: the note on a one-node profile and the field problems of
// validation (validate/), in the API server's field-error form.

/** What is wrong with one field's value (validate/validate.ts, validate/formats.ts). */
export type FieldProblem =
  | { readonly kind: 'type'; readonly expected: 'string' | 'integer' | 'boolean' | 'int-or-string' | 'list' | 'object' | 'string-map'; readonly got: GotValue }
  | { readonly kind: 'unsupported'; readonly value: string; readonly supported: readonly string[] }
  | { readonly kind: 'invalid'; readonly value: string; readonly detail: FormatDetail }
  | { readonly kind: 'required' };

/** A decoded value's kind, as the type error names it. */
export type GotValue =
  | { readonly kind: 'null' | 'list' | 'mapping' }
  | { readonly kind: 'number' | 'string' | 'boolean'; readonly text: string };

/** apimachinery's validation details (IsDNS1123Label, IsValidPortNum, IsValidPortName, ...). */
export type FormatDetail =
  | { readonly kind: 'max-length'; readonly max: number }
  | { readonly kind: 'dns1123-label' | 'dns1035-label' | 'dns1123-subdomain'; readonly regex: string; readonly examples: readonly string[] }
  | { readonly kind: 'port-range' }
  | { readonly kind: 'iana-chars' | 'iana-letter' | 'iana-hyphens' | 'iana-edge' };

const EXPECTED = {
  string: 'string', integer: 'integer (int32)', boolean: 'boolean', 'int-or-string': 'integer or string', list: 'list', object: 'mapping', 'string-map': 'mapping of strings',
} as const;

/** Why the model assumed a value (model/cluster.ts). */
export type AssumptionReason =
  | { readonly kind: 'allocated'; readonly range: string }
  | { readonly kind: 'derived'; readonly from: string; readonly hostNetwork: boolean; readonly hints: string };

export const modelEn = {
  assumedBecause: (r: AssumptionReason): string => (r.kind === 'allocated' ? `not set; the API server allocates one from ${r.range}`
    : `derived from ${r.from} (no EndpointSlice in the input)${r.hostNetwork ? '; hostNetwork: the pod has its node\'s address' : ''}${r.hints}`),
  noteOneNode: ({ node }: { node: string }) =>
    `the cluster profile has one node (${node}), so effects that differ between nodes were not evaluated ` +
    '(externalTrafficPolicy or internalTrafficPolicy Local on nodes without an endpoint, masquerading of traffic that enters one node ' +
    'and reaches a pod on another, per-node session affinity); give the cluster\'s nodes with --cluster PROFILE, a profile with ' +
    'a `nodes:` list (see examples/cluster.yaml). --verbose lists every assumption.',
  fieldProblem: ({ field, problem, leftOut }: { field: string; problem: FieldProblem; leftOut: { kind: string } | 'port' }) => {
    const text = problem.kind === 'type'
      ? `Invalid type: expected ${EXPECTED[problem.expected]}, got ${problem.got.kind === 'number' || problem.got.kind === 'string' || problem.got.kind === 'boolean' ? `${problem.got.kind} ${problem.got.text}` : problem.got.kind} (the API server refuses to decode it)`
      : problem.kind === 'unsupported' ? `Unsupported value: ${problem.value}: supported values: ${problem.supported.map(v => JSON.stringify(v)).join(', ')}`
        : problem.kind === 'invalid' ? `Invalid value: ${problem.value}: ${formatDetailEn(problem.detail)}`
          : 'Required value';
    return `${field}: ${text}; NAT Lens does not model this ${leftOut === 'port' ? 'port' : leftOut.kind}`;
  },
};

/** One detail in the API server's English wording (also the profile's problems, which are English). */
export function formatDetailEn(d: FormatDetail): string {
  switch (d.kind) {
    case 'max-length': return `must be no more than ${d.max} characters`;
    case 'dns1123-label': return regexError("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character", d);
    case 'dns1035-label': return regexError("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character", d);
    case 'dns1123-subdomain': return regexError("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character", d);
    case 'port-range': return 'must be between 1 and 65535, inclusive';
    case 'iana-chars': return 'must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)';
    case 'iana-letter': return 'must contain at least one letter (a-z)';
    case 'iana-hyphens': return 'must not contain consecutive hyphens';
    case 'iana-edge': return 'must not begin or end with a hyphen';
  }
}

/** apimachinery RegexError: the message, examples and the regex. */
function regexError(msg: string, d: { readonly regex: string; readonly examples: readonly string[] }): string {
  return `${msg} (e.g. ${d.examples.map(e => `'${e}', `).join(' or ')}regex used for validation is '${d.regex}')`;
}
