// The engine's language in the editor: VS Code's display language (`code --locale de`, the
// "Configure Display Language" setting); German for every de variant, English otherwise.
import * as vscode from 'vscode';
import { localeOf, messagesFor, type Messages } from '../engine/i18n';

export function editorMessages(): Messages {
  return messagesFor(localeOf(vscode.env.language));
}
