import { Flex, Table, Tbody, Td, Tr, Typography } from '@strapi/design-system';
import { Eye } from '@strapi/icons';
import { useNavigate } from 'react-router-dom';
import { useFormatTime } from '../hooks/useFormatTime';
import { useBackupPermissions, useRecordActions } from '../hooks/useRecordActions';
import type { BackupRecord } from '../types';
import { formatBytes, formatDuration } from '../utils/format';
import { useT } from '../utils/translate';
import { ColumnHeads } from './ColumnHeads';
import { RecordActionIcons } from './RecordActions';
import { StatusBadge } from './StatusBadge';

const COLUMNS: Array<[string, string]> = [
  ['records.column.status', 'Status'],
  ['records.column.kind', 'Kind'],
  ['records.column.profile', 'Profile'],
  ['records.column.trigger', 'Trigger'],
  ['records.column.requestedBy', 'Requested by'],
  ['records.column.queued', 'Queued'],
  ['records.column.started', 'Started'],
  ['records.column.finished', 'Finished'],
  ['records.column.duration', 'Duration'],
  ['records.column.size', 'Size'],
  ['records.column.actions', 'Actions'],
];

const Row = ({ record, allowed }: { record: BackupRecord; allowed: ReturnType<typeof useBackupPermissions> }) => {
  const t = useT();
  const navigate = useNavigate();
  const time = useFormatTime();
  const detail = { id: 'view' as const, label: t('actions.view', 'Details'), icon: <Eye />, onClick: () => navigate(`records/${record.documentId}`) };
  const actions = useRecordActions(record, allowed);
  // The keep pin sits by the status, a state of the record, where it also shows which backups are
  // kept; a sixth icon in the actions column would push the table past a laptop screen.
  const keep = actions.filter((action) => action.id === 'keep');
  const cell = (text: string, wrap = false) => (
    <Typography textColor="neutral800" style={{ whiteSpace: wrap ? 'normal' : 'nowrap' }}>
      {text}
    </Typography>
  );
  return (
    <Tr onClick={() => navigate(`records/${record.documentId}`)} style={{ cursor: 'pointer' }} data-record={record.documentId}>
      {/* Wide enough for "running 100%", so the column keeps its width while the percent grows. */}
      <Td style={{ minWidth: '11rem' }}>
        <Flex gap={1}>
          <StatusBadge record={record} />
          {keep.length > 0 && <RecordActionIcons actions={keep} size="XS" />}
        </Flex>
      </Td>
      <Td>{cell(t(`kind.${record.kind}`, record.kind))}</Td>
      <Td>{cell(record.profile?.name ?? '-')}</Td>
      {/* Eleven columns fill a laptop screen: a long trigger ("Before a restore") takes two lines, "Admin panel" one. */}
      <Td style={{ minWidth: '11.5rem' }}>{cell(t(`trigger.${record.trigger}`, record.trigger), true)}</Td>
      <Td>{cell(record.requester?.name ?? '-')}</Td>
      <Td>{cell(time(record.queuedAt))}</Td>
      <Td>{cell(time(record.startedAt))}</Td>
      <Td>{cell(time(record.finishedAt))}</Td>
      <Td>{cell(record.finishedAt ? (formatDuration(record.startedAt, record.finishedAt) ?? '-') : '-')}</Td>
      <Td>{cell(formatBytes(record.archiveSize))}</Td>
      <Td>
        <RecordActionIcons actions={[detail, ...actions.filter((action) => action.id !== 'keep')]} />
      </Td>
    </Tr>
  );
};

export const RecordsTable = ({ records }: { records: BackupRecord[] }) => {
  const allowed = useBackupPermissions();
  return (
    <Table colCount={COLUMNS.length} rowCount={records.length + 1}>
      <ColumnHeads columns={COLUMNS} />
      <Tbody>
        {records.map((record) => (
          <Row key={record.documentId} record={record} allowed={allowed} />
        ))}
      </Tbody>
    </Table>
  );
};
