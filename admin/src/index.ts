import { Archive } from '@strapi/icons';
import { EditViewWarning } from './components/EditViewWarning';
import { JobsWatcherIcon } from './jobs/JobsWatcherIcon';
import { PERMISSIONS } from './constants';
import { PLUGIN_ID } from './pluginId';
import { getTranslation } from './utils/translate';

type TradOptions = Record<string, string>;

const prefixKeys = (trad: TradOptions): TradOptions => Object.fromEntries(Object.entries(trad).map(([key, value]) => [getTranslation(key), value]));

export default {
  register(app: any) {
    app.addMenuLink({
      to: `plugins/${PLUGIN_ID}`,
      // On every page: it also announces the end of the jobs this admin started (jobs/watcher.ts).
      icon: JobsWatcherIcon,
      intlLabel: { id: getTranslation('plugin.name'), defaultMessage: 'Backups' },
      Component: () => import('./pages/App'),
      permissions: PERMISSIONS.read,
    });

    app.addSettingsLink({ id: PLUGIN_ID, intlLabel: { id: getTranslation('settings.section'), defaultMessage: 'Backup' } }, [
      {
        id: 'profiles',
        to: `${PLUGIN_ID}/profiles`,
        intlLabel: { id: getTranslation('settings.profiles'), defaultMessage: 'Profiles' },
        Component: () => import('./pages/settings/ProfilesSettings'),
        permissions: PERMISSIONS.manageProfiles,
      },
      {
        id: 'webhooks',
        to: `${PLUGIN_ID}/webhooks`,
        intlLabel: { id: getTranslation('settings.webhooks'), defaultMessage: 'Webhook events' },
        Component: () => import('./pages/settings/WebhookEventsPage'),
        permissions: PERMISSIONS.webhooks,
      },
    ]);

    // Strapi 5 home page widgets (app.widgets), as content-releases registers its own.
    app.widgets.register({
      icon: Archive,
      title: { id: getTranslation('widget.title'), defaultMessage: 'Backups' },
      component: async () => (await import('./widget/BackupsWidget')).BackupsWidget,
      pluginId: PLUGIN_ID,
      id: 'backups',
      link: { label: { id: getTranslation('widget.link'), defaultMessage: 'Open Backups' }, href: `/plugins/${PLUGIN_ID}` },
      permissions: PERMISSIONS.read,
    });

    app.registerPlugin({ id: PLUGIN_ID, name: PLUGIN_ID });
  },

  bootstrap(app: any) {
    // Under Save/Publish in the edit view: where an editor decides to save.
    app.getPlugin('content-manager').injectComponent('editView', 'right-links', {
      name: `${PLUGIN_ID}-edit-view-warning`,
      Component: EditViewWarning,
    });
  },

  async registerTrads({ locales }: { locales: string[] }) {
    return Promise.all(
      locales.map(async (locale) => {
        try {
          const { default: data } = await import(`./translations/${locale}.json`);
          return { data: prefixKeys(data), locale };
        } catch {
          return { data: {}, locale };
        }
      }),
    );
  },
};
