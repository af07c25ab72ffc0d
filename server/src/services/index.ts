import downloadLinks from './download-links';
import failsafe from './failsafe';
import mailer from './mailer';
import notifier from './notifier';
import preflight from './preflight';
import profiles from './profiles';
import queue from './queue';
import records from './records';
import restoreGate from './restore-gate';
import restorer from './restorer';
import retention from './retention';
import runner from './runner';
import scheduler from './scheduler';
import storage from './storage';
import storageReport from './storage-report';
import summary from './summary';
import verifications from './verifications';
import worker from './worker';

const services = {
  downloadLinks,
  failsafe,
  mailer,
  notifier,
  preflight,
  profiles,
  queue,
  records,
  restoreGate,
  restorer,
  retention,
  runner,
  scheduler,
  storage,
  storageReport,
  summary,
  verifications,
  worker,
};

export type Services = typeof services;
export default services;
