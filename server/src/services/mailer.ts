/**
 * E-mails the end of a job to the people its profile names (`notify`, mail/template.ts): the admin
 * who asked for it, and a list of addresses. Sent through Strapi's email plugin, so whatever
 * provider the site configured is used.
 *
 * A send never fails or delays the job: it starts after the record is final (the instance that
 * made it final sends, so once), and a failure is logged once and kept on the record
 * (`emailError`). Strapi's default provider, sendmail, needs a local mail transfer agent that
 * sites rarely have: with it the plugin sends nothing and says so once, at boot or at the first
 * job that would have sent.
 */
import type { Core } from '@strapi/strapi';
import { PLUGIN_ID, isFinalStatus } from '../../../shared/constants';
import { fillHtml, fillTemplate, notifySettings, templateValues } from '../../../shared/mail-template';
import { errorMessage, getService } from '../utils';
import type { BackupRecord, Profile } from '../../../shared/contracts';

const NO_PROVIDER = 'sendmail';

/** Who gets the e-mail: the requester (when asked and known), then the list, each address once. */
export const recipientsOf = (settings: { requester: boolean; emails: string[] }, requesterEmail: string | null | undefined): string[] => {
  const all = [...(settings.requester && requesterEmail ? [requesterEmail] : []), ...settings.emails];
  const seen = new Set<string>();
  return all.filter((address) => {
    const key = address.trim().toLowerCase();
    if (!key || seen.has(key)) return false;
    seen.add(key);
    return true;
  });
};

const createMailerService = ({ strapi }: { strapi: Core.Strapi }) => {
  const pending = new Set<Promise<void>>();
  let warned = false;

  const provider = () => String(strapi.config.get('plugin::email.provider', NO_PROVIDER)).toLowerCase();
  const warnNoProvider = () => {
    if (warned) return;
    warned = true;
    strapi.log.warn(
      '[backup] A backup profile asks for e-mail notifications, but the email plugin has no provider configured (Strapi’s default, sendmail): ' +
        'no notification e-mail will be sent. Configure one in config/plugins (e.g. @strapi/provider-email-nodemailer).',
    );
  };

  const adminUrlOf = (record: BackupRecord) =>
    `${String(strapi.config.get('admin.absoluteUrl', '/admin')).replace(/\/$/, '')}/plugins/${PLUGIN_ID}/records/${record.documentId}`;

  const requesterOf = async (record: BackupRecord) =>
    record.requestedBy
      ? ((await strapi.db.query('admin::user').findOne({ where: { id: record.requestedBy }, select: ['firstname', 'lastname', 'email'] })) as {
          firstname: string | null;
          lastname: string | null;
          email: string;
        } | null)
      : null;

  const send = async (record: BackupRecord) => {
    if (!record.profile) return;
    const profile: Profile | null = await getService(strapi, 'profiles').findById(record.profile.id);
    const settings = notifySettings(profile?.notify);
    if (!profile || !settings || !settings.on.includes(record.status as 'completed' | 'failed')) return;
    const user = await requesterOf(record);
    const to = recipientsOf(settings, user?.email);
    if (to.length === 0) return;
    if (provider() === NO_PROVIDER) return warnNoProvider();
    const values = templateValues({ record, profileName: profile.name, user, adminUrl: adminUrlOf(record) });
    const message = { subject: fillTemplate(settings.subject, values), text: fillTemplate(settings.body, values), html: fillHtml(settings.body, values) };
    const failures: string[] = [];
    for (const address of to) {
      try {
        await strapi
          .plugin('email')
          .service('email')
          .send({ to: address, ...message });
      } catch (error) {
        failures.push(`${address}: ${errorMessage(error)}`);
      }
    }
    if (failures.length === 0) return;
    const emailError = `The notification e-mail could not be sent (${failures.join('; ')}).`;
    strapi.log.warn(`[backup] record ${record.id}: ${emailError}`);
    await getService(strapi, 'records').update(record.id, { emailError });
  };

  return {
    /** At boot: the one warning, when some profile asks for e-mail and no provider can send it. */
    async checkProvider(): Promise<void> {
      if (provider() !== NO_PROVIDER) return;
      const profiles = await getService(strapi, 'profiles').list();
      if (profiles.some((p) => notifySettings(p.notify)?.on.length)) warnNoProvider();
    },

    /** Sends the e-mail of a record that just became final, in the background. */
    jobEnded(record: BackupRecord): void {
      if (!isFinalStatus(record.status)) return;
      const sending: Promise<void> = send(record)
        .catch((error: unknown) => {
          strapi.log.warn(`[backup] record ${record.id}: notification e-mail: ${errorMessage(error)}`);
        })
        .finally(() => pending.delete(sending));
      pending.add(sending);
    },

    /** Resolves when every e-mail started so far has been sent or has failed. */
    async flush(): Promise<void> {
      await Promise.all([...pending]);
    },
  };
};

export default createMailerService;
