/** Every field of a backup profile, grouped as a site owner thinks of them, each with its help text. */
import * as React from 'react';
import { Flex, Grid, NumberInput, Radio, SingleSelect, SingleSelectOption, Textarea, TextInput, Toggle, Typography } from '@strapi/design-system';
import { useGetProfileSettingsQuery } from '../../services/api';
import { ARCHIVE_FORMATS, PROFILE_LIMITS } from '../../constants';
import { useT } from '../../utils/translate';
import { Section } from '../Section';
import type { ProfileForm } from './form';
import { FormField } from './FormField';
import { NotifyFields } from './NotifyFields';
import { ScheduleField } from './ScheduleField';

interface ProfileFieldsProps {
  form: ProfileForm;
  errors: Record<string, string>;
  onChange: <K extends keyof ProfileForm>(key: K, value: ProfileForm[K]) => void;
  /** The default profile stays the default until another one takes the flag. */
  wasDefault: boolean;
  /** The profile being edited (none while creating one). */
  documentId?: string;
}

const Half = ({ children }: { children: React.ReactNode }) => (
  <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
    {children}
  </Grid.Item>
);

export const ProfileFields = ({ form, errors, onChange, wasDefault, documentId }: ProfileFieldsProps) => {
  const t = useT();
  const onOff = { onLabel: t('yes', 'Yes'), offLabel: t('no', 'No') };
  const settings = useGetProfileSettingsQuery();
  /** A half-width field: its label, help text and error around one control. */
  const half = (key: string, label: string, hint: string, control: React.ReactNode) => (
    <Half>
      <FormField name={key} label={label} hint={hint} error={errors[key]}>
        {control}
      </FormField>
    </Half>
  );
  const toggle = (key: 'isDefault' | 'includeDatabase' | 'includeUploads' | 'includeProjectFiles' | 'encrypt', label: string, hint: string, disabled = false) =>
    half(
      key,
      label,
      hint,
      <Toggle {...onOff} checked={form[key]} disabled={disabled} onChange={(e: React.ChangeEvent<HTMLInputElement>) => onChange(key, e.target.checked)} />,
    );
  const number = (key: 'maxQueueDepth' | 'timeoutMinutes' | 'retainCount' | 'retainDays', label: string, hint: string, min: number, max?: number) =>
    half(key, label, hint, <NumberInput value={form[key]} onValueChange={(value) => onChange(key, value)} {...{ min, max }} />);

  return (
    <Flex direction="column" alignItems="stretch" gap={6}>
      <Section title={t('profiles.section.general', 'General')}>
        <Grid.Root gap={4} gridCols={12}>
          <Half>
            <FormField name="name" label={t('profiles.name', 'Name')} error={errors.name} required>
              <TextInput value={form.name} onChange={(e: React.ChangeEvent<HTMLInputElement>) => onChange('name', e.target.value)} />
            </FormField>
          </Half>
          {toggle(
            'isDefault',
            t('profiles.isDefault', 'Default profile'),
            t('profiles.isDefault.hint', 'Used by “Back up now”, the CLI and the pre-update hooks when no profile is named. Only one profile is the default.'),
            wasDefault,
          )}
          <Grid.Item col={12} direction="column" alignItems="stretch">
            <FormField name="description" label={t('profiles.description', 'Description')} error={errors.description}>
              <Textarea value={form.description} onChange={(e: React.ChangeEvent<HTMLTextAreaElement>) => onChange('description', e.target.value)} />
            </FormField>
          </Grid.Item>
        </Grid.Root>
      </Section>

      <Section title={t('profiles.section.queue', 'When a backup is already running')}>
        <FormField name="queueBehavior" label={t('profiles.queueBehavior', 'Behaviour')} error={errors.queueBehavior}>
          <Radio.Group
            value={form.queueBehavior}
            onValueChange={(value: string) => onChange('queueBehavior', value as ProfileForm['queueBehavior'])}
            aria-label={t('profiles.queueBehavior', 'Behaviour')}
          >
            <Radio.Item value="cancel">
              <Typography fontWeight="semiBold">{t('profiles.queueBehavior.cancel', 'Cancel')}</Typography>{' '}
              <Typography textColor="neutral600">
                {t('profiles.queueBehavior.cancel.hint', '— refuse the new request and name the job that is running (“a backup is already running”).')}
              </Typography>
            </Radio.Item>
            <Radio.Item value="queue">
              <Typography fontWeight="semiBold">{t('profiles.queueBehavior.queue', 'Queue')}</Typography>{' '}
              <Typography textColor="neutral600">
                {t('profiles.queueBehavior.queue.hint', '— accept it; it waits its turn and starts when the current backup completes, first in, first out.')}
              </Typography>
            </Radio.Item>
          </Radio.Group>
        </FormField>
        <Grid.Root gap={4} gridCols={12}>
          {number(
            'maxQueueDepth',
            t('profiles.maxQueueDepth', 'Queue depth'),
            t('profiles.maxQueueDepth.hint', 'How many requests may wait (queue behaviour only); more are refused.'),
            PROFILE_LIMITS.maxQueueDepth.min,
            PROFILE_LIMITS.maxQueueDepth.max,
          )}
          {number(
            'timeoutMinutes',
            t('profiles.timeoutMinutes', 'Timeout (minutes)'),
            t('profiles.timeoutMinutes.hint', 'A job running longer is stopped (cancelled, reason timeout) and the next one starts.'),
            PROFILE_LIMITS.timeoutMinutes.min,
            PROFILE_LIMITS.timeoutMinutes.max,
          )}
        </Grid.Root>
      </Section>

      <Section title={t('profiles.section.contents', 'What to back up')}>
        <Grid.Root gap={4} gridCols={12}>
          {toggle(
            'includeDatabase',
            t('profiles.includeDatabase', 'Database'),
            t('profiles.includeDatabase.hint', 'Every table, in one consistent snapshot: content, admin users, roles, tokens, settings.'),
          )}
          {half(
            'excludeTables',
            t('profiles.excludeTables', 'Tables to leave out'),
            t('profiles.excludeTables.hint', 'One table name per line, e.g. large log tables.'),
            <Textarea value={form.excludeTables} onChange={(e: React.ChangeEvent<HTMLTextAreaElement>) => onChange('excludeTables', e.target.value)} />,
          )}
          {toggle(
            'includeUploads',
            t('profiles.includeUploads', 'Uploaded media'),
            t('profiles.includeUploads.hint', 'The files of the media library (public/uploads), stored as they are.'),
          )}
          {toggle(
            'includeProjectFiles',
            t('profiles.includeProjectFiles', 'Project files'),
            t('profiles.includeProjectFiles.hint', 'config/, src/, database/migrations, package.json and the lock file: what rebuilds the site.'),
          )}
          {half(
            'includeEnv',
            t('profiles.includeEnv', 'The .env file'),
            t(
              'profiles.includeEnv.hint',
              'Set for every profile by the server configuration (config/plugins → backup.config.includeEnv): the file holds the secrets that sign admin sessions.',
            ),
            <Toggle {...onOff} checked={Boolean(settings.data?.includeEnv)} disabled onChange={() => undefined} />,
          )}
        </Grid.Root>
      </Section>

      <Section title={t('profiles.section.schedule', 'Schedule')}>
        <ScheduleField schedule={form.schedule} timezone={form.timezone} errors={errors} onChange={(key, value) => onChange(key, value)} />
      </Section>

      <Section title={t('profiles.section.archive', 'Archive and retention')}>
        <Grid.Root gap={4} gridCols={12}>
          {half(
            'format',
            t('profiles.format', 'Format'),
            t('profiles.format.hint', 'tar: table data compressed, media stored as is (fast). tar.gz: everything compressed again (smaller, slower).'),
            <SingleSelect value={form.format} onChange={(value) => onChange('format', value as ProfileForm['format'])}>
              {ARCHIVE_FORMATS.map((format) => (
                <SingleSelectOption key={format} value={format}>
                  {format}
                </SingleSelectOption>
              ))}
            </SingleSelect>,
          )}
          {toggle(
            'encrypt',
            t('profiles.encrypt', 'Encrypt'),
            t('profiles.encrypt.hint', 'Not available yet: archives are written unencrypted, so keep them as safe as the server itself.'),
            !form.encrypt,
          )}
          {number(
            'retainCount',
            t('profiles.retainCount', 'Keep the last N backups'),
            t(
              'profiles.retainCount.hint',
              'How many archives of this profile to keep, checked after each backup, every night and when you lower it. Empty: keep all.',
            ),
            0,
          )}
          {number(
            'retainDays',
            t('profiles.retainDays', 'Keep backups for N days'),
            t(
              'profiles.retainDays.hint',
              'How long to keep this profile’s archives. Empty: keep all. The newest, the kept ones and recent safety copies (pre-update, pre-uninstall, pre-restore: 30 days by default) always stay.',
            ),
            0,
          )}
        </Grid.Root>
      </Section>

      <Section title={t('profiles.section.notify', 'Notifications')}>
        <NotifyFields
          notify={form.notify}
          error={errors.notify}
          onChange={(notify) => onChange('notify', notify)}
          profileName={form.name}
          documentId={documentId}
        />
      </Section>
    </Flex>
  );
};
