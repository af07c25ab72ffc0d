import profile from './profile';
import record from './record';

export default { profile, record };
