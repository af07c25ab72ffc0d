import { Archive } from '@strapi/icons';
import { PLUGIN_ID } from './pluginId';

type TradOptions = Record<string, string>;

const prefixKeys = (trad: TradOptions): TradOptions =>
  Object.fromEntries(Object.entries(trad).map(([key, value]) => [`${PLUGIN_ID}.${key}`, value]));

export default {
  register(app: any) {
    app.addMenuLink({
      to: `plugins/${PLUGIN_ID}`,
      icon: Archive,
      intlLabel: { id: `${PLUGIN_ID}.plugin.name`, defaultMessage: 'Backups' },
      Component: () => import('./pages/App'),
      permissions: [{ action: 'plugin::backup.read', subject: null }],
    });
    app.registerPlugin({ id: PLUGIN_ID, name: PLUGIN_ID });
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
      })
    );
  },
};
