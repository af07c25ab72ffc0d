import profiles from './profiles';
import records from './records';

export default { profiles, records };
