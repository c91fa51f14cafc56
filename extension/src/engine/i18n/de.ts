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

  // Diagnosen, aus den Fakten formuliert (facts/diagnostics.ts)
  diagClientIpLost: ({ sameNode, entries, client }) =>
    `Client-IP geht verloren: Bei externalTrafficPolicy Cluster werden externe Verbindungen auf dem Node maskiert, über den sie hereinkommen${sameNode ? ', auch wenn der Endpoint auf genau diesem Node läuft' : ''}: ${entries.join('; ')}${client ? `; nie ${client}, den Client.` : '.'}`,
  diagEnteringSees: ({ node, sees }) => `über ${node} sieht der Pod ${sees}`,
  diagLocalText: ({ parts, loadBalancer }) => `externalTrafficPolicy Local: ${parts.join('; ')}.${loadBalancer ? ` ${loadBalancer}` : ''}`,
  diagLocalServingNode: ({ node, n }) => `${node} schickt externe Verbindungen an ${n === 1 ? 'seinen eigenen Endpoint' : `seine ${n} eigenen Endpoints`}`,
  diagLocalServing: ({ nodes, keptIp, uneven }) =>
    `${nodes.join(', ')}${keptIp ? ', die Client-IP bleibt erhalten' : ''}${uneven ? ', ein Node mit weniger Endpoints belastet also jeden davon stärker' : ''}`,
  diagLocalBlocked: ({ nodes, several, refused, where }) =>
    `${nodes} ${several ? 'haben' : 'hat'} keinen lokalen Endpoint und ${refused ? `${several ? 'weisen' : 'weist'} die Verbindungen ab (${where}): Clients bekommen „connection refused“` : `${several ? 'verwerfen' : 'verwirft'} die Verbindungen (${where}): Clients laufen in einen Timeout`}`,
  diagLocalLost: ({ nodes, several, targets, fallbackMode }) =>
    `${nodes} ${several ? 'haben' : 'hat'} keinen lokalen Endpoint und ${several ? 'schicken' : 'schickt'} sie ohne SNAT an ${targets}${fallbackMode ? `: kube-proxy weicht im ${fallbackMode}-Modus auf die Endpoints der anderen Nodes aus (kubernetes/kubernetes#97081)` : ''}, und die Antwort kommt nicht über ${nodes} zurück, die Verbindungen scheitern also`,
  diagLocalNoNode: ({ known }) => (known ? 'kein Node hat einen lokalen Endpoint'
    : 'kein Workload und keine EndpointSlice in den angegebenen Dateien gehört zu diesem Service, hier hat also kein Node einen lokalen Endpoint (Pods, die anderswo definiert sind oder von einem Operator angelegt werden, sind nicht zu sehen)'),
  diagLocalBehindLoadBalancer: ({ port, nodes }) =>
    `Hinter einem Load Balancer ist das so gewollt: Der Health-Check-Node-Port ${port || '(vom API-Server vergeben)'} antwortet auf ${nodes} mit 503, ein Load Balancer, der ihn auswertet, schickt dorthin also nichts; nur Clients, die sich direkt mit diesen Nodes verbinden, trifft das oben Beschriebene.`,
  diagInternalText: ({ parts }) => `internalTrafficPolicy Local: ${parts.join('; ')}.`,
  diagInternalBlocked: ({ nodes, address, refused, where }) =>
    `Clients auf ${nodes} haben keinen lokalen Endpoint, ihre Verbindungen zu ${address} werden ${refused ? 'abgewiesen' : 'verworfen'} (${where}) und nicht an einen anderen Node geschickt`,
  diagInternalElsewhere: ({ nodes, address, targets }) => `von ${nodes} gehen Verbindungen zu ${address} an ${targets} auf einem anderen Node`,
  diagNoEndpoints: ({ verdict, where }) =>
    `hat der Service keine Endpoints${verdict === 'REJECT' ? ', und kube-proxy weist Verbindungen zu ihm mit REJECT ab: Clients sehen „connection refused“.' : verdict === 'DROP' ? `, und kube-proxy verwirft Verbindungen zu ihm (${where}): Clients laufen in einen Timeout.` : '.'}`,
};
