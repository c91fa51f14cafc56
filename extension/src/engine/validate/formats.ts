// Value checks with the API server's wording, for the values that reach kube-proxy's rule text.
// The messages are those of k8s.io/apimachinery/pkg/util/validation/validation.go (IsDNS1123Label,
// IsDNS1035Label, IsValidPortNum, IsValidPortName, RegexError, MaxLenError, InclusiveRangeError) as
// pkg/apis/core/validation/validation.go applies them (ValidateObjectMeta, validateServicePort,
// validatePortNumOrName, validateContainerPorts); each returns the details, [] when valid, which the
// catalog words (i18n/model.en.ts).
import type { FormatDetail } from '../i18n/model.en';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** A length limit and a regex, as IsDNS1123Label and its siblings check them. */
function nameFormat(value: string, max: number, kind: 'dns1123-label' | 'dns1035-label' | 'dns1123-subdomain', format: RegExp, ...examples: string[]): FormatDetail[] {
  const out: FormatDetail[] = [];
  if (value.length > max) out.push({ kind: 'max-length', max });
  if (!format.test(value)) out.push({ kind, regex: format.source.slice(1, -1), examples });
  return out;
}

export const dns1123Label = (value: string): FormatDetail[] => nameFormat(value, 63, 'dns1123-label', DNS1123_LABEL, 'my-name', '123-abc');
export const dns1035Label = (value: string): FormatDetail[] => nameFormat(value, 63, 'dns1035-label', DNS1035_LABEL, 'my-name', 'abc-123');
export const dns1123Subdomain = (value: string): FormatDetail[] => nameFormat(value, 253, 'dns1123-subdomain', DNS1123_SUBDOMAIN, 'example.com');

/** Metadata names: empty means "not set" here (a manifest may leave it to a generator). */
export const optionalDns1123Label = (value: string): FormatDetail[] => (value === '' ? [] : dns1123Label(value));
export const optionalDns1035Label = (value: string): FormatDetail[] => (value === '' ? [] : dns1035Label(value));
export const optionalDns1123Subdomain = (value: string): FormatDetail[] => (value === '' ? [] : dns1123Subdomain(value));

export function portNumber(value: number): FormatDetail[] {
  return value >= 1 && value <= 65535 ? [] : [{ kind: 'port-range' }];
}

/** nodePort and healthCheckNodePort: 0 is "not set" (the API server allocates one). */
export const optionalPortNumber = (value: number): FormatDetail[] => (value === 0 ? [] : portNumber(value));

/** IsValidPortName: an IANA_SVC_NAME (container port names, named target ports). */
export function ianaServiceName(value: string): FormatDetail[] {
  const out: FormatDetail[] = [];
  if (value.length > 15) out.push({ kind: 'max-length', max: 15 });
  if (!/^[-a-z0-9]+$/.test(value)) out.push({ kind: 'iana-chars' });
  if (!/[a-z]/.test(value)) out.push({ kind: 'iana-letter' });
  if (value.includes('--')) out.push({ kind: 'iana-hyphens' });
  if (value.startsWith('-') || value.endsWith('-')) out.push({ kind: 'iana-edge' });
  return out;
}

/** validatePortNumOrName: a targetPort is a port number or an IANA_SVC_NAME; 0 and "" mean "same as port". */
export function portNumberOrName(value: number | string): FormatDetail[] {
  if (typeof value === 'number') return value === 0 ? [] : portNumber(value);
  return value === '' ? [] : ianaServiceName(value);
}
