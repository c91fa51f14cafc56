// Wo eine verfolgte Verbindung endet und was ihre Antwort tut.
import type { deliveryEn } from './delivery.en';

export const deliveryDe: typeof deliveryEn = {
  walkDelivered: (d) => {
    switch (d.kind) {
      case 'blocked': return `${d.verdict === 'DROP' ? 'verworfen' : 'abgewiesen'} auf ${d.node}`;
      case 'pod': return `Pod ${d.address} auf ${d.node}`;
      case 'local': return `ein Socket auf ${d.node} selbst`;
      case 'unknown-node': return `${d.address} auf Node ${d.node} (nicht im Profil; seine Regeln wurden nicht verfolgt)`;
      case 'outside': return `${d.address}, außerhalb des Clusters`;
    }
  },
  walkReplyStep: (r) => {
    switch (r.kind) {
      case 'replies': return `${r.endpoint} antwortet an die Quelle, die er gesehen hat`;
      case 'bypasses': return `Die Antwort geht direkt an ${r.to}, nicht zurück über ${r.natNode}: Der Client bekommt sie von ${r.from}, nicht von ${r.expected}, und verwirft sie`;
      case 'reverses': return `conntrack auf ${r.natNode} macht die Übersetzung rückgängig: ${[r.unSnat ? `SNAT zurück: ${r.unSnat.from} wird wieder ${r.unSnat.to}` : '', r.unDnat ? `DNAT zurück: ${r.unDnat.from} wird wieder ${r.unDnat.to}` : ''].filter(Boolean).join(', ')}`;
      case 'received': return `Der Client bekommt die Antwort von ${r.from}, der Adresse, mit der er sich verbunden hat`;
    }
  },
};
