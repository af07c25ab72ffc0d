import activity from './activity';
import api from './api';
import profiles from './profiles';
import records from './records';
import runs from './runs';
import schedulePreview from './schedule-preview';
import summary from './summary';

export default { activity, api, profiles, records, runs, summary, schedulePreview };
