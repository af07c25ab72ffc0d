import profiles from './profiles';
import records from './records';
import runs from './runs';
import summary from './summary';

export default { profiles, records, runs, summary };
