// kubeconfig files as kubectl reads them: $KUBECONFIG (a path list, the first file to set a value
// wins) or ~/.kube/config, the current context or a named one, and the credentials of its user:
// bearer token or token file, client certificate, basic auth, or an exec credential plugin
// (client-go tools/clientcmd loader.go and api/types.go; relative paths are relative to the file).
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';
import { parseYamlDocuments } from '../../engine/manifest/yamlAdapter';
import { LineIndex } from '../../engine/manifest/source';

type Obj = Record<string, unknown>;

export class KubeconfigError extends Error {}

export interface ExecConfig {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: readonly { name: string; value: string }[];
  readonly apiVersion: string;
  readonly provideClusterInfo: boolean;
  /** The kubeconfig's directory: a relative command is resolved there, as client-go does. */
  readonly dir: string;
}

export interface Connection {
  readonly context: string;
  readonly cluster: string;
  readonly server: string;
  readonly namespace: string | null;
  readonly ca?: Buffer;
  readonly insecure: boolean;
  readonly tlsServerName?: string;
  readonly token?: string;
  readonly tokenFile?: string;
  readonly cert?: Buffer;
  readonly key?: Buffer;
  readonly basic?: { readonly username: string; readonly password: string };
  readonly exec?: ExecConfig;
}

interface Named { name: string; value: Obj; dir: string }

export interface Kubeconfig {
  readonly files: readonly string[];
  readonly currentContext: string | null;
  readonly contexts: readonly string[];
  connection(context?: string): Connection;
}

/** The files kubectl would read: --kubeconfig, else $KUBECONFIG's list, else ~/.kube/config. */
export function kubeconfigFiles(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): string[] {
  if (explicit) return [resolve(explicit)];
  const list = (env['KUBECONFIG'] ?? '').split(delimiter).filter(Boolean);
  return list.length ? list.map(p => resolve(p)) : [join(homedir(), '.kube', 'config')];
}

function parseFile(path: string, mustExist: boolean): Obj | null {
  let text: string;
  try { text = readFileSync(path, 'utf8'); } catch (e) {
    if (!mustExist && (e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new KubeconfigError(`${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `cannot be read (${(e as Error).message})`}`);
  }
  const docs = parseYamlDocuments(text, new LineIndex(text));
  const problem = docs.flatMap(d => d.problems).find(p => p.severity === 'error');
  if (problem) throw new KubeconfigError(`${path}:${problem.range.start.line + 1}: ${problem.message}`);
  const value = docs[0]?.value;
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new KubeconfigError(`${path}: a kubeconfig is a mapping`);
  return value as Obj;
}

export function loadKubeconfig(files: readonly string[]): Kubeconfig {
  const clusters = new Map<string, Named>(), users = new Map<string, Named>(), contexts = new Map<string, Named>();
  let currentContext: string | null = null;
  const read: string[] = [];
  for (const file of files) {
    const cfg = parseFile(file, files.length === 1);
    if (!cfg) continue;
    read.push(file);
    const dir = dirname(file);
    currentContext ??= typeof cfg['current-context'] === 'string' && cfg['current-context'] ? cfg['current-context'] : null;
    for (const [key, into, inner] of [['clusters', clusters, 'cluster'], ['users', users, 'user'], ['contexts', contexts, 'context']] as const) {
      const list = Array.isArray(cfg[key]) ? cfg[key] as unknown[] : [];
      for (const entry of list) {
        if (typeof entry !== 'object' || entry === null) continue;
        const e = entry as Obj;
        if (typeof e['name'] === 'string' && !into.has(e['name'])) into.set(e['name'], { name: e['name'], value: (e[inner] as Obj | undefined) ?? {}, dir });
      }
    }
  }
  if (read.length === 0) throw new KubeconfigError(`no kubeconfig: ${files.join(', ')} ${files.length > 1 ? 'do' : 'does'} not exist`);
  return {
    files: read, currentContext, contexts: [...contexts.keys()],
    connection(name?: string): Connection {
      const contextName = name ?? currentContext;
      if (!contextName) throw new KubeconfigError(`${read.join(', ')}: no current-context; name one with --context (contexts: ${[...contexts.keys()].join(', ') || 'none'})`);
      const ctx = contexts.get(contextName);
      if (!ctx) throw new KubeconfigError(`context "${contextName}" is not in ${read.join(', ')} (contexts: ${[...contexts.keys()].join(', ') || 'none'})`);
      const clusterName = String(ctx.value['cluster'] ?? '');
      const cluster = clusters.get(clusterName);
      if (!cluster) throw new KubeconfigError(`context "${contextName}": cluster "${clusterName}" is not defined`);
      const server = cluster.value['server'];
      if (typeof server !== 'string' || !/^https?:\/\//.test(server)) throw new KubeconfigError(`cluster "${clusterName}": server ${JSON.stringify(server)} is not an http(s) URL`);
      const user = users.get(String(ctx.value['user'] ?? ''))?.value ?? {};
      const userDir = users.get(String(ctx.value['user'] ?? ''))?.dir ?? ctx.dir;
      return {
        context: contextName, cluster: clusterName, server: server.replace(/\/+$/, ''),
        namespace: typeof ctx.value['namespace'] === 'string' ? ctx.value['namespace'] : null,
        insecure: cluster.value['insecure-skip-tls-verify'] === true,
        ...opt('tlsServerName', str(cluster.value['tls-server-name'])),
        ...opt('ca', bytes(cluster.value, 'certificate-authority', cluster.dir)),
        ...credentials(user, userDir, contextName),
      };
    },
  };
}

const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
const opt = <K extends string, V>(key: K, v: V | undefined) => (v === undefined ? {} : { [key]: v } as Record<K, V>);
const inDir = (dir: string, p: string) => (isAbsolute(p) ? p : join(dir, p));

/** `<field>-data` (base64) or `<field>` (a file path). */
function bytes(o: Obj, field: string, dir: string): Buffer | undefined {
  const data = str(o[`${field}-data`]);
  if (data) return Buffer.from(data, 'base64');
  const path = str(o[field]);
  if (!path) return undefined;
  try { return readFileSync(inDir(dir, path)); } catch (e) { throw new KubeconfigError(`${field} ${path}: ${(e as Error).message}`); }
}

function credentials(user: Obj, dir: string, context: string): Partial<Connection> {
  if (user['auth-provider'] !== undefined) {
    throw new KubeconfigError(`context "${context}": the user's auth-provider was removed from kubectl in 1.26; use its exec credential plugin (e.g. gke-gcloud-auth-plugin, kubelogin)`);
  }
  const exec = user['exec'];
  const execConfig = typeof exec === 'object' && exec !== null ? exec as Obj : null;
  return {
    ...opt('token', str(user['token'])),
    ...opt('tokenFile', str(user['tokenFile']) ? inDir(dir, str(user['tokenFile'])!) : undefined),
    ...opt('cert', bytes(user, 'client-certificate', dir)),
    ...opt('key', bytes(user, 'client-key', dir)),
    ...(str(user['username']) ? { basic: { username: str(user['username'])!, password: String(user['password'] ?? '') } } : {}),
    ...(execConfig && str(execConfig['command']) ? {
      exec: {
        command: str(execConfig['command'])!, dir,
        args: Array.isArray(execConfig['args']) ? execConfig['args'].map(String) : [],
        env: Array.isArray(execConfig['env']) ? (execConfig['env'] as Obj[]).filter(e => typeof e?.['name'] === 'string').map(e => ({ name: String(e['name']), value: String(e['value'] ?? '') })) : [],
        apiVersion: str(execConfig['apiVersion']) ?? 'client.authentication.k8s.io/v1',
        provideClusterInfo: execConfig['provideClusterInfo'] === true,
      },
    } : {}),
  };
}
