/** tablesStart: the restore's tables pass begins at the first table entry instead of reading every upload before it. */
import fs from 'node:fs';
import path from 'node:path';
import { readEntries } from '../../server/src/engine/archive-read';
import { tablesStart } from '../../server/src/engine/tar-seek';
import { tempDir, writeTar } from '../helpers/archive';

let dir: string;
beforeAll(async () => {
  dir = await tempDir('tar-seek-');
});
afterAll(() => fs.promises.rm(dir, { recursive: true, force: true }));

const LONG_UPLOAD = `uploads/${'p'.repeat(120)}.jpg`; // one name over 100 characters: a pax header before it
const files = [
  { name: 'uploads/a.png', data: Buffer.alloc(700, 1) },
  { name: LONG_UPLOAD, data: Buffer.alloc(1024, 2) },
  { name: 'files/config/server.ts', data: Buffer.from('export default {};') },
];
const tables = (first: string) => [
  { name: first, data: Buffer.from('first table') },
  { name: 'db/zebra.ndjson.gz', data: Buffer.from('second table') },
  { name: 'manifest.json', data: Buffer.from('{}') },
];

/** The names read from `start` on, as the tables pass reads them. */
async function namesFrom(file: string, start: number): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of readEntries(file, { start })) {
    names.push(entry.header.name);
    for await (const _chunk of entry) void _chunk;
  }
  return names;
}

test('finds the first table entry after uploads and project files, a pax-named upload among them', async () => {
  const file = path.join(dir, 'site.tar');
  await writeTar(file, [...files, ...tables('db/admin_users.ndjson.gz')]);
  const start = await tablesStart(file);
  expect(start).toBeGreaterThan(0);
  expect(await namesFrom(file, start)).toEqual(['db/admin_users.ndjson.gz', 'db/zebra.ndjson.gz', 'manifest.json']);
  expect(await namesFrom(file, 0)).toEqual([...files, ...tables('db/admin_users.ndjson.gz')].map((e) => e.name));
});

test('a table entry named in a pax header is found from that header', async () => {
  const file = path.join(dir, 'long-table.tar');
  const longTable = `db/${'t'.repeat(160)}.ndjson.gz`;
  await writeTar(file, [...files, ...tables(longTable)]);
  expect(await namesFrom(file, await tablesStart(file))).toEqual([longTable, 'db/zebra.ndjson.gz', 'manifest.json']);
});

test('a table entry named with a ustar prefix is found', async () => {
  const file = path.join(dir, 'prefix.tar');
  const prefixed = `db/${'p'.repeat(90)}.ndjson.gz`; // over 100 characters: "db" goes in the prefix field
  await writeTar(file, [...files, ...tables(prefixed)]);
  expect((await fs.promises.readFile(file)).includes(Buffer.from('path=db/'))).toBe(false); // no pax header for it
  expect(await namesFrom(file, await tablesStart(file))).toEqual([prefixed, 'db/zebra.ndjson.gz', 'manifest.json']);
});

/** Rewrites the header at `at` and recomputes its checksum. */
function patchHeader(bytes: Buffer, at: number, edit: (header: Buffer) => void): void {
  const header = bytes.subarray(at, at + 512);
  edit(header);
  header.fill(0x20, 148, 156);
  let sum = 0;
  for (let i = 0; i < 512; i += 1) sum += header[i];
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
}

test('a size in base-256 (files over 8 GB) is read as tar readers read it', async () => {
  const file = path.join(dir, 'base256.tar');
  await writeTar(file, [...files, ...tables('db/admin_users.ndjson.gz')]);
  const bytes = await fs.promises.readFile(file);
  patchHeader(bytes, 0, (header) => {
    // The first header's size (700) in base-256.
    header.fill(0, 124, 136);
    header[124] = 0x80;
    header.writeUInt16BE(700, 134);
  });
  await fs.promises.writeFile(file, bytes);
  expect(await namesFrom(file, 0)).toHaveLength(files.length + 3); // a valid tar for tar-stream too
  expect(await namesFrom(file, await tablesStart(file))).toEqual(['db/admin_users.ndjson.gz', 'db/zebra.ndjson.gz', 'manifest.json']);
});

test('answers 0 (read from the start) when unsure: no table, a damaged header, not a tar', async () => {
  const noTables = path.join(dir, 'no-tables.tar');
  await writeTar(noTables, [...files, { name: 'manifest.json', data: Buffer.from('{}') }]);
  expect(await tablesStart(noTables)).toBe(0);

  const damaged = path.join(dir, 'damaged.tar');
  await writeTar(damaged, [...files, ...tables('db/admin_users.ndjson.gz')]);
  const bytes = await fs.promises.readFile(damaged);
  bytes[512 + 1024] ^= 0xff; // inside the second header (a.png's data is 700 bytes: two blocks)
  await fs.promises.writeFile(damaged, bytes);
  expect(await tablesStart(damaged)).toBe(0);

  const gzipped = path.join(dir, 'site.tar.gz');
  await writeTar(gzipped, [...files, ...tables('db/admin_users.ndjson.gz')], true);
  expect(await tablesStart(gzipped)).toBe(0);
  await expect(readEntries(gzipped, { start: 512 }).next()).rejects.toThrow(/plain tar/);
});

test('answers 0 for what the plugin never writes: a GNU header, a pax size, a GNU long name', async () => {
  const gnu = path.join(dir, 'gnu.tar');
  await writeTar(gnu, [...files, ...tables('db/admin_users.ndjson.gz')]);
  const bytes = await fs.promises.readFile(gnu);
  // GNU's magic, whose bytes 345 on are times, not a name prefix.
  patchHeader(bytes, 0, (header) => header.write('ustar  \0', 257, 'latin1'));
  await fs.promises.writeFile(gnu, bytes);
  expect(await tablesStart(gnu)).toBe(0);

  const paxSize = path.join(dir, 'pax-size.tar');
  await writeTar(paxSize, [{ name: 'uploads/big.bin', data: Buffer.alloc(1024), pax: { size: '1024' } }, ...tables('db/admin_users.ndjson.gz')]);
  expect(await tablesStart(paxSize)).toBe(0);
  expect(await namesFrom(paxSize, 0)).toContain('db/admin_users.ndjson.gz');

  const longName = path.join(dir, 'gnu-long-name.tar');
  await writeTar(longName, [...files, ...tables('db/admin_users.ndjson.gz')]);
  const named = await fs.promises.readFile(longName);
  patchHeader(named, 0, (header) => (header[156] = 'L'.charCodeAt(0)));
  await fs.promises.writeFile(longName, named);
  expect(await tablesStart(longName)).toBe(0);
});

test('stops when the restore is aborted', async () => {
  const file = path.join(dir, 'abort.tar');
  await writeTar(file, [...files, ...tables('db/admin_users.ndjson.gz')]);
  await expect(tablesStart(file, AbortSignal.abort())).rejects.toThrow(/abort/i);
});
