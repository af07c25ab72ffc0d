/** The notification e-mail's templates: placeholders filled, unknown ones named, HTML escaped, addresses once each. */
import {
  DEFAULT_BODY,
  DEFAULT_SUBJECT,
  PLACEHOLDERS,
  fillHtml,
  fillTemplate,
  notifySettings,
  templateValues,
  unknownPlaceholders,
} from '../../shared/mail-template';
import { recipientsOf } from '../../server/src/services/mailer';
import { validateProfileCreate } from '../../server/src/validation/profile';

const record = {
  id: 7,
  kind: 'backup',
  status: 'failed',
  trigger: 'admin',
  archiveSize: 1536,
  startedAt: '2026-12-02T06:00:00.000Z',
  finishedAt: '2026-12-02T06:01:35.000Z',
  message: 'Disk <full> & "more"',
};
const values = templateValues({
  record,
  profileName: 'Nightly',
  user: { firstname: 'Ada', lastname: 'Lovelace', email: 'ada@example.com' },
  adminUrl: 'http://x/admin/plugins/backup/records/abc',
});

describe('notification templates', () => {
  it('fills every placeholder from the record, its profile and its requester', () => {
    expect(values).toEqual({
      user_firstname: 'Ada',
      user_lastname: 'Lovelace',
      user_email: 'ada@example.com',
      profile_name: 'Nightly',
      kind: 'backup',
      status: 'failed',
      trigger: 'admin',
      record_id: '7',
      size: '1.5 KB',
      duration: '1 min 35 s',
      started_at: '2026-12-02 06:00:00 UTC',
      finished_at: '2026-12-02 06:01:35 UTC',
      error: 'Disk <full> & "more"',
      admin_url: 'http://x/admin/plugins/backup/records/abc',
    });
    expect(Object.keys(values).sort()).toEqual([...PLACEHOLDERS].sort());
    expect(fillTemplate(DEFAULT_SUBJECT, values)).toBe('Strapi backup failed: Nightly');
    expect(fillTemplate('{user_firstname}: {status} {nope}', values)).toBe('Ada: failed {nope}');
  });

  it('leaves the error empty on a completed job and reads well with no requester', () => {
    const done = templateValues({ record: { ...record, status: 'completed', message: 'ignored' }, profileName: 'P', user: null, adminUrl: 'u' });
    expect(done).toMatchObject({ error: '', user_firstname: '', user_email: '' });
    expect(fillTemplate(DEFAULT_BODY, done)).toContain('The backup of “P” (admin, record 7) completed at 2026-12-02 06:01:35 UTC, after 1 min 35 s.');
  });

  it('escapes values and the template itself in the HTML part, keeping line breaks', () => {
    const html = fillHtml('<b>{profile_name}</b>\n{error}', { ...values, profile_name: 'A & B' });
    expect(html).toContain('&lt;b&gt;A &amp; B&lt;/b&gt;\nDisk &lt;full&gt; &amp; &quot;more&quot;');
    expect(html).toMatch(/^<div style="[^"]*white-space: pre-wrap">/);
  });

  it('names unknown placeholders once each', () => {
    expect(unknownPlaceholders('{user_firstname} {usr_name} {x} {usr_name} {NotLower}')).toEqual(['usr_name', 'x']);
    expect(unknownPlaceholders(DEFAULT_BODY)).toEqual([]);
  });

  it('reads stored settings, treating an older shape as none', () => {
    expect(notifySettings(null)).toBeNull();
    expect(notifySettings({ onFailure: true })).toBeNull();
    expect(notifySettings({ on: ['failed', 'bogus'], requester: true, emails: ['a@b.c', 3], subject: ' ', body: 'B' })).toEqual({
      on: ['failed'],
      requester: true,
      emails: ['a@b.c'],
      subject: DEFAULT_SUBJECT,
      body: 'B',
    });
  });

  it('sends to the requester when asked, then the list, each address once whatever its case', () => {
    expect(recipientsOf({ requester: true, emails: ['Ops@x.io', 'ada@example.com', 'ops@x.io'] }, 'ADA@example.com')).toEqual(['ADA@example.com', 'Ops@x.io']);
    expect(recipientsOf({ requester: false, emails: [] }, 'ada@example.com')).toEqual([]);
    expect(recipientsOf({ requester: true, emails: [] }, null)).toEqual([]);
  });
});

describe('notify in a profile body', () => {
  const rules = { minIntervalSeconds: 60 };
  const notify = { on: ['failed'], requester: true, emails: ['ops@example.com'], subject: DEFAULT_SUBJECT, body: DEFAULT_BODY };
  const refused = async (value: unknown) => {
    try {
      await validateProfileCreate({ name: 'p', notify: value }, rules);
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error('accepted');
  };

  it('accepts settings and null', async () => {
    await expect(validateProfileCreate({ name: 'p', notify }, rules)).resolves.toMatchObject({ notify });
    await expect(validateProfileCreate({ name: 'p', notify: null }, rules)).resolves.toMatchObject({ notify: null });
  });

  it('refuses an unknown placeholder by name, listing the known ones', async () => {
    const message = await refused({ ...notify, body: 'Hi {user_name}, {status}' });
    expect(message).toContain('notify.body: unknown placeholder {user_name}; the placeholders are {user_firstname}, {user_lastname}');
    expect(await refused({ ...notify, subject: '{oops} {oops}' })).toContain('notify.subject: unknown placeholder {oops};');
  });

  it('refuses bad addresses, endings, fields and shapes with a message each', async () => {
    expect(await refused({ ...notify, emails: ['not-an-address'] })).toContain('notify.emails: "not-an-address" is not an e-mail address');
    expect(await refused({ ...notify, on: ['cancelled'] })).toContain('notify.on must be one of: completed, failed');
    expect(await refused({ ...notify, cc: 'x' })).toContain('notify has unknown fields: cc');
    expect(await refused({ ...notify, subject: '  ' })).toContain('notify.subject must not be empty');
    expect(await refused('yes')).toContain('notify must be an object');
    const { requester: _r, ...noRequester } = notify;
    expect(await refused(noRequester)).toContain('notify.requester is required');
  });
});
