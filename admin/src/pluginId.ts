export const PLUGIN_ID = 'backup';
