/** One record: timeline, live progress, archive, stats per table, message, who asked and how. */
import { Flex, Table, Tbody, Td, Tr, Typography } from '@strapi/design-system';
import { BackButton, Layouts, Page } from '@strapi/strapi/admin';
import { useParams } from 'react-router-dom';
import { ColumnHeads } from '../components/ColumnHeads';
import { Facts, Section } from '../components/Section';
import { JobProgress } from '../components/JobProgress';
import { RecordActionButtons } from '../components/RecordActions';
import { RestartRequiredBanner } from '../components/RestartRequiredBanner';
import { RestorePhases } from '../components/restore/RestorePhases';
import { StatusBadge, useReasonLabel } from '../components/StatusBadge';
import { useFormatTime } from '../hooks/useFormatTime';
import { isActive, useLiveRecord } from '../hooks/useLiveRecord';
import { useBackupPermissions, useRecordActions } from '../hooks/useRecordActions';
import type { BackupRecord } from '../types';
import { formatBytes, formatDuration } from '../utils/format';
import { useT } from '../utils/translate';
import { PageHeader } from '../components/PageHeader';

const StatsTable = ({ tables }: { tables: Record<string, number> }) => {
  const entries = Object.entries(tables).sort(([a], [b]) => a.localeCompare(b));
  return (
    <Table colCount={2} rowCount={entries.length + 1}>
      <ColumnHeads
        columns={[
          ['detail.stats.table', 'Table'],
          ['detail.stats.rows', 'Rows'],
        ]}
      />
      <Tbody>
        {entries.map(([table, rows]) => (
          <Tr key={table}>
            <Td>
              <Typography>{table}</Typography>
            </Td>
            <Td>
              <Typography style={{ fontVariantNumeric: 'tabular-nums' }}>{rows}</Typography>
            </Td>
          </Tr>
        ))}
      </Tbody>
    </Table>
  );
};

/** What a restore put back, and how it was asked for. */
const RestoreSource = ({ record }: { record: BackupRecord }) => {
  const t = useT();
  const yesNo = (value: boolean | undefined) => (value === undefined ? '-' : value ? t('yes', 'Yes') : t('no', 'No'));
  const source = record.restoreSource;
  return (
    <Section title={t('detail.restore.source', 'Restore from')}>
      <Facts
        items={[
          [t('detail.archive.file', 'File'), source?.archiveFile ?? source?.path ?? '-', 'wide'],
          [t('detail.restore.safety', 'Safety backup first'), yesNo(record.restoreOptions?.safetyBackup)],
          [t('detail.restore.force', 'Force'), yesNo(record.restoreOptions?.force)],
          [t('detail.restore.files', 'Project files'), yesNo(record.restoreOptions?.files)],
        ]}
      />
    </Section>
  );
};

const RecordDetail = ({ record }: { record: BackupRecord }) => {
  const t = useT();
  const time = useFormatTime('full');
  const reasonLabel = useReasonLabel();
  const actions = useRecordActions(record, useBackupPermissions());
  const title = t('detail.title', '{kind} #{id}', { kind: t(`kind.${record.kind}`, record.kind), id: String(record.id) });
  return (
    <Page.Main>
      <PageHeader navigationAction={<BackButton />} title={title} subtitle={record.profile?.name ?? ''} secondaryAction={<StatusBadge record={record} />} />
      <Layouts.Content>
        <Flex direction="column" alignItems="stretch" gap={6}>
          <RestartRequiredBanner />
          {actions.length > 0 && <RecordActionButtons actions={actions} />}
          {isActive(record) && (
            <Section title={t('detail.progress', 'Progress')}>
              {record.kind === 'restore' && <RestorePhases record={record} />}
              <JobProgress record={record} />
            </Section>
          )}
          <Section title={t('detail.timeline', 'Timeline')}>
            <Facts
              items={[
                [t('records.column.queued', 'Queued'), time(record.queuedAt)],
                [t('records.column.started', 'Started'), time(record.startedAt)],
                [t('records.column.finished', 'Finished'), time(record.finishedAt)],
                [t('records.column.duration', 'Duration'), formatDuration(record.startedAt, record.finishedAt)],
                // A restore answered from memory (SQLite, while it loads) carries no trigger.
                [t('records.column.trigger', 'Trigger'), record.trigger ? t(`trigger.${record.trigger}`, record.trigger) : '-'],
                [t('records.column.requestedBy', 'Requested by'), record.requester?.name ?? '-'],
              ]}
            />
            {(record.message || reasonLabel(record)) && (
              <Typography textColor={record.status === 'failed' ? 'danger600' : 'neutral800'} style={{ whiteSpace: 'pre-line' }}>
                {[reasonLabel(record), record.message].filter(Boolean).join(' — ')}
              </Typography>
            )}
            {record.emailError && (
              <Typography textColor="warning600" data-testid="email-error">
                {record.emailError}
              </Typography>
            )}
          </Section>
          {record.kind === 'restore' ? (
            <RestoreSource record={record} />
          ) : (
            <Section title={t('detail.archive', 'Archive')}>
              <Facts
                items={[
                  [t('detail.archive.file', 'File'), record.archiveFile ?? '-'],
                  [t('records.column.size', 'Size'), formatBytes(record.archiveSize)],
                  [t('detail.archive.encrypted', 'Encrypted'), record.encrypted ? t('yes', 'Yes') : t('no', 'No')],
                  [t('detail.archive.kept', 'Kept from retention'), record.keep ? t('yes', 'Yes') : t('no', 'No')],
                  ['sha256', record.archiveSha256 ?? '-', 'wide'],
                ]}
              />
            </Section>
          )}
          {record.stats && (
            <Section title={t('detail.stats', 'Contents')}>
              <Facts
                items={[
                  [t('detail.stats.tables', 'Tables'), String(Object.keys(record.stats.tables ?? {}).length)],
                  [t('detail.stats.files', 'Files'), String(record.stats.files ?? 0)],
                  [t('detail.stats.bytes', 'Size of the files'), formatBytes(record.stats.bytes)],
                ]}
              />
              {record.stats.tables && Object.keys(record.stats.tables).length > 0 && <StatsTable tables={record.stats.tables} />}
            </Section>
          )}
        </Flex>
      </Layouts.Content>
    </Page.Main>
  );
};

export const RecordDetailPage = () => {
  const { documentId = '' } = useParams<{ documentId: string }>();
  const { record, isLoading, isError } = useLiveRecord(documentId);
  if (isLoading) return <Page.Loading />;
  if (isError || !record) return <Page.Error />;
  return <RecordDetail record={record} />;
};

export default RecordDetailPage;
