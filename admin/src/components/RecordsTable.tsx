import { Table, Tbody, Td, Th, Thead, Tr, Typography } from '@strapi/design-system';
import { Eye } from '@strapi/icons';
import { useIntl } from 'react-intl';
import { useNavigate } from 'react-router-dom';
import { useBackupPermissions, useRecordActions } from '../hooks/useRecordActions';
import type { BackupRecord } from '../types';
import { formatBytes, formatDuration } from '../utils/format';
import { useT } from '../utils/translate';
import { RecordActionIcons } from './RecordActions';
import { StatusBadge } from './StatusBadge';

const COLUMNS: Array<[string, string]> = [
  ['status', 'Status'],
  ['kind', 'Kind'],
  ['profile', 'Profile'],
  ['trigger', 'Trigger'],
  ['requestedBy', 'Requested by'],
  ['queued', 'Queued'],
  ['started', 'Started'],
  ['finished', 'Finished'],
  ['duration', 'Duration'],
  ['size', 'Size'],
];

/** Dates short enough that eleven columns fit a laptop screen. */
export const useFormatTime = () => {
  const { formatDate } = useIntl();
  return (iso: string | null) => (iso ? formatDate(iso, { dateStyle: 'short', timeStyle: 'medium' }) : '-');
};

const Row = ({ record, allowed }: { record: BackupRecord; allowed: ReturnType<typeof useBackupPermissions> }) => {
  const t = useT();
  const navigate = useNavigate();
  const time = useFormatTime();
  const detail = { id: 'view' as const, label: t('actions.view', 'Details'), icon: <Eye />, onClick: () => navigate(`records/${record.documentId}`) };
  const actions = useRecordActions(record, allowed);
  const cell = (text: string) => (
    <Typography textColor="neutral800" style={{ whiteSpace: 'nowrap' }}>
      {text}
    </Typography>
  );
  return (
    <Tr onClick={() => navigate(`records/${record.documentId}`)} style={{ cursor: 'pointer' }} data-record={record.documentId}>
      <Td style={{ minWidth: '13rem' }}>
        <StatusBadge record={record} />
      </Td>
      <Td>{cell(t(`kind.${record.kind}`, record.kind))}</Td>
      <Td>{cell(record.profile?.name ?? '-')}</Td>
      <Td>{cell(t(`trigger.${record.trigger}`, record.trigger))}</Td>
      <Td>{cell(record.requester?.name ?? '-')}</Td>
      <Td>{cell(time(record.queuedAt))}</Td>
      <Td>{cell(time(record.startedAt))}</Td>
      <Td>{cell(time(record.finishedAt))}</Td>
      <Td>{cell(record.finishedAt ? formatDuration(record.startedAt, record.finishedAt) ?? '-' : '-')}</Td>
      <Td>{cell(formatBytes(record.archiveSize))}</Td>
      <Td>
        <RecordActionIcons actions={[detail, ...actions]} />
      </Td>
    </Tr>
  );
};

export const RecordsTable = ({ records }: { records: BackupRecord[] }) => {
  const t = useT();
  const allowed = useBackupPermissions();
  return (
    <Table colCount={COLUMNS.length + 1} rowCount={records.length + 1}>
      <Thead>
        <Tr>
          {COLUMNS.map(([id, label]) => (
            <Th key={id}>
              <Typography variant="sigma">{t(`records.column.${id}`, label)}</Typography>
            </Th>
          ))}
          <Th>
            <Typography variant="sigma">{t('records.column.actions', 'Actions')}</Typography>
          </Th>
        </Tr>
      </Thead>
      <Tbody>
        {records.map((record) => (
          <Row key={record.documentId} record={record} allowed={allowed} />
        ))}
      </Tbody>
    </Table>
  );
};
