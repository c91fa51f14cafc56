// The English messages: every sentence the engine renders for people. Parameters are typed here;
// the German table (de.ts) must give the same keys with the same parameters (tsc and test/unit/i18n.test.ts).
import { percentNumber } from './vocabulary';

export const en = {
  // shared vocabulary
  percent: (p: number) => `${percentNumber(p, '.')}%`,

  // CodeLens above a Service
  lensHeadless: () => 'headless: no kube-proxy NAT, clients reach pods directly',
  lensNoRules: () => 'no kube-proxy rules',
  lensText: ({ parts }: { parts: readonly string[] }) => `NAT: ${parts.join(' · ')}`,
  lensReadyEndpoints: ({ n }: { n: number }) => `${n} ready endpoint${n === 1 ? '' : 's'}`,
  lensRefused: () => 'connections refused (REJECT)',
  lensSnatSome: ({ snatNodes, keptNodes }: { snatNodes: string; keptNodes: string }) => `external: SNAT via ${snatNodes}, client IP kept via ${keptNodes}`,
  lensSnatAll: () => 'external: SNAT, client IP lost',
  lensClientIpKept: () => 'external: client IP kept',
  lensDropsOn: ({ nodes }: { nodes: string }) => `drops on ${nodes}`,
  lensRefusedOn: ({ nodes }: { nodes: string }) => `refused on ${nodes}`,
  lensReplyLost: ({ nodes }: { nodes: string }) => `reply lost via ${nodes} (no SNAT)`,
  lensInternalOnly: () => 'cluster-internal only',
  lensProxiedIngress: ({ addresses }: { addresses: string }) => `load balancer ${addresses}: ipMode Proxy, not through kube-proxy`,
};

export type Messages = { readonly [K in keyof typeof en]: (typeof en)[K] };
