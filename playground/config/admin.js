module.exports = ({ env }) => ({
  auth: { secret: env('ADMIN_JWT_SECRET') },
  apiToken: { salt: env('API_TOKEN_SALT') },
  transfer: { token: { salt: env('TRANSFER_TOKEN_SALT') } },
  secrets: { encryptionKey: env('ENCRYPTION_KEY') },
  // Test apps log in many times from one address; a real site keeps the limit.
  rateLimit: { enabled: env.bool('ADMIN_RATE_LIMIT', true) },
});
