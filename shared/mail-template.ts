/**
 * The e-mail a profile sends when one of its jobs ends: its settings as the profile stores them,
 * the placeholders its subject and body may use, and how they are filled. Pure (no Node or
 * Strapi imports): the admin's live preview fills the templates with the same code the server
 * sends them with.
 */
import { formatBytes, formatDuration } from './format';

export const NOTIFY_ON = ['completed', 'failed'] as const;
export type NotifyOn = (typeof NOTIFY_ON)[number];

/** A profile's `notify`: null (or absent) sends nothing. */
export interface NotifySettings {
  /** The endings that send an e-mail. */
  on: NotifyOn[];
  /** To the admin who asked for the job (jobs from the admin panel only). */
  requester: boolean;
  /** To these addresses, for every job of the profile (schedules, hooks, API and CLI included). */
  emails: string[];
  subject: string;
  /** Plain text; the HTML part is this text, escaped, with its line breaks kept. */
  body: string;
}

export const PLACEHOLDERS = [
  'user_firstname',
  'user_lastname',
  'user_email',
  'profile_name',
  'kind',
  'status',
  'trigger',
  'record_id',
  'size',
  'duration',
  'started_at',
  'finished_at',
  'error',
  'admin_url',
] as const;
export type Placeholder = (typeof PLACEHOLDERS)[number];
export type TemplateValues = Record<Placeholder, string>;

export const DEFAULT_SUBJECT = 'Strapi {kind} {status}: {profile_name}';
export const DEFAULT_BODY = [
  'The {kind} of “{profile_name}” ({trigger}, record {record_id}) {status} at {finished_at}, after {duration}.',
  '',
  'Archive size: {size}',
  '{error}',
  '',
  'Details: {admin_url}',
].join('\n');

/** What a profile that turns e-mail on starts from: failures only, to whoever asked. */
export const DEFAULT_NOTIFY: NotifySettings = { on: ['failed'], requester: true, emails: [], subject: DEFAULT_SUBJECT, body: DEFAULT_BODY };

export const NOTIFY_LIMITS = { emails: 20, email: 254, subject: 250, body: 4000 } as const;

const PLACEHOLDER = /\{([a-z_]+)\}/g;
const KNOWN = new Set<string>(PLACEHOLDERS);

/** The `{names}` in `text` that are not placeholders, each once, in order. */
export const unknownPlaceholders = (text: string): string[] => [
  ...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]).filter((name) => !KNOWN.has(name))),
];

export const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Fills the placeholders; anything else in braces stays as written. */
export const fillTemplate = (text: string, values: TemplateValues): string =>
  text.replace(PLACEHOLDER, (whole, name: string) => (KNOWN.has(name) ? values[name as Placeholder] : whole));

/** The HTML part: the template escaped, its values escaped, line breaks kept. */
export const fillHtml = (text: string, values: TemplateValues): string => {
  const escaped = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, escapeHtml(v)])) as TemplateValues;
  return `<div style="font-family: sans-serif; white-space: pre-wrap">${fillTemplate(escapeHtml(text), escaped)}</div>`;
};

/** A stored `notify` as settings, or null when it sends nothing (or predates this shape). */
export const notifySettings = (stored: unknown): NotifySettings | null => {
  if (!stored || typeof stored !== 'object') return null;
  const s = stored as Partial<NotifySettings>;
  if (!Array.isArray(s.on) || !Array.isArray(s.emails) || typeof s.requester !== 'boolean') return null;
  return {
    on: s.on.filter((o): o is NotifyOn => (NOTIFY_ON as readonly string[]).includes(o)),
    requester: s.requester,
    emails: s.emails.filter((e): e is string => typeof e === 'string'),
    subject: typeof s.subject === 'string' && s.subject.trim() ? s.subject : DEFAULT_SUBJECT,
    body: typeof s.body === 'string' && s.body.trim() ? s.body : DEFAULT_BODY,
  };
};

/** The parts of a record, its profile and its requester the placeholders read. */
export interface TemplateSource {
  record: {
    id: number;
    kind: string;
    status: string;
    trigger: string;
    archiveSize?: string | number | null;
    startedAt?: string | null;
    finishedAt?: string | null;
    message?: string | null;
  };
  profileName: string;
  user?: { firstname?: string | null; lastname?: string | null; email?: string | null } | null;
  /** The record's page in the admin panel. */
  adminUrl: string;
}

/** `2026-12-02 06:05:09 UTC`: one unambiguous form, whatever the reader's zone. */
const when = (iso?: string | null) => (iso ? `${new Date(iso).toISOString().slice(0, 19).replace('T', ' ')} UTC` : '');

export const templateValues = ({ record, profileName, user, adminUrl }: TemplateSource): TemplateValues => {
  return {
    user_firstname: user?.firstname ?? '',
    user_lastname: user?.lastname ?? '',
    user_email: user?.email ?? '',
    profile_name: profileName,
    kind: record.kind,
    status: record.status,
    trigger: record.trigger,
    record_id: String(record.id),
    size: record.archiveSize === null || record.archiveSize === undefined ? '-' : formatBytes(record.archiveSize),
    duration: (record.finishedAt && formatDuration(record.startedAt, record.finishedAt)) || '-',
    started_at: when(record.startedAt),
    finished_at: when(record.finishedAt),
    error: record.status === 'failed' ? (record.message ?? '') : '',
    admin_url: adminUrl,
  };
};
