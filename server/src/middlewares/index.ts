import apiRateLimit from './api-rate-limit';

export default { 'api-rate-limit': apiRateLimit };
