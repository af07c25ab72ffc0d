import * as React from 'react';
import { Page, Layouts, useFetchClient } from '@strapi/strapi/admin';
import { EmptyStateLayout, Table, Thead, Tbody, Tr, Th, Td, Typography } from '@strapi/design-system';
import { useIntl } from 'react-intl';
import { PLUGIN_ID } from '../pluginId';
import { StatusBadge } from '../components/StatusBadge';
import { formatBytes } from '../../../server/src/format';

interface RecordRow {
  documentId: string;
  status: 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';
  kind: string;
  trigger: string;
  startedAt: string | null;
  archiveSize: string | number | null;
  progress: { percent: number } | null;
  profile: { name: string } | null;
}

const RecordsPage = () => {
  const { formatMessage, formatDate } = useIntl();
  const { get } = useFetchClient();
  const [state, setState] = React.useState<{ loading: boolean; error: boolean; rows: RecordRow[] }>({ loading: true, error: false, rows: [] });
  const t = (id: string, defaultMessage: string) => formatMessage({ id: `${PLUGIN_ID}.${id}`, defaultMessage });

  React.useEffect(() => {
    get<{ data: RecordRow[] }>(`/${PLUGIN_ID}/records`)
      .then(({ data }) => setState({ loading: false, error: false, rows: data.data }))
      .catch(() => setState({ loading: false, error: true, rows: [] }));
  }, [get]);

  if (state.loading) return <Page.Loading />;
  if (state.error) return <Page.Error />;

  return (
    <Page.Main>
      <Page.Title>{t('records.title', 'Backups')}</Page.Title>
      <Layouts.Header title={t('records.title', 'Backups')} subtitle={t('records.subtitle', 'Every backup and restore of this site, newest first.')} />
      <Layouts.Content>
        {state.rows.length === 0 ? (
          <EmptyStateLayout content={t('records.empty', 'No backup yet. Run `npx strapi-backup run` to take the first one.')} />
        ) : (
          <Table colCount={6} rowCount={state.rows.length + 1}>
            <Thead>
              <Tr>
                {[
                  ['status', 'Status'],
                  ['kind', 'Kind'],
                  ['profile', 'Profile'],
                  ['trigger', 'Trigger'],
                  ['started', 'Started'],
                  ['size', 'Size'],
                ].map(([id, label]) => (
                  <Th key={id}>
                    <Typography variant="sigma">{t(`records.column.${id}`, label)}</Typography>
                  </Th>
                ))}
              </Tr>
            </Thead>
            <Tbody>
              {state.rows.map((row) => (
                <Tr key={row.documentId}>
                  <Td>
                    <StatusBadge status={row.status} percent={row.progress?.percent} />
                  </Td>
                  <Td>{row.kind}</Td>
                  <Td>{row.profile?.name ?? '—'}</Td>
                  <Td>{row.trigger}</Td>
                  <Td>{row.startedAt ? formatDate(row.startedAt, { dateStyle: 'medium', timeStyle: 'short' }) : '—'}</Td>
                  <Td>{formatBytes(row.archiveSize)}</Td>
                </Tr>
              ))}
            </Tbody>
          </Table>
        )}
      </Layouts.Content>
    </Page.Main>
  );
};

export { RecordsPage };
export default RecordsPage;
