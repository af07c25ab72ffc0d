/**
 * Memory stays flat while a large table is restored: 500,000 rows (~40 MB of row text) are
 * backed up, changed, and restored while the process's RSS is sampled. The bound is generous on
 * purpose (a whole table in memory would be several hundred MB); the figure is printed.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import { createBackup, restoreArchive } from '../../server/src/engine';
import { connectLikeStrapi, createTestDatabase, dialectsUnderTest, type TestDatabase } from '../helpers/databases';
import { tempDir } from '../helpers/archive';

const ROWS = 500_000;
const MAX_GROWTH_MB = 150;

const { fillBulkTable } = require('../../scripts/bulk-table');

describe.each(dialectsUnderTest())('restore memory on %s', (dialect) => {
  let db: TestDatabase;
  let knex: Knex;
  let work: string;

  beforeAll(async () => {
    db = await createTestDatabase(dialect, 'restore_mem');
    knex = connectLikeStrapi(db);
    work = await tempDir('restore-mem-');
  });

  afterAll(async () => {
    await knex?.destroy();
    await db?.drop();
    if (work) await fs.promises.rm(work, { recursive: true, force: true });
  });

  test(`restoring ${ROWS} rows keeps RSS growth under ${MAX_GROWTH_MB} MB`, async () => {
    await fillBulkTable(knex, dialect, ROWS);
    const backup = await createBackup({
      knex,
      dialect,
      includeDatabase: true,
      uploadsDir: null,
      projectDir: null,
      format: 'tar',
      outFile: path.join(work, 'bulk.tar'),
      tmpDir: path.join(work, 'tmp'),
      meta: { strapiVersion: null, pluginVersion: null, profile: null },
    });
    await knex('bulk').where('id', '<=', 1000).del();

    const base = process.memoryUsage().rss;
    let peak = base;
    const timer = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 10);
    const started = Date.now();
    try {
      const result = await restoreArchive({ knex, dialect, file: backup.file, manifest: backup.manifest });
      expect(result.tables).toEqual({ bulk: ROWS });
    } finally {
      clearInterval(timer);
    }
    const growth = (peak - base) / 1024 / 1024;
    console.log(
      `${dialect}: restored ${ROWS} rows (${(backup.size / 1048576).toFixed(1)} MB archive) in ${Date.now() - started} ms; RSS ${Math.round(base / 1048576)} MB → peak +${growth.toFixed(1)} MB`,
    );
    expect(growth).toBeLessThan(MAX_GROWTH_MB);
    const [{ n }] = await knex('bulk').count({ n: '*' });
    expect(Number(n)).toBe(ROWS);
  });
});
