/** The store conformance suite on the embedded SQLite backend: a new temporary data directory per test. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storeConformance } from './conformance.ts';

storeConformance('sqlite', {
  shared: false,
  async fresh() {
    const dataDir = await mkdtemp(join(tmpdir(), 'sy-store-'));
    return { config: { dataDir }, dispose: () => rm(dataDir, { recursive: true, force: true }) };
  },
});
