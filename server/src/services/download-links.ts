/**
 * Short-lived download links. The admin authenticates with a bearer token that a plain link
 * cannot carry, and fetching the archive through JavaScript would hold all of it in the browser's
 * memory. So a guarded route (with the download permission checked) hands out a link signed with
 * the admin's own JWT secret, naming one record and expiring within a minute; the browser then
 * streams the file to disk like any download.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Core } from '@strapi/strapi';
import { DOWNLOAD_LINK_TTL_MS } from '../constants';

interface Claims {
  /** Record documentId. */
  r: string;
  /** Expiry, ms since the epoch. */
  e: number;
}

const createDownloadLinksService = ({ strapi }: { strapi: Core.Strapi }) => {
  const sign = (payload: string) => {
    const secret = strapi.config.get('admin.auth.secret') as string | undefined;
    if (!secret) throw new Error('admin.auth.secret is not set; download links cannot be signed.');
    return createHmac('sha256', `strapi-plugin-backup:download:${secret}`).update(payload).digest('base64url');
  };

  return {
    issue(documentId: string, now = Date.now()): { token: string; expiresAt: string } {
      const claims: Claims = { r: documentId, e: now + DOWNLOAD_LINK_TTL_MS };
      const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
      return { token: `${payload}.${sign(payload)}`, expiresAt: new Date(claims.e).toISOString() };
    },

    /** The record documentId a token grants, or null when it is forged, altered or expired. */
    read(token: string, now = Date.now()): string | null {
      const [payload, signature, extra] = token.split('.');
      if (!payload || !signature || extra !== undefined) return null;
      const expected = Buffer.from(sign(payload));
      const given = Buffer.from(signature);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
      try {
        const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Claims;
        return typeof claims.r === 'string' && typeof claims.e === 'number' && claims.e > now ? claims.r : null;
      } catch {
        return null;
      }
    },
  };
};

export type DownloadLinksService = ReturnType<typeof createDownloadLinksService>;
export default createDownloadLinksService;
