/**
 * "Restart required" on the plugin's pages and the home widget once a restore completed: every
 * instance still holds what it read from the old database at boot, and says so (GET
 * /backup/activity) until it restarts. Nothing shows otherwise.
 */
import { Box } from '@strapi/design-system';
import { useActivity } from '../hooks/useActivity';
import { useT } from '../utils/translate';
import { Notice } from './Notice';

/** `compact`: the home widget's short words; `spaced`: a margin below, for pages that do not lay it out in a gap. */
export const RestartRequiredBanner = ({ compact = false, spaced = false }: { compact?: boolean; spaced?: boolean }) => {
  const t = useT();
  const { data } = useActivity();
  if (!data?.restartRequired) return null;
  return (
    <Box data-testid="backup-restart-required" paddingBottom={spaced ? 4 : 0}>
      <Notice variant="warning" title={t('restart.title', 'Restart required')}>
        {compact
          ? t('restart.body.short', 'A restore completed: restart Strapi on every instance.')
          : t(
              'restart.body',
              'A restore completed: restart Strapi on every instance so that it reads the restored site (it still holds settings read at boot).',
            )}
      </Notice>
    </Box>
  );
};
