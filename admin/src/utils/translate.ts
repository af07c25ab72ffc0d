import { useIntl } from 'react-intl';
import { PLUGIN_ID } from '../pluginId';

/** Every key of this plugin's translations, prefixed as registerTrads registers them. */
export const getTranslation = (id: string) => `${PLUGIN_ID}.${id}`;

/** `t('records.title', 'Backups')`: formatMessage with this plugin's prefix and an English default. */
export const useT = () => {
  const { formatMessage } = useIntl();
  return (id: string, defaultMessage: string, values?: Record<string, React.ReactNode>) =>
    formatMessage({ id: getTranslation(id), defaultMessage }, values as Record<string, string>) as string;
};
