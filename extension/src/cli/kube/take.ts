// Takes a snapshot: the engine's reads (engine/snapshot/reads.ts), carried out a few at a time, and
// the engine's snapshot built from their answers. Shared by `natlens snapshot` and Connect to Cluster.
import { buildSnapshot, type Snapshot } from '../../engine/snapshot/snapshot';
import { snapshotReads, type Read, type ReadResult } from '../../engine/snapshot/reads';
import type { KubeClient } from './client';

/** Requests in flight at once: enough to hide latency, few enough not to trip API priority and fairness. */
const CONCURRENCY = 4;

export async function takeSnapshot(client: KubeClient, namespaces: readonly string[], now: () => number = Date.now): Promise<Snapshot> {
  const t0 = now();
  const reads = snapshotReads(namespaces);
  const results: { read: Read; result: ReadResult }[] = new Array(reads.length);
  let next = 0;
  try {
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next < reads.length) {
        const i = next++;
        const read = reads[i]!;
        results[i] = { read, result: await client.get(read.path, read.mayBeAbsent) };
      }
    }));
  } finally {
    client.close();
  }
  const c = client.connection;
  return buildSnapshot(results, { cluster: c.context, server: c.server, takenAt: new Date(t0).toISOString(), tookMs: now() - t0 });
}
