// A read-only client of the Kubernetes API: GET and nothing else (the type has no other verb), over
// node:https with the kubeconfig's TLS settings and credentials. An exec credential plugin runs as
// client-go runs it (plugin/pkg/client/auth/exec exec.go): the ExecCredential request in
// KUBERNETES_EXEC_INFO, the answer's token or client certificate, reused until it expires.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Agent, request as httpsRequest, type RequestOptions } from 'node:https';
import { request as httpRequest } from 'node:http';
import { isAbsolute, join } from 'node:path';
import type { ReadResult } from '../../engine/snapshot/reads';
import { KubeconfigError, type Connection, type ExecConfig } from './kubeconfig';

interface Credential { token?: string; cert?: string; key?: string; expires?: number }

const TIMEOUT_MS = 30_000;
/** One list page; continued with metadata.continue, as kubectl's chunked lists do. */
const PAGE = 500;

export class KubeClient {
  private credential: Credential | null = null;
  /** One TLS session for all of a snapshot's requests; closed by close(). */
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 4 });

  constructor(readonly connection: Connection) {}

  /** Ends the kept-alive connections (a CLI run then exits at once). */
  close(): void {
    this.agent.destroy();
  }

  /** GET a path; a list is read page by page and answered as one. */
  async get(path: string, mayBeAbsent = false): Promise<ReadResult> {
    const isList = !/\/version$/.test(path) && !/\/configmaps\/[^/]+$/.test(path);
    const items: unknown[] = [];
    let next: string | undefined;
    for (;;) {
      const query = isList ? `?limit=${PAGE}${next ? `&continue=${encodeURIComponent(next)}` : ''}` : '';
      const r = await this.once(path + query);
      if (r.status === 404 && mayBeAbsent) return { kind: 'absent' };
      if (r.status < 200 || r.status >= 300) return { kind: 'failed', status: r.status, message: statusMessage(r.status, r.body) };
      if (!isList || !Array.isArray((r.body as { items?: unknown[] }).items)) return { kind: 'ok', body: r.body };
      const body = r.body as { items: unknown[]; metadata?: { continue?: string } };
      items.push(...body.items);
      next = body.metadata?.continue;
      if (!next) return { kind: 'ok', body: { ...body, items } };
    }
  }

  private async once(path: string): Promise<{ status: number; body: unknown }> {
    const c = this.connection;
    const cred = await this.credentials();
    const url = new URL(c.server + path);
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'natlens-snapshot' };
    const token = cred.token ?? c.token ?? (c.tokenFile ? readFileSync(c.tokenFile, 'utf8').trim() : undefined);
    if (token) headers['authorization'] = `Bearer ${token}`;
    else if (c.basic) headers['authorization'] = `Basic ${Buffer.from(`${c.basic.username}:${c.basic.password}`).toString('base64')}`;
    const options: RequestOptions = {
      method: 'GET', headers, rejectUnauthorized: !c.insecure,
      ...(c.ca ? { ca: c.ca } : {}), ...(c.tlsServerName ? { servername: c.tlsServerName } : {}),
      ...(cred.cert ? { cert: cred.cert, key: cred.key } : c.cert ? { cert: c.cert, key: c.key } : {}),
    };
    const request = url.protocol === 'http:' ? httpRequest : httpsRequest;
    if (url.protocol === 'https:') options.agent = this.agent;
    return new Promise((resolve, reject) => {
      const req = request(url, options, res => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          try { body = JSON.parse(text); } catch { /* a non-JSON answer (a proxy's error page) stays text */ }
          resolve({ status: res.statusCode ?? 0, body });
        });
      });
      req.setTimeout(TIMEOUT_MS, () => req.destroy(new Error(`no answer from ${c.server} in ${TIMEOUT_MS / 1000} s`)));
      req.on('error', e => reject(new KubeconfigError(`${c.server}: ${e.message}`)));
      req.end();
    });
  }

  private async credentials(): Promise<Credential> {
    const exec = this.connection.exec;
    if (!exec) return {};
    if (this.credential && (this.credential.expires === undefined || this.credential.expires > Date.now() + 10_000)) return this.credential;
    this.credential = await runExecPlugin(exec, this.connection);
    return this.credential;
  }
}

function statusMessage(status: number, body: unknown): string {
  const message = typeof body === 'object' && body !== null && typeof (body as { message?: unknown }).message === 'string' ? (body as { message: string }).message : String(body).slice(0, 200);
  return status === 401 ? `unauthorized: ${message}` : message;
}

function runExecPlugin(exec: ExecConfig, c: Connection): Promise<Credential> {
  const info = {
    apiVersion: exec.apiVersion, kind: 'ExecCredential',
    spec: { interactive: false, ...(exec.provideClusterInfo ? { cluster: { server: c.server, 'insecure-skip-tls-verify': c.insecure, ...(c.ca ? { 'certificate-authority-data': c.ca.toString('base64') } : {}) } } : {}) },
  };
  // client-go: a command with a path separator is relative to the kubeconfig; a bare name is looked up on PATH
  const command = exec.command.includes('/') && !isAbsolute(exec.command) ? join(exec.dir, exec.command) : exec.command;
  const env = { ...process.env, ...Object.fromEntries(exec.env.map(e => [e.name, e.value])), KUBERNETES_EXEC_INFO: JSON.stringify(info) };
  return new Promise((resolve, reject) => {
    execFile(command, [...exec.args], { env, timeout: 60_000, maxBuffer: 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) { reject(new KubeconfigError(`exec credential plugin ${exec.command} failed: ${(stderr || error.message).trim().split('\n')[0]}`)); return; }
      let status: { token?: string; clientCertificateData?: string; clientKeyData?: string; expirationTimestamp?: string } | undefined;
      try { status = (JSON.parse(stdout) as { status?: typeof status }).status; } catch { /* reported below */ }
      if (!status || (!status.token && !status.clientCertificateData)) { reject(new KubeconfigError(`exec credential plugin ${exec.command}: its output is not an ExecCredential with a token or client certificate`)); return; }
      resolve({
        ...(status.token ? { token: status.token } : {}),
        ...(status.clientCertificateData ? { cert: status.clientCertificateData, key: status.clientKeyData ?? '' } : {}),
        ...(status.expirationTimestamp ? { expires: Date.parse(status.expirationTimestamp) } : {}),
      });
    });
  });
}
