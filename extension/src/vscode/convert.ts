// Engine values to VS Code values.
import * as vscode from 'vscode';
import type { SourceRange } from '../engine/manifest/source';
import type { FindingSeverity } from '../engine/findings/catalog';
import type { TextEdit } from '../engine/findings/edits';

export function toRange(r: SourceRange): vscode.Range {
  return new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
}

export function toSeverity(s: FindingSeverity): vscode.DiagnosticSeverity {
  switch (s) {
    case 'error': return vscode.DiagnosticSeverity.Error;
    case 'warning': return vscode.DiagnosticSeverity.Warning;
    case 'information': return vscode.DiagnosticSeverity.Information;
    default: return vscode.DiagnosticSeverity.Hint;
  }
}

export function toWorkspaceEdit(uri: vscode.Uri, edits: readonly TextEdit[]): vscode.WorkspaceEdit {
  const we = new vscode.WorkspaceEdit();
  for (const e of edits) we.replace(e.file ? vscode.Uri.file(e.file) : uri, toRange(e.range), e.newText);
  return we;
}

export function commandUri(command: string, args: unknown): string {
  return `command:${command}?${encodeURIComponent(JSON.stringify(args))}`;
}
