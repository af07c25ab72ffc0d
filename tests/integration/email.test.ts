/**
 * Notification e-mails end to end: a real app on SQLite (the mailer does not touch the database
 * beyond what every dialect's suites cover) sends through Strapi's email plugin and its nodemailer
 * provider to a real SMTP server started here (smtp-server); what that server receives is parsed
 * (mailparser) and asserted: recipients, subject and body with the placeholders filled.
 */
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { formatBytes } from '../../shared/format';
import { waitFor } from '../helpers/wait';
import { createTestApp, type TestApp, servicesOf } from '../helpers/strapi-app';
import { accepted, found } from '../helpers/results';
import type { Profile } from '../../shared/contracts';
import type { NotifySettings } from '../../shared/mail-template';
import type { EnqueueRequest } from '../../server/src/services/queue-rules';

const BODY = [
  'Hello {user_firstname} {user_lastname},',
  '{kind} {status}: record {record_id} ({trigger}), size {size}.',
  'Error: {error}',
  'See {admin_url}',
].join('\n');

describe('notification e-mails on sqlite', () => {
  let app: TestApp;
  let smtp: SMTPServer;
  const received: { to: string[]; mail: ParsedMail }[] = [];
  let refuse = false;
  let ada: { id: number };
  const service = servicesOf(() => app.strapi);

  /** Runs a job of `profile` to its end, then waits until its e-mails are sent (or failed). */
  const runJob = async (profile: Profile, extra: Partial<EnqueueRequest> = {}) => {
    const { record } = accepted(await service('queue').enqueue({ profile, kind: 'backup', trigger: 'api', ...extra }));
    let done: any;
    await waitFor(
      async () => {
        done = await service('records').findById(record.id);
        return ['completed', 'failed', 'cancelled'].includes(done.status);
      },
      60000,
      `record ${record.id} to end`,
    );
    await service('notifier').flush();
    await service('mailer').flush();
    return found(await service('records').findById(record.id), `record ${record.id}`);
  };

  beforeAll(async () => {
    smtp = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onRcptTo(_address, _session, callback) {
        callback(refuse ? Object.assign(new Error('Mailbox unavailable'), { responseCode: 550 }) : undefined);
      },
      onData(stream, session, callback) {
        simpleParser(stream).then((mail) => {
          received.push({ to: session.envelope.rcptTo.map((r) => r.address), mail });
          callback();
        }, callback);
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    app = await createTestApp('sqlite', 'email');
    Object.assign(app.env, {
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String((smtp.server.address() as AddressInfo).port),
      SMTP_IGNORE_TLS: 'true',
      SMTP_FROM: 'backups@example.com',
      BACKUP_POLL_MS: '200',
    });
    await app.boot();
    ada = await app.strapi.db.query('admin::user').create({ data: { firstname: 'Ada', lastname: 'Lovelace', email: 'ada@example.com', isActive: true } });
  }, 120000);

  afterAll(async () => {
    await app?.destroy();
    await new Promise((resolve) => smtp?.close(() => resolve(undefined)));
  });

  beforeEach(() => {
    received.length = 0;
    refuse = false;
  });

  const createProfile = (name: string, notify: NotifySettings) =>
    service('profiles').create({ name, includeUploads: false, includeProjectFiles: false, notify });

  it('e-mails a completed admin job to its requester and to the list, each with the placeholders filled', async () => {
    const profile = await createProfile('Mail test', {
      on: ['completed', 'failed'],
      requester: true,
      emails: ['ops@example.com'],
      subject: 'Backup {status}: {profile_name}',
      body: BODY,
    });
    const done = await runJob(profile, { trigger: 'admin', requestedBy: ada.id });
    expect(done).toMatchObject({ status: 'completed', emailError: null });
    await waitFor(() => received.length === 2, 10000, 'two e-mails');
    expect(received.map((m) => m.to)).toEqual([['ada@example.com'], ['ops@example.com']]);
    for (const { mail } of received) {
      expect(mail.subject).toBe('Backup completed: Mail test');
      expect(mail.from?.text).toBe('backups@example.com');
      expect(mail.text?.trim().split('\n')).toEqual([
        'Hello Ada Lovelace,',
        `backup completed: record ${done.id} (admin), size ${formatBytes(done.archiveSize)}.`,
        'Error: ',
        // The site's own absolute admin URL (config/server `url`; the test app's host is 0.0.0.0).
        `See ${app.strapi.config.get('admin.absoluteUrl')}/plugins/backup/records/${done.documentId}`,
      ]);
      expect(mail.html).toContain('Hello Ada Lovelace,');
    }
  });

  it('e-mails a failed scheduled job to the list only, with its error; nothing for a profile that sends on failure only when its job completes', async () => {
    const failing = await createProfile('Mail failing', {
      on: ['failed'],
      requester: true,
      emails: ['ops@example.com'],
      subject: '{kind} {status} <{profile_name}>',
      body: BODY,
    });
    // The backup directory is a file: the job fails when it opens its archive.
    const dir = app.backupsDir;
    fs.renameSync(dir, `${dir}.moved`);
    fs.writeFileSync(dir, 'not a directory');
    let done: any;
    try {
      done = await runJob(failing, { trigger: 'schedule' });
    } finally {
      fs.rmSync(dir);
      fs.renameSync(`${dir}.moved`, dir);
    }
    expect(done.status).toBe('failed');
    await waitFor(() => received.length === 1, 10000, 'one e-mail');
    const [{ to, mail }] = received;
    expect(to).toEqual(['ops@example.com']);
    expect(mail.subject).toBe('backup failed <Mail failing>');
    expect(mail.text).toContain(`Hello  ,\nbackup failed: record ${done.id} (schedule), size -.\nError: ${done.message}`);
    expect(mail.html).toContain('backup failed');

    received.length = 0;
    const completed = await runJob(failing, { trigger: 'admin', requestedBy: ada.id });
    expect(completed.status).toBe('completed');
    expect(received).toEqual([]);
  });

  it('keeps the job completed when the SMTP server refuses the message, and says so on the record', async () => {
    const profile = await createProfile('Mail refused', { on: ['completed'], requester: false, emails: ['ops@example.com'], subject: 'S', body: 'B' });
    refuse = true;
    const warn = jest.spyOn(app.strapi.log, 'warn');
    const done = await runJob(profile);
    expect(done.status).toBe('completed');
    expect(done.archiveFile).toBeTruthy();
    expect(done.emailError).toMatch(/^The notification e-mail could not be sent \(ops@example\.com: .*Mailbox unavailable/);
    expect(warn.mock.calls.filter(([m]) => String(m).includes('notification e-mail could not be sent'))).toHaveLength(1);
    warn.mockRestore();
    expect(received).toEqual([]);
  });

  it('warns once, and sends nothing, when a profile asks for e-mail and the site has no provider', async () => {
    const mailer = service('mailer');
    const warn = jest.spyOn(app.strapi.log, 'warn');
    app.strapi.config.set('plugin::email.provider', 'sendmail');
    let logged: string[];
    try {
      await mailer.checkProvider();
      const profile = (await service('profiles').findByName('Mail test'))!;
      await runJob(profile, { trigger: 'admin', requestedBy: ada.id });
    } finally {
      app.strapi.config.set('plugin::email.provider', 'nodemailer');
      logged = warn.mock.calls.map(([m]) => String(m));
      warn.mockRestore();
    }
    const warnings = logged.filter((m) => m.includes('no provider configured'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('@strapi/provider-email-nodemailer');
    expect(received).toEqual([]);
  });
});
