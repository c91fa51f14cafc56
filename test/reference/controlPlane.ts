// The control plane process (natlens-reference control-plane: etcd, kube-apiserver, EndpointSlice
// controller on loopback) and a minimal REST client for it.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface ControlPlaneOptions {
  readonly serviceCIDRs: readonly string[];
  readonly nodePortRange: { readonly min: number; readonly max: number };
  /** Write the API server's audit log (JSON lines, level Metadata) to this file. */
  readonly auditLog?: string;
}

interface Ready { server: string; kubeconfig: string; viewerKubeconfig: string; token: string; socket: string; version: string }

export class ApiError extends Error {
  constructor(readonly status: number, readonly reason: string, message: string) { super(message); }
}

/** The controller's log line for a failed sync it will retry (pkg/controller/endpointslice handleErr). */
const RETRY_LINE = /Error syncing endpoint slices for service, retrying" key="([^"]+)"/g;
/** Its retry backoff: 1 s doubling per failure of the same Service (defaultSyncBackOff). */
const RETRY_BASE_MS = 1000;

export class ControlPlane {
  /** Per Service key: failed syncs seen and when the last one was logged. */
  private readonly retries = new Map<string, { count: number; at: number }>();

  private constructor(private readonly child: ChildProcess, readonly dir: string, private readonly ready: Ready, private readonly log: string[]) {
    createInterface({ input: child.stderr! }).on('line', line => {
      for (const m of line.matchAll(RETRY_LINE)) {
        const r = this.retries.get(m[1]!) ?? { count: 0, at: 0 };
        this.retries.set(m[1]!, { count: r.count + 1, at: Date.now() });
      }
    });
  }

  /** When every retry the controller has scheduled will have run (with half a second to spare). */
  controllerRetriesDueBy(): number {
    let due = 0;
    for (const r of this.retries.values()) due = Math.max(due, r.at + RETRY_BASE_MS * 2 ** Math.min(r.count - 1, 10) + 500);
    return due;
  }

  /** Forgets the retries of an earlier input. */
  resetControllerRetries(): void { this.retries.clear(); }

  /** The admin's kubeconfig (group system:masters). */
  get kubeconfig(): string { return this.ready.kubeconfig; }
  /** User natlens-viewer: authenticated, but RBAC grants it nothing until a test binds it a role. */
  get viewerKubeconfig(): string { return this.ready.viewerKubeconfig; }
  get socket(): string { return this.ready.socket; }
  get version(): string { return this.ready.version; }
  get token(): string { return this.ready.token; }

  static async start(binary: string, opts: ControlPlaneOptions): Promise<ControlPlane> {
    const dir = mkdtempSync(join(process.env['NATLENS_REFERENCE_STATE'] ?? tmpdir(), 'natlens-reference-'));
    const child = spawn(binary, ['control-plane', '--dir', dir,
      '--service-cidr', opts.serviceCIDRs.join(','), '--node-port-range', `${opts.nodePortRange.min}-${opts.nodePortRange.max}`,
      ...(opts.auditLog ? ['--audit-log', opts.auditLog] : [])],
    { stdio: ['ignore', 'pipe', 'pipe'] });
    const log: string[] = [];
    child.stderr!.on('data', (d: Buffer) => { log.push(d.toString()); if (log.length > 200) log.shift(); });
    const ready = await new Promise<Ready>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`control plane not ready after 180 s:\n${log.join('').slice(-4000)}`)), 180_000);
      createInterface({ input: child.stdout! }).once('line', line => { clearTimeout(timer); resolve(JSON.parse(line) as Ready); });
      child.once('exit', code => { clearTimeout(timer); reject(new Error(`control plane exited (${code}):\n${log.join('').slice(-4000)}`)); });
    });
    return new ControlPlane(child, dir, ready, log);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) {
      const exited = new Promise(r => this.child.once('exit', r));
      this.child.kill('SIGTERM');
      await Promise.race([exited, new Promise(r => setTimeout(r, 5000))]);
      if (this.child.exitCode === null) this.child.kill('SIGKILL');
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** One API call; JSON in and out. Throws ApiError with the API server's message on a failure status. */
  call<T = Record<string, unknown>>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
    const url = new URL(path, this.ready.server);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise<T>((resolve, reject) => {
      const req = request(url, {
        method, rejectUnauthorized: false, agent: false,
        headers: { authorization: `Bearer ${this.ready.token}`, accept: 'application/json', ...(payload ? { 'content-type': contentType } : {}) },
      }, res => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: Record<string, unknown> = {};
          try { json = text ? JSON.parse(text) : {}; } catch { json = { message: text }; }
          if ((res.statusCode ?? 500) >= 300) reject(new ApiError(res.statusCode ?? 500, String(json['reason'] ?? ''), String(json['message'] ?? text)));
          else resolve(json as T);
        });
      });
      req.setTimeout(30_000, () => req.destroy(new Error(`${method} ${path}: no answer in 30 s`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** The API server's stderr so far (for failure messages). */
  logTail(): string { return this.log.join('').slice(-4000); }
}
