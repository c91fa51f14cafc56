// Die deutschen Texte: so, wie ein Kubernetes-Engineer sie schreiben würde, nicht Wort für Wort
// übersetzt. "Service", "Endpoint", "Node", "Pod" bleiben, wie sie im Deutschen benutzt werden.
import type { Messages } from './en';
import { percentNumber } from './vocabulary';

export const de: Messages = {
  // gemeinsames Vokabular: Dezimalkomma, Leerzeichen vor dem Prozentzeichen (DIN 5008)
  percent: (p) => `${percentNumber(p, ',')}\u00a0%`,

  lensHeadless: () => 'headless: kein NAT durch kube-proxy, Clients erreichen die Pods direkt',
  lensNoRules: () => 'keine kube-proxy-Regeln',
  lensText: ({ parts }) => `NAT: ${parts.join(' · ')}`,
  lensReadyEndpoints: ({ n }) => `${n} ${n === 1 ? 'Endpoint' : 'Endpoints'} bereit`,
  lensRefused: () => 'Verbindungen werden abgewiesen (REJECT)',
  lensSnatSome: ({ snatNodes, keptNodes }) => `extern: SNAT über ${snatNodes}, Client-IP bleibt erhalten über ${keptNodes}`,
  lensSnatAll: () => 'extern: SNAT, die Client-IP geht verloren',
  lensClientIpKept: () => 'extern: die Client-IP bleibt erhalten',
  lensDropsOn: ({ nodes }) => `DROP auf ${nodes}`,
  lensRefusedOn: ({ nodes }) => `abgewiesen auf ${nodes}`,
  lensReplyLost: ({ nodes }) => `Antwort geht über ${nodes} verloren (kein SNAT)`,
  lensInternalOnly: () => 'nur clusterintern',
  lensProxiedIngress: ({ addresses }) => `Load Balancer ${addresses}: ipMode Proxy, nicht über kube-proxy`,
};
