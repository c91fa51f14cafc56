// Registers the two rule languages with Monaco: Monarch tokenizers, folding per chain, the hover that
// explains a rule in words, and "go to chain" (Ctrl/Cmd+click, F12) on chain names. The providers read
// the current RulesView through a getter, so a new state needs no re-registration.
import { monaco } from './monaco';
import { iptablesLanguage, nftLanguage } from './tokens';
import { escapeMarkdown, explainLine } from './explain';
import type { RulesView } from '../../protocol/preview';

export const IPTABLES = 'natlens-iptables';
export const NFT = 'natlens-nft';

/** Folding regions: each run of consecutive lines of one chain, and each iptables table (*nat … COMMIT). */
export function foldingRegions(rules: RulesView, lines: readonly string[]): { start: number; end: number }[] {
  const out: { start: number; end: number }[] = [];
  let runStart = -1;
  let runChain: string | null = null;
  const close = (end: number) => { if (runChain !== null && end > runStart) out.push({ start: runStart, end }); };
  for (let i = 0; i < lines.length; i++) {
    const chain = rules.lines[i]?.chain ?? null;
    if (chain !== runChain) { close(i - 1); runStart = i; runChain = chain; }
  }
  close(lines.length - 1);
  if (rules.mode !== 'nftables') {
    let table = -1;
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i]!;
      if (/^\*\S+\s*$/.test(l)) table = i;
      else if (/^COMMIT\s*$/.test(l) && table >= 0) { if (i > table) out.push({ start: table, end: i }); table = -1; }
    }
  }
  return out.sort((a, b) => a.start - b.start || b.end - a.end);
}

/** The chain name under a column of a line, if it names a chain of the ruleset. */
export function chainAt(rules: RulesView, line: string, column: number): { name: string; start: number; end: number } | null {
  const re = rules.mode === 'nftables' ? /[^\s{};,#"@]+/g : /[^\s"':]+/g;
  for (let m = re.exec(line); m; m = re.exec(line)) {
    const start = m.index, end = m.index + m[0].length;
    if (column >= start && column < end) {
      const name = m[0];
      return Object.prototype.hasOwnProperty.call(rules.chains, name) ? { name, start, end } : null;
    }
  }
  return null;
}

export function registerLanguages(getRules: () => RulesView | null): void {
  for (const [id, def] of [[IPTABLES, iptablesLanguage], [NFT, nftLanguage]] as const) {
    monaco.languages.register({ id });
    monaco.languages.setMonarchTokensProvider(id, def);
    monaco.languages.setLanguageConfiguration(id, { comments: { lineComment: '#' }, wordPattern: /[^\s"'{};,#@]+/ });

    monaco.languages.registerFoldingRangeProvider(id, {
      provideFoldingRanges(model) {
        const rules = getRules();
        if (!rules) return [];
        return foldingRegions(rules, model.getLinesContent()).map(r => ({ start: r.start + 1, end: r.end + 1, kind: monaco.languages.FoldingRangeKind.Region }));
      },
    });

    monaco.languages.registerHoverProvider(id, {
      provideHover(model, position) {
        const rules = getRules();
        if (!rules) return null;
        const text = model.getLineContent(position.lineNumber);
        const e = explainLine(rules, text, position.lineNumber - 1);
        if (!e) return null;
        const contents: monaco.IMarkdownString[] = [{ value: '**' + escapeMarkdown(e.summary) + '**', isTrusted: false, supportHtml: false }];
        for (const d of e.details) contents.push({ value: escapeMarkdown(d), isTrusted: false, supportHtml: false });
        return { range: new monaco.Range(position.lineNumber, 1, position.lineNumber, model.getLineMaxColumn(position.lineNumber)), contents };
      },
    });

    monaco.languages.registerDefinitionProvider(id, {
      provideDefinition(model, position) {
        const rules = getRules();
        if (!rules) return null;
        const hit = chainAt(rules, model.getLineContent(position.lineNumber), position.column - 1);
        if (!hit) return null;
        const line = Math.min(rules.chains[hit.name]! + 1, model.getLineCount());
        // select just the name in its declaration (":NAME - [0:0]", "add chain ip kube-proxy NAME …")
        const text = model.getLineContent(line);
        const at = text.indexOf(hit.name);
        const range = at >= 0 ? new monaco.Range(line, at + 1, line, at + 1 + hit.name.length) : new monaco.Range(line, 1, line, 1);
        return {
          uri: model.uri,
          range,
          originSelectionRange: new monaco.Range(position.lineNumber, hit.start + 1, position.lineNumber, hit.end + 1),
        } as monaco.languages.LocationLink;
      },
    });
  }
}
