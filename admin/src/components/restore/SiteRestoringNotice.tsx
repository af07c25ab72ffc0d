import { useT } from '../../utils/translate';
import { Notice } from '../Notice';

/** Said instead of an error where a read was refused because a restore of the site runs (503). */
export const SiteRestoringNotice = () => {
  const t = useT();
  return (
    <div data-testid="backup-site-restoring">
      <Notice variant="warning" title={t('restoring.title', 'The site is being restored')}>
        {t('restoring.body', 'Until the restore ends, the site answers “unavailable”. This page reads again by itself.')}
      </Notice>
    </div>
  );
};
