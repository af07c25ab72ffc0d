import profiles from './profiles';
import records from './records';
import runner from './runner';
import storage from './storage';

const services = { profiles, records, runner, storage };

export type Services = typeof services;
export default services;
