// `ipvsadm -Ln` (and `ipvsadm -L`, with names instead of numbers) as pasted from a node.
// Layout: ipvsadm.c print_title / print_service_entry (see proxy/ipvs/ipvsadm.ts, which prints it).

export interface RealServer {
  readonly addr: string;
  readonly forward: string;
  readonly weight: number;
  readonly active: number;
  readonly inactive: number;
  readonly line: number;
}

export interface VirtualService {
  /** TCP, UDP, SCTP, or FWM for a firewall-mark service. */
  readonly proto: string;
  /** The address as printed (a name with `-L`), without IPv6 brackets; the mark for FWM. */
  readonly vip: string;
  /** The port number, or the service name `-L` printed when it has no number we know. */
  readonly port: number | string | null;
  readonly scheduler: string;
  readonly flags: readonly string[];
  readonly persistentSeconds: number | null;
  readonly realServers: RealServer[];
  readonly line: number;
}

/** Port names `ipvsadm -L` prints (getservbyport) for the ports Services commonly use. */
const SERVICE_PORTS: Record<string, number> = { http: 80, https: 443, domain: 53, 'sun-rpc': 111, ssh: 22, ntp: 123, mysql: 3306, postgresql: 5432, 'http-alt': 8080, 'webcache': 8080, ldap: 389, smtp: 25 };

const SERVICE = /^(TCP|UDP|SCTP)\s+(\[[^\]]+\]|[^\s:]+):(\S+)\s+(\S+)(.*)$/;
const FWM = /^FWM\s+(\d+)\s+(\S+)(.*)$/;
const SERVER = /^->\s+(\[[^\]]+\]|[^\s:]+):(\S+)\s+(\S+)\s+(-?\d+)\s+(\d+)\s+(\d+)\s*$/;

export function isIpvsLine(text: string): boolean {
  return /^IP Virtual Server version/.test(text) || /^Prot LocalAddress:Port/.test(text) || /^-> RemoteAddress:Port/.test(text) ||
    SERVICE.test(text) || FWM.test(text) || SERVER.test(text);
}

function port(text: string): number | string {
  return /^\d+$/.test(text) ? Number(text) : SERVICE_PORTS[text] ?? text;
}

function tail(rest: string): { flags: string[]; persistentSeconds: number | null } {
  const words = rest.trim().split(/\s+/).filter(Boolean);
  const k = words.indexOf('persistent');
  const persistentSeconds = k >= 0 && /^\d+$/.test(words[k + 1] ?? '') ? Number(words[k + 1]) : null;
  const flags = words.filter((_, i) => k < 0 || (i !== k && i !== k + 1)).map(w => w.replace(/[()]/g, '')).filter(Boolean);
  return { flags: k >= 0 ? [...flags, 'persistent'] : flags, persistentSeconds };
}

export class IpvsDumpReader {
  readonly services: VirtualService[] = [];

  accept(text: string, line: number): boolean {
    if (/^IP Virtual Server version|^Prot LocalAddress:Port|^-> RemoteAddress:Port/.test(text)) return true;
    const s = SERVICE.exec(text);
    if (s) {
      this.services.push({ proto: s[1]!, vip: s[2]!.replace(/^\[|\]$/g, ''), port: port(s[3]!), scheduler: s[4]!, ...tail(s[5]!), realServers: [], line });
      return true;
    }
    const f = FWM.exec(text);
    if (f) {
      this.services.push({ proto: 'FWM', vip: f[1]!, port: null, scheduler: f[2]!, ...tail(f[3]!), realServers: [], line });
      return true;
    }
    const r = SERVER.exec(text);
    const current = this.services[this.services.length - 1];
    if (r && current) {
      current.realServers.push({ addr: `${r[1]!}:${port(r[2]!)}`, forward: r[3]!, weight: Number(r[4]), active: Number(r[5]), inactive: Number(r[6]), line });
      return true;
    }
    return false;
  }
}
