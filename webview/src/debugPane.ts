// The debug pane: the shell commands that check the prediction on a real node, for the Service and
// port the preview shows, on its node and in its mode. Each can be copied (the host writes the
// clipboard), or all of them as `natlens debug` prints them.
import { h, icon, fill } from './dom';
import type { DebugCommandView, DebugView, PreviewState, WebviewMessage } from '../../protocol/preview';
import { label, labelAttrs, labels } from './labels';

export interface DebugPaneOptions {
  post(m: WebviewMessage): void;
  /** The section was expanded or collapsed: persist it. */
  onToggle(expanded: boolean): void;
}

export class DebugPane {
  readonly element: HTMLElement;
  private readonly toggle = h('button', { type: 'button', class: 'section-toggle', id: 'debug-toggle', 'aria-controls': 'debug-body' });
  private readonly body = h('div', { class: 'debug-body', id: 'debug-body' });
  private readonly subject = h('p', { class: 'debug-subject', id: 'debug-subject' });
  private readonly hint = h('p', { class: 'debug-hint', id: 'debug-hint' }, label('debugHint'));
  private readonly copyAll = labelAttrs(h('button', { type: 'button', class: 'icon-button labelled', id: 'debug-copy-all' }, icon('copy'), ' ', label('copyAll')), { title: 'copyAllTitle', 'aria-label': 'copyAllAria' });
  private readonly list = labelAttrs(h('ol', { class: 'debug-list', id: 'debug-list' }), { 'aria-label': 'commands' });
  private readonly empty = h('p', { class: 'empty', id: 'debug-empty' }, label('debugEmpty'));
  private readonly toggleLabel = label('debugOnNode');
  private debug: DebugView | null = null;
  /** The `text` of the commands the list shows. */
  private listedText = '';

  constructor(private readonly options: DebugPaneOptions, expanded: boolean) {
    this.toggle.addEventListener('click', () => {
      const next = this.toggle.getAttribute('aria-expanded') !== 'true';
      this.setExpanded(next);
      options.onToggle(next);
    });
    this.copyAll.addEventListener('click', () => { if (this.debug) options.post({ type: 'copy', text: this.debug.text }); });
    fill(this.body, h('div', { class: 'debug-header' }, this.subject, this.copyAll), this.hint, this.list, this.empty);
    this.element = h('section', { class: 'pane debug-pane', id: 'debug-pane', 'aria-labelledby': 'debug-title' },
      h('h2', { class: 'pane-title', id: 'debug-title' }, this.toggle),
      this.body);
    this.setExpanded(expanded);
  }

  private setExpanded(expanded: boolean): void {
    this.toggle.setAttribute('aria-expanded', String(expanded));
    fill(this.toggle, icon(expanded ? 'chevron-down' : 'chevron-right'), icon('terminal'), ' ', this.toggleLabel);
    this.body.hidden = !expanded;
  }

  update(state: PreviewState): void {
    const debug = state.debug;
    this.debug = debug;
    this.copyAll.disabled = !debug?.commands.length;
    this.empty.hidden = !!debug;
    this.subject.hidden = !debug;
    this.hint.hidden = !debug || state.selectedService !== null || state.services.length < 2;
    if (!debug) { fill(this.list); this.listedText = ''; return; }
    fill(this.subject, h('strong', {}, debug.service), labels().debugSubject({ port: debug.port || null, node: debug.node, mode: debug.mode }));
    // a new walk or profile edit leaves the commands alone: keep open "Expected output" boxes
    if (`${state.locale}\n${debug.text}` === this.listedText) return;
    this.listedText = `${state.locale}\n${debug.text}`;
    const focused = (document.activeElement as Element | null)?.closest?.('#debug-list .debug-item')?.getAttribute('data-index') ?? null;
    fill(this.list, ...debug.commands.map((c, i) => this.item(c, i)));
    if (focused !== null) (this.list.querySelector(`[data-index="${focused}"] .copy-command`) as HTMLButtonElement | null)?.focus();
  }

  private item(c: DebugCommandView, index: number): HTMLLIElement {
    const copy = h('button', { type: 'button', class: 'icon-button copy-command', title: labels().copyCommand(), 'aria-label': labels().copyCommandAria({ n: index + 1, title: c.title }) }, icon('copy'));
    copy.addEventListener('click', () => this.options.post({ type: 'copy', text: c.command }));
    return h('li', { class: 'debug-item', 'data-index': index },
      h('div', { class: 'debug-item-title' },
        h('span', { class: 'n' }, `${index + 1}.`),
        h('span', { class: 'title' }, c.title),
        h('span', { class: 'run-on', title: labels().whereToRun() }, icon(c.where === 'workstation' ? 'device-desktop' : c.where === 'node' ? 'server' : 'globe'), ' ', c.runOn)),
      h('div', { class: 'command-row' }, h('code', { class: 'command' }, c.command), copy),
      h('p', { class: 'look-for' }, h('span', { class: 'label' }, labels().lookFor()), c.lookFor),
      c.expected.length ? h('details', { class: 'expected' },
        h('summary', {}, labels().expectedOutput({ n: c.expected.length })),
        h('pre', {}, h('code', {}, c.expected.join('\n')))) : null);
  }
}
