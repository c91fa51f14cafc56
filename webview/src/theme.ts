// A Monaco theme derived from the VS Code theme the webview is shown in: the editor colours come from
// the --vscode-* CSS variables VS Code sets on <html>; token colours follow the default theme of the
// same kind (light, dark, high contrast), since VS Code does not expose token colours to webviews.
import { monaco } from './monaco';

export type ThemeKind = 'light' | 'dark' | 'hc-dark' | 'hc-light';

export function themeKind(body: HTMLElement = document.body): ThemeKind {
  const c = body.classList;
  if (c.contains('vscode-high-contrast-light')) return 'hc-light';
  if (c.contains('vscode-high-contrast')) return 'hc-dark';
  if (c.contains('vscode-light')) return 'light';
  if (c.contains('vscode-dark')) return 'dark';
  return window.matchMedia?.('(prefers-color-scheme: light)').matches ? 'light' : 'dark';
}

const DARK_PLUS: Record<string, string> = {
  comment: '6A9955', string: 'CE9178', 'constant.character.escape': 'D7BA7D', 'constant.numeric': 'B5CEA8', 'constant.numeric.float.probability': 'D7BA7D',
  'constant.other.ip': 'D16969', 'constant.language': '569CD6', 'keyword.control': 'C586C0', 'keyword.operator': 'D4D4D4', 'keyword.other': '569CD6',
  'variable.parameter.option': '9CDCFE', 'variable.other': '9CDCFE', 'support.function.target': 'C586C0', 'support.function.verdict': 'C586C0',
  'support.function.nat': 'C586C0', 'support.function.statement': 'DCDCAA', 'support.type': '4EC9B0', 'support.variable': '9CDCFE', 'storage.type': '569CD6',
  'storage.modifier': '569CD6', 'entity.name.section': '4EC9B0', 'entity.name.variable': '9CDCFE', 'entity.name.function.chain': 'DCDCAA',
  'entity.name.function.chain.builtin': '4EC9B0', 'entity.name.function.chain.kube-proxy': 'DCDCAA', 'entity.name.function.chain.kube-proxy.service': '4FC1FF',
  'entity.name.function.chain.kube-proxy.endpoint': 'B5CEA8', 'entity.name.function.chain.kube-proxy.external': 'D7BA7D', 'entity.name.function.chain.kube-proxy.firewall': 'F48771',
  'entity.name.function.chain.kube-proxy.local': '9CDCFE', punctuation: 'D4D4D4',
};

/** Token colours per theme kind (Dark+/Light+/High Contrast defaults for the scopes the grammars use). */
const TOKENS: Record<ThemeKind, Record<string, string>> = {
  dark: DARK_PLUS,
  light: {
    comment: '008000', string: 'A31515', 'constant.character.escape': 'EE0000', 'constant.numeric': '098658', 'constant.numeric.float.probability': 'AF00DB',
    'constant.other.ip': '811F3F', 'constant.language': '0000FF', 'keyword.control': 'AF00DB', 'keyword.operator': '000000', 'keyword.other': '0000FF',
    'variable.parameter.option': '001080', 'variable.other': '001080', 'support.function.target': 'AF00DB', 'support.function.verdict': 'AF00DB',
    'support.function.nat': 'AF00DB', 'support.function.statement': '795E26', 'support.type': '267F99', 'support.variable': '001080', 'storage.type': '0000FF',
    'storage.modifier': '0000FF', 'entity.name.section': '267F99', 'entity.name.variable': '001080', 'entity.name.function.chain': '795E26',
    'entity.name.function.chain.builtin': '267F99', 'entity.name.function.chain.kube-proxy': '795E26', 'entity.name.function.chain.kube-proxy.service': '0070C1',
    'entity.name.function.chain.kube-proxy.endpoint': '098658', 'entity.name.function.chain.kube-proxy.external': '9A6700', 'entity.name.function.chain.kube-proxy.firewall': 'CD3131',
    'entity.name.function.chain.kube-proxy.local': '001080', punctuation: '000000',
  },
  // High Contrast Dark keeps Dark+'s token colours but for a few brighter ones
  'hc-dark': {
    ...DARK_PLUS, comment: '7CA668', 'constant.numeric.float.probability': 'FFD700', 'keyword.operator': 'FFFFFF',
    'entity.name.function.chain.kube-proxy.external': 'FFD700', punctuation: 'FFFFFF',
  },
  'hc-light': {
    comment: '515151', string: '0F4A85', 'constant.character.escape': 'EE0000', 'constant.numeric': '096D48', 'constant.numeric.float.probability': '5E2CBC',
    'constant.other.ip': '811F3F', 'constant.language': '0F4A85', 'keyword.control': 'B5200D', 'keyword.operator': '000000', 'keyword.other': '0F4A85',
    'variable.parameter.option': '001080', 'variable.other': '001080', 'support.function.target': 'B5200D', 'support.function.verdict': 'B5200D',
    'support.function.nat': 'B5200D', 'support.function.statement': '5E2CBC', 'support.type': '185E73', 'support.variable': '001080', 'storage.type': '0F4A85',
    'storage.modifier': '0F4A85', 'entity.name.section': '185E73', 'entity.name.variable': '001080', 'entity.name.function.chain': '5E2CBC',
    'entity.name.function.chain.builtin': '185E73', 'entity.name.function.chain.kube-proxy': '5E2CBC', 'entity.name.function.chain.kube-proxy.service': '0F4A85',
    'entity.name.function.chain.kube-proxy.endpoint': '096D48', 'entity.name.function.chain.kube-proxy.external': '9A6700', 'entity.name.function.chain.kube-proxy.firewall': 'B5200D',
    'entity.name.function.chain.kube-proxy.local': '001080', punctuation: '000000',
  },
};

const BASE: Record<ThemeKind, monaco.editor.BuiltinTheme> = { light: 'vs', dark: 'vs-dark', 'hc-dark': 'hc-black', 'hc-light': 'hc-light' };

let canvasCtx: CanvasRenderingContext2D | null | undefined;

/** Any CSS colour (#rgb, rgba(), names) as #rrggbb or #rrggbbaa, which Monaco's theme wants; null if unparsable. */
export function toHex(css: string): string | null {
  const value = css.trim();
  if (!value) return null;
  if (/^#[0-9a-f]{6}([0-9a-f]{2})?$/i.test(value)) return value.toLowerCase();
  if (/^#[0-9a-f]{3,4}$/i.test(value)) return '#' + [...value.slice(1)].map(c => c + c).join('').toLowerCase();
  if (canvasCtx === undefined) canvasCtx = document.createElement('canvas').getContext('2d');
  if (!canvasCtx) return null;
  canvasCtx.fillStyle = '#010203';
  canvasCtx.fillStyle = value;
  const out = String(canvasCtx.fillStyle);
  if (out === '#010203' && value !== '#010203') return null;
  if (out.startsWith('#')) return out.toLowerCase();
  const m = /rgba?\(\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*(?:,\s*([\d.]+)\s*)?\)/.exec(out);
  if (!m) return null;
  const hex = (n: number) => Math.max(0, Math.min(255, Math.round(n))).toString(16).padStart(2, '0');
  const alpha = m[4] === undefined ? '' : hex(Number(m[4]) * 255);
  return `#${hex(+m[1]!)}${hex(+m[2]!)}${hex(+m[3]!)}${alpha === 'ff' ? '' : alpha}`;
}

/** Monaco colour id -> the VS Code CSS variable that holds it (same names, '.' becomes '-'). */
const COLORS = [
  'editor.background', 'editor.foreground', 'editorLineNumber.foreground', 'editorLineNumber.activeForeground', 'editor.selectionBackground',
  'editor.inactiveSelectionBackground', 'editor.lineHighlightBackground', 'editor.lineHighlightBorder', 'editorCursor.foreground',
  'editor.findMatchBackground', 'editor.findMatchHighlightBackground', 'editorHoverWidget.background', 'editorHoverWidget.foreground',
  'editorHoverWidget.border', 'editorWidget.background', 'editorWidget.foreground', 'editorWidget.border', 'editorGutter.background',
  'editorLink.activeForeground', 'scrollbarSlider.background', 'scrollbarSlider.hoverBackground', 'scrollbarSlider.activeBackground',
  'editor.rangeHighlightBackground', 'focusBorder', 'contrastBorder', 'contrastActiveBorder', 'input.background', 'input.foreground', 'input.border',
  'textLink.foreground', 'textLink.activeForeground', 'editorGutter.foldingControlForeground', 'editorOverviewRuler.border', 'widget.shadow',
  'editor.foldBackground', 'textCodeBlock.background', 'textBlockQuote.background',
];

export function cssVar(name: string, el: Element = document.documentElement): string {
  return getComputedStyle(el).getPropertyValue(name).trim();
}

export const THEME_NAME = 'natlens';

/** Defines and applies the Monaco theme for the current body class and CSS variables. */
export function applyMonacoTheme(): ThemeKind {
  const kind = themeKind();
  const styles = getComputedStyle(document.documentElement);
  const colors: Record<string, string> = {};
  for (const id of COLORS) {
    const hex = toHex(styles.getPropertyValue('--vscode-' + id.replace(/\./g, '-')));
    if (hex) colors[id] = hex;
  }
  const rules: monaco.editor.ITokenThemeRule[] = Object.entries(TOKENS[kind]).map(([token, foreground]) => ({ token, foreground }));
  const fg = colors['editor.foreground'];
  if (fg) rules.unshift({ token: '', foreground: fg.slice(1, 7) });
  if (kind === 'hc-dark' || kind === 'hc-light') rules.push({ token: 'comment', fontStyle: 'italic' });
  monaco.editor.defineTheme(THEME_NAME, { base: BASE[kind], inherit: true, rules, colors });
  monaco.editor.setTheme(THEME_NAME);
  return kind;
}
