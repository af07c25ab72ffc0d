/**
 * Pre-update and pre-uninstall backups. Strapi destroys data in one place: the schema sync at
 * boot (after an upgrade, a Content-Type Builder change, a removed plugin). Strapi 5 calls
 * `strapi::content-types.beforeSync` after the database connection is up and before
 * `db.schema.sync()` (and the migrations it runs): the old tables are all still there. The hook,
 * registered from the plugin's `register()`, decides whether this boot changes anything and, if
 * so, backs up the untouched database before letting the sync go on. `recordBootState` runs in
 * the plugin's bootstrap, after the sync, and is what the next boot compares with.
 */
import type { Core } from '@strapi/strapi';
import { getConfig, getService } from '../utils';
import { disabledBy, type ContentTypeShape } from './changes';
import { detectChange } from './detect';
import { takePreSyncBackup } from './pre-sync-backup';
import { recordState } from './state';

interface SyncHookContext {
  oldContentTypes?: Record<string, ContentTypeShape>;
  contentTypes: Record<string, ContentTypeShape>;
}

export const registerBootHooks = (strapi: Core.Strapi): void => {
  strapi.hook('strapi::content-types.beforeSync').register(async ({ oldContentTypes, contentTypes }: SyncHookContext) => {
    // First (this hook's handlers run side by side, so it is not a handler of its own): a MySQL
    // restore that stopped right after swapping its tables in left their keys on the replaced
    // tables, where the sync would fail on their names, and the backup below would miss them.
    await getService(strapi, 'failsafe').finishTableSwap();
    const { hooks } = getConfig(strapi);
    if (!hooks.preUpdate && !hooks.preUninstall) return;
    const started = process.hrtime.bigint();
    const change = await detectChange(strapi, oldContentTypes, contentTypes);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (!change) {
      strapi.log.debug(`[backup] boot check: nothing changes (${ms.toFixed(1)} ms)`);
      return;
    }
    const key = disabledBy(change, hooks);
    if (key) {
      strapi.log.warn(`[backup] This boot changes the database (${change.lines.join('; ')}); no backup taken: ${key} is false.`);
      return;
    }
    await takePreSyncBackup(strapi, change, () => detectChange(strapi, oldContentTypes, contentTypes));
  });
};

export const recordBootState = recordState;
