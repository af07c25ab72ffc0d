import { ACTIONS } from '../../../shared/constants';
import { guarded } from './guarded';
import type { PluginRoute } from './route';

// Only profile editors type schedules, so the preview needs the same action as saving one.
export default [{ method: 'GET', path: '/schedule-preview', handler: 'schedulePreview.find', config: guarded(ACTIONS.manageProfiles) }] satisfies PluginRoute[];
