// The NAT Lens preview webview: rules (Monaco), packet walk, debug commands and assumptions for the
// Services of one manifest. Talks to the extension host only through the validated messages of
// protocol.ts and renders every manifest-derived string as text.
import { monaco } from './monaco';
import './styles.css';
import { workerRequests } from './csp';
import { h, icon, fill, setOptions } from './dom';
import { parseHostMessage, type PreviewState, type WebviewMessage } from '../../protocol/preview';
import { previewStateError } from './validate';
import { vscodeApi } from './vscodeApi';
import { RulesPane } from './rulesPane';
import { WalkPane, type WalkSelection } from './walkPane';
import { DebugPane } from './debugPane';
import { AssumptionsPane } from './assumptionsPane';
import { themeKind } from './theme';
import type { Step } from './steps';
import { label, labelAttrs, labels, useLocale } from './labels';

/** What survives a reload of the webview (vscode.setState). */
interface SavedState {
  /** The host's own state, handed over in a `persist` message, for its serializer. */
  host?: unknown;
  ui?: UiState;
}

interface UiState {
  /** Share of the width (or, stacked, of the height) given to the rules pane, 0.2..0.8. */
  split: number;
  walk: WalkSelection | null;
  /** Whether the debug commands are expanded. */
  debugExpanded: boolean;
}

function readUi(saved: SavedState | undefined): UiState {
  const ui = saved?.ui;
  const split = typeof ui?.split === 'number' && ui.split >= 0.2 && ui.split <= 0.8 ? ui.split : 0.55;
  const w = ui?.walk;
  const walk = w && typeof w.key === 'string' && Number.isInteger(w.outcome) && Number.isInteger(w.step) && w.outcome >= 0 && w.step >= 0 ? { key: w.key, outcome: w.outcome, step: w.step } : null;
  const debugExpanded = typeof ui?.debugExpanded === 'boolean' ? ui.debugExpanded : true;
  return { split, walk, debugExpanded };
}

const vscode = vscodeApi<SavedState>();
const saved = vscode.getState();
const ui = readUi(saved);
let hostState: unknown = saved?.host;
let persistTimer: ReturnType<typeof setTimeout> | undefined;
function persist(): void {
  clearTimeout(persistTimer);
  persistTimer = setTimeout(() => vscode.setState({ host: hostState, ui }), 50);
}
function post(m: WebviewMessage): void {
  vscode.postMessage(m);
}

// ---- layout
const fileName = h('span', { class: 'file-name', id: 'file-name' });
const serviceSelect = labelAttrs(h('select', { id: 'service-select' }), { 'aria-label': 'serviceAria' });
const portSelect = labelAttrs(h('select', { id: 'port-select' }), { 'aria-label': 'portAria' });
const banner = h('div', { class: 'banner', id: 'error-banner', role: 'alert', hidden: true });
serviceSelect.addEventListener('change', () => post({ type: 'select', service: serviceSelect.value }));
portSelect.addEventListener('change', () => post({ type: 'select', port: Number(portSelect.value) }));

let state: PreviewState | null = null;

const rules = new RulesPane({ post });
const walk = new WalkPane({
  post,
  onStep: step => showStep(step),
  onSelection: sel => { ui.walk = sel; persist(); },
}, ui.walk);
const debug = new DebugPane({ post, onToggle: expanded => { ui.debugExpanded = expanded; persist(); } }, ui.debugExpanded);
const assumptions = new AssumptionsPane({ post });

const sash = labelAttrs(h('div', { class: 'sash', id: 'sash', role: 'separator', tabindex: 0, 'aria-controls': 'rules-pane', 'aria-valuemin': 20, 'aria-valuemax': 80 }), { 'aria-label': 'resizeRules' });
const side = h('div', { class: 'side' }, walk.element, debug.element, assumptions.element);
const panes = h('main', { class: 'panes', id: 'panes' }, rules.element, sash, side);
const header = h('header', { class: 'topbar' },
  h('span', { class: 'brand' }, icon('type-hierarchy-sub'), ' NAT Lens'),
  fileName,
  h('label', { class: 'field' }, h('span', { class: 'label' }, label('service')), serviceSelect),
  h('label', { class: 'field' }, h('span', { class: 'label' }, label('port')), portSelect));
const loading = h('p', { class: 'loading', id: 'loading' }, label('waiting'));
document.body.append(header, banner, loading, panes);
panes.hidden = true;

// ---- pane sizes
const narrow = window.matchMedia('(max-width: 700px)');
function applySplit(): void {
  panes.style.setProperty('--split', `${(ui.split * 100).toFixed(1)}%`);
  panes.style.setProperty('--split-ratio', ui.split.toFixed(3));
  sash.setAttribute('aria-valuenow', String(Math.round(ui.split * 100)));
  sash.setAttribute('aria-orientation', narrow.matches ? 'horizontal' : 'vertical');
}
function setSplit(v: number): void {
  ui.split = Math.max(0.2, Math.min(0.8, v));
  applySplit();
  persist();
}
applySplit();
narrow.addEventListener('change', applySplit);
sash.addEventListener('pointerdown', e => {
  e.preventDefault();
  sash.setPointerCapture(e.pointerId);
  sash.classList.add('active');
  const rect = panes.getBoundingClientRect();
  const move = (ev: PointerEvent) => setSplit(narrow.matches ? (ev.clientY - rect.top) / rect.height : (ev.clientX - rect.left) / rect.width);
  const up = () => { sash.classList.remove('active'); sash.removeEventListener('pointermove', move); sash.removeEventListener('pointerup', up); sash.removeEventListener('pointercancel', up); };
  sash.addEventListener('pointermove', move);
  sash.addEventListener('pointerup', up);
  sash.addEventListener('pointercancel', up);
});
sash.addEventListener('keydown', e => {
  const step = e.shiftKey ? 0.1 : 0.02;
  const dec = narrow.matches ? 'ArrowUp' : 'ArrowLeft', inc = narrow.matches ? 'ArrowDown' : 'ArrowRight';
  if (e.key === dec) setSplit(ui.split - step);
  else if (e.key === inc) setSplit(ui.split + step);
  else if (e.key === 'Home') setSplit(0.2);
  else if (e.key === 'End') setSplit(0.8);
  else return;
  e.preventDefault();
});

// ---- the current step in the rules pane
function showStep(step: Step | null): void {
  const r = rules.current;
  if (!step || !r) { rules.highlightLine(null); rules.showNote(null); return; }
  if (step.kind !== 'hop' || !step.hop) {
    rules.highlightLine(null);
    rules.showNote(null);
    return;
  }
  const hop = step.hop;
  if (hop.node !== r.node) {
    rules.highlightLine(null);
    rules.showNote(labels().noteOtherNode({ node: hop.node }), { label: labels().noteShowNode({ node: hop.node }), run: () => post({ type: 'select', node: hop.node }) });
    return;
  }
  if (hop.line === null) {
    rules.highlightLine(null);
    if (r.mode !== 'iptables') {
      rules.showNote(labels().noteNotInMode({ table: hop.table, chain: hop.chain, mode: r.mode }), { label: labels().noteShowIptables(), run: () => post({ type: 'select', mode: 'iptables' }) });
    } else {
      rules.showNote(labels().noteBuiltIn({ table: hop.table, chain: hop.chain }));
    }
    return;
  }
  rules.showNote(null);
  rules.highlightLine(hop.line);
}

// ---- state
function render(next: PreviewState): void {
  state = next;
  useLocale(next.locale);
  loading.hidden = true;
  panes.hidden = false;
  banner.hidden = true;
  fileName.textContent = next.fileName;
  fileName.title = next.fileName;
  const services = [{ value: '', label: labels().allServices() }, ...next.services.map(s => ({ value: s.key, label: s.key }))];
  setOptions(serviceSelect, services, next.selectedService ?? '');
  const focus = next.services.find(s => s.key === next.selectedService) ?? next.services.find(s => s.ports.length > 0);
  setOptions(portSelect, (focus?.ports ?? []).map(p => ({ value: String(p.index), label: p.label })), String(next.selectedPort));
  rules.update(next);
  walk.update(next);
  debug.update(next);
  assumptions.update(next);
  showStep(walk.currentStep);
}

window.addEventListener('message', (e: MessageEvent) => {
  const m = parseHostMessage(e.data);
  if (!m) return;
  switch (m.type) {
    case 'state': {
      // malformed deeper down: not rendered, and said so (the panes keep the last state that could be shown)
      const invalid = previewStateError(m.state);
      if (invalid) {
        showError(labels().stateInvalid({ problem: invalid }));
        return;
      }
      try {
        render(m.state);
      } catch (err) {
        showError(labels().stateFailed({ problem: err instanceof Error ? err.message : String(err) }));
      }
      return;
    }
    case 'error':
      showError(m.message);
      return;
    case 'persist':
      hostState = m.state;
      persist();
      return;
  }
});

function showError(message: string): void {
  banner.hidden = false;
  fill(banner, icon('error'), ' ', message);
  loading.hidden = true;
}

// ←/→/Home/End step through the walk when nothing else has the keyboard
document.addEventListener('keydown', e => {
  const t = e.target as Element | null;
  if (t && t !== document.body && t !== document.documentElement) return;
  walk.onKey(e);
});

// ---- theme: VS Code swaps the body class and the CSS variables on <html>
let themeFrame = 0;
let lastKind = themeKind();
const themeObserver = new MutationObserver(() => {
  cancelAnimationFrame(themeFrame);
  themeFrame = requestAnimationFrame(() => {
    lastKind = themeKind();
    rules.applyTheme();
    document.documentElement.setAttribute('data-theme-kind', lastKind);
  });
});
themeObserver.observe(document.body, { attributes: true, attributeFilter: ['class'] });
themeObserver.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
document.documentElement.setAttribute('data-theme-kind', lastKind);

// ---- hooks for the browser tests (only when the test page asks for them)
if ((window as unknown as { __natlensTest?: boolean }).__natlensTest) {
  (window as unknown as { __natlens: unknown }).__natlens = {
    monaco,
    editor: rules.editor,
    workerRequests,
    highlightedLine: () => rules.highlightedLine,
    cursorLine: () => rules.editor.getPosition()?.lineNumber ?? null,
    visibleLines: () => rules.editor.getVisibleRanges().map(r => [r.startLineNumber, r.endLineNumber]),
    state: () => state,
  };
}

post({ type: 'ready' });
