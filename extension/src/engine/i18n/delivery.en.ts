// Where a walked connection ends and what its reply does (walk/walk.ts): the trace's "delivered to"
// and the preview's last steps.

/** Where a connection ends. */
export type Delivery =
  | { readonly kind: 'blocked'; readonly verdict: 'DROP' | 'REJECT'; readonly node: string }
  | { readonly kind: 'pod' | 'unknown-node'; readonly address: string; readonly node: string }
  | { readonly kind: 'local'; readonly node: string }
  | { readonly kind: 'outside'; readonly address: string };

/** One step of the reply. */
export type ReplyWhat =
  | { readonly kind: 'replies'; readonly endpoint: string }
  | { readonly kind: 'bypasses'; readonly to: string; readonly natNode: string | null; readonly from: string; readonly expected: string }
  | { readonly kind: 'reverses'; readonly natNode: string; readonly unSnat: { readonly from: string; readonly to: string } | null; readonly unDnat: { readonly from: string; readonly to: string } | null }
  | { readonly kind: 'received'; readonly from: string };

export const deliveryEn = {
  walkDelivered: (d: Delivery): string => {
    switch (d.kind) {
      case 'blocked': return `${d.verdict === 'DROP' ? 'dropped' : 'rejected'} on ${d.node}`;
      case 'pod': return `pod ${d.address} on ${d.node}`;
      case 'local': return `a socket on ${d.node} itself`;
      case 'unknown-node': return `${d.address} on node ${d.node} (not in the profile; its rules were not walked)`;
      case 'outside': return `${d.address}, outside the cluster`;
    }
  },
  walkReplyStep: (r: ReplyWhat): string => {
    switch (r.kind) {
      case 'replies': return `${r.endpoint} replies to the source it saw`;
      case 'bypasses': return `the reply goes straight to ${r.to}, not back through ${r.natNode}: the client gets it from ${r.from}, not from ${r.expected}, and drops it`;
      case 'reverses': return `conntrack on ${r.natNode} reverses the translation: ${[r.unSnat ? `un-SNAT ${r.unSnat.from} back to ${r.unSnat.to}` : '', r.unDnat ? `un-DNAT ${r.unDnat.from} back to ${r.unDnat.to}` : ''].filter(Boolean).join(', ')}`;
      case 'received': return `the client receives the reply from ${r.from}, the address it connected to`;
    }
  },
};
