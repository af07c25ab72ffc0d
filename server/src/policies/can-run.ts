/**
 * `POST /backup/runs` asks for a backup or a restore in one body. A restore overwrites the whole
 * site, so it needs `plugin::backup.restore`, not `plugin::backup.run`: the action depends on the
 * body's `kind`, which `admin::hasPermissions` (a fixed list) cannot express. Whatever is not a
 * restore needs `run`; the controller still validates the body and answers 400 for a bad kind.
 */
import { ACTIONS } from '../../../shared/constants';

export const actionForRun = (body: unknown): string =>
  typeof body === 'object' && body !== null && (body as { kind?: unknown }).kind === 'restore' ? ACTIONS.restore : ACTIONS.run;

export default (ctx: { request: { body?: unknown }; state: { userAbility?: { can(action: string): boolean } } }): boolean =>
  Boolean(ctx.state.userAbility?.can(actionForRun(ctx.request.body)));
