/**
 * The cron field: checked by the server as one types (the croner rules the schedule will run
 * under), showing the next three fire times in the profile's time zone, or what is wrong.
 */
import { Combobox, ComboboxOption, Flex, Grid, TextInput, Typography } from '@strapi/design-system';
import { useDebounce } from '@strapi/strapi/admin';
import { useIntl } from 'react-intl';
import { useGetSchedulePreviewQuery } from '../../services/api';
import { useT } from '../../utils/translate';
import { FormField } from './FormField';

/** Waits for a pause in typing before asking the server. */
const DEBOUNCE_MS = 300;

/** Spelled out: Intl refuses dateStyle/timeStyle together with timeZoneName. */
const NEXT_RUN_FORMAT: Intl.DateTimeFormatOptions = {
  weekday: 'long',
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZoneName: 'short',
};

const TIME_ZONES: string[] = (() => {
  const intl = Intl as typeof Intl & { supportedValuesOf?: (key: string) => string[] };
  return intl.supportedValuesOf ? intl.supportedValuesOf('timeZone') : ['UTC'];
})();

interface ScheduleFieldProps {
  schedule: string;
  timezone: string;
  onChange: (key: 'schedule' | 'timezone', value: string) => void;
  errors: { schedule?: string; timezone?: string };
}

export const ScheduleField = ({ schedule, timezone, onChange, errors }: ScheduleFieldProps) => {
  const t = useT();
  const { formatDate } = useIntl();
  const expression = useDebounce(schedule.trim(), DEBOUNCE_MS);
  const zone = useDebounce(timezone.trim(), DEBOUNCE_MS);
  const preview = useGetSchedulePreviewQuery({ schedule: expression, timezone: zone || undefined }, { skip: !expression });
  // Only an answer for what is typed now: a preview of the previous zone would show wrong times.
  const current =
    preview.currentData && preview.currentData.schedule === expression && preview.currentData.timezone === (zone || null) ? preview.currentData : undefined;
  const problem = expression ? (current?.problem ?? undefined) : undefined;

  const upcoming = current && !current.problem && (
    <Flex direction="column" alignItems="flex-start" gap={1} tag="span">
      <span>{t('profiles.schedule.next', 'Next runs:')}</span>
      {current.next.map((iso) => (
        <span key={iso} data-next-run>
          {formatDate(iso, { ...NEXT_RUN_FORMAT, timeZone: zone || undefined })}
        </span>
      ))}
    </Flex>
  );

  return (
    <Grid.Root gap={4} gridCols={12}>
      <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
        <FormField
          name="schedule"
          label={t('profiles.schedule', 'Schedule (cron)')}
          error={errors.schedule ?? problem}
          hint={
            upcoming ||
            t(
              'profiles.schedule.hint',
              'Five fields (minute hour day month weekday) or six with seconds, e.g. “0 3 * * *” every night at 03:00. Empty: no schedule.',
            )
          }
        >
          <TextInput value={schedule} placeholder="0 3 * * *" onChange={(e: React.ChangeEvent<HTMLInputElement>) => onChange('schedule', e.target.value)} />
        </FormField>
        <Typography variant="pi" textColor="neutral500" aria-live="polite">
          {expression && !current ? t('profiles.schedule.checking', 'Checking…') : ''}
        </Typography>
      </Grid.Item>
      <Grid.Item col={6} s={12} direction="column" alignItems="stretch">
        <FormField
          name="timezone"
          label={t('profiles.timezone', 'Time zone')}
          error={errors.timezone}
          hint={t('profiles.timezone.hint', 'The zone the schedule runs in. Empty: the server’s time zone.')}
        >
          <Combobox
            value={timezone || undefined}
            onChange={(value?: string) => onChange('timezone', value ?? '')}
            onClear={() => onChange('timezone', '')}
            autocomplete={{ type: 'list', filter: 'contains' }}
            placeholder={t('profiles.timezone.placeholder', 'Server time zone')}
          >
            {TIME_ZONES.map((tz) => (
              <ComboboxOption key={tz} value={tz}>
                {tz}
              </ComboboxOption>
            ))}
          </Combobox>
        </FormField>
      </Grid.Item>
    </Grid.Root>
  );
};
