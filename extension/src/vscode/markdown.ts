// Engine text in a trusted hover: it may quote manifest strings, so nothing in it may become a link,
// an image or HTML (a command link in a manifest would run with the hover's trust). Links are built
// by the shell only. Code spans are left as they are: Markdown makes nothing inside them active.

/** Escapes link, image and HTML syntax outside `code spans`; emphasis and lists still render. */
export function inertMarkdown(text: string): string {
  return text.split(/(`+[^`]*`+)/).map((part, i) => (i % 2 === 1 ? part : part.replace(/[\\[\]<>]/g, c => (c === '<' ? '&lt;' : c === '>' ? '&gt;' : `\\${c}`)))).join('');
}
