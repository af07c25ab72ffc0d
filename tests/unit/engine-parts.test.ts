/** Pure parts of the engine: value encoding, type kinds, progress, project-file selection, operations in flight. */
import fs from 'node:fs';
import path from 'node:path';
import { encodeValue } from '../../server/src/engine/encode';
import { listProjectFiles, listUploads } from '../../server/src/engine/files';
import { kindOf } from '../../server/src/engine/column-kinds';
import { ProgressReporter } from '../../server/src/engine/progress';
import { InFlight } from '../../server/src/engine/in-flight';
import { linkedAbort } from '../../server/src/engine/side-by-side';
import type { Progress } from '../../server/src/engine/types';
import { tempDir, writeFiles } from '../helpers/archive';

describe('encodeValue', () => {
  test.each([
    ['binary', Buffer.from([0, 255, 10]), 'AP8K'],
    ['bigint', '-9223372036854775808', '-9223372036854775808'],
    ['bigint', 42, '42'],
    ['decimal', '0.10', '0.10'],
    ['boolean', 1, true],
    ['boolean', 0, false],
    ['boolean', 't', true],
    ['boolean', 'f', false],
    ['boolean', false, false],
    ['json', '{"a":[1,{"b":null}]}', { a: [1, { b: null }] }],
    ['json', '"123"', '123'],
    ['json', '123', 123],
    ['json', 'not json {', 'not json {'],
    ['float', Number.NaN, 'NaN'],
    ['float', Number.POSITIVE_INFINITY, 'Infinity'],
    ['float', 2.5, 2.5],
    ['datetime', '2024-01-02 03:04:05.123456+00', '2024-01-02 03:04:05.123456+00'],
    ['datetime', 1714558830123, 1714558830123],
    ['string', null, null],
    ['json', undefined, null],
  ] as const)('%s %p → %p', (kind, value, expected) => {
    expect(encodeValue(kind as any, value)).toEqual(expected);
  });
});

describe('kindOf', () => {
  test.each([
    ['mysql', 'tinyint(1)', 'boolean'],
    ['mysql', 'tinyint(4)', 'integer'],
    ['mysql', 'bigint(20) unsigned', 'bigint'],
    ['mysql', 'longblob', 'binary'],
    ['mysql', 'datetime(6)', 'datetime'],
    ['mysql', 'varchar(255)', 'string'],
    ['mysql', 'longtext', 'text'],
    ['mysql', 'decimal(10,2)', 'decimal'],
    ['sqlite', 'boolean', 'boolean'],
    ['sqlite', 'datetime', 'datetime'],
    ['sqlite', 'bigint', 'bigint'],
    ['sqlite', 'blob', 'binary'],
    ['sqlite', 'integer', 'integer'],
    ['sqlite', 'json', 'json'],
    ['sqlite', 'float', 'float'],
    ['postgres', 'timestamp(6) with time zone', 'datetime'],
    ['postgres', 'character varying(255)', 'string'],
    ['postgres', 'jsonb', 'json'],
  ] as const)('%s %s → %s', (dialect, type, kind) => {
    expect(kindOf(dialect, type)).toBe(kind);
  });
});

describe('ProgressReporter', () => {
  test('never decreases, throttles, ends with one 100', () => {
    let now = 0;
    const events: Progress[] = [];
    const r = new ProgressReporter(
      (p) => events.push(p),
      { database: 45, uploads: 45, finalize: 10 },
      () => now,
      250,
    );
    r.setTotal('database', 100);
    r.setTotal('uploads', 1000);
    r.setTotal('finalize', 10);
    for (let i = 0; i < 100; i += 1) {
      now += 10; // 100 updates over 1 s → at most ~4 events
      r.add('database', 1, 'table t');
      r.add('uploads', 5);
    }
    expect(events.length).toBeLessThanOrEqual(5);
    r.add('database', 1000); // overshoot of an estimate cannot exceed the step's share
    now += 1000;
    r.add('uploads', 1);
    expect(events[events.length - 1].percent).toBeLessThanOrEqual(45 + 23);
    r.complete('uploads');
    now += 1000;
    r.add('finalize', 10);
    r.finish();
    r.finish();
    const percents = events.map((e) => e.percent);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    expect(percents.filter((p) => p === 100)).toHaveLength(1);
    expect(events[events.length - 1]).toEqual({ step: 'finalize', percent: 100, detail: undefined });
    expect(Math.max(...percents.slice(0, -1))).toBeLessThan(100);
  });
});

describe('file selection', () => {
  test('project files: includes config/src/lockfiles, never secrets, build output or excluded dirs', async () => {
    const root = await tempDir();
    try {
      await writeFiles(root, {
        'config/server.ts': '1',
        'config/env/production/database.ts': '1',
        'config/.env': 'x',
        'src/api/a.ts': '1',
        'src/.cache/x': 'x',
        'src/build/y': 'x',
        'database/migrations/001.js': '1',
        'database/other.js': 'x',
        'package.json': '{}',
        'yarn.lock': '',
        'tsconfig.json': '{}',
        'favicon.png': 'png',
        '.env': 'S=1',
        '.env.local': 'S=2',
        '.env.example': 'S=',
        'node_modules/a/b.js': 'x',
        '.tmp/data.db': 'x',
        'dist/x.js': 'x',
        'public/uploads/p.jpg': 'x',
        'src/backups/b.tar': 'x',
        'README.md': 'x',
      });
      await fs.promises.symlink('/etc/passwd', path.join(root, 'config', 'passwd'));
      const names = (await listProjectFiles(root, { exclude: [path.join(root, 'src', 'backups')] })).map((f) => f.name);
      expect(names).toEqual([
        'files/.env.example',
        'files/config/env/production/database.ts',
        'files/config/server.ts',
        'files/database/migrations/001.js',
        'files/favicon.png',
        'files/package.json',
        'files/src/api/a.ts',
        'files/tsconfig.json',
        'files/yarn.lock',
      ]);
      const withEnv = (await listProjectFiles(root, { includeEnv: true })).map((f) => f.name);
      expect(withEnv).toContain('files/.env');
      expect(withEnv).not.toContain('files/.env.local');
      expect(withEnv).not.toContain('files/config/.env');

      const uploads = (await listUploads(path.join(root, 'public', 'uploads'))).map((f) => f.name);
      expect(uploads).toEqual(['uploads/p.jpg']);
      expect(await listUploads(path.join(root, 'nope'))).toEqual([]);
    } finally {
      await fs.promises.rm(root, { recursive: true, force: true });
    }
  });
});

describe('linkedAbort', () => {
  test('follows the caller’s abort, also one that came before it was made', () => {
    const later = new AbortController();
    const linked = linkedAbort(later.signal);
    expect(linked.controller.signal.aborted).toBe(false);
    later.abort();
    expect(linked.controller.signal).toMatchObject({ aborted: true, reason: { name: 'AbortError' } });
    // A restore aborted while it compared the schema: its passes must not start as if nothing happened.
    expect(linkedAbort(AbortSignal.abort()).controller.signal.aborted).toBe(true);
    // Disposed: the caller's later abort is no longer followed.
    const outer = new AbortController();
    const disposed = linkedAbort(outer.signal);
    disposed.dispose();
    outer.abort();
    expect(disposed.controller.signal.aborted).toBe(false);
  });
});

describe('InFlight', () => {
  /** An operation that ends when `release` is called, recording how many ran at once. */
  const gate = () => {
    let release!: (fail?: Error) => void;
    const done = new Promise<void>((resolve, reject) => {
      release = (fail) => (fail ? reject(fail) : resolve());
    });
    return { done, release };
  };

  test('runs at most `limit` at a time; the first failure is thrown by every later start and by finish', async () => {
    const flight = new InFlight(2);
    let running = 0;
    let most = 0;
    const gates = [gate(), gate(), gate()];
    const op = (g: ReturnType<typeof gate>) => async () => {
      running += 1;
      most = Math.max(most, running);
      await g.done.finally(() => (running -= 1));
    };
    await flight.start(op(gates[0]));
    await flight.start(op(gates[1]));
    let third = false;
    const starting = flight.start(op(gates[2])).then(() => (third = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(third).toBe(false); // two run: it waits for a place
    gates[0].release();
    await starting;
    expect(most).toBe(2);
    gates[1].release(new Error('disk full'));
    gates[2].release();
    await expect(flight.finish()).rejects.toThrow('disk full');
    await expect(flight.start(async () => undefined)).rejects.toThrow('disk full');
    await expect(flight.settled()).resolves.toBeUndefined();
  });

  test('settled waits for every operation, whatever its outcome', async () => {
    const flight = new InFlight(3);
    const ended: number[] = [];
    const later =
      (n: number, fail = false) =>
      async () => {
        await new Promise((resolve) => setTimeout(resolve, 5 * n));
        ended.push(n);
        if (fail) throw new Error(`op ${n}`);
      };
    await flight.start(later(3));
    await flight.start(later(1, true));
    await flight.start(later(2));
    await flight.settled();
    expect(ended.sort()).toEqual([1, 2, 3]);
    await expect(flight.finish()).rejects.toThrow('op 1');
  });
});
