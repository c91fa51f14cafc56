// Where the shared test material lives: ../shared beside the repository, or beside the main checkout
// when this is a git worktree (NATLENS_SHARED_DIR overrides). null when it is not there.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

export function sharedDir(marker: string): string | null {
  const candidates = [process.env['NATLENS_SHARED_DIR'] ?? '', join(repoRoot, '..', 'shared')];
  const dotGit = join(repoRoot, '.git');
  if (existsSync(dotGit) && statSync(dotGit).isFile()) {
    // a worktree's .git file points at <main checkout>/.git/worktrees/<name>
    const gitdir = /^gitdir: (.+)$/m.exec(readFileSync(dotGit, 'utf8'))?.[1]?.trim();
    if (gitdir) candidates.push(join(resolve(repoRoot, gitdir), '..', '..', '..', '..', 'shared'));
  }
  return candidates.find(c => c && existsSync(join(c, marker))) ?? null;
}
