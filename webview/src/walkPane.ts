// The walk pane: choose where the packet comes from and how it enters, then step through the rules
// it meets (buttons or ←/→/Home/End), branch by branch, with the packet before and after each step.
import { h, icon, fill, setOptions } from './dom';
import { renderDiagram } from './diagram';
import { likeliest, outcomeLabel, packetText, endpointText, stepsOf, type Step } from './steps';
import type { PacketView, PreviewState, WalkView, WebviewMessage } from '../../protocol/preview';
import { label, labelAttrs, labels } from './labels';

export interface WalkSelection {
  readonly key: string;
  readonly outcome: number;
  readonly step: number;
}

export interface WalkPaneOptions {
  post(m: WebviewMessage): void;
  /** The step changed: highlight its rule (or explain why not). */
  onStep(step: Step | null): void;
  /** Persist the selection. */
  onSelection(sel: WalkSelection): void;
}

/** Identifies one walk, so a saved step applies only to the walk it was taken in. */
export function walkKey(walk: WalkView): string {
  return [walk.sourceId, walk.entryId, walk.packet.dst, walk.packet.dport, walk.outcomes.length, walk.outcomes.map(o => o.hops.length).join('.')].join('|');
}

export class WalkPane {
  readonly element: HTMLElement;
  private readonly sourceSelect = labelAttrs(h('select', { id: 'source-select' }), { 'aria-label': 'sourceAria' });
  private readonly entrySelect = labelAttrs(h('select', { id: 'entry-select' }), { 'aria-label': 'entryAria' });
  private readonly walkButton = h('button', { type: 'button', id: 'walk-button', class: 'button' }, icon('debug-start'), ' ', label('walk'));
  private readonly summary = h('p', { class: 'summary', id: 'walk-summary' });
  private readonly branchSelect = labelAttrs(h('select', { id: 'branch-select' }), { 'aria-label': 'branchAria' });
  private readonly branchRow = h('label', { class: 'field branch' }, h('span', { class: 'label' }, label('branch')), this.branchSelect);
  private readonly diagramHost = h('div', { class: 'diagram-host', id: 'diagram' });
  private readonly first = this.navButton('first', 'arrow-circle-left', 'firstStep');
  private readonly back = this.navButton('back', 'chevron-left', 'previousStep');
  private readonly next = this.navButton('next', 'chevron-right', 'nextStep');
  private readonly last = this.navButton('last', 'arrow-circle-right', 'lastStep');
  private readonly position = h('span', { class: 'position', id: 'step-position', 'aria-live': 'polite' });
  private readonly packet = h('div', { class: 'packet-view', id: 'packet-view' });
  private readonly stepList = labelAttrs(h('ol', { class: 'steps', id: 'step-list' }), { 'aria-label': 'steps' });
  private readonly body = h('div', { class: 'walk-body' });
  private readonly empty = h('p', { class: 'empty', id: 'walk-empty' });
  private state: PreviewState | null = null;
  private steps: Step[] = [];
  private outcome = 0;
  private step = 0;
  private key = '';

  constructor(private readonly options: WalkPaneOptions, private saved: WalkSelection | null) {
    const trace = () => {
      if (this.sourceSelect.value && this.entrySelect.value) options.post({ type: 'trace', source: this.sourceSelect.value, entry: this.entrySelect.value });
    };
    this.sourceSelect.addEventListener('change', trace);
    this.entrySelect.addEventListener('change', trace);
    this.walkButton.addEventListener('click', trace);
    this.branchSelect.addEventListener('change', () => this.pickOutcome(Number(this.branchSelect.value)));
    this.first.addEventListener('click', () => this.go(0));
    this.back.addEventListener('click', () => this.go(this.step - 1));
    this.next.addEventListener('click', () => this.go(this.step + 1));
    this.last.addEventListener('click', () => this.go(this.steps.length - 1));

    const stepper = labelAttrs(h('div', { class: 'stepper', role: 'toolbar' }, this.first, this.back, this.position, this.next, this.last), { 'aria-label': 'stepThrough' });
    fill(this.body, this.branchRow, this.diagramHost, stepper, this.packet,
      h('h3', { class: 'sub-title' }, label('inWords')), this.summary,
      h('h3', { class: 'sub-title' }, label('everyStep')), this.stepList);
    this.element = h('section', { class: 'pane walk-pane', id: 'walk-pane', 'aria-labelledby': 'walk-title' },
      h('h2', { class: 'pane-title', id: 'walk-title' }, icon('debug-step-over'), ' ', label('packetWalk')),
      labelAttrs(h('div', { class: 'toolbar wrap', role: 'group' },
        h('label', { class: 'field grow' }, h('span', { class: 'label' }, label('from')), this.sourceSelect),
        h('label', { class: 'field grow' }, h('span', { class: 'label' }, label('to')), this.entrySelect),
        this.walkButton), { 'aria-label': 'connection' }),
      this.empty, this.body);
    this.element.addEventListener('keydown', e => this.onKey(e));
  }

  private navButton(id: string, codicon: string, key: 'firstStep' | 'previousStep' | 'nextStep' | 'lastStep'): HTMLButtonElement {
    return labelAttrs(h('button', { type: 'button', class: 'icon-button', id: `step-${id}` }, icon(codicon)), { title: key, 'aria-label': key });
  }

  /** ←/→/Home/End step through the walk anywhere in the pane except in form fields. */
  onKey(e: KeyboardEvent): boolean {
    if (e.altKey || e.ctrlKey || e.metaKey) return false;
    const t = e.target as HTMLElement | null;
    if (t && t.closest('select, input, textarea, .monaco-editor')) return false;
    if (!this.steps.length) return false;
    const target = e.key === 'ArrowRight' ? this.step + 1 : e.key === 'ArrowLeft' ? this.step - 1 : e.key === 'Home' ? 0 : e.key === 'End' ? this.steps.length - 1 : null;
    if (target === null) return false;
    e.preventDefault();
    this.go(target);
    return true;
  }

  update(state: PreviewState): void {
    this.state = state;
    const walk = state.walk;
    setOptions(this.sourceSelect, state.sources.map(c => ({ value: c.id, label: c.label, title: c.detail })), walk?.sourceId ?? (this.sourceSelect.value || null));
    setOptions(this.entrySelect, state.entries.map(c => ({ value: c.id, label: c.label, title: c.detail })), walk?.entryId ?? (this.entrySelect.value || null));
    this.walkButton.disabled = !state.sources.length || !state.entries.length;
    if (!walk) {
      this.steps = [];
      this.key = '';
      this.body.hidden = true;
      this.empty.hidden = false;
      this.empty.textContent = state.sources.length && state.entries.length
        ? labels().walkHint()
        : labels().walkNothing();
      this.options.onStep(null);
      return;
    }
    this.body.hidden = false;
    this.empty.hidden = true;
    const key = walkKey(walk);
    if (key !== this.key) {
      // a new walk: the saved position if it was taken in this walk (a reload), else the start of the likeliest branch
      const saved = this.saved && this.saved.key === key ? this.saved : null;
      this.key = key;
      this.outcome = saved && saved.outcome < walk.outcomes.length ? saved.outcome : likeliest(walk);
      this.step = saved ? saved.step : 0;
      this.saved = null;
    }
    // the same walk may come back with other line numbers (another node, format or mode): rebuild the steps, keep the position
    this.steps = walk.outcomes[this.outcome] ? stepsOf(walk.outcomes[this.outcome]!) : [];
    this.step = Math.min(this.step, Math.max(0, this.steps.length - 1));
    this.summary.textContent = walk.summary;
    setOptions(this.branchSelect, walk.outcomes.map((o, i) => ({ value: String(i), label: outcomeLabel(o) })), String(this.outcome));
    this.branchRow.hidden = walk.outcomes.length < 2;
    this.render();
  }

  private pickOutcome(index: number): void {
    const walk = this.state?.walk;
    if (!walk || !walk.outcomes[index] || index === this.outcome) return;
    this.outcome = index;
    this.steps = stepsOf(walk.outcomes[index]!);
    this.step = Math.min(this.step, this.steps.length - 1);
    this.branchSelect.value = String(index);
    this.render();
  }

  go(step: number): void {
    if (!this.steps.length) return;
    const next = Math.max(0, Math.min(this.steps.length - 1, step));
    if (next === this.step) return;
    this.step = next;
    this.render();
    // keep the current step in view inside the list only (scrollIntoView would scroll the whole pane away from the diagram)
    const item = this.stepList.querySelector('[aria-current="step"]') as HTMLElement | null;
    if (item) {
      const list = this.stepList;
      const top = item.offsetTop, bottom = top + item.offsetHeight;
      if (top < list.scrollTop) list.scrollTop = top;
      else if (bottom > list.scrollTop + list.clientHeight) list.scrollTop = bottom - list.clientHeight;
    }
  }

  get currentStep(): Step | null {
    return this.steps[this.step] ?? null;
  }

  private render(): void {
    const state = this.state!;
    const walk = state.walk!;
    const current = this.steps[this.step] ?? null;
    const focusedPod = (document.activeElement as Element | null)?.closest?.('.pod')?.getAttribute('data-endpoint') ?? null;
    fill(this.diagramHost, renderDiagram({ state, outcome: this.outcome, steps: this.steps, step: this.step, onPickOutcome: i => this.pickOutcome(i) }));
    if (focusedPod) (this.diagramHost.querySelector(`.pod[data-endpoint="${CSS.escape(focusedPod)}"]`) as SVGElement | null)?.focus();
    this.position.textContent = this.steps.length ? labels().stepPosition({ step: this.step + 1, of: this.steps.length }) : labels().noSteps();
    this.first.disabled = this.back.disabled = this.step <= 0;
    this.next.disabled = this.last.disabled = this.step >= this.steps.length - 1;
    this.renderPacket(current, walk);
    this.renderStepList();
    this.options.onStep(current);
    this.options.onSelection({ key: this.key, outcome: this.outcome, step: this.step });
  }

  private renderPacket(step: Step | null, walk: WalkView): void {
    if (!step) { fill(this.packet, labels().noStep()); return; }
    const outcome = walk.outcomes[this.outcome]!;
    const line = (title: string, p: PacketView, before: PacketView | null, id: string) => {
      const srcChanged = !!before && (before.src !== p.src || before.sport !== p.sport);
      const dstChanged = !!before && (before.dst !== p.dst || before.dport !== p.dport);
      return h('div', { class: 'packet-line', id },
        h('span', { class: 'label' }, title),
        h('code', { class: 'packet' },
          `${p.proto} `,
          h('span', { class: srcChanged ? 'changed snat' : '' }, endpointText(p, 'src')),
          ' → ',
          h('span', { class: dstChanged ? 'changed dnat' : '' }, endpointText(p, 'dst'))),
        srcChanged ? h('span', { class: 'badge snat', title: labels().snatTitle() }, 'SNAT') : null,
        dstChanged ? h('span', { class: 'badge dnat', title: labels().dnatTitle() }, 'DNAT') : null);
    };
    const where = step.node ? labels().onNode({ node: step.node }) : labels().atClient();
    fill(this.packet,
      h('div', { class: 'step-title' }, h('strong', {}, step.title), ` ${where}`),
      h('div', { class: 'step-detail' }, step.detail),
      step.hop ? h('code', { class: 'step-rule', title: labels().theRule() }, step.hop.rule) : null,
      step.before ? line(labels().before(), step.before, null, 'packet-before') : null,
      line(step.before ? labels().after() : labels().packet(), step.after, step.before, 'packet-after'),
      step.kind === 'reply' && outcome.replyBroken && this.step === this.steps.length - 1
        ? h('p', { class: 'warning', role: 'alert' }, icon('warning'), ' ', labels().replyLost()) : null);
  }

  private renderStepList(): void {
    const hadFocus = !!(document.activeElement as Element | null)?.closest?.('#step-list');
    const items = this.steps.map((st, i) => {
      const b = h('button', { type: 'button', class: `step-item ${st.kind}`, 'data-step': i, ...(i === this.step ? { 'aria-current': 'step' } : {}) },
        h('span', { class: 'n' }, String(i + 1)),
        h('span', { class: 'what' }, st.kind === 'hop' ? `${st.node} · ${st.title}` : `${st.title}${st.node ? ` · ${st.node}` : ''}`),
        h('span', { class: 'action' }, st.kind === 'hop' ? st.detail : ''),
        st.dnat ? h('span', { class: 'badge dnat' }, 'DNAT') : null,
        st.snat ? h('span', { class: 'badge snat' }, 'SNAT') : null);
      b.addEventListener('click', () => this.go(i));
      return h('li', {}, b);
    });
    fill(this.stepList, ...items);
    if (hadFocus) (this.stepList.querySelector('[aria-current="step"]') as HTMLButtonElement | null)?.focus();
  }

  /** For tests and the keyboard: the packet text of the current step. */
  get packetSummary(): string {
    const st = this.currentStep;
    return st ? packetText(st.after) : '';
  }
}
