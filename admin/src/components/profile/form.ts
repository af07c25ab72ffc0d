/** The profile editor's state: every profile field, held as inputs hold them, and back. */
import { DEFAULT_NOTIFY, notifySettings, type NotifyOn } from '../../../../shared/mail-template';
import { PROFILE_LIMITS } from '../../constants';
import type { Profile, ProfileInput } from '../../types';

export interface ProfileForm {
  name: string;
  description: string;
  isDefault: boolean;
  queueBehavior: 'cancel' | 'queue';
  maxQueueDepth: number | undefined;
  includeDatabase: boolean;
  /** One table name per line. */
  excludeTables: string;
  includeUploads: boolean;
  includeProjectFiles: boolean;
  schedule: string;
  timezone: string;
  retainCount: number | undefined;
  retainDays: number | undefined;
  format: 'tar' | 'tar.gz';
  encrypt: boolean;
  timeoutMinutes: number | undefined;
  /** The notification e-mail; null sends none. */
  notify: NotifyForm | null;
}

export interface NotifyForm {
  on: NotifyOn[];
  requester: boolean;
  /** One address per line (commas and semicolons also separate). */
  emails: string;
  subject: string;
  body: string;
}

/** What switching e-mail on starts from: failures only, to whoever asked, the default texts. */
export const defaultNotifyForm = (): NotifyForm => ({ ...DEFAULT_NOTIFY, on: [...DEFAULT_NOTIFY.on], emails: '' });

export const splitEmails = (text: string): string[] =>
  text
    .split(/[\n,;]/)
    .map((address) => address.trim())
    .filter(Boolean);

/** A new profile starts from the server's defaults (content-type defaults and PROFILE_LIMITS). */
export const emptyForm = (): ProfileForm => ({
  name: '',
  description: '',
  isDefault: false,
  queueBehavior: 'cancel',
  maxQueueDepth: PROFILE_LIMITS.maxQueueDepth.default,
  includeDatabase: true,
  excludeTables: '',
  includeUploads: true,
  includeProjectFiles: true,
  schedule: '',
  timezone: '',
  retainCount: undefined,
  retainDays: undefined,
  format: 'tar',
  encrypt: false,
  timeoutMinutes: PROFILE_LIMITS.timeoutMinutes.default,
  notify: null,
});

export const toForm = (profile: Profile): ProfileForm => ({
  name: profile.name,
  description: profile.description ?? '',
  isDefault: profile.isDefault,
  queueBehavior: profile.queueBehavior,
  maxQueueDepth: profile.maxQueueDepth ?? undefined,
  includeDatabase: profile.includeDatabase,
  excludeTables: (profile.excludeTables ?? []).join('\n'),
  includeUploads: profile.includeUploads,
  includeProjectFiles: profile.includeProjectFiles,
  schedule: profile.schedule ?? '',
  timezone: profile.timezone ?? '',
  retainCount: profile.retainCount ?? undefined,
  retainDays: profile.retainDays ?? undefined,
  format: profile.format,
  encrypt: profile.encrypt,
  timeoutMinutes: profile.timeoutMinutes ?? undefined,
  notify: notifyForm(profile.notify),
});

const notifyForm = (stored: unknown): NotifyForm | null => {
  const settings = notifySettings(stored);
  return settings ? { ...settings, emails: settings.emails.join('\n') } : null;
};

/** The request body, or the fields the form itself can tell are wrong (the server checks the rest). */
export const toInput = (form: ProfileForm): { input: ProfileInput } | { errors: Record<string, string> } => {
  const { isDefault, notify, ...rest } = form;
  return {
    input: {
      ...rest,
      // Turning the default off is refused by the server; it is only ever moved to another profile.
      ...(isDefault ? { isDefault } : {}),
      maxQueueDepth: form.maxQueueDepth ?? PROFILE_LIMITS.maxQueueDepth.default,
      timeoutMinutes: form.timeoutMinutes ?? PROFILE_LIMITS.timeoutMinutes.default,
      retainCount: form.retainCount ?? null,
      retainDays: form.retainDays ?? null,
      excludeTables: form.excludeTables
        .split(/[\n,]/)
        .map((name) => name.trim())
        .filter(Boolean),
      notify: notify ? { ...notify, emails: splitEmails(notify.emails) } : null,
    },
  };
};

/** Field errors from a 400 (`error.details.errors[].path`), keyed by field name. */
export const fieldErrors = (details?: { errors?: Array<{ path: string[]; message: string }> }): Record<string, string> =>
  Object.fromEntries((details?.errors ?? []).filter((e) => e.path?.[0]).map((e) => [e.path[0], e.message]));
