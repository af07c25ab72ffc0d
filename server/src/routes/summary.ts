import { ACTIONS } from '../constants';
import { guarded } from './guarded';

export default [{ method: 'GET', path: '/summary', handler: 'summary.find', config: guarded(ACTIONS.read) }];
