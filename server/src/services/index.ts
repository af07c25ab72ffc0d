import failsafe from './failsafe';
import profiles from './profiles';
import queue from './queue';
import records from './records';
import runner from './runner';
import storage from './storage';
import worker from './worker';

const services = { failsafe, profiles, queue, records, runner, storage, worker };

export type Services = typeof services;
export default services;
