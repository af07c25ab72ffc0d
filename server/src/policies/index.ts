import canRun from './can-run';

export default { 'can-run': canRun };
