/** Settings → Backup → Profiles: every profile with what it does; delete refused while jobs are pending. */
import { Badge, Dialog, EmptyStateLayout, Flex, IconButton, LinkButton, Table, Tbody, Td, Tr, Typography } from '@strapi/design-system';
import { Pencil, Plus, Trash } from '@strapi/icons';
import { EmptyDocuments } from '@strapi/icons/symbols';
import { ConfirmDialog, Layouts, Page, useNotification } from '@strapi/strapi/admin';
import { Link, useNavigate } from 'react-router-dom';
import { ColumnHeads } from '../../components/ColumnHeads';
import { RestartRequiredBanner } from '../../components/RestartRequiredBanner';
import { useDeleteProfileMutation, useGetProfilesQuery } from '../../services/api';
import type { ApiError, Profile } from '../../types';
import { useT } from '../../utils/translate';
import { PageHeader } from '../../components/PageHeader';

const COLUMNS: Array<[string, string]> = [
  ['profiles.column.name', 'Name'],
  ['profiles.column.queueBehavior', 'When busy'],
  ['profiles.column.contents', 'Contents'],
  ['profiles.column.schedule', 'Schedule'],
  ['profiles.column.format', 'Format'],
  ['records.column.actions', 'Actions'],
];

const Row = ({ profile }: { profile: Profile }) => {
  const t = useT();
  const navigate = useNavigate();
  const { toggleNotification } = useNotification();
  const [remove] = useDeleteProfileMutation();
  const contents = [
    profile.includeDatabase && t('profiles.includeDatabase', 'Database'),
    profile.includeUploads && t('profiles.includeUploads', 'Uploaded media'),
    profile.includeProjectFiles && t('profiles.includeProjectFiles', 'Project files'),
  ].filter(Boolean);

  const onDelete = async () => {
    const answer = await remove(profile.documentId);
    if ('error' in answer && answer.error) toggleNotification({ type: 'danger', message: (answer.error as ApiError).message });
    else toggleNotification({ type: 'success', message: t('profiles.deleted', 'Profile deleted') });
  };

  return (
    <Tr onClick={() => navigate(profile.documentId)} style={{ cursor: 'pointer' }}>
      <Td>
        <Flex gap={2}>
          <Typography fontWeight="semiBold">{profile.name}</Typography>
          {profile.isDefault && <Badge>{t('profiles.default', 'Default')}</Badge>}
        </Flex>
      </Td>
      <Td>
        <Typography>
          {profile.queueBehavior === 'queue'
            ? t('profiles.list.queue', 'Queue (up to {depth})', { depth: String(profile.maxQueueDepth) })
            : t('profiles.queueBehavior.cancel', 'Cancel')}
        </Typography>
      </Td>
      <Td>
        <Typography>{contents.join(', ') || '-'}</Typography>
      </Td>
      <Td>
        <Typography>{profile.schedule ? `${profile.schedule}${profile.timezone ? ` (${profile.timezone})` : ''}` : '-'}</Typography>
      </Td>
      <Td>
        <Typography>{profile.format}</Typography>
      </Td>
      <Td>
        <Flex gap={1} onClick={(e: React.MouseEvent) => e.stopPropagation()}>
          <IconButton tag={Link} to={profile.documentId} label={t('actions.edit', 'Edit')} variant="ghost" withTooltip>
            <Pencil />
          </IconButton>
          {!profile.isDefault && (
            <Dialog.Root>
              <Dialog.Trigger>
                <IconButton label={t('actions.delete', 'Delete')} variant="ghost" withTooltip>
                  <Trash />
                </IconButton>
              </Dialog.Trigger>
              <ConfirmDialog onConfirm={onDelete}>
                {t('profiles.delete.confirm', 'Delete the profile “{name}”? Its backups stay listed.', { name: profile.name })}
              </ConfirmDialog>
            </Dialog.Root>
          )}
        </Flex>
      </Td>
    </Tr>
  );
};

export const ProfilesListPage = () => {
  const t = useT();
  const profiles = useGetProfilesQuery();
  const title = t('profiles.title', 'Backup profiles');
  if (profiles.isLoading) return <Page.Loading />;
  if (profiles.isError || !profiles.data) return <Page.Error />;
  return (
    <Page.Main>
      <PageHeader
        title={title}
        subtitle={t('profiles.subtitle', 'What each backup includes, when it runs and what happens when one is already running.')}
        primaryAction={
          <LinkButton tag={Link} to="new" startIcon={<Plus />}>
            {t('profiles.create', 'Create profile')}
          </LinkButton>
        }
      />
      <Layouts.Content>
        <RestartRequiredBanner spaced />
        {profiles.data.length === 0 ? (
          <EmptyStateLayout icon={<EmptyDocuments width="16rem" />} content={t('profiles.empty', 'No profile yet.')} />
        ) : (
          <Table colCount={COLUMNS.length} rowCount={profiles.data.length + 1}>
            <ColumnHeads columns={COLUMNS} />
            <Tbody>
              {profiles.data.map((profile) => (
                <Row key={profile.documentId} profile={profile} />
              ))}
            </Tbody>
          </Table>
        )}
      </Layouts.Content>
    </Page.Main>
  );
};
