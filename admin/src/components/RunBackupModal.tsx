/**
 * "Back up now": pick a profile (the default one preselected), then follow what became of the
 * request. The request returns at once; a refusal (busy, queue full, duplicate) shows the
 * server's own message, which names the job in the way.
 */
import * as React from 'react';
import { Alert, Button, Field, Flex, Modal, SingleSelect, SingleSelectOption, Typography } from '@strapi/design-system';
import { Play } from '@strapi/icons';
import { useGetProfilesQuery, useRunBackupMutation } from '../services/api';
import type { ApiError, RunResult } from '../types';
import { useT } from '../utils/translate';
import { RunOutcome } from './RunOutcome';

export const RunBackupButton = () => {
  const t = useT();
  const [open, setOpen] = React.useState(false);
  return (
    <Modal.Root open={open} onOpenChange={setOpen}>
      <Modal.Trigger>
        <Button startIcon={<Play />}>{t('run.button', 'Back up now')}</Button>
      </Modal.Trigger>
      {open && <RunBackupModalContent onClose={() => setOpen(false)} />}
    </Modal.Root>
  );
};

const RunBackupModalContent = ({ onClose }: { onClose: () => void }) => {
  const t = useT();
  const profiles = useGetProfilesQuery();
  const [runBackup, { isLoading }] = useRunBackupMutation();
  const [profile, setProfile] = React.useState<string | undefined>();
  const [result, setResult] = React.useState<RunResult | null>(null);
  const [rejection, setRejection] = React.useState<string | null>(null);

  const selected = profile ?? profiles.data?.find((p) => p.isDefault)?.documentId ?? profiles.data?.[0]?.documentId;

  const start = async () => {
    setRejection(null);
    const answer = await runBackup({ profile: selected });
    if ('data' in answer && answer.data) setResult(answer.data);
    else {
      const error = ('error' in answer ? answer.error : undefined) as ApiError | undefined;
      setRejection(error?.message ?? t('run.error', 'The backup could not be requested.'));
    }
  };

  return (
    <Modal.Content>
      <Modal.Header>
        <Modal.Title>
          {result ? t('run.title.following', 'Backup of “{profile}”', { profile: result.data.profile?.name ?? '' }) : t('run.title', 'Back up now')}
        </Modal.Title>
      </Modal.Header>
      <Modal.Body>
        {result ? (
          <RunOutcome result={result} />
        ) : (
          <Flex direction="column" alignItems="stretch" gap={4}>
            <Field.Root name="profile" hint={t('run.profile.hint', 'What to back up and how the queue treats a request while a job runs.')}>
              <Field.Label>{t('run.profile', 'Profile')}</Field.Label>
              <SingleSelect
                value={selected}
                onChange={(value) => setProfile(String(value))}
                disabled={!profiles.data}
                placeholder={profiles.isLoading ? t('loading', 'Loading…') : undefined}
              >
                {(profiles.data ?? []).map((p) => (
                  <SingleSelectOption key={p.documentId} value={p.documentId}>
                    {p.isDefault ? t('run.profile.default', '{name} (default)', { name: p.name }) : p.name}
                  </SingleSelectOption>
                ))}
              </SingleSelect>
              <Field.Hint />
            </Field.Root>
            {rejection && (
              <Alert variant="danger" closeLabel={t('actions.close', 'Close')} title={t('run.rejected', 'Not started')} onClose={() => setRejection(null)}>
                {rejection}
              </Alert>
            )}
            {profiles.isError && <Typography textColor="danger600">{t('profiles.error', 'The profiles could not be loaded.')}</Typography>}
          </Flex>
        )}
      </Modal.Body>
      <Modal.Footer>
        <Button variant="tertiary" onClick={onClose}>
          {t('actions.close', 'Close')}
        </Button>
        {!result && (
          <Button onClick={start} loading={isLoading} disabled={!selected}>
            {t('run.start', 'Start backup')}
          </Button>
        )}
      </Modal.Footer>
    </Modal.Content>
  );
};
