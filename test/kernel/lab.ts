// NAT Lens kernel lab: a tiny Kubernetes-like cluster made of Linux network namespaces and veth
// links, used as the referee for the rule generator. Real netfilter (iptables-nft / iptables-legacy,
// whatever `iptables` is here) decides what happens; the lab only wires the namespaces, loads the
// payloads the way kube-proxy does and reports what the pods saw.
//
// Topology (every namespace is created by the lab, named nlab-<pid>-<starttime>-<rand>-<role>):
//
//                         <P>sw  (bridge br0: the node network L2 segment; bridge-nf-call-iptables=0)
//        +------------------+------------------+------------------+
//    <P>cl-<client>     <P>node-<n1>        <P>node-<n2>         (eth0 in each, port p<i> on br0)
//                       ip_forward=1, send_redirects=0, no default route
//                       routes: serviceCIDR dev eth0, other podCIDRs via their node IP,
//                               <pod>/32 dev veth<j>, client subnets dev eth0
//                          | veth<j> (host side, MAC ee:ee:ee:ee:ee:ee)
//                       <P>pod-<pod>   <ip>/32 on eth0, default via the gateway
//
// Every veth is created inside a lab namespace with its peer created directly inside another lab
// namespace, so nothing in the root namespace (interfaces, routes, rules, sysctls) is ever touched,
// and all traffic stays on the lab's own links.
//
// Safety/bounds: unique prefix per run; namespaces of dead runs (the pid+starttime in the name no
// longer exists) are reaped before each lab; cleanup runs in `finally`, on process exit and on
// SIGINT/SIGTERM; a watchdog ends every lab after maxRuntimeMs; in-namespace helpers exit when the
// lab process goes away (stdin EOF) and after a TTL; connect() is capped at 200 tries with a
// per-connection timeout.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { isIPv4 } from 'node:net';
import * as path from 'node:path';
import { createInterface } from 'node:readline';

// ------------------------------------------------------------------------------------- API types

export interface LabPod { name: string; ip: string; ports: number[] }
export interface LabNode {
  name: string;
  /** Node IP on the node network, optionally with a prefix length ("192.168.0.2" means /24). */
  ip: string;
  podCIDR: string;
  /** 'ip': the host-side veth carries gatewayIP/32 (ptp/bridge CNI style); 'none': Calico style (no IPv4 on the host veth, pod gateway 169.254.1.1 via a static neighbour). */
  podGateway: 'ip' | 'none';
  /** Only for podGateway 'ip'; default: the first address of podCIDR. */
  gatewayIP?: string;
  pods: LabPod[];
  /** Optional host-network echo server on the node itself (like a hostNetwork pod); it answers with pod = the node name. */
  ports?: number[];
}
export interface LabClient {
  name: string;
  /** Client IP on the bridge, optionally with a prefix length (default /24). */
  ip: string;
}
export interface LabSpec {
  nodes: LabNode[];
  clients: LabClient[];
  serviceCIDR: string;
  /**
   * Extra routes added in every node namespace. A bare CIDR ("198.51.100.0/24") becomes
   * `route add <cidr> dev eth0` (like serviceCIDR: gives node-originated traffic to external/LB IPs a
   * route, so nat OUTPUT can see it). An entry with spaces is passed to `ip route add` as is, e.g.
   * "local 198.51.100.10/32 dev lo" to make an address local to every node.
   */
  extraLocalRoutes?: string[];
}
/** A jump kube-proxy keeps in a built-in chain (EnsureChain target + EnsureRule Prepend). */
export interface JumpRule { table: 'filter' | 'nat'; chain: string; args: string[] }
export interface ConnectResult {
  ok: boolean;
  /** Name of the pod (or node, for a host-network server) that answered. */
  pod?: string;
  /** ip:port the server accepted on (the DNAT result). */
  local?: string;
  /** Source ip:port the server saw (after any SNAT/MASQUERADE). */
  remote?: string;
  /** ip:port of the connecting socket, as the client saw it. */
  client?: string;
  error?: string;
}
export type LabMember = { client: string } | { pod: string } | { node: string };
export interface ConnectOptions { proto?: 'tcp' | 'udp'; count?: number; timeoutMs?: number }
export interface RunResult { code: number; stdout: string; stderr: string }
export type RunFn = (cmd: string, args: string[], stdin?: string) => Promise<RunResult>;

export interface Lab {
  /** Namespace prefix of this lab (nlab-<pid>-<starttime>-<rand>-). */
  readonly prefix: string;
  /** Milliseconds spent in each setup phase. */
  readonly timings: Record<string, number>;
  /** EnsureChain + EnsureRule(Prepend) for each jump in order, then iptables-restore -w 5 -W 100000 --noflush --counters < payload. Throws with iptables' message on error. */
  loadRules(node: string, payload: string, jumps: JumpRule[]): Promise<void>;
  /** iptables-save output of a node (one table or all). */
  save(node: string, table?: 'filter' | 'nat'): Promise<string>;
  /** `count` sequential connections (each from a fresh source port) from a lab member to dstIP:dport. */
  connect(from: LabMember, dstIP: string, dport: number, opts?: ConnectOptions): Promise<ConnectResult[]>;
  /** conntrack -F in one node, or in every node. */
  flushConntrack(node?: string): Promise<void>;
  /** In a client: `ip route replace <cidr> via <node IP> dev eth0` (send a VIP's traffic to that node). */
  routeVia(client: string, cidr: string, node: string): Promise<void>;
  /** Run a command inside a member's namespace (e.g. conntrack -L, ip route); never throws on a non-zero exit. */
  run(member: LabMember, cmd: string, args: string[], stdin?: string): Promise<RunResult>;
}

// ------------------------------------------------------------------------------ constants, helpers

const HERE = typeof __dirname === 'string' ? __dirname : path.join(process.cwd(), 'test', 'kernel');
const AGENT = path.join(HERE, 'netns-agent.cjs');
const NETNS_DIR = '/run/netns';
/** nlab-<pid>-<process start time in clock ticks>-<6 hex>-<role> */
const NS_RE = /^nlab-(\d+)-(\d+)-([0-9a-f]{6})-/;
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/;
const TOKEN_RE = /^[A-Za-z0-9./:_-]+$/;
const CALICO_GW = '169.254.1.1';
const HOST_VETH_MAC = 'ee:ee:ee:ee:ee:ee';
const MAX_COUNT = 200;
const MAX_CONN_TIMEOUT_MS = 10_000;
const CMD_TIMEOUT_MS = 30_000;
const ENV = { PATH: `${process.env.PATH ?? ''}:/usr/sbin:/sbin:/usr/bin:/bin`, LC_ALL: 'C' };

function procStartTime(pid: number): string | null {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return s.slice(s.lastIndexOf(')') + 2).split(' ')[19] ?? null; // field 22
  } catch {
    return null;
  }
}

function newPrefix(): string {
  return `nlab-${process.pid}-${procStartTime(process.pid) ?? '0'}-${randomBytes(3).toString('hex')}-`;
}

/** Run a command (no shell). Never rejects: spawn errors become code 127, a timeout kills it (code 124). */
function runCmd(cmd: string, args: string[], stdin?: string, timeoutMs = CMD_TIMEOUT_MS): Promise<RunResult> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let child: ChildProcess;
    try {
      child = spawn(cmd, args, { env: ENV, stdio: ['pipe', 'pipe', 'pipe'] });
    } catch (e) {
      resolve({ code: 127, stdout: '', stderr: String((e as Error).message) });
      return;
    }
    const timer = setTimeout(() => { timedOut = true; child.kill('SIGKILL'); }, timeoutMs);
    child.stdout!.setEncoding('utf8').on('data', (d: string) => { if (stdout.length < 64 << 20) stdout += d; });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => { if (stderr.length < 1 << 20) stderr += d; });
    child.stdin!.on('error', () => {});
    child.stdin!.end(stdin ?? '');
    child.on('error', (e) => { clearTimeout(timer); resolve({ code: 127, stdout, stderr: stderr + e.message }); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) resolve({ code: 124, stdout, stderr: `${stderr}[timed out after ${timeoutMs} ms]` });
      else resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
  });
}

async function mustRun(what: string, cmd: string, args: string[], stdin?: string): Promise<string> {
  const r = await runCmd(cmd, args, stdin);
  if (r.code !== 0) {
    const detail = r.stderr.trim() || r.stdout.trim();
    throw new Error(`${what} failed (exit ${r.code}): ${detail}${stdin && cmd === 'ip' ? `\n--- input ---\n${stdin}` : ''}`);
  }
  return r.stdout;
}

function nsRun(ns: string, cmd: string, args: string[], stdin?: string, timeoutMs?: number): Promise<RunResult> {
  return runCmd('ip', ['netns', 'exec', ns, cmd, ...args], stdin, timeoutMs);
}

function ipToInt(ip: string): number {
  return ip.split('.').reduce((a, o) => ((a << 8) | Number(o)) >>> 0, 0);
}
function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
}
interface Cidr { ip: string; len: number; network: string; text: string }
/** "a.b.c.d[/len]" -> address, prefix length and canonical network. */
function parseCidr(s: string, defaultLen: number, what: string): Cidr {
  const m = /^([0-9.]+)(?:\/(\d{1,2}))?$/.exec(String(s));
  if (!m || !isIPv4(m[1]!) || (m[2] !== undefined && Number(m[2]) > 32)) throw new Error(`kernel lab: ${what}: not an IPv4 address/CIDR: ${JSON.stringify(s)}`);
  const len = m[2] === undefined ? defaultLen : Number(m[2]);
  const mask = len === 0 ? 0 : (0xffffffff << (32 - len)) >>> 0;
  const network = intToIp((ipToInt(m[1]!) & mask) >>> 0);
  return { ip: m[1]!, len, network, text: `${network}/${len}` };
}
function inCidr(ip: string, c: Cidr): boolean {
  const mask = c.len === 0 ? 0 : (0xffffffff << (32 - c.len)) >>> 0;
  return ((ipToInt(ip) & mask) >>> 0) === ipToInt(c.network);
}
/** Host-side gateway address for podGateway 'ip': gatewayIP, or the first address of podCIDR. */
function gatewayOf(n: LabNode): string {
  return n.gatewayIP ? parseCidr(n.gatewayIP, 32, 'gatewayIP').ip : intToIp(ipToInt(parseCidr(n.podCIDR, 32, 'podCIDR').network) + 1);
}
function checkPorts(ports: number[] | undefined, what: string): number[] {
  const p = ports ?? [];
  for (const x of p) if (!Number.isInteger(x) || x < 1 || x > 65535) throw new Error(`kernel lab: ${what}: bad port ${x}`);
  return p;
}
/** Wait for p to settle, but at most ms (the timer never keeps the process alive after p settles). */
async function settledWithin(p: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p.then(() => {}, () => {}), new Promise<void>((r) => { timer = setTimeout(r, ms); })]);
  clearTimeout(timer);
}
/** Single-quote for sh. */
function shq(s: string): string {
  return `'${String(s).replace(/'/g, `'\\''`)}'`;
}

// ----------------------------------------------------------------- namespaces: list, pids, delete

/** Names of all network namespaces created by any kernel lab (live or stale). */
export function listLabNamespaces(): string[] {
  let names: string[];
  try {
    names = readdirSync(NETNS_DIR);
  } catch {
    return [];
  }
  return names.filter((n) => NS_RE.test(n)).sort();
}

/** PIDs of processes living in the given named namespaces (matched by namespace inode). */
function pidsInNamespaces(nsNames: string[]): number[] {
  const inodes = new Set<string>();
  for (const n of nsNames) {
    try { inodes.add(`net:[${statSync(path.join(NETNS_DIR, n)).ino}]`); } catch { /* gone */ }
  }
  if (inodes.size === 0) return [];
  const pids: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d) || Number(d) === process.pid) continue;
    try {
      if (inodes.has(readlinkSync(`/proc/${d}/ns/net`))) pids.push(Number(d));
    } catch { /* exited or not ours to read */ }
  }
  return pids;
}

function killQuiet(pid: number, sig: NodeJS.Signals = 'SIGKILL'): void {
  try { process.kill(pid, sig); } catch { /* already gone */ }
}

function cmdlineOf(pid: number): string {
  try { return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' '); } catch { return ''; }
}

function deleteNamespacesSync(nsNames: string[]): void {
  if (nsNames.length === 0) return;
  spawnSync('ip', ['-force', '-batch', '-'], { input: nsNames.map((n) => `netns del ${n}\n`).join(''), env: ENV, stdio: ['pipe', 'ignore', 'ignore'], timeout: 10_000 });
}
async function deleteNamespaces(nsNames: string[]): Promise<void> {
  if (nsNames.length === 0) return;
  await runCmd('ip', ['-force', '-batch', '-'], nsNames.map((n) => `netns del ${n}\n`).join(''), 10_000);
}

/**
 * Delete the namespaces of kernel-lab runs whose process is gone (pid + start time from the name no
 * longer match a running process). Only lab helpers (netns-agent.cjs) still inside them are killed.
 * Returns the names deleted.
 */
export async function reapStaleNamespaces(): Promise<string[]> {
  const stale: string[] = [];
  for (const n of listLabNamespaces()) {
    const m = NS_RE.exec(n)!;
    if (procStartTime(Number(m[1])) === m[2]) continue; // that run is alive: leave it alone
    stale.push(n);
  }
  if (stale.length === 0) return [];
  for (const pid of pidsInNamespaces(stale)) if (cmdlineOf(pid).includes('netns-agent.cjs')) killQuiet(pid);
  await deleteNamespaces(stale);
  return stale;
}

// ------------------------------------------------------- process-exit / signal safety net

interface Cleanable { prefix: string; children: Set<ChildProcess> }
const active = new Set<Cleanable>();
let hooksInstalled = false;

function cleanupSync(c: Cleanable): void {
  for (const ch of c.children) if (ch.exitCode === null && ch.signalCode === null) ch.kill('SIGKILL');
  const mine = listLabNamespaces().filter((n) => n.startsWith(c.prefix));
  for (const pid of pidsInNamespaces(mine)) killQuiet(pid);
  deleteNamespacesSync(mine);
}
function onSignal(sig: NodeJS.Signals): void {
  for (const c of active) cleanupSync(c);
  active.clear();
  process.removeListener('SIGINT', onSignal);
  process.removeListener('SIGTERM', onSignal);
  hooksInstalled = false;
  process.removeListener('exit', onExit);
  // Default behaviour again: die of the signal unless someone else handles it.
  if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
}
function onExit(): void {
  for (const c of active) cleanupSync(c);
  active.clear();
}
function track(c: Cleanable): void {
  active.add(c);
  if (!hooksInstalled) {
    hooksInstalled = true;
    process.on('exit', onExit);
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
}
function untrack(c: Cleanable): void {
  active.delete(c);
  if (active.size === 0 && hooksInstalled) {
    hooksInstalled = false;
    process.removeListener('exit', onExit);
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}

// ------------------------------------------------------------------------------- netnsSupport

let supportCache: { ok: true } | { ok: false; reason: string } | undefined;

/** Can this machine run the lab (root, tools, namespaces, veth, bridge, iptables-restore with nat)? Cached. */
export function netnsSupport(): { ok: true } | { ok: false; reason: string } {
  if (supportCache) return supportCache;
  supportCache = probeSupport();
  return supportCache;
}

/** netnsSupport plus a working `nft` binary, for the nftables tests. */
export function nftSupport(): { ok: true } | { ok: false; reason: string } {
  const ns = netnsSupport();
  if (!ns.ok) return ns;
  const r = spawnSync('nft', ['--version'], { env: ENV, encoding: 'utf8', timeout: 10_000 });
  if (r.error || r.status !== 0) return { ok: false, reason: `nft not usable (${r.error ? r.error.message : (r.stderr || '').trim()}); install with: apt-get install -y nftables` };
  return { ok: true };
}

function probeSupport(): { ok: true } | { ok: false; reason: string } {
  if (process.env.NATLENS_KERNEL_LAB === '0') return { ok: false, reason: 'disabled by NATLENS_KERNEL_LAB=0' };
  if (process.platform !== 'linux') return { ok: false, reason: `needs Linux (this is ${process.platform})` };
  if (typeof process.getuid === 'function' && process.getuid() !== 0) return { ok: false, reason: 'needs root (network namespaces, iptables)' };
  if (!existsSync(AGENT)) return { ok: false, reason: `helper script missing: ${AGENT}` };
  const tools: [string, string[]][] = [['ip', ['-V']], ['iptables', ['--version']], ['iptables-restore', ['--version']], ['iptables-save', ['--version']], ['conntrack', ['--version']]];
  for (const [t, a] of tools) {
    const r = spawnSync(t, a, { env: ENV, encoding: 'utf8', timeout: 10_000 });
    if (r.error || r.status !== 0) {
      return { ok: false, reason: `${t} not usable (${r.error ? r.error.message : (r.stderr || '').trim() || `exit ${r.status}`}); install with: apt-get install -y iproute2 iptables conntrack` };
    }
  }
  const ns = `${newPrefix()}probe`;
  const add = spawnSync('ip', ['netns', 'add', ns], { env: ENV, encoding: 'utf8', timeout: 10_000 });
  if (add.status !== 0) return { ok: false, reason: `cannot create a network namespace: ${(add.stderr || add.error?.message || '').trim()}` };
  try {
    const script = 'ip link add name nlprobe0 type veth peer name nlprobe1 && ip link add name nlprobebr type bridge && iptables-restore -w 5 -W 100000 --noflush --counters && conntrack -L >/dev/null 2>&1';
    const payload = '*nat\n:NLAB-PROBE - [0:0]\n-A NLAB-PROBE -p tcp -m tcp --dport 1 -j DNAT --to-destination 10.255.255.1:1\n-A NLAB-PROBE -m mark --mark 0x4000/0x4000 -j MASQUERADE --random-fully\nCOMMIT\n';
    const r = spawnSync('ip', ['netns', 'exec', ns, 'sh', '-c', script], { env: ENV, encoding: 'utf8', input: payload, timeout: 15_000 });
    if (r.status !== 0) return { ok: false, reason: `namespace probe failed (veth/bridge/iptables-restore/conntrack): ${(r.stderr || r.error?.message || `exit ${r.status}`).trim()}` };
  } finally {
    spawnSync('ip', ['netns', 'del', ns], { env: ENV, timeout: 10_000 });
  }
  return { ok: true };
}

// ---------------------------------------------------------------------------- in-namespace agent

interface AgentReply { id: number; results?: ConnectResult[]; error?: string }

class Agent {
  readonly child: ChildProcess;
  readonly ready: Promise<void>;
  private pending = new Map<number, { resolve: (r: AgentReply) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private stderr = '';
  private exited: Error | null = null;

  constructor(readonly label: string, ns: string, name: string, ttlMs: number, serve?: { ip: string; ports: number[] }) {
    const args = ['netns', 'exec', ns, process.execPath, AGENT, '--name', name, '--ttl-ms', String(ttlMs)];
    if (serve && serve.ports.length > 0) args.push('--serve', serve.ip, '--ports', serve.ports.join(','));
    // `ip netns exec` execs node, so child.pid is the agent's own pid.
    this.child = spawn('ip', args, { env: ENV, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdin!.on('error', () => {});
    this.child.stderr!.setEncoding('utf8').on('data', (d: string) => { if (this.stderr.length < 65536) this.stderr += d; });
    let readyResolve!: () => void;
    let readyReject!: (e: Error) => void;
    this.ready = new Promise<void>((res, rej) => { readyResolve = res; readyReject = rej; });
    this.ready.catch(() => {});
    const rl = createInterface({ input: this.child.stdout! });
    rl.on('line', (line) => {
      let msg: { ready?: boolean; fatal?: string } & Partial<AgentReply>;
      try { msg = JSON.parse(line); } catch { return; }
      if (msg.ready) readyResolve();
      else if (msg.fatal) readyReject(new Error(`kernel lab: agent ${label}: ${msg.fatal}`));
      else if (typeof msg.id === 'number') {
        const p = this.pending.get(msg.id);
        if (p) { this.pending.delete(msg.id); p.resolve(msg as AgentReply); }
      }
    });
    const onGone = (why: string) => {
      if (this.exited) return;
      this.exited = new Error(`kernel lab: agent ${label} ${why}${this.stderr.trim() ? `: ${this.stderr.trim()}` : ''}`);
      readyReject(this.exited);
      for (const p of this.pending.values()) p.reject(this.exited);
      this.pending.clear();
    };
    this.child.on('error', (e) => onGone(`could not start (${e.message})`));
    this.child.on('exit', (code, sig) => onGone(`exited (${sig ?? code})`));
  }

  request(body: Record<string, unknown>, deadlineMs: number): Promise<AgentReply> {
    if (this.exited) return Promise.reject(this.exited);
    const id = this.nextId++;
    return new Promise<AgentReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`kernel lab: agent ${this.label} did not answer within ${deadlineMs} ms`));
      }, deadlineMs);
      this.pending.set(id, {
        resolve: (r) => { clearTimeout(timer); resolve(r); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      });
      this.child.stdin!.write(JSON.stringify({ id, ...body }) + '\n');
    });
  }

  kill(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null || this.exited) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const t = setTimeout(resolve, 2000);
      this.child.once('exit', () => { clearTimeout(t); resolve(); });
      this.child.kill('SIGKILL');
    });
  }
}

// ------------------------------------------------------------------------------------- the lab

type Kind = 'node' | 'pod' | 'client';
interface Member { kind: Kind; name: string; ns: string; ip: string; node?: string }

const BUILTIN_TARGETS = new Set(['ACCEPT', 'DROP', 'RETURN', 'REJECT', 'QUEUE', 'LOG', 'MARK', 'CONNMARK', 'MASQUERADE', 'SNAT', 'DNAT', 'REDIRECT', 'NOTRACK', 'CT']);

class LabImpl implements Lab, Cleanable {
  readonly prefix = newPrefix();
  readonly timings: Record<string, number> = {};
  readonly children = new Set<ChildProcess>();
  private members = new Map<string, Member>();
  private agents = new Map<string, Agent>();
  private closed = false;
  private readonly sw: string;
  private readonly serviceCIDR: Cidr;

  constructor(private readonly spec: LabSpec, private readonly agentTtlMs: number) {
    this.sw = `${this.prefix}sw`;
    this.serviceCIDR = parseCidr(spec.serviceCIDR, 32, 'serviceCIDR');
    const add = (kind: Kind, name: string, ip: string, node?: string) => {
      if (!NAME_RE.test(name)) throw new Error(`kernel lab: bad ${kind} name ${JSON.stringify(name)} (letters, digits, - and _, at most 40)`);
      if (this.members.has(name)) throw new Error(`kernel lab: duplicate name ${JSON.stringify(name)} (node, pod and client names must all differ)`);
      const role = kind === 'client' ? 'cl' : kind;
      this.members.set(name, { kind, name, ns: `${this.prefix}${role}-${name}`, ip, ...(node ? { node } : {}) });
    };
    if (!Array.isArray(spec.nodes) || spec.nodes.length === 0) throw new Error('kernel lab: at least one node is needed');
    const seenIPs = new Set<string>();
    const uniqueIP = (ip: string, what: string) => {
      if (seenIPs.has(ip)) throw new Error(`kernel lab: ${what}: address ${ip} used twice`);
      seenIPs.add(ip);
    };
    for (const n of spec.nodes) {
      const c = parseCidr(n.ip, 24, `node ${n.name} ip`);
      uniqueIP(c.ip, `node ${n.name}`);
      parseCidr(n.podCIDR, 32, `node ${n.name} podCIDR`);
      if (n.podGateway !== 'ip' && n.podGateway !== 'none') throw new Error(`kernel lab: node ${n.name}: podGateway must be 'ip' or 'none'`);
      if (n.gatewayIP !== undefined) parseCidr(n.gatewayIP, 32, `node ${n.name} gatewayIP`);
      checkPorts(n.ports, `node ${n.name}`);
      add('node', n.name, c.ip);
      if (n.pods.length > 50) throw new Error(`kernel lab: node ${n.name}: at most 50 pods`);
      for (const p of n.pods) {
        const pc = parseCidr(p.ip, 32, `pod ${p.name} ip`);
        uniqueIP(pc.ip, `pod ${p.name}`);
        checkPorts(p.ports, `pod ${p.name}`);
        add('pod', p.name, pc.ip, n.name);
      }
    }
    for (const cl of spec.clients ?? []) {
      const c = parseCidr(cl.ip, 24, `client ${cl.name} ip`);
      uniqueIP(c.ip, `client ${cl.name}`);
      add('client', cl.name, c.ip);
    }
    if (this.members.size > 100) throw new Error('kernel lab: at most 100 namespaces');
    for (const r of spec.extraLocalRoutes ?? []) {
      const toks = String(r).trim().split(/\s+/);
      if (toks.length === 1) parseCidr(toks[0]!, 32, 'extraLocalRoutes');
      else if (!toks.every((t) => TOKEN_RE.test(t))) throw new Error(`kernel lab: extraLocalRoutes: bad route ${JSON.stringify(r)}`);
    }
  }

  // ---------------------------------------------------------------------------- setup / teardown

  private async phase<T>(name: string, f: () => Promise<T>): Promise<T> {
    if (this.closed) throw new Error('kernel lab: closed during setup');
    const t0 = performance.now();
    try {
      return await f();
    } finally {
      this.timings[name] = Math.round((performance.now() - t0) * 10) / 10;
    }
  }

  /** sysctls (path=value under /proc/sys; a leading '?' marks optional ones), then `ip -batch -` with `batch` as input, in one process inside ns. */
  private async nsSetup(ns: string, sysctls: string[], batch: string[], what: string): Promise<void> {
    const script = [
      'for kv in "$@"; do',
      '  opt=0; case "$kv" in "?"*) opt=1; kv=${kv#?};; esac',
      '  f=/proc/sys/${kv%%=*}',
      '  if [ -e "$f" ]; then echo "${kv#*=}" > "$f" || exit 1',
      '  elif [ $opt = 0 ]; then echo "missing sysctl $f" >&2; exit 1; fi',
      'done',
      'exec ip -batch -',
    ].join('\n');
    await mustRun(`setting up ${what}`, 'ip', ['netns', 'exec', ns, 'sh', '-c', script, 'sh', ...sysctls], batch.map((l) => l + '\n').join(''));
  }

  async setup(): Promise<void> {
    const spec = this.spec;
    const nodes = spec.nodes;
    const clients = spec.clients ?? [];
    const m = (name: string) => this.members.get(name)!;
    const noV6 = ['?net/ipv6/conf/all/disable_ipv6=1', '?net/ipv6/conf/default/disable_ipv6=1'];
    const leaves = [...nodes.map((n) => m(n.name)), ...clients.map((c) => m(c.name))];
    const port = new Map(leaves.map((l, i) => [l.name, `p${i}`]));
    // Explicit ifindexes: a veth's carrier change is handled at once by the kernel's linkwatch only if
    // its ifindex differs from its peer's (ifindexes are per namespace, so they can collide); otherwise
    // it is batched, up to ~1 s late, and until then the link drops packets / the bridge port is off.
    const portIndex = new Map(leaves.map((l, i) => [l.name, 100 + i]));

    // 1. all namespaces, in one `ip` process
    await this.phase('namespaces', () =>
      mustRun('creating namespaces', 'ip', ['-batch', '-'], [this.sw, ...[...this.members.values()].map((x) => x.ns)].map((n) => `netns add ${n}\n`).join('')));

    // 2. switch + nodes + clients (node eth0 is created before the pod veths, like on a real node)
    const nodeNets = nodes.map((n) => parseCidr(n.ip, 24, 'node ip'));
    const clientNets = clients.map((c) => parseCidr(c.ip, 24, 'client ip'));
    // The switch sends nothing of its own: with multicast snooping on, a bridge joins the all-snoopers
    // group 224.0.0.106 when it comes up (net/bridge/br_multicast.c br_multicast_join_snoopers) and
    // floods IGMPv3 reports from 0.0.0.0 to every port for the next second or two; each one is a new
    // connection in a node's nat PREROUTING (its policy counts it) before routing drops it.
    await this.phase('links', () => Promise.all([
      this.nsSetup(this.sw, [...noV6, '?net/bridge/bridge-nf-call-iptables=0', '?net/bridge/bridge-nf-call-ip6tables=0', '?net/bridge/bridge-nf-call-arptables=0'],
        ['link set lo up', 'link add br0 index 50 type bridge mcast_snooping 0', 'link set br0 up'], 'the switch'),
      ...nodes.map((n, i) => {
        const me = m(n.name);
        const net = nodeNets[i]!;
        const b = ['link set lo up', `link add eth0 index 2 type veth peer name ${port.get(n.name)} index ${portIndex.get(n.name)} netns ${this.sw}`, `addr add ${net.ip}/${net.len} dev eth0`, 'link set eth0 up'];
        b.push(`route add ${this.serviceCIDR.text} dev eth0`);
        for (const r of spec.extraLocalRoutes ?? []) {
          const toks = r.trim().split(/\s+/);
          b.push(toks.length === 1 ? `route add ${parseCidr(toks[0]!, 32, 'route').text} dev eth0` : `route add ${toks.join(' ')}`);
        }
        const routed = new Set<string>([net.text]);
        for (const cn of clientNets) {
          if (routed.has(cn.text) || inCidr(cn.ip, net)) continue;
          routed.add(cn.text);
          b.push(`route add ${cn.text} dev eth0`);
        }
        nodes.forEach((o, j) => {
          if (j !== i) b.push(`route add ${parseCidr(o.podCIDR, 32, 'podCIDR').text} via ${nodeNets[j]!.ip} dev eth0`);
        });
        const gw = n.podGateway === 'ip' ? gatewayOf(n) : '';
        n.pods.forEach((p, k) => {
          const dev = `veth${k}`;
          b.push(`link add ${dev} index ${100 + k} address ${HOST_VETH_MAC} type veth peer name eth0 index 2 netns ${m(p.name).ns}`);
          if (gw) b.push(`addr add ${gw}/32 dev ${dev}`);
          b.push(`link set ${dev} up`, `route add ${m(p.name).ip}/32 dev ${dev}`);
        });
        return this.nsSetup(me.ns, [...noV6, 'net/ipv4/ip_forward=1', 'net/ipv4/conf/all/send_redirects=0', 'net/ipv4/conf/default/send_redirects=0'], b, `node ${n.name}`);
      }),
      ...clients.map((c, i) => {
        const net = clientNets[i]!;
        const b = ['link set lo up', `link add eth0 index 2 type veth peer name ${port.get(c.name)} index ${portIndex.get(c.name)} netns ${this.sw}`, `addr add ${net.ip}/${net.len} dev eth0`, 'link set eth0 up'];
        const routed = new Set<string>([net.text]);
        for (const nn of nodeNets) {
          if (routed.has(nn.text) || inCidr(nn.ip, net)) continue;
          routed.add(nn.text);
          b.push(`route add ${nn.text} dev eth0`);
        }
        return this.nsSetup(m(c.name).ns, noV6, b, `client ${c.name}`);
      }),
    ]));

    // 3. bridge ports up, pods addressed and routed, echo servers started
    await this.phase('pods+servers', () => Promise.all([
      this.nsSetup(this.sw, [], leaves.flatMap((l) => [`link set ${port.get(l.name)} master br0`, `link set ${port.get(l.name)} up`]), 'the switch ports'),
      ...nodes.flatMap((n) => n.pods.map(async (p) => {
        const me = m(p.name);
        const gw = n.podGateway === 'ip' ? gatewayOf(n) : CALICO_GW;
        const b = [`addr add ${me.ip}/32 dev eth0`, 'link set lo up', 'link set eth0 up'];
        if (n.podGateway === 'none') b.push(`neigh replace ${CALICO_GW} lladdr ${HOST_VETH_MAC} dev eth0 nud permanent`);
        b.push(`route add ${gw} dev eth0 scope link`, `route add default via ${gw} dev eth0`);
        await this.nsSetup(me.ns, noV6, b, `pod ${p.name}`);
        if (p.ports.length > 0) await this.startAgent(me, { ip: me.ip, ports: p.ports });
      })),
      ...nodes.filter((n) => (n.ports ?? []).length > 0).map((n) => this.startAgent(m(n.name), { ip: m(n.name).ip, ports: n.ports! })),
    ]));

    // 4. wait until every link is operationally up and every bridge port forwards. The kernel applies
    //    carrier changes asynchronously (linkwatch; non-urgent events are batched up to ~1 s): until
    //    then the device's qdisc drops packets and the bridge port is disabled, so a first SYN would
    //    be lost. With the explicit ifindexes above this takes ~10 ms; it is a safety net.
    await this.phase('links-up', () => Promise.all([this.sw, ...[...this.members.values()].map((x) => x.ns)].map((ns) => this.waitLinksUp(ns))));
  }

  private async waitLinksUp(ns: string): Promise<void> {
    const script = [
      'i=0',
      'while :; do',
      '  bad=',
      '  for d in /sys/class/net/*; do',
      '    n=${d##*/}; case $n in lo|br0) continue;; esac',
      '    read s < "$d/operstate"; [ "$s" = up ] || bad="$bad $n:$s"',
      '  done',
      '  if [ -d /sys/class/net/br0/brif ]; then for p in /sys/class/net/br0/brif/*; do',
      '    [ -e "$p/state" ] || continue; read s < "$p/state"; [ "$s" = 3 ] || bad="$bad ${p##*/}:brstate$s"',
      '  done; fi',
      '  [ -z "$bad" ] && exit 0',
      '  i=$((i+1)); if [ $i -ge 500 ]; then echo "links not up after 5 s:$bad" >&2; exit 1; fi',
      '  sleep 0.01',
      'done',
    ].join('\n');
    await mustRun(`waiting for the links of ${ns}`, 'ip', ['netns', 'exec', ns, 'sh', '-c', script]);
  }

  private startAgent(me: Member, serve?: { ip: string; ports: number[] }): Promise<Agent> {
    if (this.closed) return Promise.reject(new Error('kernel lab: lab is closed'));
    let a = this.agents.get(me.name);
    if (!a) {
      a = new Agent(`${me.kind} ${me.name}`, me.ns, me.name, this.agentTtlMs, serve);
      this.agents.set(me.name, a);
      this.children.add(a.child);
    }
    const agent = a;
    return agent.ready.then(() => agent);
  }

  async teardown(): Promise<void> {
    this.closed = true;
    const t0 = performance.now();
    await Promise.all([...this.agents.values()].map((a) => a.kill()));
    const mine = listLabNamespaces().filter((n) => n.startsWith(this.prefix));
    // Anything still inside our namespaces was started by this lab (e.g. a run() that timed out).
    for (const pid of pidsInNamespaces(mine)) killQuiet(pid);
    await deleteNamespaces(mine);
    const left = listLabNamespaces().filter((n) => n.startsWith(this.prefix));
    if (left.length > 0) deleteNamespacesSync(left);
    this.timings.teardown = Math.round((performance.now() - t0) * 10) / 10;
    if (process.env.NATLENS_LAB_DEBUG) console.error(`[kernel lab ${this.prefix}] timings (ms): ${JSON.stringify(this.timings)}`);
  }

  // ------------------------------------------------------------------------------------ the API

  private member(sel: LabMember | string, kind?: Kind): Member {
    let name: string;
    let k: Kind | undefined = kind;
    if (typeof sel === 'string') name = sel;
    else if ('client' in sel) { name = sel.client; k = 'client'; }
    else if ('pod' in sel) { name = sel.pod; k = 'pod'; }
    else { name = (sel as { node: string }).node; k = 'node'; }
    const me = this.members.get(name);
    if (!me || (k && me.kind !== k)) throw new Error(`kernel lab: no ${k ?? 'member'} named ${JSON.stringify(name)}`);
    return me;
  }
  private open(): void {
    if (this.closed) throw new Error('kernel lab: lab is closed (finished, failed or hit its watchdog)');
  }

  async loadRules(node: string, payload: string, jumps: JumpRule[]): Promise<void> {
    this.open();
    const me = this.member(node, 'node');
    const lines = [
      'fail() { echo "$*" >&2; exit 3; }',
      'ensure_chain() { out=$(iptables -w -t "$1" -N "$2" 2>&1) || case "$out" in *"already exists"*) ;; *) fail "iptables -t $1 -N $2: $out";; esac; }',
      'ensure_rule() { t=$1; c=$2; shift 2; iptables -w -t "$t" -C "$c" "$@" 2>/dev/null && return 0; out=$(iptables -w -t "$t" -I "$c" "$@" 2>&1) || fail "iptables -t $t -I $c $*: $out"; }',
    ];
    for (const j of jumps) {
      if (j.table !== 'filter' && j.table !== 'nat') throw new Error(`kernel lab: jump table must be filter or nat, got ${j.table}`);
      if (!/^[A-Za-z0-9_-]+$/.test(j.chain)) throw new Error(`kernel lab: bad chain name ${JSON.stringify(j.chain)}`);
      const ji = j.args.indexOf('-j');
      const target = ji >= 0 ? j.args[ji + 1] : undefined;
      if (target && !BUILTIN_TARGETS.has(target)) lines.push(`ensure_chain ${j.table} ${shq(target)}`);
      lines.push(`ensure_rule ${j.table} ${shq(j.chain)} ${j.args.map(shq).join(' ')}`);
    }
    lines.push('exec iptables-restore -w 5 -W 100000 --noflush --counters');
    const r = await nsRun(me.ns, 'sh', ['-c', lines.join('\n')], payload);
    if (r.code !== 0) {
      const what = r.code === 3 ? 'ensuring the jump rules' : 'iptables-restore';
      throw new Error(`kernel lab: loadRules(${node}): ${what} failed (exit ${r.code}): ${(r.stderr.trim() || r.stdout.trim())}`);
    }
  }

  async save(node: string, table?: 'filter' | 'nat'): Promise<string> {
    this.open();
    const me = this.member(node, 'node');
    const r = await nsRun(me.ns, 'iptables-save', table ? ['-t', table] : []);
    if (r.code !== 0) throw new Error(`kernel lab: iptables-save in ${node} failed (exit ${r.code}): ${r.stderr.trim()}`);
    return r.stdout;
  }

  async connect(from: LabMember, dstIP: string, dport: number, opts: ConnectOptions = {}): Promise<ConnectResult[]> {
    this.open();
    const me = this.member(from);
    if (!isIPv4(dstIP)) throw new Error(`kernel lab: connect: ${JSON.stringify(dstIP)} is not an IPv4 address`);
    if (!Number.isInteger(dport) || dport < 1 || dport > 65535) throw new Error(`kernel lab: connect: bad port ${dport}`);
    const proto = opts.proto ?? 'tcp';
    if (proto !== 'tcp' && proto !== 'udp') throw new Error(`kernel lab: connect: bad proto ${proto}`);
    const count = opts.count ?? 1;
    if (!Number.isInteger(count) || count < 1 || count > MAX_COUNT) throw new Error(`kernel lab: connect: count must be 1..${MAX_COUNT}`);
    const timeoutMs = opts.timeoutMs ?? 1000;
    if (!(timeoutMs >= 50 && timeoutMs <= MAX_CONN_TIMEOUT_MS)) throw new Error(`kernel lab: connect: timeoutMs must be 50..${MAX_CONN_TIMEOUT_MS}`);
    const agent = await this.startAgent(me);
    const reply = await agent.request({ op: 'connect', host: dstIP, port: dport, proto, count, timeoutMs }, count * timeoutMs + 5000);
    if (reply.error || !reply.results) throw new Error(`kernel lab: connect from ${me.name}: ${reply.error ?? 'no results'}`);
    return reply.results;
  }

  async flushConntrack(node?: string): Promise<void> {
    this.open();
    const targets = node === undefined ? [...this.members.values()].filter((x) => x.kind === 'node') : [this.member(node, 'node')];
    await Promise.all(targets.map(async (t) => {
      const r = await nsRun(t.ns, 'conntrack', ['-F']);
      if (r.code !== 0) throw new Error(`kernel lab: conntrack -F in ${t.name} failed (exit ${r.code}): ${r.stderr.trim()}`);
    }));
  }

  async routeVia(client: string, cidr: string, node: string): Promise<void> {
    this.open();
    const c = this.member(client, 'client');
    const n = this.member(node, 'node');
    const net = parseCidr(cidr, 32, 'routeVia cidr');
    await mustRun(`routeVia(${client}, ${cidr}, ${node})`, 'ip', ['-n', c.ns, 'route', 'replace', net.text, 'via', n.ip, 'dev', 'eth0']);
  }

  async run(member: LabMember, cmd: string, args: string[], stdin?: string): Promise<RunResult> {
    this.open();
    return nsRun(this.member(member).ns, cmd, args, stdin);
  }
}

// ------------------------------------------------------------------------------- entry points

/**
 * Build the cluster described by `spec`, run `fn` with it and always tear it down (also on a throw
 * or when the watchdog fires after maxRuntimeMs, default 60 s, which rejects with an error).
 * Namespaces left behind by dead runs are reaped first.
 */
export async function withLab<T>(spec: LabSpec, fn: (lab: Lab) => Promise<T>, opts: { maxRuntimeMs?: number } = {}): Promise<T> {
  const maxRuntimeMs = opts.maxRuntimeMs ?? 60_000;
  if (!(maxRuntimeMs > 0 && maxRuntimeMs <= 15 * 60_000)) throw new Error('kernel lab: maxRuntimeMs must be in (0, 15 min]');
  const lab = new LabImpl(spec, maxRuntimeMs + 15_000); // validates the spec before anything is created
  const t0 = performance.now();
  await reapStaleNamespaces();
  lab.timings.reap = Math.round((performance.now() - t0) * 10) / 10;
  track(lab);
  let timer: NodeJS.Timeout | undefined;
  const watchdog = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`kernel lab: watchdog: the lab ran longer than ${maxRuntimeMs} ms`)), maxRuntimeMs);
  });
  const setup = lab.setup();
  const work = setup.then(() => fn(lab));
  work.catch(() => {}); // if the watchdog wins, the late rejection is expected
  try {
    return await Promise.race([work, watchdog]);
  } finally {
    clearTimeout(timer);
    await settledWithin(setup, 5000); // never delete under a running setup step
    await lab.teardown();
    untrack(lab);
  }
}

/** One empty namespace (only lo up), e.g. to iptables-restore a payload and iptables-save it back. Always deleted afterwards. */
export async function withScratchNamespace<T>(fn: (run: RunFn) => Promise<T>): Promise<T> {
  await reapStaleNamespaces();
  const c: Cleanable = { prefix: newPrefix(), children: new Set() };
  const ns = `${c.prefix}scratch`;
  track(c);
  let closed = false;
  try {
    await mustRun('creating the scratch namespace', 'ip', ['netns', 'add', ns]);
    await mustRun('scratch lo up', 'ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    return await fn((cmd, args, stdin) => {
      if (closed) return Promise.reject(new Error('kernel lab: scratch namespace is gone'));
      return nsRun(ns, cmd, args, stdin);
    });
  } finally {
    closed = true;
    const mine = listLabNamespaces().filter((n) => n.startsWith(c.prefix));
    for (const pid of pidsInNamespaces(mine)) killQuiet(pid);
    await deleteNamespaces(mine);
    untrack(c);
  }
}
