/**
 * Backups: every record, newest first, paginated and filtered on the server. The list refreshes
 * itself while anything on it is queued or running and the tab is visible; refreshes keep the
 * rows on screen (RTK Query swaps data in place), so nothing jumps.
 */
import * as React from 'react';
import { EmptyStateLayout, Flex } from '@strapi/design-system';
import { EmptyDocuments } from '@strapi/icons/symbols';
import { Layouts, Page, Pagination, useQueryParams } from '@strapi/strapi/admin';
import { DEFAULT_PAGE_SIZE, PAGE_SIZES, POLL_MS } from '../constants';
import { RecordsFilters } from '../components/RecordsFilters';
import { RecordsTable } from '../components/RecordsTable';
import { RestartRequiredBanner } from '../components/RestartRequiredBanner';
import { SiteRestoringNotice } from '../components/restore/SiteRestoringNotice';
import { StorageSummary } from '../components/StorageSummary';
import { RunBackupButton } from '../components/RunBackupModal';
import { isActive } from '../hooks/useLiveRecord';
import { usePollingInterval } from '../hooks/usePolling';
import { useBackupPermissions } from '../hooks/useRecordActions';
import { useGetProfilesQuery, useGetRecordsQuery } from '../services/api';
import type { RecordsQuery } from '../types';
import { isSiteRestoring } from '../utils/restore';
import { useT } from '../utils/translate';
import { PageHeader } from '../components/PageHeader';

type UrlQuery = { [K in keyof RecordsQuery]?: string };

const toNumber = (value: string | undefined) => (value && /^\d+$/.test(value) ? Number(value) : undefined);

export const RecordsPage = () => {
  const t = useT();
  const allowed = useBackupPermissions();
  const [{ query: url }, setUrl] = useQueryParams<UrlQuery>();
  const query: RecordsQuery = {
    status: url.status,
    kind: url.kind,
    profile: url.profile,
    page: toNumber(url.page) ?? 1,
    pageSize: toNumber(url.pageSize) ?? DEFAULT_PAGE_SIZE,
  };
  const [polling, setPolling] = React.useState(false);
  const records = useGetRecordsQuery(query, { pollingInterval: usePollingInterval(polling, POLL_MS), refetchOnMountOrArgChange: true });
  const profiles = useGetProfilesQuery();
  // While a restore runs the list answers 503: the last rows stay, and it is read again until it ends.
  const restoring = isSiteRestoring(records.error);
  const anyActive = restoring || Boolean(records.data?.data.some(isActive));
  React.useEffect(() => setPolling(anyActive), [anyActive]);

  const title = t('records.title', 'Backups');
  if (records.isLoading) return <Page.Loading />;
  if (!records.data && !restoring) return <Page.Error />;

  const rows = records.data?.data ?? [];
  const filtered = Boolean(query.status || query.kind || query.profile);
  return (
    <Page.Main>
      <PageHeader
        title={title}
        subtitle={t('records.subtitle', 'Every backup and restore of this site, newest first.')}
        primaryAction={allowed.canRun ? <RunBackupButton /> : undefined}
      />
      <Layouts.Action
        startActions={
          <RecordsFilters
            query={query}
            profiles={profiles.data ?? []}
            // qs drops undefined values, so clearing a filter removes it from the URL; any change goes back to page 1.
            onChange={(key, value) => setUrl({ [key]: value, page: '1' } as UrlQuery)}
          />
        }
      />
      <Layouts.Content>
        <Flex direction="column" alignItems="stretch" gap={4}>
          <RestartRequiredBanner />
          {restoring && <SiteRestoringNotice />}
          <StorageSummary active={anyActive} />
          {records.data &&
            (rows.length === 0 ? (
              <EmptyStateLayout
                icon={<EmptyDocuments width="16rem" />}
                content={
                  filtered
                    ? t('records.empty.filtered', 'No backup matches these filters.')
                    : t('records.empty', 'No backup yet. Take the first one with “Back up now”, a schedule or the strapi-backup CLI.')
                }
              />
            ) : (
              <>
                <RecordsTable records={rows} />
                <Pagination.Root
                  pageCount={records.data.meta.pagination.pageCount}
                  total={records.data.meta.pagination.total}
                  defaultPageSize={DEFAULT_PAGE_SIZE}
                >
                  <Pagination.PageSize options={PAGE_SIZES} />
                  <Pagination.Links />
                </Pagination.Root>
              </>
            ))}
        </Flex>
      </Layouts.Content>
    </Page.Main>
  );
};

export default RecordsPage;
