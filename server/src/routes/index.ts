import activity from './activity';
import contentApi from './content-api';
import profiles from './profiles';
import records from './records';
import runs from './runs';
import schedulePreview from './schedule-preview';
import summary from './summary';

export default {
  admin: {
    type: 'admin',
    routes: [...profiles, ...records, ...runs, ...summary, ...activity, ...schedulePreview],
  },
  'content-api': {
    type: 'content-api',
    routes: contentApi,
  },
};
