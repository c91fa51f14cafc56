// The webview side of the VS Code API: posting messages and the state kept across reloads.
import type { WebviewMessage } from '../../protocol/preview';

export interface VsCodeApi<S> {
  postMessage(message: WebviewMessage): void;
  getState(): S | undefined;
  setState(state: S): void;
}

declare function acquireVsCodeApi<S>(): VsCodeApi<S>;

export function vscodeApi<S>(): VsCodeApi<S> {
  if (typeof acquireVsCodeApi === 'function') return acquireVsCodeApi<S>();
  // outside VS Code (a plain browser): log instead of posting, keep state in memory
  let state: S | undefined;
  return { postMessage: m => console.debug('[natlens] post', m), getState: () => state, setState: s => { state = s; } };
}
