/**
 * Small files read ahead of the archive (engine/read-ahead.ts): in order, each exactly as large as
 * when it was listed, and a backup of many of them, small and large mixed, archives every byte.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { knex as createKnex, type Knex } from 'knex';
import { createBackup, verifyArchive } from '../../server/src/engine';
import { READ_AHEAD_FILES, SMALL_FILE_BYTES } from '../../server/src/engine/constants';
import type { SourceFile } from '../../server/src/engine/files';
import { readAhead, readListedSize } from '../../server/src/engine/read-ahead';
import { readArchive, tempDir } from '../helpers/archive';

let work: string;
let knex: Knex;

beforeAll(async () => {
  work = await tempDir();
  // createBackup wants a connection; with includeDatabase false it never queries it.
  knex = createKnex({ client: 'better-sqlite3', connection: { filename: ':memory:' }, useNullAsDefault: true });
});

afterAll(async () => {
  await knex.destroy();
  await fs.promises.rm(work, { recursive: true, force: true });
});

/** Bytes that differ at every offset and from file to file. */
const bytesOf = (seed: number, size: number) => {
  const data = Buffer.alloc(size);
  for (let i = 0; i + 4 <= size; i += 4) data.writeUInt32LE((seed * 2654435761 + i) >>> 0, i);
  return data;
};

const listed = async (name: string, content: Buffer): Promise<SourceFile> => {
  const abs = path.join(work, name);
  await fs.promises.writeFile(abs, content);
  return { abs, name: `uploads/${name}`, stats: await fs.promises.stat(abs) };
};

test('yields every file in order: small ones with their content, larger ones to stream', async () => {
  const sizes = [0, 10, SMALL_FILE_BYTES, SMALL_FILE_BYTES + 1, 20 * 1024];
  const files = await Promise.all(sizes.map((size, i) => listed(`order-${i}.bin`, bytesOf(i, size))));
  const seen: [string, Buffer | null][] = [];
  for await (const [file, content] of readAhead(files)) seen.push([file.name, content]);
  expect(seen.map(([name]) => name)).toEqual(files.map((f) => f.name));
  expect(seen.map(([, content]) => content?.length ?? null)).toEqual([0, 10, SMALL_FILE_BYTES, null, 20 * 1024]);
  expect(seen[4][1]!.equals(bytesOf(4, 20 * 1024))).toBe(true);
});

test(`reads ${READ_AHEAD_FILES} files ahead, never more`, async () => {
  const files = await Promise.all(Array.from({ length: READ_AHEAD_FILES * 2 }, (_, i) => listed(`ahead-${i}.bin`, bytesOf(i, 100))));
  const opened = jest.spyOn(fs.promises, 'open');
  try {
    const reading = readAhead(files);
    await reading.next();
    expect(opened).toHaveBeenCalledTimes(READ_AHEAD_FILES);
    await reading.next();
    expect(opened).toHaveBeenCalledTimes(READ_AHEAD_FILES + 1);
    await reading.return(undefined);
  } finally {
    opened.mockRestore();
  }
});

test('a file grown since it was listed is cut at its listed size', async () => {
  const file = await listed('grown.bin', bytesOf(1, 1000));
  await fs.promises.appendFile(file.abs, 'more');
  expect((await readListedSize(file)).equals(bytesOf(1, 1000))).toBe(true);
});

test('a file that shrank or went away since it was listed fails, naming it', async () => {
  const shrunk = await listed('shrunk.bin', bytesOf(2, 1000));
  await fs.promises.truncate(shrunk.abs, 600);
  await expect(readListedSize(shrunk)).rejects.toThrow('uploads/shrunk.bin shrank from 1000 to 600 bytes while it was being archived');
  const gone = await listed('gone.bin', bytesOf(3, 10));
  await fs.promises.rm(gone.abs);
  await expect(readListedSize(gone)).rejects.toThrow(/ENOENT/);
});

test(`a backup of more files than it reads ahead (${READ_AHEAD_FILES}), small and large mixed, archives every byte`, async () => {
  const uploads = path.join(work, 'uploads');
  await fs.promises.mkdir(uploads);
  const expected = new Map<string, Buffer>();
  for (let i = 0; i < READ_AHEAD_FILES * 3; i += 1) {
    const size = i % 7 === 3 ? SMALL_FILE_BYTES * 2 + 5 : (i * 977) % (SMALL_FILE_BYTES + 1);
    const name = `f${String(i).padStart(3, '0')}.bin`;
    expected.set(`uploads/${name}`, bytesOf(100 + i, size));
    await fs.promises.writeFile(path.join(uploads, name), expected.get(`uploads/${name}`)!);
  }
  const result = await createBackup({
    knex,
    dialect: 'sqlite',
    includeDatabase: false,
    uploadsDir: uploads,
    format: 'tar',
    outFile: path.join(work, 'many.tar'),
    tmpDir: path.join(work, 'tmp-many'),
    meta: { strapiVersion: null, pluginVersion: null, profile: null },
  });
  const entries = (await readArchive(result.file)).filter((e) => e.name.startsWith('uploads/'));
  expect(entries.map((e) => e.name)).toEqual([...expected.keys()]);
  for (const entry of entries) expect(entry.data.equals(expected.get(entry.name)!)).toBe(true);
  const sha = (data: Buffer) => createHash('sha256').update(data).digest('hex');
  expect(result.manifest.files.map((f) => [f.path, f.size, f.sha256])).toEqual([...expected].map(([name, data]) => [name, data.length, sha(data)]));
  expect((await verifyArchive(result.file)).ok).toBe(true);
});
