// The walk diagram: the client, the nodes with their pods (endpoints, with the chance of each), and
// the path of the chosen branch, drawn as SVG with createElementNS and textContent only.
import { s } from './dom';
import { pct, type Step } from './steps';
import type { NodeView, OutcomeView, PreviewState } from '../../protocol/preview';
import { labels } from './labels';

export interface DiagramPod {
  readonly endpoint: string;
  readonly ip: string;
  readonly probability: number | null;
  readonly outcome: number | null;
}

export interface DiagramInput {
  readonly state: PreviewState;
  readonly outcome: number;
  readonly steps: readonly Step[];
  readonly step: number;
  readonly onPickOutcome: (index: number) => void;
}

function parseIP(ip: string): { v6: boolean; n: bigint } | null {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(ip)) return { v6: false, n: ip.split('.').reduce((a, b) => (a << 8n) | BigInt(Number(b) & 255), 0n) };
  if (!ip.includes(':')) return null;
  const [head, tail] = ip.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  if (tail === undefined && h.length !== 8) return null;
  const parts = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  if (parts.length !== 8 || parts.some(p => !/^[0-9a-fA-F]{1,4}$/.test(p))) return null;
  return { v6: true, n: parts.reduce((a, p) => (a << 16n) | BigInt(parseInt(p, 16)), 0n) };
}

/** Whether an address is in a CIDR (IPv4 or IPv6). */
export function inCIDR(ip: string, cidr: string | null): boolean {
  if (!cidr) return false;
  const [base, bits] = cidr.split('/');
  const a = parseIP(ip), b = parseIP(base ?? '');
  if (!a || !b || a.v6 !== b.v6) return false;
  const width = a.v6 ? 128n : 32n;
  const n = BigInt(Number(bits ?? (a.v6 ? 128 : 32)));
  if (n < 0n || n > width) return false;
  const shift = width - n;
  return (a.n >> shift) === (b.n >> shift);
}

/** "10.244.0.21:8443" / "[fd00::1]:80" -> the address. */
export function endpointIP(endpoint: string): string {
  const m = /^\[([^\]]+)\]:\d+$/.exec(endpoint) ?? /^([^:]+):\d+$/.exec(endpoint);
  return m ? m[1]! : endpoint;
}

/** Pods per node: the walk's endpoints (with their node and chance), else the rules' endpoints placed by pod CIDR. */
export function podsByNode(state: PreviewState): Map<string, DiagramPod[]> {
  const out = new Map<string, DiagramPod[]>(state.profile.nodes.map(n => [n.name, []]));
  const seen = new Set<string>();
  const add = (node: string | null, pod: DiagramPod) => {
    if (seen.has(pod.endpoint)) return;
    const owner = node && out.has(node) ? node : state.profile.nodes.find(n => inCIDR(pod.ip, n.podCIDR))?.name;
    if (!owner) return;
    seen.add(pod.endpoint);
    out.get(owner)!.push(pod);
  };
  const walk = state.walk;
  if (walk) {
    for (const e of walk.endpoints) {
      const outcome = walk.outcomes.findIndex(o => o.endpoint === e.endpoint && o.verdict === 'DNAT');
      add(e.node, { endpoint: e.endpoint, ip: endpointIP(e.endpoint), probability: e.probability, outcome: outcome >= 0 ? outcome : null });
    }
  }
  for (const l of state.rules.lines) if (l.endpoint) add(null, { endpoint: l.endpoint, ip: endpointIP(l.endpoint), probability: null, outcome: null });
  return out;
}

const CLIENT_W = 136, NODE_W = 196, GAP = 36, LEFT = 12, TOP = 34, HEADER = 58, POD_H = 30, POD_GAP = 6;

interface Box { x: number; y: number; w: number; h: number }

function text(x: number, y: number, value: string, cls: string, anchor: 'start' | 'middle' | 'end' = 'start', max = 30): SVGTextElement {
  const shown = value.length > max ? value.slice(0, max - 1) + '…' : value;
  const t = s('text', { x, y, class: cls, 'text-anchor': anchor }, shown);
  if (shown !== value) t.append(s('title', {}, value));
  return t;
}

function arrow(from: [number, number], to: [number, number], cls: string, curve = 0): SVGPathElement {
  const [x1, y1] = from, [x2, y2] = to;
  const mx = (x1 + x2) / 2, my = (y1 + y2) / 2 - curve;
  return s('path', { d: `M ${x1} ${y1} Q ${mx} ${my} ${x2} ${y2}`, class: cls, 'marker-end': 'url(#natlens-arrow)' });
}

export function renderDiagram(input: DiagramInput): SVGSVGElement {
  const { state, steps, step } = input;
  const walk = state.walk;
  const nodes: NodeView[] = state.profile.nodes;
  const pods = podsByNode(state);
  const outcome: OutcomeView | null = walk?.outcomes[input.outcome] ?? null;
  const current = steps[step] ?? null;

  const boxes = new Map<string, Box>();
  let height = 0;
  nodes.forEach((n, i) => {
    const count = pods.get(n.name)?.length ?? 0;
    const h = HEADER + Math.max(1, count) * (POD_H + POD_GAP) + 8;
    boxes.set(n.name, { x: LEFT + CLIENT_W + GAP + i * (NODE_W + GAP), y: TOP, w: NODE_W, h });
    height = Math.max(height, h);
  });
  const client: Box = { x: LEFT, y: TOP + 10, w: CLIENT_W, h: 64 };
  const width = LEFT + CLIENT_W + GAP + Math.max(1, nodes.length) * (NODE_W + GAP);
  const svgH = TOP + Math.max(height, client.h + 20) + 30;

  const svg = s('svg', { class: 'diagram', viewBox: `0 0 ${width} ${svgH}`, width, height: svgH, role: 'group', 'aria-label': labels().diagramAria(), preserveAspectRatio: 'xMinYMin meet' });
  svg.append(s('defs', {}, s('marker', { id: 'natlens-arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
    s('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'arrow-head' }))));

  // client
  const replyAtClient = current?.kind === 'reply' && current.node === null;
  const clientLabel = walk?.sourceLabel ?? labels().client();
  const m = /^(.*?)\s*\(?(\[?[0-9a-fA-F.:]+\]?)\)?$/.exec(clientLabel);
  const g = s('g', { class: `client${replyAtClient || (current === null && !!walk) ? ' current' : ''}`, 'data-node': '' });
  g.append(s('rect', { x: client.x, y: client.y, width: client.w, height: client.h, rx: 6, class: 'box' }));
  g.append(text(client.x + client.w / 2, client.y + 26, m ? m[1]! || labels().client() : clientLabel, 'label', 'middle', 20));
  if (m) g.append(text(client.x + client.w / 2, client.y + 46, m[2]!, 'sub', 'middle', 24));
  g.append(s('title', {}, clientLabel));
  svg.append(g);

  // nodes and pods
  for (const n of nodes) {
    const b = boxes.get(n.name)!;
    const isCurrent = !!current && current.node === n.name;
    const visited = !!outcome && outcome.hops.some(hp => hp.node === n.name);
    const ng = s('g', { class: `node${isCurrent ? ' current' : ''}${visited ? ' visited' : ''}`, 'data-node': n.name });
    ng.append(s('rect', { x: b.x, y: b.y, width: b.w, height: b.h, rx: 8, class: 'box' }));
    ng.append(text(b.x + 12, b.y + 22, n.name, 'label', 'start', 26));
    ng.append(text(b.x + 12, b.y + 40, n.ips.join(', ') || labels().noAddress(), 'sub', 'start', 32));
    if (n.podCIDR) ng.append(text(b.x + b.w - 10, b.y + 22, n.podCIDR, 'sub', 'end', 20));
    const list = pods.get(n.name) ?? [];
    if (list.length === 0) ng.append(text(b.x + 12, b.y + HEADER + 18, labels().noEndpointHere(), 'sub muted'));
    list.forEach((p, k) => {
      const pb: Box = { x: b.x + 10, y: b.y + HEADER + k * (POD_H + POD_GAP), w: b.w - 20, h: POD_H };
      const chosen = !!outcome && outcome.endpoint === p.endpoint;
      const pg = s('g', {
        class: `pod${chosen ? ' chosen' : ''}${p.outcome !== null ? ' pickable' : ''}`, 'data-endpoint': p.endpoint,
        ...(p.outcome !== null ? { tabindex: 0, role: 'button', 'aria-label': labels().followBranch({ endpoint: p.endpoint, chance: p.probability !== null ? pct(p.probability) : null }), 'aria-pressed': String(chosen) } : {}),
      });
      pg.append(s('rect', { x: pb.x, y: pb.y, width: pb.w, height: pb.h, rx: 5, class: 'box' }));
      pg.append(text(pb.x + 10, pb.y + 19, p.endpoint, 'pod-label', 'start', 24));
      if (p.probability !== null) pg.append(text(pb.x + pb.w - 8, pb.y + 19, pct(p.probability), 'prob', 'end'));
      if (p.outcome !== null) {
        const pick = () => input.onPickOutcome(p.outcome!);
        pg.addEventListener('click', pick);
        pg.addEventListener('keydown', e => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); pick(); } });
      }
      ng.append(pg);
    });
    svg.append(ng);
  }

  // the chosen branch's path: client -> nodes in hop order -> pod (or a cross where it stops)
  if (outcome && walk) {
    const order: string[] = [];
    for (const hp of outcome.hops) if (order.at(-1) !== hp.node) order.push(hp.node);
    const nodeIndexOfHop: number[] = [];
    let idx = -1;
    for (const hp of outcome.hops) { if (idx < 0 || order[idx] !== hp.node) idx++; nodeIndexOfHop.push(idx); }
    const stepNodeIndex = !current ? -1 : current.kind === 'hop' ? nodeIndexOfHop[step] ?? -1 : order.length;
    const paths = s('g', { class: 'paths' });
    const anchorIn = (b: Box, fromLeft: boolean): [number, number] => [fromLeft ? b.x : b.x + b.w, b.y + HEADER / 2];
    let prev: Box = client;
    let prevName = '';
    order.forEach((name, i) => {
      const b = boxes.get(name);
      if (!b) return;
      const forward = b.x >= prev.x + prev.w || prevName === '';
      const from: [number, number] = prevName === '' ? [client.x + client.w, client.y + client.h / 2] : forward ? [prev.x + prev.w, prev.y + HEADER / 2] : [prev.x, prev.y + HEADER / 2 + 14];
      const to = forward ? anchorIn(b, true) : anchorIn(b, false);
      paths.append(arrow(from, forward ? to : [to[0], to[1] + 14], `path${i <= stepNodeIndex ? ' done' : ''}`, forward ? 0 : -30));
      prev = b; prevName = name;
    });
    const last = order.at(-1);
    const lastBox = last ? boxes.get(last) : undefined;
    const done = current !== null && current.kind !== 'hop';
    if ((outcome.verdict === 'DROP' || outcome.verdict === 'REJECT') && lastBox) {
      const cx = lastBox.x + lastBox.w - 24, cy = lastBox.y + lastBox.h - 18;
      const stop = s('g', { class: `stop${done ? ' done' : ''}` });
      stop.append(s('path', { d: `M ${cx - 8} ${cy - 8} L ${cx + 8} ${cy + 8} M ${cx + 8} ${cy - 8} L ${cx - 8} ${cy + 8}` }));
      stop.append(text(cx - 14, cy + 5, outcome.verdict, 'verdict', 'end'));
      paths.append(stop);
    }
    svg.append(paths);
  }

  // where the packet is now, with its addresses
  if (current) {
    const b = current.node ? boxes.get(current.node) : client;
    if (b) {
      const cx = b.x + b.w / 2;
      const marker = s('g', { class: `packet${current.kind === 'reply' ? ' reply' : ''}` });
      marker.append(s('circle', { cx: b.x + 10, cy: TOP - 12, r: 5 }));
      marker.append(text(b.x + 20, TOP - 8, `${current.after.src} → ${current.after.dst}`, 'packet-label', 'start', 40));
      marker.setAttribute('data-cx', String(cx));
      svg.append(marker);
    }
  }
  return svg;
}
