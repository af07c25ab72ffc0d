/**
 * The first step of "Restore": what the archive is, what it replaces, the options, and the
 * archive's file name typed to confirm (the button waits for an exact match; the server checks the
 * same). A refusal — a wrong field, an archive gone, another restore pending — shows here, in the
 * server's words, with a link to the pending restore.
 */
import * as React from 'react';
import { Alert, Box, Button, Checkbox, Field, Flex, Link, Modal, TextButton, TextInput, Typography } from '@strapi/design-system';
import { ChevronDown, ChevronRight, ClockCounterClockwise } from '@strapi/icons';
import { NavLink } from 'react-router-dom';
import { useFormatTime } from '../../hooks/useFormatTime';
import { PLUGIN_ID } from '../../pluginId';
import { useRestoreRecordMutation } from '../../services/api';
import type { ApiError, BackupRecord, RunResult } from '../../types';
import { formatBytes } from '../../utils/format';
import { confirmMatches } from '../../utils/restore';
import { useT } from '../../utils/translate';
import { Notice } from '../Notice';
import { Facts } from '../Section';

const Hint = ({ children, danger = false }: { children: React.ReactNode; danger?: boolean }) => (
  <Box paddingLeft={6}>
    <Typography variant="pi" textColor={danger ? 'danger600' : 'neutral600'}>
      {children}
    </Typography>
  </Box>
);

/** What a restore replaces and what follows it, one line each. */
const Consequences = ({ record }: { record: BackupRecord }) => {
  const t = useT();
  const time = useFormatTime('full');
  const lines = [
    t(
      'restore.replaces.database',
      'The database: every entry, media library entry, admin user, role, API token and setting becomes the archive’s. What was saved after {date} is lost, unless the safety backup keeps it.',
      { date: time(record.finishedAt) },
    ),
    t('restore.replaces.uploads', 'The uploaded media: the uploads folder becomes the archive’s; files added since are removed.'),
    t('restore.replaces.unavailable', 'While it runs, the site answers “unavailable” to everyone, this admin included.'),
    t('restore.replaces.login', 'Admins may have to log in again: sessions come from the archive.'),
    t('restore.replaces.restart', 'Afterwards, Strapi must be restarted on every instance.'),
  ];
  return (
    <Notice variant="danger" title={t('restore.replaces.title', 'This replaces the whole site')}>
      <Box tag="ul" paddingLeft={4} style={{ listStyle: 'disc' }}>
        {lines.map((line) => (
          <Typography key={line} tag="li" textColor="neutral800">
            {line}
          </Typography>
        ))}
      </Box>
    </Notice>
  );
};

/** The server's refusal, and the pending restore it names (409 restore-pending). */
const Refusal = ({ error, onClose, onLeave }: { error: ApiError; onClose: () => void; onLeave: () => void }) => {
  const t = useT();
  const pending = error.details?.reason === 'restore-pending' ? error.details.record : null;
  // It appears at the foot of a long dialog, under the fold on a laptop: bring it into view.
  const shown = React.useRef<HTMLDivElement>(null);
  React.useEffect(() => {
    // In braces: Chromium's scrollIntoView returns a promise, which React would take for a cleanup.
    shown.current?.scrollIntoView({ block: 'nearest' });
  }, [error]);
  return (
    <div ref={shown}>
      <Alert variant="danger" closeLabel={t('actions.close', 'Close')} title={t('restore.rejected', 'Not started')} onClose={onClose}>
        {error.message ?? t('restore.error', 'The restore could not be requested.')}
        {pending && (
          <>
            {' '}
            <Link tag={NavLink} to={`/plugins/${PLUGIN_ID}/records/${pending.documentId}`} onClick={onLeave}>
              {t('restore.rejected.pending', 'Open the pending restore (record {id})', { id: String(pending.id) })}
            </Link>
          </>
        )}
      </Alert>
    </div>
  );
};

interface RestoreConfirmProps {
  record: BackupRecord;
  onStarted: (result: RunResult) => void;
  onClose: () => void;
}

export const RestoreConfirm = ({ record, onStarted, onClose }: RestoreConfirmProps) => {
  const t = useT();
  const time = useFormatTime('full');
  const [restore, { isLoading }] = useRestoreRecordMutation();
  const [typed, setTyped] = React.useState('');
  const [safetyBackup, setSafetyBackup] = React.useState(true);
  const [advanced, setAdvanced] = React.useState(false);
  const [force, setForce] = React.useState(false);
  const [error, setError] = React.useState<ApiError | null>(null);
  const file = record.archiveFile ?? '';
  const matches = confirmMatches(typed, file);

  const start = async () => {
    setError(null);
    // The name as the record has it: what was typed matched it, blanks aside.
    const answer = await restore({ documentId: record.documentId, confirm: file, safetyBackup, force });
    if ('data' in answer && answer.data) onStarted(answer.data);
    else
      setError(
        (('error' in answer ? answer.error : undefined) as ApiError | undefined) ?? { message: t('restore.error', 'The restore could not be requested.') },
      );
  };

  return (
    <>
      <Modal.Body>
        <Flex direction="column" alignItems="stretch" gap={5}>
          <Typography>{t('restore.intro', 'Put the site back as it was when this backup was taken.')}</Typography>
          <Facts
            items={[
              [t('detail.archive.file', 'File'), file, 'wide'],
              [t('restore.taken', 'Taken'), time(record.finishedAt)],
              [t('records.column.size', 'Size'), formatBytes(record.archiveSize)],
              [t('records.column.profile', 'Profile'), record.profile?.name ?? '-'],
            ]}
          />
          <Consequences record={record} />
          <Flex direction="column" alignItems="stretch" gap={1}>
            <Checkbox checked={safetyBackup} onCheckedChange={(on: boolean | 'indeterminate') => setSafetyBackup(on === true)}>
              {t('restore.safety', 'Take a safety backup of the current site first')}
            </Checkbox>
            <Hint danger={!safetyBackup}>
              {safetyBackup
                ? t(
                    'restore.safety.hint',
                    'Recommended: the database and the uploads as they are now, listed as a backup “Before a restore”, to undo this restore with. It makes the restore take longer.',
                  )
                : t('restore.safety.off', 'Without it, what the site holds now cannot be brought back.')}
            </Hint>
          </Flex>
          <Flex direction="column" alignItems="stretch" gap={2}>
            <TextButton startIcon={advanced ? <ChevronDown /> : <ChevronRight />} onClick={() => setAdvanced(!advanced)} aria-expanded={advanced}>
              {t('restore.advanced', 'Advanced options')}
            </TextButton>
            {advanced && (
              <Flex direction="column" alignItems="stretch" gap={1}>
                <Checkbox checked={force} onCheckedChange={(on: boolean | 'indeterminate') => setForce(on === true)}>
                  {t('restore.force', 'Force: restore what the archive and this database have in common')}
                </Checkbox>
                <Hint danger={force}>
                  {t(
                    'restore.force.hint',
                    'For an archive taken before the content types or Strapi changed. Without force, an archive whose tables or columns differ from this database is refused and nothing changes. With it, the tables and columns both have are restored and the others are left as they are (the restore’s record lists them): content may end up incomplete.',
                  )}
                </Hint>
              </Flex>
            )}
          </Flex>
          <Field.Root name="confirm" hint={t('restore.confirm.hint', 'Type {file} to confirm.', { file })} required>
            <Field.Label>{t('restore.confirm', 'Archive file name')}</Field.Label>
            <TextInput
              value={typed}
              onChange={(e: React.ChangeEvent<HTMLInputElement>) => setTyped(e.target.value)}
              autoComplete="off"
              spellCheck={false}
              style={{ fontFamily: 'monospace' }}
            />
            <Field.Hint />
          </Field.Root>
          {error && <Refusal error={error} onClose={() => setError(null)} onLeave={onClose} />}
        </Flex>
      </Modal.Body>
      <Modal.Footer>
        <Button variant="tertiary" onClick={onClose}>
          {t('actions.cancel', 'Cancel')}
        </Button>
        <Button variant="danger" startIcon={<ClockCounterClockwise />} onClick={start} loading={isLoading} disabled={!matches}>
          {t('restore.start', 'Restore the site')}
        </Button>
      </Modal.Footer>
    </>
  );
};
