/**
 * The profile's notification e-mail: when it is sent, to whom, and its subject and body, with a
 * live preview filled from the profile's last record (or an example when it has none) by the
 * same code the server sends it with.
 */
import * as React from 'react';
import { Box, Checkbox, Flex, Grid, Textarea, TextInput, Toggle, Typography } from '@strapi/design-system';
import { useAuth } from '@strapi/strapi/admin';
import { PLACEHOLDERS, fillTemplate, templateValues, unknownPlaceholders, type NotifyOn } from '../../../../shared/mail-template';
import { PLUGIN_ID } from '../../pluginId';
import { useGetRecordsQuery } from '../../services/api';
import type { BackupRecord } from '../../types';
import { useT } from '../../utils/translate';
import { defaultNotifyForm, type NotifyForm } from './form';
import { FormField } from './FormField';

interface NotifyFieldsProps {
  notify: NotifyForm | null;
  /** The server's message for `notify`, if it refused it. */
  error?: string;
  onChange: (notify: NotifyForm | null) => void;
  profileName: string;
  /** The profile being edited (none while creating one). */
  documentId?: string;
}

/** What the preview shows for a profile that has no record yet. */
const EXAMPLE: Pick<BackupRecord, 'id' | 'documentId' | 'kind' | 'status' | 'trigger' | 'archiveSize' | 'startedAt' | 'finishedAt' | 'message'> = {
  id: 42,
  documentId: 'example',
  kind: 'backup',
  status: 'failed',
  trigger: 'schedule',
  archiveSize: null,
  startedAt: '2026-01-01T02:00:00.000Z',
  finishedAt: '2026-01-01T02:03:12.000Z',
  message: 'Only 120 MB free in the backup directory.',
};

const placeholderProblem = (text: string) => {
  const unknown = unknownPlaceholders(text);
  return unknown.length ? `Unknown placeholder ${unknown.map((name) => `{${name}}`).join(', ')}` : undefined;
};

export const NotifyFields = ({ notify, error, onChange, profileName, documentId }: NotifyFieldsProps) => {
  const t = useT();
  const user = useAuth('NotifyFields', (auth) => auth.user);
  const last = useGetRecordsQuery({ profile: documentId, pageSize: 1 }, { skip: !documentId || !notify });
  const set = <K extends keyof NotifyForm>(key: K, value: NotifyForm[K]) => notify && onChange({ ...notify, [key]: value });
  const toggleOn = (on: NotifyOn, checked: boolean) => notify && set('on', checked ? [...new Set([...notify.on, on])] : notify.on.filter((o) => o !== on));

  const record = last.data?.data[0] ?? EXAMPLE;
  const values = templateValues({
    record,
    profileName: profileName || t('profiles.notify.example.profile', 'New profile'),
    user,
    adminUrl: `${window.location.origin}/admin/plugins/${PLUGIN_ID}/records/${record.documentId}`,
  });

  return (
    <Flex direction="column" alignItems="stretch" gap={4}>
      <FormField
        name="notifyEnabled"
        label={t('profiles.notify.enabled', 'Send an e-mail when a job ends')}
        hint={t(
          'profiles.notify.enabled.hint',
          'Through the site’s email plugin provider. Every job also emits backup.* webhook events (Settings → Webhooks).',
        )}
        error={error}
      >
        <Toggle
          onLabel={t('yes', 'Yes')}
          offLabel={t('no', 'No')}
          checked={Boolean(notify)}
          onChange={(e: React.ChangeEvent<HTMLInputElement>) => onChange(e.target.checked ? defaultNotifyForm() : null)}
        />
      </FormField>
      {notify && (
        <Grid.Root gap={5}>
          <Grid.Item col={6} s={12} direction="column" alignItems="stretch" gap={2}>
            <Typography variant="pi" fontWeight="bold">
              {t('profiles.notify.on', 'When')}
            </Typography>
            <Checkbox checked={notify.on.includes('failed')} onCheckedChange={(c: boolean | 'indeterminate') => toggleOn('failed', c === true)}>
              {t('profiles.notify.on.failed', 'A job fails')}
            </Checkbox>
            <Checkbox checked={notify.on.includes('completed')} onCheckedChange={(c: boolean | 'indeterminate') => toggleOn('completed', c === true)}>
              {t('profiles.notify.on.completed', 'A job completes')}
            </Checkbox>
          </Grid.Item>
          <Grid.Item col={6} s={12} direction="column" alignItems="stretch" gap={2}>
            <Typography variant="pi" fontWeight="bold">
              {t('profiles.notify.to', 'To')}
            </Typography>
            <Checkbox checked={notify.requester} onCheckedChange={(c: boolean | 'indeterminate') => set('requester', c === true)}>
              {t('profiles.notify.requester', 'The admin who started the job')}
            </Checkbox>
            <FormField
              name="notifyEmails"
              label={t('profiles.notify.emails', 'And these addresses')}
              hint={t('profiles.notify.emails.hint', 'One per line. Scheduled, pre-update, API and CLI jobs are sent only to these.')}
            >
              <Textarea
                value={notify.emails}
                placeholder="ops@example.com"
                onChange={(e: React.ChangeEvent<HTMLTextAreaElement>) => set('emails', e.target.value)}
              />
            </FormField>
          </Grid.Item>
          <Grid.Item col={12} direction="column" alignItems="stretch">
            <FormField name="notifySubject" label={t('profiles.notify.subject', 'Subject')} error={placeholderProblem(notify.subject)}>
              <TextInput value={notify.subject} onChange={(e: React.ChangeEvent<HTMLInputElement>) => set('subject', e.target.value)} />
            </FormField>
          </Grid.Item>
          <Grid.Item col={12} direction="column" alignItems="stretch">
            <FormField
              name="notifyBody"
              label={t('profiles.notify.body', 'Message')}
              error={placeholderProblem(notify.body)}
              hint={`${t('profiles.notify.placeholders', 'Placeholders:')} ${PLACEHOLDERS.map((p) => `{${p}}`).join(' ')}`}
            >
              <Textarea value={notify.body} onChange={(e: React.ChangeEvent<HTMLTextAreaElement>) => set('body', e.target.value)} />
            </FormField>
          </Grid.Item>
          <Grid.Item col={12} direction="column" alignItems="stretch">
            <Typography variant="pi" fontWeight="bold">
              {last.data?.data[0]
                ? t('profiles.notify.preview', 'Preview, filled from this profile’s last record')
                : t('profiles.notify.preview.example', 'Preview, filled from an example record')}
            </Typography>
            <Box data-testid="notify-preview" marginTop={2} padding={4} background="neutral100" hasRadius>
              <Typography variant="omega" fontWeight="bold" tag="p">
                {fillTemplate(notify.subject, values)}
              </Typography>
              <Typography variant="omega" tag="p" style={{ whiteSpace: 'pre-wrap', marginTop: 8 }}>
                {fillTemplate(notify.body, values)}
              </Typography>
            </Box>
          </Grid.Item>
        </Grid.Root>
      )}
    </Flex>
  );
};
