/**
 * What an idle plugin costs its site: one query per poll interval per instance, on the records'
 * (status, kind) index, and nothing else between the configured crons. (The figures for latency
 * live in the bench; this counts statements, which does not depend on the machine's speed.)
 */
import { waitFor } from '../helpers/wait';
import { dialectsUnderTest } from '../helpers/databases';
import { createTestApp, poolIdle, type TestApp } from '../helpers/strapi-app';

const POLL_MS = 200;
const WINDOW_MS = 2000;

describe.each(dialectsUnderTest())('an idle plugin on %s', (dialect) => {
  let app: TestApp;

  beforeAll(async () => {
    app = await createTestApp(dialect, 'idle');
    // The failsafe cron (each minute by default) is moved out of the way; the schedule sync runs at
    // second 15 of each minute, which the window below avoids.
    Object.assign(app.env, { BACKUP_POLL_MS: String(POLL_MS), BACKUP_FAILSAFE_CRON: '0 0 1 1 *' });
    await app.boot();
  }, 120000);

  afterAll(async () => {
    await app?.destroy();
  });

  it('makes one indexed query per poll interval, and no other', async () => {
    const knex = app.strapi.db.connection;
    await poolIdle(app.strapi);
    // The 2 s window must not reach second 15 (the schedule sync).
    await waitFor(
      () => {
        const second = new Date().getSeconds();
        return second <= 11 || second >= 17;
      },
      10000,
      'a window clear of the schedule sync',
    );
    const statements: string[] = [];
    const onQuery = (query: { sql: string }) => statements.push(query.sql);
    knex.on('query', onQuery);
    await new Promise((resolve) => setTimeout(resolve, WINDOW_MS)); // a rate is counted over time
    knex.off('query', onQuery);

    const polls = WINDOW_MS / POLL_MS;
    expect(statements.length).toBeGreaterThanOrEqual(polls / 2);
    expect(statements.length).toBeLessThanOrEqual(polls + 1);
    expect(new Set(statements).size).toBe(1);
    expect(statements[0]).toMatch(/^select .* from ([`"]?public[`"]?\.)?[`"]?backup_records[`"]? /i);

    if (dialect === 'sqlite') {
      const plan = await knex.raw(`explain query plan ${statements[0]}`, ['queued', 'running', 'completed', 'restore', new Date().toISOString()]);
      const details = plan.map((row: { detail: string }) => row.detail).join('\n');
      expect(details).toMatch(/USING (COVERING )?INDEX backup_records_status_kind_idx/);
      expect(details).not.toMatch(/^SCAN /m); // no branch of the OR reads the whole table
    }
  });
});
