/**
 * The boot state: versions, plugins and components as they were when the database last matched
 * the code. Written at the end of every boot (the plugin's bootstrap runs after the schema sync,
 * so the database matches what is written), read before the next boot's sync.
 *
 * Kept in Strapi's core store rather than a table of our own: every site has it, its shape is
 * Strapi's concern across versions, Strapi reads it itself just before `beforeSync` (so it is
 * usable there), and it is never part of a schema sync that could drop or reshape it.
 */
import type { Core } from '@strapi/strapi';
import { BOOT_STATE, PLUGIN_ID, STRAPI_TABLES } from '../../../shared/constants';
import { PLUGIN_VERSION } from '../utils';
import type { BootState } from './changes';

interface EnabledPlugin {
  packageInfo?: { version?: string };
}

/** What the running code is: compared with the recorded state before the sync. */
export const currentState = (strapi: Core.Strapi): BootState => {
  const enabled = (strapi.config.get('enabledPlugins') ?? {}) as Record<string, EnabledPlugin>;
  const plugins: Record<string, string | null> = {};
  // This plugin's own version is `pluginVersion`; listed twice it would be described twice.
  for (const name of Object.keys(enabled).sort()) {
    if (name !== PLUGIN_ID) plugins[name] = enabled[name]?.packageInfo?.version ?? null;
  }
  const components: Record<string, string> = {};
  // Sorted like the plugins: the components' load order varies between boots, and the row must
  // not change (nor be rewritten) when the site did not.
  for (const [uid, component] of Object.entries(strapi.components ?? {}).sort(([a], [b]) => a.localeCompare(b))) {
    components[uid] = (component as { collectionName?: string }).collectionName ?? '';
  }
  return {
    strapiVersion: (strapi.config.get('info.strapi', null) as string | null) ?? null,
    pluginVersion: PLUGIN_VERSION,
    plugins,
    components,
  };
};

/**
 * The state recorded at the last boot, or null on a first install (no core store yet) and on the
 * first boot with this plugin (nothing recorded yet): there is then no earlier state to protect.
 */
export const readRecordedState = async (strapi: Core.Strapi): Promise<BootState | null> => {
  // Checked first: on a first install the table does not exist and a query would fail.
  if (!(await strapi.db.getSchemaConnection().hasTable(STRAPI_TABLES.coreStore))) return null;
  const value = await strapi.store.get({ ...BOOT_STATE });
  return value && typeof value === 'object' ? (value as BootState) : null;
};

/** Writes the state when it differs from the recorded one (most boots change nothing). */
export const recordState = async (strapi: Core.Strapi): Promise<void> => {
  const state = currentState(strapi);
  if (JSON.stringify(await readRecordedState(strapi)) === JSON.stringify(state)) return;
  await strapi.store.set({ ...BOOT_STATE, value: state });
};
