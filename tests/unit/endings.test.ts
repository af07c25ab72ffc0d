import { lostEnding } from '../../server/src/endings';

describe('lostEnding', () => {
  const now = new Date('2026-12-02T10:00:00Z');

  it('a running backup whose worker died fails, saying no archive was kept and how long it was silent', () => {
    expect(lostEnding({ kind: 'backup', status: 'running' }, now, 30000)).toEqual({
      status: 'failed',
      statusReason: 'worker-lost',
      finishedAt: now,
      message: 'Its worker stopped answering (no heartbeat for 30 s); no archive was kept.',
    });
  });

  it('a running restore says what became of the database and the uploads, not of an archive', () => {
    const { status, message } = lostEnding({ kind: 'restore', status: 'running' }, now);
    expect(status).toBe('failed');
    expect(message).toMatch(/^Its worker stopped answering \(found with no recent heartbeat\)\. A database load that did not commit was rolled back/);
    expect(message).not.toMatch(/archive/);
  });

  it('a restore waiting for the CLI that asked is cancelled: nothing was changed', () => {
    expect(lostEnding({ kind: 'restore', status: 'queued' }, now, 3000)).toMatchObject({
      status: 'cancelled',
      message: 'The process that asked for it stopped answering (no heartbeat for 3 s); nothing was changed.',
    });
  });
});
