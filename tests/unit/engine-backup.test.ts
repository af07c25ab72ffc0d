/**
 * createBackup against real databases: value encoding round trips, keyset pagination, exclusions,
 * manifest row counts, file checksums, atomic output, abort and failure cleanup, progress.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Knex } from 'knex';
import { createBackup, verifyArchive } from '../../server/src/engine';
import type { BackupOptions, Progress } from '../../server/src/engine/types';
import { connect, createTestDatabase, dialectsUnderTest, type TestDatabase } from '../helpers/databases';
import { readArchive, tableRows, tempDir, writeFiles } from '../helpers/archive';
import { BIG, BINARY, DOC, createSchema } from '../helpers/schema';

const dialects = dialectsUnderTest();

describe.each(dialects)('createBackup on %s', (dialect) => {
  let db: TestDatabase;
  let knex: Knex;
  let work: string;
  let uploadsDir: string;
  let projectDir: string;

  beforeAll(async () => {
    db = await createTestDatabase(dialect);
    knex = connect(db);
    await createSchema(knex, dialect);
    work = await tempDir();
    uploadsDir = path.join(work, 'app', 'public', 'uploads');
    projectDir = path.join(work, 'app');
    await writeFiles(projectDir, {
      'public/uploads/a.jpg': Buffer.from('jpeg-bytes'),
      'public/uploads/nested/b.bin': Buffer.alloc(300 * 1024, 7),
      'public/uploads/empty.txt': '',
      'config/database.ts': 'export default {};',
      'src/index.ts': 'export default {};',
      'src/node_modules/x.js': 'no',
      'package.json': '{"name":"app"}',
      '.env': 'SECRET=1',
      '.env.production': 'SECRET=2',
      '.env.example': 'SECRET=',
      'node_modules/m/index.js': 'no',
      'dist/x.js': 'no',
      'backups/old.tar': 'no',
    });
    await fs.promises.symlink(path.join(projectDir, '.env'), path.join(uploadsDir, 'link-to-env'));
  });

  afterAll(async () => {
    await knex?.destroy();
    await db?.drop();
    if (work) await fs.promises.rm(work, { recursive: true, force: true });
  });

  const options = (over: Partial<BackupOptions> = {}): BackupOptions => ({
    knex,
    dialect,
    includeDatabase: true,
    excludeTables: ['secrets'],
    uploadsDir,
    projectDir,
    projectExclude: [path.join(projectDir, 'backups')],
    format: 'tar',
    outFile: path.join(work, `out-${Math.random().toString(36).slice(2)}.tar`),
    tmpDir: path.join(work, `tmp-${Math.random().toString(36).slice(2)}`),
    meta: { strapiVersion: '5.54.0', pluginVersion: '0.1.0', profile: { name: 'Full site' } },
    batchSize: 4,
    ...over,
  });

  test('every value kind is encoded exactly', async () => {
    const opts = options();
    const result = await createBackup(opts);
    const entries = await readArchive(result.file);
    const rows = tableRows(entries, 'kinds');
    const ts = dialect === 'sqlite' ? 1714558830123 : '2024-05-01 10:20:30.123456';
    // knex declares decimal columns `float` on SQLite, which stores a REAL: it is a float there.
    const sqlite = dialect === 'sqlite';
    // JSON is archived as the column's text: as written (SQLite, MariaDB) or as PostgreSQL's jsonb prints it.
    expect(typeof rows[0].doc).toBe('string');
    expect(JSON.parse(rows[0].doc as string)).toEqual(DOC);
    expect(rows[1].doc).toBe('"123"');
    rows[0].doc = DOC;
    expect(rows[0]).toEqual({
      id: 1,
      big: BIG,
      dec: sqlite ? 12345.6789 : '12345.678900',
      flt: 1.5,
      flag: true,
      doc: DOC,
      bin: BINARY.toString('base64'),
      ts,
      d: '2024-05-01',
      tm: '10:20:30',
      s: 'héllo "q"\n',
      txt: 'line1\nline2\t\u0001',
    });
    expect(rows[1]).toEqual({
      id: 2,
      big: '-9007199254740993',
      dec: sqlite ? -0.000001 : '-0.000001',
      flt: -2.25,
      flag: false,
      doc: '"123"',
      bin: '',
      ts,
      d: '1999-12-31',
      tm: '23:59:59',
      s: '',
      txt: '',
    });
    expect(rows[2]).toEqual({
      id: 3,
      big: null,
      dec: null,
      flt: null,
      flag: null,
      doc: null,
      bin: null,
      ts: null,
      d: null,
      tm: null,
      s: null,
      txt: null,
    });
    const kindsColumns = result.manifest.tables.find((t) => t.name === 'kinds')!.columns;
    expect(kindsColumns.filter((c) => c.encoding).map((c) => [c.name, c.encoding])).toEqual([['doc', 'text']]);
    const kinds = Object.fromEntries(kindsColumns.map((c) => [c.name, c.kind]));
    expect(kinds).toEqual({
      id: 'integer',
      big: 'bigint',
      dec: sqlite ? 'float' : 'decimal',
      flt: 'float',
      flag: 'boolean',
      doc: 'json',
      bin: 'binary',
      ts: 'datetime',
      d: 'date',
      tm: 'time',
      s: 'string',
      txt: 'text',
    });
    if (dialect === 'postgres') {
      const col = result.manifest.tables.find((t) => t.name === 'kinds')!.columns.find((c) => c.name === 'ts')!;
      expect(col.type).toBe('timestamp(6) without time zone');
    }
  });

  test('keyset pagination yields every row once, in primary-key order (single, composite, bigint keys)', async () => {
    const result = await createBackup(options({ batchSize: 3 }));
    const entries = await readArchive(result.file);

    const items = tableRows(entries, 'items');
    expect(items.map((r) => r.id)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));

    const expectedPairs = await knex('pairs')
      .select('a', 'b', 'v')
      .orderBy([{ column: 'a' }, { column: 'b' }]);
    const pairs = tableRows(entries, 'pairs');
    expect(pairs).toEqual(expectedPairs.map((r) => ({ a: r.a, b: r.b, v: r.v })));
    expect(pairs).toHaveLength(21);
    expect(new Set(pairs.map((r) => `${r.a}|${r.b}`)).size).toBe(21);

    const base = BigInt(BIG);
    expect(tableRows(entries, 'bigkeys').map((r) => r.id)).toEqual(['1', ...[0n, 1n, 2n, 3n, 4n].map((i) => String(base + i))]);

    // No primary key: every row, duplicates included, ordered by all columns.
    const nokey = tableRows(entries, 'nokey');
    expect(nokey).toHaveLength(5);
    expect(nokey.filter((r) => r.x === 1 && r.y === 'a')).toHaveLength(2);

    const pairsManifest = result.manifest.tables.find((t) => t.name === 'pairs')!;
    expect(pairsManifest.primaryKey).toEqual(['a', 'b']);
    expect(pairsManifest.indexes.find((i) => i.name === 'pairs_v_idx')).toEqual({ name: 'pairs_v_idx', columns: ['v'], unique: false, primary: false });
  });

  test('manifest: excluded tables absent, rows equal COUNT(*), files hashed, no .env, verify passes', async () => {
    const result = await createBackup(options());
    const names = result.manifest.tables.map((t) => t.name);
    expect(names).not.toContain('secrets');
    expect(names).toEqual(expect.arrayContaining(['kinds', 'items', 'pairs', 'bigkeys', 'nokey']));
    for (const t of result.manifest.tables) {
      const [{ n }] = await knex(t.name).count({ n: '*' });
      expect({ table: t.name, rows: t.rows }).toEqual({ table: t.name, rows: Number(n) });
      expect(result.stats.tables[t.name]).toBe(Number(n));
    }
    const entries = await readArchive(result.file);
    expect(entries.map((e) => e.name)).not.toContain('db/secrets.ndjson.gz');
    expect(entries[entries.length - 1].name).toBe('manifest.json');

    const paths = result.manifest.files.map((f) => f.path);
    expect(paths).toEqual([
      'uploads/a.jpg',
      'uploads/empty.txt',
      'uploads/nested/b.bin',
      'files/.env.example',
      'files/config/database.ts',
      'files/package.json',
      'files/src/index.ts',
    ]);
    for (const f of result.manifest.files) {
      const rel = f.path.startsWith('uploads/') ? path.join(uploadsDir, f.path.slice(8)) : path.join(projectDir, f.path.slice(6));
      const content = await fs.promises.readFile(rel);
      expect(f.sha256).toBe(createHash('sha256').update(content).digest('hex'));
      expect(f.size).toBe(content.length);
      expect(entries.find((e) => e.name === f.path)!.data.equals(content)).toBe(true);
    }
    expect(result.stats.files).toBe(7);

    const fileBytes = await fs.promises.readFile(result.file);
    expect(result.sha256).toBe(createHash('sha256').update(fileBytes).digest('hex'));
    expect(result.size).toBe(fileBytes.length);
    expect(fs.existsSync(`${result.file}.partial`)).toBe(false);
    const v = await verifyArchive(result.file, { expectedSha256: result.sha256 });
    expect(v.errors).toEqual([]);
    expect(v.ok).toBe(true);
  });

  test('includeEnv archives .env but never .env.production', async () => {
    const result = await createBackup(options({ includeEnv: true, includeDatabase: false, uploadsDir: null }));
    const paths = result.manifest.files.map((f) => f.path);
    expect(paths).toContain('files/.env');
    expect(paths).not.toContain('files/.env.production');
    expect(result.manifest.tables).toEqual([]);
  });

  test('tar.gz: whole stream gzip-compressed, verify passes, progress only grows and ends at 100', async () => {
    const events: Progress[] = [];
    const result = await createBackup(options({ format: 'tar.gz', outFile: path.join(work, 'site.tar.gz'), onProgress: (p) => events.push(p) }));
    const head = Buffer.alloc(2);
    const fd = fs.openSync(result.file, 'r');
    fs.readSync(fd, head, 0, 2, 0);
    fs.closeSync(fd);
    expect([...head]).toEqual([0x1f, 0x8b]);
    const v = await verifyArchive(result.file);
    expect(v.errors).toEqual([]);
    expect(v.sha256).toBe(result.sha256);
    expect(events.length).toBeGreaterThan(0);
    for (let i = 1; i < events.length; i += 1) expect(events[i].percent).toBeGreaterThanOrEqual(events[i - 1].percent);
    expect(events[events.length - 1]).toMatchObject({ percent: 100, step: 'finalize' });
    expect(events.filter((e) => e.percent === 100)).toHaveLength(1);
    expect(fs.readdirSync(work).filter((f) => f.endsWith('.partial'))).toEqual([]);
  });

  test('abort mid-backup rejects and leaves no archive, no partial, no scratch', async () => {
    await knex.schema.createTable('bulk', (t) => {
      t.increments('id');
      t.string('v');
    });
    for (let i = 0; i < 4; i += 1) {
      await knex.batchInsert(
        'bulk',
        Array.from({ length: 500 }, (_, j) => ({ v: `row ${i * 500 + j}` })),
        100,
      );
    }
    const controller = new AbortController();
    const opts = options({ batchSize: 10, signal: controller.signal });
    let sawDatabase = false;
    opts.onProgress = (p) => {
      if (p.step === 'database' && !sawDatabase) {
        sawDatabase = true;
        controller.abort();
      }
    };
    // Progress is throttled: abort also as soon as the scratch table files appear.
    const timer = setInterval(() => {
      if (fs.existsSync(path.join(opts.tmpDir, 'db'))) controller.abort();
    }, 1);
    try {
      await expect(createBackup(opts)).rejects.toMatchObject({ name: 'AbortError' });
    } finally {
      clearInterval(timer);
      await knex.schema.dropTable('bulk');
    }
    expect(fs.existsSync(opts.outFile)).toBe(false);
    expect(fs.existsSync(`${opts.outFile}.partial`)).toBe(false);
    expect(fs.existsSync(opts.tmpDir)).toBe(false);
  });

  test('every file holding site data is private: scratch files and directories, the archive and its entries', async () => {
    await knex.schema.createTable('bulk', (t) => {
      t.increments('id');
      t.string('v');
    });
    await knex.batchInsert(
      'bulk',
      Array.from({ length: 3000 }, (_, j) => ({ v: `row ${j}` })),
      500,
    );
    const opts = options({ batchSize: 10 });
    // path → permission bits and kind, for everything seen under the scratch directory while the backup runs.
    const seen = new Map<string, { mode: number; dir: boolean }>();
    // The scratch directory can vanish under the scan (the backup removes it when it ends).
    const list = (dir: string) => {
      try {
        return fs.readdirSync(dir, { recursive: true, withFileTypes: true });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw err;
      }
    };
    const scan = () => {
      for (const dir of [opts.tmpDir, work]) {
        for (const entry of list(dir).filter((e) => dir === opts.tmpDir || e.name.endsWith('.partial'))) {
          const full = path.join(entry.parentPath, entry.name);
          const stat = fs.statSync(full, { throwIfNoEntry: false });
          if (stat) seen.set(full, { mode: stat.mode & 0o777, dir: stat.isDirectory() });
        }
      }
    };
    const timer = setInterval(() => fs.existsSync(opts.tmpDir) && scan(), 2);
    try {
      const result = await createBackup(opts);
      expect(fs.statSync(result.file).mode & 0o777).toBe(0o600);
      const modes = new Set((await readArchive(result.file)).map((e) => e.mode));
      expect([...modes]).toEqual([0o600]);
    } finally {
      clearInterval(timer);
      await knex.schema.dropTable('bulk');
    }
    const staged = [...seen].filter(([file]) => file.endsWith('.ndjson.gz'));
    expect(staged.length).toBeGreaterThan(0);
    const open = [...seen].filter(([, { mode, dir }]) => mode !== (dir ? 0o700 : 0o600));
    expect(open.map(([file, { mode }]) => `${path.relative(work, file)} ${mode.toString(8)}`)).toEqual([]);
    expect([...seen.keys()].some((file) => file === opts.tmpDir || path.dirname(file) === opts.tmpDir)).toBe(true);
  });

  test('a failing write (missing directory) rejects and leaves nothing', async () => {
    const opts = options({ outFile: path.join(work, 'no-such-dir', 'x.tar') });
    await expect(createBackup(opts)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(fs.existsSync(path.join(work, 'no-such-dir'))).toBe(false);
    expect(fs.existsSync(opts.tmpDir)).toBe(false);
  });
});
