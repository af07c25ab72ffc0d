import { ACTIONS } from '../constants';
import { guarded } from './guarded';

export default [{ method: 'POST', path: '/runs', handler: 'runs.create', config: guarded(ACTIONS.run) }];
