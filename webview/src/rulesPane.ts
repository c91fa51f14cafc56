// The rules pane: a read-only Monaco editor with the generated rules for one node and mode, and its
// toolbar (node, mode, format, copy, open as text).
import { monaco } from './monaco';
import { IPTABLES, NFT, registerLanguages } from './languages';
import { applyMonacoTheme, cssVar } from './theme';
import { h, icon, setOptions } from './dom';
import type { PreviewState, ProxyMode, RulesFormat, RulesView, WebviewMessage } from '../../protocol/preview';

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
  private readonly nodeSelect = h('select', { id: 'node-select', 'aria-label': 'Node whose rules are shown' });
  private readonly modeSelect = h('select', { id: 'mode-select', 'aria-label': 'kube-proxy mode' });
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
    const fmt = (value: RulesFormat, label: string, title: string) => {
      const b = h('button', { type: 'button', class: 'segment', 'aria-pressed': 'false', title, 'data-format': value }, label);
      b.addEventListener('click', () => { if (b.getAttribute('aria-pressed') !== 'true') options.post({ type: 'select', format: value }); });
      return b;
    };
    this.formatButtons = {
      restore: fmt('restore', 'restore', 'What kube-proxy writes with iptables-restore'),
      save: fmt('save', 'save', 'What iptables-save prints back from the kernel'),
    };
    const copy = h('button', { type: 'button', class: 'icon-button', id: 'copy-rules', title: 'Copy the rules', 'aria-label': 'Copy the rules' }, icon('copy'));
    copy.addEventListener('click', () => { if (this.rules) options.post({ type: 'copy', text: this.rules.text }); });
    const open = h('button', { type: 'button', class: 'icon-button', id: 'open-text', title: 'Open as text in an editor', 'aria-label': 'Open as text' }, icon('go-to-file'));
    open.addEventListener('click', () => options.post({ type: 'openText' }));
    this.nodeSelect.addEventListener('change', () => options.post({ type: 'select', node: this.nodeSelect.value }));
    this.modeSelect.addEventListener('change', () => options.post({ type: 'select', mode: this.modeSelect.value as ProxyMode }));
    setOptions(this.modeSelect, MODES, 'iptables');

    const toolbar = h('div', { class: 'toolbar', role: 'toolbar', 'aria-label': 'Rules' },
      h('label', { class: 'field' }, h('span', { class: 'label' }, 'Node'), this.nodeSelect),
      h('label', { class: 'field' }, h('span', { class: 'label' }, 'Mode'), this.modeSelect),
      h('div', { class: 'segmented', role: 'group', 'aria-label': 'Format' }, this.formatButtons.restore, this.formatButtons.save),
      h('span', { class: 'spacer' }),
      copy, open);
    this.element = h('section', { class: 'pane rules-pane', id: 'rules-pane', 'aria-labelledby': 'rules-title' },
      h('h2', { class: 'pane-title', id: 'rules-title' }, icon('list-flat'), ' Rules'),
      toolbar, this.unavailable, this.note, this.host, this.status);

    this.model = monaco.editor.createModel('', IPTABLES, monaco.Uri.parse('natlens:/rules'));
    applyMonacoTheme();
    this.editor = monaco.editor.create(this.host, {
      model: this.model,
      readOnly: true,
      domReadOnly: true,
      readOnlyMessage: { value: 'Generated rules are read-only: change the manifest or the profile.' },
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
      ariaLabel: 'Generated rules (read-only). Ctrl+click or F12 on a chain name goes to the chain.',
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
