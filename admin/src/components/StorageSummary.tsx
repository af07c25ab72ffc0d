/**
 * One line above the Backups list: the space archives take, per profile and in all, and what is
 * left on that disk; below it, only when there are some, the archives no record names and the
 * records whose archive is gone (the daily check logs the same).
 */
import * as React from 'react';
import { Box, Flex, Typography } from '@strapi/design-system';
import { useGetStorageQuery } from '../services/api';
import { formatBytes } from '../utils/format';
import { useT } from '../utils/translate';
import { Notice } from './Notice';

/** Names shown in a notice before "and N more". */
const LISTED = 5;

const NameList = ({ names }: { names: string[] }) => {
  const t = useT();
  return (
    <Typography textColor="neutral800" style={{ overflowWrap: 'anywhere' }}>
      {names.slice(0, LISTED).join(', ')}
      {names.length > LISTED ? ` ${t('storage.more', 'and {count} more', { count: names.length - LISTED })}` : ''}
    </Typography>
  );
};

/** `active`: a job is queued or running; when the last one ends, the figures are read again. */
export const StorageSummary = ({ active }: { active: boolean }) => {
  const t = useT();
  const { data, refetch } = useGetStorageQuery();
  const wasActive = React.useRef(active);
  React.useEffect(() => {
    if (wasActive.current && !active) refetch();
    wasActive.current = active;
  }, [active, refetch]);
  // While a restore loads, the server answers 503: nothing to show until it ends.
  if (!data) return null;

  const parts = [
    t('storage.total', 'Archives: {size}', { size: formatBytes(data.totalBytes) }),
    ...data.profiles.map((usage) => `${usage.profile?.name ?? t('storage.deleted-profile', 'deleted profile')} ${formatBytes(usage.bytes)}`),
    ...(data.freeBytes === null ? [] : [t('storage.free', '{size} free on this disk', { size: formatBytes(data.freeBytes) })]),
  ];
  return (
    <Flex direction="column" alignItems="stretch" gap={2}>
      <Box background="neutral0" hasRadius shadow="tableShadow" paddingTop={3} paddingBottom={3} paddingLeft={4} paddingRight={4} data-testid="backup-storage">
        <Typography variant="omega" textColor="neutral600">
          {parts.join(' · ')}
        </Typography>
      </Box>
      {data.orphans.length > 0 && (
        <Notice
          variant="warning"
          title={t(
            'storage.orphans',
            '{count, plural, one {# archive in the backup directory belongs to no record} other {# archives in the backup directory belong to no record}}. Nothing is deleted: remove by hand what you do not need.',
            {
              count: data.orphans.length,
            },
          )}
        >
          <NameList names={data.orphans.map((o) => `${o.name} (${formatBytes(o.size)})`)} />
        </Notice>
      )}
      {data.missing.length > 0 && (
        <Notice
          variant="warning"
          title={t('storage.missing', '{count, plural, one {# backup names an archive} other {# backups name archives}} no longer in the backup directory.', {
            count: data.missing.length,
          })}
        >
          <NameList names={data.missing.map((m) => t('storage.missing.item', 'record {id} ({file})', { id: m.id, file: m.archiveFile }))} />
        </Notice>
      )}
    </Flex>
  );
};
