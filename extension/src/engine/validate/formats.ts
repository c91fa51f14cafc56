// Value checks with the API server's wording, for the values that reach kube-proxy's rule text.
// The messages are those of k8s.io/apimachinery/pkg/util/validation/validation.go (IsDNS1123Label,
// IsDNS1035Label, IsValidPortNum, IsValidPortName, RegexError, MaxLenError, InclusiveRangeError) as
// pkg/apis/core/validation/validation.go applies them (ValidateObjectMeta, validateServicePort,
// validatePortNumOrName, validateContainerPorts); each returns the detail messages, [] when valid.

function regexError(msg: string, format: string, ...examples: string[]): string {
  return `${msg} (e.g. ${examples.map(e => `'${e}', `).join(' or ')}regex used for validation is '${format}')`;
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function dns1123Label(value: string): string[] {
  const out: string[] = [];
  if (value.length > 63) out.push('must be no more than 63 characters');
  if (!DNS1123_LABEL.test(value)) {
    out.push(regexError("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character", DNS1123_LABEL.source.slice(1, -1), 'my-name', '123-abc'));
  }
  return out;
}

export function dns1035Label(value: string): string[] {
  const out: string[] = [];
  if (value.length > 63) out.push('must be no more than 63 characters');
  if (!DNS1035_LABEL.test(value)) {
    out.push(regexError("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character", DNS1035_LABEL.source.slice(1, -1), 'my-name', 'abc-123'));
  }
  return out;
}

export function dns1123Subdomain(value: string): string[] {
  const out: string[] = [];
  if (value.length > 253) out.push('must be no more than 253 characters');
  if (!DNS1123_SUBDOMAIN.test(value)) {
    out.push(regexError("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character", DNS1123_SUBDOMAIN.source.slice(1, -1), 'example.com'));
  }
  return out;
}

/** Metadata names: empty means "not set" here (a manifest may leave it to a generator). */
export const optionalDns1123Label = (value: string): string[] => (value === '' ? [] : dns1123Label(value));
export const optionalDns1035Label = (value: string): string[] => (value === '' ? [] : dns1035Label(value));
export const optionalDns1123Subdomain = (value: string): string[] => (value === '' ? [] : dns1123Subdomain(value));

export function portNumber(value: number): string[] {
  return value >= 1 && value <= 65535 ? [] : ['must be between 1 and 65535, inclusive'];
}

/** nodePort and healthCheckNodePort: 0 is "not set" (the API server allocates one). */
export const optionalPortNumber = (value: number): string[] => (value === 0 ? [] : portNumber(value));

/** IsValidPortName: an IANA_SVC_NAME (container port names, named target ports). */
export function ianaServiceName(value: string): string[] {
  const out: string[] = [];
  if (value.length > 15) out.push('must be no more than 15 characters');
  if (!/^[-a-z0-9]+$/.test(value)) out.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (!/[a-z]/.test(value)) out.push('must contain at least one letter (a-z)');
  if (value.includes('--')) out.push('must not contain consecutive hyphens');
  if (value.startsWith('-') || value.endsWith('-')) out.push('must not begin or end with a hyphen');
  return out;
}

/** validatePortNumOrName: a targetPort is a port number or an IANA_SVC_NAME; 0 and "" mean "same as port". */
export function portNumberOrName(value: number | string): string[] {
  if (typeof value === 'number') return value === 0 ? [] : portNumber(value);
  return value === '' ? [] : ianaServiceName(value);
}
