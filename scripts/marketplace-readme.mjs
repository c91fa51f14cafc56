// Writes the README the .vsix ships (dist/marketplace/README.md) from docs/marketplace.md.
// VS Code renders an installed extension's README in a webview without a base URL, whose CSP allows only
// https: and data: images, and whose link handler opens only http(s) and mailto links (VS Code's
// src/vs/workbench/contrib/extensions/browser/extensionEditor.ts). A relative image or link is broken there,
// and NAT Lens has no public URL to point at. So the package's README is self-contained: images become
// data: URLs, and the docs it links (docs/*.md) are appended as sections, the links turned into anchors.
// Anything else that is not https:, mailto: or an anchor of the page fails the build.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const SOURCE = 'docs/marketplace.md';
const OUT = 'dist/marketplace/README.md';

/** GitHub's heading anchors, as VS Code's markdown renderer gives them (lower case, punctuation dropped). */
const slug = heading => heading.trim().toLowerCase().replace(/<[^>]*>/g, '').replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');

/** Applies `edit` to the lines of `text` outside fenced code blocks. */
function outsideFences(text, edit) {
  let fence = false;
  return text.split('\n').map(line => {
    if (/^\s*```/.test(line)) { fence = !fence; return line; }
    return fence ? line : edit(line);
  }).join('\n');
}

const headingsOf = text => {
  const out = [];
  outsideFences(text, line => { const m = /^#{1,6}\s+(.*)$/.exec(line); if (m) out.push(slug(m[1])); return line; });
  return out;
};

const linkPattern = /(!?)\[([^\]]*)\]\(([^)\s]+)\)/g;
const main = readFileSync(join(root, SOURCE), 'utf8');
const sourceDir = dirname(SOURCE);

// the docs the page links, in the order first linked; each becomes one section (its headings one level down)
const docs = [];
for (const [, bang, , target] of main.matchAll(linkPattern)) {
  const file = target.split('#')[0];
  if (!bang && file.endsWith('.md') && !/^\w+:/.test(file) && !docs.includes(file)) docs.push(file);
}
const sections = docs.map(file => {
  const text = readFileSync(join(root, sourceDir, file), 'utf8');
  const demoted = outsideFences(text, line => line.replace(/^(#{1,5})(\s)/, '#$1$2'));
  const title = /^##\s+(.*)$/m.exec(demoted)?.[1];
  if (!title) throw new Error(`${join(sourceDir, file)}: no heading to link to`);
  return { file, anchor: slug(title), text: demoted };
});

let page = [main.trimEnd(), ...sections.map(s => s.text.trimEnd())].join('\n\n') + '\n';
const anchors = new Set(headingsOf(page));
const problems = [];
page = outsideFences(page, line => line.replace(linkPattern, (all, bang, label, target) => {
  if (/^(https|mailto):/.test(target)) return all;
  if (bang) {
    const path = join(root, sourceDir, target);
    const type = { png: 'image/png', jpg: 'image/jpeg', jpeg: 'image/jpeg', gif: 'image/gif' }[target.split('.').pop().toLowerCase()];
    if (!type) { problems.push(`${target}: not a PNG, JPEG or GIF image`); return all; }
    try {
      return `![${label}](data:${type};base64,${readFileSync(path).toString('base64')})`;
    } catch {
      problems.push(`${target}: no such image (${relative(root, path)})`);
      return all;
    }
  }
  const [file, fragment] = target.split('#');
  const anchor = file ? (fragment ?? sections.find(s => s.file === file)?.anchor) : fragment;
  if (!anchor || !anchors.has(anchor)) { problems.push(`${target}: no such section in the page`); return all; }
  return `[${label}](#${anchor})`;
}));
if (problems.length) {
  for (const p of problems) console.error(`${SOURCE}: ${p}`);
  process.exit(1);
}
mkdirSync(join(root, dirname(OUT)), { recursive: true });
writeFileSync(join(root, OUT), page);
console.log(`${OUT}: ${(page.length / 1024).toFixed(0)} KiB, ${sections.length} docs appended`);
