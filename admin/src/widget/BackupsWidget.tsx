/**
 * Home page widget: how many jobs wait (prominent), what runs now with its progress, the last
 * successful backup and the last failure. It polls only while something is queued or running.
 */
import * as React from 'react';
import { Box, Flex, Grid, Typography } from '@strapi/design-system';
import { Widget } from '@strapi/strapi/admin';
import { useIntl } from 'react-intl';
import { JobProgress } from '../components/JobProgress';
import { RestartRequiredBanner } from '../components/RestartRequiredBanner';
import { Labelled } from '../components/Section';
import { SiteRestoringNotice } from '../components/restore/SiteRestoringNotice';
import { useReasonLabel } from '../components/StatusBadge';
import { POLL_MS } from '../constants';
import { usePollingInterval } from '../hooks/usePolling';
import { useGetSummaryQuery } from '../services/api';
import type { BackupRecord } from '../types';
import { formatBytes, relativeTime } from '../utils/format';
import { isSiteRestoring } from '../utils/restore';
import { useT } from '../utils/translate';

const useTimeAgo = () => {
  const { formatRelativeTime } = useIntl();
  return (iso: string | null) => {
    if (!iso) return '-';
    const { value, unit } = relativeTime(iso);
    return formatRelativeTime(value, unit, { numeric: 'auto' });
  };
};

const LastJob = ({ record, kind }: { record: BackupRecord | null; kind: 'completed' | 'failed' }) => {
  const t = useT();
  const timeAgo = useTimeAgo();
  const reasonLabel = useReasonLabel();
  if (!record) return <Typography textColor="neutral600">{t('widget.never', 'None yet')}</Typography>;
  const detail = kind === 'completed' ? formatBytes(record.archiveSize) : (reasonLabel(record) ?? record.message ?? '');
  return (
    <Typography textColor={kind === 'failed' ? 'danger600' : 'neutral800'} ellipsis title={record.message ?? undefined}>
      {`${timeAgo(record.finishedAt)} · ${record.kind === 'restore' ? t('kind.restore', 'Restore') : (record.profile?.name ?? '-')} · ${detail}`}
    </Typography>
  );
};

export const BackupsWidget = () => {
  const t = useT();
  const [active, setActive] = React.useState(false);
  const { data, isLoading, isError, error } = useGetSummaryQuery(undefined, {
    pollingInterval: usePollingInterval(active, POLL_MS),
    // The home page is a place one comes back to; a summary cached minutes ago would mislead.
    refetchOnMountOrArgChange: true,
  });
  // While a restore runs the summary answers 503: say so, and read it again until it ends.
  const restoring = isSiteRestoring(error);
  const nowActive = restoring || Boolean(data && (data.queued > 0 || data.running.length > 0));
  React.useEffect(() => setActive(nowActive), [nowActive]);

  if (isLoading) return <Widget.Loading />;
  if (restoring) return <SiteRestoringNotice />;
  if (isError || !data) return <Widget.Error />;
  if (!nowActive && !data.lastCompleted && !data.lastFailed) {
    return <Widget.NoData>{t('widget.empty', 'No backup yet.')}</Widget.NoData>;
  }
  return (
    <Flex direction="column" alignItems="stretch" gap={4}>
      <RestartRequiredBanner compact />
      <Flex gap={3} alignItems="baseline">
        <Typography variant="alpha" tag="p" data-testid="backup-widget-queued" style={{ fontVariantNumeric: 'tabular-nums' }}>
          {data.queued}
        </Typography>
        <Typography variant="omega" textColor="neutral600">
          {t('widget.queued', '{count, plural, one {job waiting} other {jobs waiting}} in the queue', { count: data.queued as unknown as React.ReactNode })}
        </Typography>
      </Flex>
      <Labelled label={t('widget.running', 'Running now')}>
        {data.running.length === 0 ? (
          <Typography textColor="neutral600">{t('widget.idle', 'Nothing is running.')}</Typography>
        ) : (
          data.running.map((record) => (
            <Box key={record.documentId} width="100%">
              <Typography variant="omega">
                {record.kind === 'restore' ? t('widget.running.restore', 'Restore of the site') : (record.profile?.name ?? '-')}
              </Typography>
              <JobProgress record={record} compact />
            </Box>
          ))
        )}
      </Labelled>
      {/* Side by side: the widget's height is fixed, and this keeps it from scrolling. */}
      <Grid.Root gap={4} gridCols={2}>
        <Grid.Item col={1} direction="column" alignItems="stretch">
          <Labelled label={t('widget.lastCompleted', 'Last successful backup')}>
            <LastJob record={data.lastCompleted} kind="completed" />
          </Labelled>
        </Grid.Item>
        <Grid.Item col={1} direction="column" alignItems="stretch">
          <Labelled label={t('widget.lastFailed', 'Last failure')}>
            <LastJob record={data.lastFailed} kind="failed" />
          </Labelled>
        </Grid.Item>
      </Grid.Root>
    </Flex>
  );
};

export default BackupsWidget;
