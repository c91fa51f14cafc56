// The preview webview's HTML document. Used by the extension host (webview.html) and by the browser
// tests, so both run the bundle under the same Content Security Policy. Every value is escaped for
// its attribute; the page holds no data: the state arrives later as a message.

export interface PreviewHtmlOptions {
  /** webview.asWebviewUri(dist/webview/preview.js) */
  readonly scriptUri: string;
  /** webview.asWebviewUri(dist/webview/preview.css) */
  readonly styleUri: string;
  /** webview.asWebviewUri(dist/webview/codicon.css) */
  readonly codiconsUri: string;
  /** A fresh random nonce per document (base64 or hex). */
  readonly nonce: string;
  /** webview.cspSource */
  readonly cspSource: string;
  /** The document language (default "en"). */
  readonly lang?: string;
}

function attr(v: string): string {
  return v.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The Content-Security-Policy of the preview: scripts only with the nonce, styles from the extension or with the nonce, no inline style attributes. */
export function previewCsp(nonce: string, cspSource: string): string {
  if (!/^[A-Za-z0-9+/=_-]+$/.test(nonce)) throw new Error('nonce: base64 or hex only');
  // VS Code gives a source list (code-server: "'self' https://..."); only a directive break is refused
  if (/[;\r\n]/.test(cspSource)) throw new Error('cspSource: unexpected characters');
  return [
    "default-src 'none'",
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource} 'nonce-${nonce}'`,
    `font-src ${cspSource}`,
    `img-src ${cspSource} data:`,
    'worker-src blob:',
  ].join('; ');
}

export function previewHtml(o: PreviewHtmlOptions): string {
  const csp = previewCsp(o.nonce, o.cspSource);
  return `<!DOCTYPE html>
<html lang="${attr(o.lang ?? 'en')}">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${attr(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${attr(o.styleUri)}" nonce="${attr(o.nonce)}">
<link rel="stylesheet" href="${attr(o.codiconsUri)}" nonce="${attr(o.nonce)}">
<title>NAT Lens preview</title>
</head>
<body>
<script src="${attr(o.scriptUri)}" nonce="${attr(o.nonce)}"></script>
</body>
</html>
`;
}
