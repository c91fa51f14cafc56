// The part of Monaco the preview uses: the core editor API and the few contributions a read-only
// rules view needs (folding, hover, go to definition with Ctrl/Cmd+click and F12, find, copy).
// Deliberately not the full monaco-editor package: no language workers, no suggest, no links.
import './csp';
import 'monaco-editor-core/esm/vs/editor/browser/coreCommands.js';
import 'monaco-editor-core/esm/vs/editor/browser/widget/codeEditor/codeEditorWidget.js';
import 'monaco-editor-core/esm/vs/editor/contrib/folding/browser/folding.js';
import 'monaco-editor-core/esm/vs/editor/contrib/hover/browser/hoverContribution.js';
import 'monaco-editor-core/esm/vs/editor/contrib/gotoSymbol/browser/goToCommands.js';
import 'monaco-editor-core/esm/vs/editor/contrib/gotoSymbol/browser/link/goToDefinitionAtPosition.js';
import 'monaco-editor-core/esm/vs/editor/contrib/find/browser/findController.js';
import 'monaco-editor-core/esm/vs/editor/contrib/clipboard/browser/clipboard.js';
import 'monaco-editor-core/esm/vs/editor/contrib/wordOperations/browser/wordOperations.js';
import 'monaco-editor-core/esm/vs/base/browser/ui/codicons/codiconStyles.js';
import * as monaco from 'monaco-editor-core/esm/vs/editor/editor.api.js';

export { monaco };
