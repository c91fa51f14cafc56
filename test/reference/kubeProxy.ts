// A real kube-proxy per node, each in the node's namespace of a kernel lab (test/kernel/lab.ts), with
// the profile's settings as its KubeProxyConfiguration. The harness waits on kube-proxy's own sync
// metrics and reads back what it programmed.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import type { ClusterProfile } from '../../extension/src/engine/model/profile';
import type { Lab } from '../kernel/lab';
import type { ControlPlane } from './controlPlane';

export type ReferenceMode = 'iptables' | 'nftables';

/**
 * kube-proxy's configuration for this profile (kubeproxy.config.k8s.io/v1alpha1). Sync periods are
 * long and minSyncPeriod is 0 so the one sync after start holds the whole input; conntrack sysctls
 * are left alone (0), as are OOM scores, since the namespaces are a test lab.
 */
export function kubeProxyConfig(profile: ClusterProfile, mode: ReferenceMode, nodeName: string, kubeconfig: string): Record<string, unknown> {
  const modeSettings = { masqueradeBit: profile.masqueradeBit, masqueradeAll: profile.masqueradeAll, syncPeriod: '1h', minSyncPeriod: '0s' };
  return {
    apiVersion: 'kubeproxy.config.k8s.io/v1alpha1', kind: 'KubeProxyConfiguration',
    clientConnection: { kubeconfig, qps: 100, burst: 200 },
    hostnameOverride: nodeName,
    mode,
    // kube-proxy has no "None" mode: no local-traffic detector is ClusterCIDR mode without a cluster
    // CIDR (cmd/kube-proxy/app/server_linux.go getLocalDetectors returns the no-op detector)
    clusterCIDR: profile.detectLocalMode === 'None' ? '' : profile.clusterCIDR ?? '',
    detectLocalMode: profile.detectLocalMode === 'None' ? 'ClusterCIDR' : profile.detectLocalMode,
    detectLocal: { bridgeInterface: profile.bridgeInterface ?? '', interfaceNamePrefix: profile.interfaceNamePrefix ?? '' },
    iptables: { ...modeSettings, localhostNodePorts: profile.localhostNodePorts },
    nftables: modeSettings,
    nodePortAddresses: [...profile.nodePortAddresses],
    conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: '0s', tcpCloseWaitTimeout: '0s', tcpBeLiberal: profile.conntrackTCPLiberal, udpTimeout: '0s', udpStreamTimeout: '0s' },
    metricsBindAddress: '127.0.0.1:10249',
    healthzBindAddress: '127.0.0.1:10256',
    oomScoreAdj: 0,
    configSyncPeriod: '1h',
    logging: { verbosity: 0 },
  };
}

export class NodeProxy {
  private readonly log: string[] = [];
  private head = '';
  private constructor(readonly node: string, readonly ns: string, private readonly child: ChildProcess, private readonly metricsSocket: string) {
    child.stderr!.on('data', (d: Buffer) => {
      if (this.head.length < 2000) this.head += d.toString();
      this.log.push(d.toString());
      if (this.log.length > 100) this.log.shift();
    });
    child.stdout!.on('data', () => {});
  }

  /** Starts kube-proxy in the lab namespace of `node`. */
  static start(binary: string, cp: ControlPlane, lab: Lab, labNode: string, node: string, profile: ClusterProfile, mode: ReferenceMode): NodeProxy {
    const tag = `${labNode}-${mode}`;
    const kubeconfig = join(cp.dir, `${tag}.kubeconfig`);
    writeFileSync(kubeconfig, [
      'apiVersion: v1', 'kind: Config',
      "clusters: [{name: reference, cluster: {server: 'https://127.0.0.1:6443', insecure-skip-tls-verify: true}}]",
      `users: [{name: kube-proxy, user: {token: '${cp.token}'}}]`,
      'contexts: [{name: reference, context: {cluster: reference, user: kube-proxy}}]', 'current-context: reference', '',
    ].join('\n'));
    const config = join(cp.dir, `${tag}.kube-proxy.json`);
    writeFileSync(config, JSON.stringify(kubeProxyConfig(profile, mode, node, kubeconfig)));
    const metricsSocket = join(cp.dir, `${tag}.metrics.sock`);
    const ns = `${lab.prefix}node-${labNode}`;
    const child = spawn('ip', ['netns', 'exec', ns, binary, 'kube-proxy', '--api-socket', cp.socket, '--metrics-socket', metricsSocket, '--', '--config', config],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    return new NodeProxy(node, ns, child, metricsSocket);
  }

  private metrics(): Promise<string> {
    return new Promise((resolve, reject) => {
      const req = request({ socketPath: this.metricsSocket, path: '/metrics', timeout: 5000 }, res => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', c => { text += c; });
        res.on('end', () => resolve(text));
      });
      req.on('error', reject);
      req.end();
    });
  }

  /**
   * Waits for kube-proxy's first complete sync: the last sync is at least as recent as the last queued
   * change and nothing is pending (pkg/proxy/metrics: SyncProxyRulesLastTimestamp,
   * SyncProxyRulesLastQueuedTimestamp, *ChangesPending); with `afterSeconds`, a sync that started
   * after that time.
   */
  async synced(family: 'IPv4' | 'IPv6', timeoutMs = 60_000, afterSeconds = 0): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const value = (text: string, name: string) => Number((new RegExp(`^${name}(?:\\{ip_family="${family}"\\})? (\\S+)$`, 'm').exec(text) ?? [])[1] ?? NaN);
    for (;;) {
      if (this.child.exitCode !== null) throw new Error(`kube-proxy on ${this.node} exited (${this.child.exitCode}):\n${this.logTail()}`);
      const text = await this.metrics().catch(() => '');
      const last = value(text, 'kubeproxy_sync_proxy_rules_last_timestamp_seconds');
      const queued = value(text, 'kubeproxy_sync_proxy_rules_last_queued_timestamp_seconds');
      const pending = value(text, 'kubeproxy_sync_proxy_rules_endpoint_changes_pending') + value(text, 'kubeproxy_sync_proxy_rules_service_changes_pending');
      if (last > afterSeconds && !(queued > last) && pending === 0) return;
      if (Date.now() > deadline) throw new Error(`kube-proxy on ${this.node} did not sync in ${timeoutMs / 1000} s:\n${this.logTail()}`);
      await new Promise(r => setTimeout(r, 100));
    }
  }

  /** The start of kube-proxy's log (where a configuration error is) and its end. */
  logTail(): string { return `${this.head.slice(0, 2000)}\n…\n${this.log.join('').slice(-1500)}`; }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise(r => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    await Promise.race([exited, new Promise(r => setTimeout(r, 3000))]);
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}
