// The rules pane: a read-only Monaco editor with the generated rules for one node and mode, and its
// toolbar (node, mode, format, copy, open as text).
import { monaco } from './monaco';
import { IPTABLES, NFT, registerLanguages } from './languages';
import { applyMonacoTheme, cssVar } from './theme';
import { h, icon, setOptions } from './dom';
import type { PreviewState, ProxyMode, RulesFormat, RulesView, WebviewMessage } from '../../protocol/preview';
import { label, labelAttrs, labels } from './labels';

export interface RulesPaneOptions {
  post(m: WebviewMessage): void;
}

const MODES: { value: ProxyMode; label: string }[] = [
  { value: 'iptables', label: 'iptables' },
  { value: 'nftables', label: 'nftables' },
  { value: 'ipvs', label: 'IPVS' },
];

export class RulesPane {
  readonly element: HTMLElement;
  readonly editor: monaco.editor.IStandaloneCodeEditor;
  private readonly model: monaco.editor.ITextModel;
  private readonly nodeSelect = labelAttrs(h('select', { id: 'node-select' }), { 'aria-label': 'nodeSelectAria' });
  private readonly modeSelect = labelAttrs(h('select', { id: 'mode-select' }), { 'aria-label': 'modeSelectAria' });
  private readonly formatButtons: Record<RulesFormat, HTMLButtonElement>;
  private readonly unavailable = h('div', { class: 'unavailable', role: 'status', hidden: true });
  private readonly status = h('div', { class: 'rules-status', 'aria-live': 'polite' });
  private readonly note = h('div', { class: 'step-note', id: 'step-note', role: 'status', hidden: true });
  private readonly host = h('div', { class: 'editor-host', id: 'rules-editor' });
  private rules: RulesView | null = null;
  private highlight: monaco.editor.IEditorDecorationsCollection;
  private highlighted: number | null = null;

  constructor(options: RulesPaneOptions) {
    registerLanguages(() => this.rules);
    const fmt = (value: RulesFormat, text: string, title: 'formatRestoreTitle' | 'formatSaveTitle') => {
      const b = labelAttrs(h('button', { type: 'button', class: 'segment', 'aria-pressed': 'false', 'data-format': value }, text), { title });
      b.addEventListener('click', () => { if (b.getAttribute('aria-pressed') !== 'true') options.post({ type: 'select', format: value }); });
      return b;
    };
    this.formatButtons = {
      restore: fmt('restore', 'restore', 'formatRestoreTitle'),
      save: fmt('save', 'save', 'formatSaveTitle'),
    };
    const copy = labelAttrs(h('button', { type: 'button', class: 'icon-button', id: 'copy-rules' }, icon('copy')), { title: 'copyRules', 'aria-label': 'copyRules' });
    copy.addEventListener('click', () => { if (this.rules) options.post({ type: 'copy', text: this.rules.text }); });
    const open = labelAttrs(h('button', { type: 'button', class: 'icon-button', id: 'open-text' }, icon('go-to-file')), { title: 'openText', 'aria-label': 'openTextAria' });
    open.addEventListener('click', () => options.post({ type: 'openText' }));
    this.nodeSelect.addEventListener('change', () => options.post({ type: 'select', node: this.nodeSelect.value }));
    this.modeSelect.addEventListener('change', () => options.post({ type: 'select', mode: this.modeSelect.value as ProxyMode }));
    setOptions(this.modeSelect, MODES, 'iptables');

    const toolbar = labelAttrs(h('div', { class: 'toolbar', role: 'toolbar' },
      h('label', { class: 'field' }, h('span', { class: 'label' }, label('node')), this.nodeSelect),
      h('label', { class: 'field' }, h('span', { class: 'label' }, label('mode')), this.modeSelect),
      labelAttrs(h('div', { class: 'segmented', role: 'group' }, this.formatButtons.restore, this.formatButtons.save), { 'aria-label': 'format' }),
      h('span', { class: 'spacer' }),
      copy, open), { 'aria-label': 'rulesToolbar' });
    this.element = h('section', { class: 'pane rules-pane', id: 'rules-pane', 'aria-labelledby': 'rules-title' },
      h('h2', { class: 'pane-title', id: 'rules-title' }, icon('list-flat'), ' ', label('rules')),
      toolbar, this.unavailable, this.note, this.host, this.status);

    this.model = monaco.editor.createModel('', IPTABLES, monaco.Uri.parse('natlens:/rules'));
    applyMonacoTheme();
    this.editor = monaco.editor.create(this.host, {
      model: this.model,
      readOnly: true,
      domReadOnly: true,
      readOnlyMessage: { value: labels().readOnly() },
      automaticLayout: true,
      minimap: { enabled: false },
      scrollBeyondLastLine: false,
      wordWrap: 'off',
      folding: true,
      showFoldingControls: 'always',
      foldingStrategy: 'auto',
      glyphMargin: false,
      lineDecorationsWidth: 8,
      renderLineHighlight: 'none',
      occurrencesHighlight: 'off',
      selectionHighlight: false,
      links: false,
      contextmenu: false,
      definitionLinkOpensInPeek: false,
      hover: { enabled: 'on', delay: 250, sticky: true },
      unicodeHighlight: { ambiguousCharacters: false, invisibleCharacters: false, nonBasicASCII: false },
      fontFamily: cssVar('--vscode-editor-font-family') || undefined,
      fontSize: Number.parseFloat(cssVar('--vscode-editor-font-size')) || 13,
      ariaLabel: labels().rulesAria(),
      theme: 'natlens',
      fixedOverflowWidgets: true,
    });
    this.highlight = this.editor.createDecorationsCollection();
  }

  get current(): RulesView | null {
    return this.rules;
  }

  update(state: PreviewState): void {
    const rules = state.rules;
    const prev = this.rules;
    this.rules = rules;
    setOptions(this.nodeSelect, state.profile.nodes.map(n => ({ value: n.name, label: n.name, title: n.ips.join(', ') })), rules.node);
    setOptions(this.modeSelect, MODES, rules.mode);
    for (const [f, b] of Object.entries(this.formatButtons) as [RulesFormat, HTMLButtonElement][]) {
      b.setAttribute('aria-pressed', String(rules.format === f));
      b.disabled = rules.mode !== 'iptables';
    }
    this.unavailable.hidden = !rules.unavailable;
    this.unavailable.textContent = rules.unavailable ?? '';
    this.host.hidden = !!rules.unavailable;
    const language = rules.mode === 'nftables' ? NFT : IPTABLES;
    if (this.model.getLanguageId() !== language) monaco.editor.setModelLanguage(this.model, language);
    if (this.model.getValue() !== rules.text) {
      this.model.setValue(rules.text);
      this.highlighted = null;
      this.highlight.clear();
    } else if (prev && (prev.mode !== rules.mode || JSON.stringify(prev.chains) !== JSON.stringify(rules.chains))) {
      // same text, new metadata: re-run the providers
      monaco.editor.setModelLanguage(this.model, language);
    }
    const count = rules.text ? rules.text.split('\n').filter(l => l.trim()).length : 0;
    this.status.textContent = rules.unavailable ? '' : `${rules.mode} · ${rules.mode === 'iptables' ? rules.format : 'nft'} · node ${rules.node} · ${count} lines`;
  }

  /** Highlights (and reveals) a 0-based line, or clears the highlight. */
  highlightLine(line: number | null, reveal = true): void {
    if (line === null || line >= this.model.getLineCount()) {
      this.highlighted = null;
      this.highlight.clear();
      return;
    }
    const n = line + 1;
    this.highlight.set([{
      range: new monaco.Range(n, 1, n, 1),
      options: { isWholeLine: true, className: 'current-step-line', linesDecorationsClassName: 'current-step-gutter', overviewRuler: { color: cssVar('--vscode-editorOverviewRuler-findMatchForeground') || '#d18616', position: monaco.editor.OverviewRulerLane.Full } },
    }]);
    if (reveal && this.highlighted !== line) this.editor.revealRangeInCenterIfOutsideViewport(new monaco.Range(n, 1, n, 1), monaco.editor.ScrollType.Immediate);
    this.highlighted = line;
  }

  /** A note above the rules about the current step (e.g. its rule is on another node), with an optional action. */
  showNote(message: string | null, action?: { label: string; run: () => void }): void {
    this.note.hidden = message === null;
    this.note.replaceChildren();
    if (message === null) return;
    this.note.append(icon('info'), ' ', message);
    if (action) {
      const b = h('button', { type: 'button', class: 'link-button', id: 'step-note-action' }, action.label);
      b.addEventListener('click', action.run);
      this.note.append(' ', b);
    }
  }

  get highlightedLine(): number | null {
    return this.highlighted;
  }

  applyTheme(): void {
    applyMonacoTheme();
    const family = cssVar('--vscode-editor-font-family');
    const size = Number.parseFloat(cssVar('--vscode-editor-font-size'));
    this.editor.updateOptions({ ...(family ? { fontFamily: family } : {}), ...(size ? { fontSize: size } : {}) });
  }
}
