import type { Core } from '@strapi/strapi';
import { bootStrapi } from './boot';

/** What every command handler receives. */
export interface CommandContext {
  /** Global and command options, camelCased by commander (`--app-dir` is `appDir`). */
  flags: Record<string, string | number | boolean | undefined>;
  positionals: string[];
  json: boolean;
  appDir: string;
  /** Boots the app on first use; commands that need no app never pay for a boot. */
  strapi(): Promise<Core.Strapi>;
}

export const createContext = (flags: CommandContext['flags'], positionals: string[], appDir: string): CommandContext & { close(): Promise<void> } => {
  let booting: Promise<Core.Strapi> | null = null;
  return {
    flags,
    positionals,
    json: Boolean(flags.json),
    appDir,
    strapi() {
      booting ??= bootStrapi({ appDir, debug: Boolean(flags.debug) });
      return booting;
    },
    async close() {
      if (booting) await (await booting).destroy();
    },
  };
};
