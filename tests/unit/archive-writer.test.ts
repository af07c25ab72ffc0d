/**
 * ArchiveWriter's file descriptor: closed once, by whoever owns it. A descriptor number closed
 * twice closes whatever the process opened under that number in between: the site's SQLite
 * journal, a socket. Two CI runs failed with `SqliteError: disk I/O error` on the app's next write
 * after the failsafe aborted a backup; the archive's descriptor, closed twice, is the likely cause.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ArchiveWriter } from '../../server/src/engine/archive';
import { tempDir } from '../helpers/archive';

/**
 * Plays another thread of the process (SQLite opening its journal, in the app or the snapshot's
 * worker): whenever `fs.close` releases a descriptor, the number is taken again at once.
 */
function reopenWhatIsClosed() {
  const taken: number[] = [];
  const realClose = fs.close;
  const spy = jest.spyOn(fs, 'close').mockImplementation(((fd: number, callback: (error: NodeJS.ErrnoException | null) => void) =>
    realClose(fd, (error) => {
      for (let i = 0; i < 64 && !error; i += 1) {
        const other = fs.openSync('/dev/null', 'r');
        taken.push(other);
        if (other === fd) break;
      }
      callback(error);
    })) as typeof fs.close);
  return {
    /** Stops, and returns the descriptors taken that someone else then closed. */
    stop(): number[] {
      spy.mockRestore();
      // Nothing here closes what it took before this: a number taken twice was closed by someone else.
      const closedByOthers = taken.filter((fd, i) => taken.indexOf(fd) !== i);
      for (const fd of new Set(taken)) {
        try {
          fs.fstatSync(fd);
          fs.closeSync(fd);
        } catch {
          closedByOthers.push(fd);
        }
      }
      return closedByOthers;
    },
  };
}

describe('ArchiveWriter', () => {
  let dir: string;
  let source: string;

  beforeAll(async () => {
    dir = await tempDir();
    source = path.join(dir, 'upload.bin');
    await fs.promises.writeFile(source, Buffer.alloc(4 * 1024 * 1024, 1));
  });

  afterAll(async () => {
    await fs.promises.rm(dir, { recursive: true, force: true });
  });

  test.each(['tar', 'tar.gz'] as const)('an aborted %s archive closes its own file once, and no descriptor opened meanwhile', async (format) => {
    const outFile = path.join(dir, `aborted.${format}`);
    const writer = await ArchiveWriter.open(outFile, format);
    const appending = writer.appendFile({ abs: source, name: 'uploads/upload.bin', stats: await fs.promises.stat(source) });
    appending.catch(() => undefined);
    const others = reopenWhatIsClosed();
    await writer.abort(new Error('stopped'));
    await expect(appending).rejects.toThrow();
    expect(others.stop()).toEqual([]);
    expect(fs.existsSync(`${outFile}.partial`)).toBe(false);
    expect(fs.existsSync(outFile)).toBe(false);
  });

  test('an abort while a read file waits in the archiver throws nothing later, from the archiver', async () => {
    const outFile = path.join(dir, 'queued.tar');
    const writer = await ArchiveWriter.open(outFile, 'tar');
    const stats = await fs.promises.stat(source);
    const small = (name: string) => writer.appendRead({ abs: source, name, stats: { ...stats, size: 1000 } as fs.Stats }, Buffer.alloc(1000, 1));
    await small('uploads/a.bin');
    // Its entry is written, but the archiver takes the next one only on a later turn.
    const second = small('uploads/b.bin');
    const aborting = writer.abort(new Error('stopped'));
    await expect(second).rejects.toThrow();
    await aborting;
    // The archiver's queue runs its next turn in an Immediate: anything it throws would land there.
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(fs.existsSync(`${outFile}.partial`)).toBe(false);
  });

  test('aborts at any point of a streaming entry throw nothing later, from the archiver', async () => {
    // The entry in flight ends when the abort destroys its sink; archiver then shuts down and
    // unpiped its tar plugin, which threw a TypeError from a stream callback (tar-stream 3 has no
    // unpipe): an uncaught exception, which fails this test, and would end the site's process.
    const stats = await fs.promises.stat(source);
    for (let turns = 0; turns < 12; turns += 1) {
      const outFile = path.join(dir, `in-flight-${turns}.tar`);
      const writer = await ArchiveWriter.open(outFile, 'tar');
      await writer.appendRead({ abs: source, name: 'uploads/a.bin', stats: { ...stats, size: 10 } as fs.Stats }, Buffer.alloc(10, 1));
      const streaming = writer.appendFile({ abs: source, name: 'uploads/b.bin', stats });
      let written = false; // on a quick disk the entry can be all written before a late abort
      streaming.then(
        () => (written = true),
        () => undefined,
      );
      for (let i = 0; i < turns; i += 1) await new Promise((resolve) => (i % 2 ? setImmediate(resolve) : setTimeout(resolve, 1)));
      const before = written;
      await writer.abort(new Error('stopped'));
      if (!before) await expect(streaming).rejects.toThrow();
      for (let i = 0; i < 3; i += 1) await new Promise((resolve) => setImmediate(resolve));
      expect(fs.existsSync(`${outFile}.partial`)).toBe(false);
    }
  });

  test('a finished archive closes its own file once, and no descriptor opened meanwhile', async () => {
    const outFile = path.join(dir, 'finished.tar');
    const writer = await ArchiveWriter.open(outFile, 'tar');
    await writer.appendFile({ abs: source, name: 'uploads/upload.bin', stats: await fs.promises.stat(source) });
    const others = reopenWhatIsClosed();
    const { size } = await writer.finalize();
    expect(others.stop()).toEqual([]);
    expect(size).toBe((await fs.promises.stat(outFile)).size);
    expect(fs.existsSync(`${outFile}.partial`)).toBe(false);
  });
});
