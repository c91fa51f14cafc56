// The CLI run in-process with its output collected, and text written to a temporary file for it to read.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../extension/src/cli/main';
import type { CliIO } from '../../extension/src/cli/command';

export interface CliRun { readonly code: number; readonly out: string; readonly err: string }

export function runCli(argv: readonly string[], io: Partial<CliIO> = {}): CliRun {
  let out = '', err = '';
  const code = main(argv, { out: s => { out += s; }, err: s => { err += s; }, ...io });
  return { code, out, err };
}

export const cli = (...argv: string[]): CliRun => runCli(argv);

export function withFile<T>(text: string, f: (path: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'natlens-test-'));
  try {
    const path = join(dir, 'dump.txt');
    writeFileSync(path, text);
    return f(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
