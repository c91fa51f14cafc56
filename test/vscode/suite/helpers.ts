// Shared helpers for the in-editor tests (import from './helpers'; not a test file itself).
import * as assert from 'assert';
import * as vscode from 'vscode';

/** `publisher.name` from package.json. */
export const EXTENSION_ID = 'natlens.natlens';

/** The extension under test (fails the test when VS Code did not load it). */
export function extension(): vscode.Extension<unknown> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is not loaded: package.json publisher/name changed, or engines.vscode newer than the test VS Code (1.100.3)? see the server log`);
  return ext;
}

/** Root of the opened workspace: a fresh temp copy of test/fixtures/workspace/. */
export function workspaceRoot(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'no workspace folder is open');
  return folder.uri;
}

/** Uri of a file in the fixture workspace, e.g. fixtureUri('service.yaml'). */
export function fixtureUri(...segments: string[]): vscode.Uri {
  return vscode.Uri.joinPath(workspaceRoot(), ...segments);
}

/** Opens a fixture file in an editor and returns it. */
export async function openFixture(name: string): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument(fixtureUri(name));
  return vscode.window.showTextDocument(doc);
}

/** Opens an untitled document with the given content and language. */
export async function openText(content: string, language = 'yaml'): Promise<vscode.TextEditor> {
  const doc = await vscode.workspace.openTextDocument({ content, language });
  return vscode.window.showTextDocument(doc);
}

/** Polls `probe` until it returns a truthy value (returned) or `timeoutMs` passes (throws `what`). */
export async function waitFor<T>(probe: () => T | Promise<T>, what: string, timeoutMs = 10000, everyMs = 50): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v as NonNullable<T>;
    } catch (e) { last = e; }
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}` + (last ? `: ${String(last)}` : ''));
    await new Promise(r => setTimeout(r, everyMs));
  }
}

/** Diagnostics VS Code holds for a document, once `predicate` accepts them (e.g. ds => ds.length > 0). */
export function waitForDiagnostics(uri: vscode.Uri, predicate: (ds: vscode.Diagnostic[]) => boolean = ds => ds.length > 0, timeoutMs = 10000) {
  return waitFor(() => { const ds = vscode.languages.getDiagnostics(uri); return predicate(ds) ? ds : undefined; }, `diagnostics on ${uri.path}`, timeoutMs);
}

/** Hover texts at a position (what a hover provider returns), flattened to plain strings. */
export async function hoverTexts(uri: vscode.Uri, pos: vscode.Position): Promise<string[]> {
  const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, pos);
  return (hovers ?? []).flatMap(h => h.contents.map(c => typeof c === 'string' ? c : 'value' in c ? c.value : String(c)));
}

/** Code actions offered for a range. */
export async function codeActions(uri: vscode.Uri, range: vscode.Range, kind?: string): Promise<vscode.CodeAction[]> {
  return (await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, range, kind)) ?? [];
}

/** Position of the first occurrence of `needle` in a document (offset chars into it). */
export function positionOf(doc: vscode.TextDocument, needle: string, offset = 0): vscode.Position {
  const i = doc.getText().indexOf(needle);
  assert.ok(i >= 0, `"${needle}" not found in ${doc.uri.path}`);
  return doc.positionAt(i + offset);
}

/** Closes all editors without saving (each test may start from a clean editor area). */
export async function closeAllEditors(): Promise<void> {
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}
