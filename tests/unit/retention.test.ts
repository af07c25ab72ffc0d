import type { Trigger } from '../../shared/constants';
import { expiredArchives, retentionTightened } from '../../server/src/services/retention';
import type { ArchiveOwner } from '../../shared/contracts';
import { reconcile } from '../../server/src/services/storage-report';
import { archiveRecordId, isArchiveName, leftoverRecordId } from '../../server/src/services/storage';

const DAY = 24 * 60 * 60 * 1000;
const now = Date.parse('2026-11-24T12:00:00Z');
const at = { safetyBackupDays: 30, now };
type Candidate = Parameters<typeof expiredArchives>[0][number];
/** Newest first, one a day, taken by a schedule. */
const daily = (n: number): Candidate[] =>
  Array.from({ length: n }, (_, i) => ({ id: n - i, finishedAt: new Date(now - i * DAY - 1000).toISOString(), trigger: 'schedule' as Trigger, keep: false }));
/** `daily(n)` with some records changed, by id. */
const withChanges = (n: number, changes: Record<number, Partial<Candidate>>) => daily(n).map((r) => ({ ...r, ...changes[r.id] }));
const ids = (expired: { id: number }[]) => expired.map((e) => e.id);

describe('expiredArchives', () => {
  it('keeps everything when no rule is set, or a rule is 0', () => {
    expect(expiredArchives(daily(5), { retainCount: null, retainDays: null }, at)).toEqual([]);
    expect(expiredArchives(daily(5), { retainCount: 0, retainDays: 0 }, at)).toEqual([]);
  });

  it('keeps the newest N', () => {
    expect(expiredArchives(daily(5), { retainCount: 2, retainDays: null }, at)).toEqual([
      { id: 3, reason: 'the profile keeps its last 2' },
      { id: 2, reason: 'the profile keeps its last 2' },
      { id: 1, reason: 'the profile keeps its last 2' },
    ]);
  });

  it('keeps N days, and either rule removes an archive', () => {
    expect(ids(expiredArchives(daily(5), { retainCount: null, retainDays: 2 }, at))).toEqual([3, 2, 1]);
    expect(expiredArchives(daily(5), { retainCount: 4, retainDays: 3 }, at)).toEqual([
      { id: 2, reason: 'the profile keeps 3 days of backups' },
      { id: 1, reason: 'the profile keeps its last 4' },
    ]);
  });

  it('never removes the newest archive, however old', () => {
    const old = [{ id: 9, finishedAt: new Date(now - 30 * DAY).toISOString(), trigger: 'admin' as Trigger, keep: false }];
    expect(expiredArchives(old, { retainCount: null, retainDays: 1 }, at)).toEqual([]);
  });

  it('never removes a kept archive, and does not count it among the N', () => {
    // 10 archives, the 8th newest kept: the 3 newest and the kept one stay.
    const ten = withChanges(10, { 3: { keep: true } });
    expect(ids(expiredArchives(ten, { retainCount: 3, retainDays: null }, at))).toEqual([7, 6, 5, 4, 2, 1]);
    expect(ids(expiredArchives(ten, { retainCount: null, retainDays: 1 }, at))).toEqual([9, 8, 7, 6, 5, 4, 2, 1]);
    // A kept newest archive: the next one is the first of the N.
    expect(ids(expiredArchives(withChanges(4, { 4: { keep: true } }), { retainCount: 1, retainDays: null }, at))).toEqual([2, 1]);
  });

  it('spares pre-update, pre-uninstall and pre-restore backups younger than safetyBackupDays, outside the N', () => {
    const safety = withChanges(6, { 5: { trigger: 'pre-update' }, 4: { trigger: 'pre-uninstall' }, 3: { trigger: 'pre-restore' } });
    expect(ids(expiredArchives(safety, { retainCount: 2, retainDays: null }, at))).toEqual([1]);
    expect(ids(expiredArchives(safety, { retainCount: null, retainDays: 1 }, at))).toEqual([2, 1]);
    // Past the age they are backups like the others.
    expect(ids(expiredArchives(safety, { retainCount: 2, retainDays: null }, { safetyBackupDays: 2, now }))).toEqual([3, 2, 1]);
    expect(ids(expiredArchives(safety, { retainCount: 2, retainDays: null }, { safetyBackupDays: 0, now }))).toEqual([4, 3, 2, 1]);
  });

  it('removes a safety backup older than safetyBackupDays under the days rule, and keeps a young one', () => {
    const backups: Candidate[] = [
      { id: 4, finishedAt: new Date(now - 1 * DAY).toISOString(), trigger: 'schedule', keep: false },
      { id: 3, finishedAt: new Date(now - 10 * DAY).toISOString(), trigger: 'pre-update', keep: false },
      { id: 2, finishedAt: new Date(now - 40 * DAY).toISOString(), trigger: 'pre-update', keep: false },
      { id: 1, finishedAt: new Date(now - 50 * DAY).toISOString(), trigger: 'pre-restore', keep: true },
    ];
    expect(expiredArchives(backups, { retainCount: null, retainDays: 7 }, at)).toEqual([{ id: 2, reason: 'the profile keeps 7 days of backups' }]);
  });
});

describe('retentionTightened', () => {
  it('is true when a rule is set where there was none, or lowered; false otherwise', () => {
    const none = { retainCount: null, retainDays: null };
    expect(retentionTightened(none, { retainCount: 3, retainDays: null })).toBe(true);
    expect(retentionTightened({ retainCount: 0, retainDays: null }, { retainCount: 3, retainDays: null })).toBe(true);
    expect(retentionTightened({ retainCount: 10, retainDays: 30 }, { retainCount: 10, retainDays: 7 })).toBe(true);
    expect(retentionTightened({ retainCount: 10, retainDays: null }, { retainCount: 3, retainDays: null })).toBe(true);
    expect(retentionTightened({ retainCount: 3, retainDays: 7 }, { retainCount: 3, retainDays: 7 })).toBe(false);
    expect(retentionTightened({ retainCount: 3, retainDays: 7 }, { retainCount: 5, retainDays: null })).toBe(false);
    expect(retentionTightened({ retainCount: 3, retainDays: null }, none)).toBe(false);
  });
});

describe('archive names', () => {
  it('tells archives from other files, and reads the record id in their names', () => {
    expect(['full-site-20261124-120000-12.tar', 'x-3.tar.gz', 'mine.tar'].map(isArchiveName)).toEqual([true, true, true]);
    expect(['x-12.tar.partial', '.gitignore', 'notes.txt', 'x.tar.bak'].map(isArchiveName)).toEqual([false, false, false, false]);
    expect(['full-site-20261124-120000-12.tar', 'x-3.tar.gz', 'mine.tar', 'x-12.tar.partial'].map(archiveRecordId)).toEqual([12, 3, null, null]);
    expect(['x-12.tar.partial', 'job-7', 'x-12.tar'].map(leftoverRecordId)).toEqual([12, 7, null]);
  });
});

describe('reconcile (the backup directory against the records)', () => {
  const full = { documentId: 'p1', name: 'Full site' };
  const db = { documentId: 'p2', name: 'Database' };
  const owner = (id: number, archiveFile: string | null, profile: ArchiveOwner['profile'], status: ArchiveOwner['status'] = 'completed'): ArchiveOwner => ({
    id,
    documentId: `d${id}`,
    status,
    archiveFile,
    profile,
  });

  it('sums archives per profile and in all, and names orphans and missing archives', () => {
    const files = [
      { name: 'full-site-1.tar', size: 100 },
      { name: 'full-site-2.tar', size: 150 },
      { name: 'database-3.tar.gz', size: 20 },
      { name: 'copied-by-hand.tar', size: 7 },
      // Renamed into place by a running job that has not recorded it yet: not an orphan.
      { name: 'database-20261124-120000-6.tar', size: 30 },
      { name: 'old-20200101-000000-99.tar', size: 5 },
      { name: 'deleted-profile-8.tar', size: 3 },
    ];
    const owners = [
      owner(1, 'full-site-1.tar', full),
      owner(2, 'full-site-2.tar', full),
      owner(3, 'database-3.tar.gz', db),
      owner(4, 'full-site-4.tar', full),
      owner(5, null, db, 'queued'),
      owner(6, null, db, 'running'),
      owner(8, 'deleted-profile-8.tar', null),
    ];
    expect(reconcile(files, owners)).toEqual({
      totalBytes: 315,
      profiles: [
        { profile: full, archives: 2, bytes: 250 },
        { profile: db, archives: 2, bytes: 50 },
        { profile: null, archives: 1, bytes: 3 },
      ],
      orphans: [
        { name: 'copied-by-hand.tar', size: 7 },
        { name: 'old-20200101-000000-99.tar', size: 5 },
      ],
      missing: [{ id: 4, documentId: 'd4', archiveFile: 'full-site-4.tar', profile: 'Full site' }],
    });
  });

  it('reports nothing for an empty directory and no records', () => {
    expect(reconcile([], [])).toEqual({ totalBytes: 0, profiles: [], orphans: [], missing: [] });
  });
});
