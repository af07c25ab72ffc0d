/**
 * Short-lived download links. The admin authenticates with a bearer token that a plain link
 * cannot carry, and fetching the archive through JavaScript would hold all of it in the browser's
 * memory. So a guarded route (with the download permission checked) hands out a link signed with
 * the admin's own JWT secret, naming one record and the admin who asked, expiring within a minute;
 * the browser then streams the file to disk like any download. When the link is used, that admin
 * must still be active and still hold the download permission: a link taken before a demotion
 * stops working with it.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Core } from '@strapi/strapi';
import { ACTIONS, DOWNLOAD_LINK_TTL_MS, UID } from '../../../shared/constants';

interface Claims {
  /** Record documentId. */
  r: string;
  /** Id of the admin the link was issued to. */
  u: number;
  /** Expiry, ms since the epoch. */
  e: number;
}

export type LinkGrant = { documentId: string } | { refused: string };

const createDownloadLinksService = ({ strapi }: { strapi: Core.Strapi }) => {
  const sign = (payload: string) => {
    const secret = strapi.config.get('admin.auth.secret') as string | undefined;
    if (!secret) throw new Error('admin.auth.secret is not set; download links cannot be signed.');
    return createHmac('sha256', `strapi-plugin-backup:download:${secret}`).update(payload).digest('base64url');
  };

  return {
    issue(documentId: string, adminId: number, now = Date.now()): { token: string; expiresAt: string } {
      const claims: Claims = { r: documentId, u: adminId, e: now + DOWNLOAD_LINK_TTL_MS };
      const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
      return { token: `${payload}.${sign(payload)}`, expiresAt: new Date(claims.e).toISOString() };
    },

    /** The claims of a token, or null when it is forged, altered or expired. */
    read(token: string, now = Date.now()): Claims | null {
      const [payload, signature, extra] = token.split('.');
      if (!payload || !signature || extra !== undefined) return null;
      const expected = Buffer.from(sign(payload));
      const given = Buffer.from(signature);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
      try {
        const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Claims;
        return typeof claims.r === 'string' && typeof claims.u === 'number' && typeof claims.e === 'number' && claims.e > now ? claims : null;
      } catch {
        return null;
      }
    },

    /** What a link may download now: its record, if its admin is still active and may download. */
    async grant(token: string): Promise<LinkGrant> {
      const claims = this.read(token);
      if (!claims) return { refused: 'This download link is invalid or has expired; download the archive again from the admin panel.' };
      // As Strapi's admin authentication loads an admin for a request, roles included.
      const user = await strapi.db.query(UID.adminUser).findOne({ where: { id: claims.u }, populate: ['roles'] });
      const ability = user?.isActive === true ? await strapi.service('admin::permission').engine.generateUserAbility(user) : null;
      if (!ability?.can(ACTIONS.download)) {
        return { refused: 'The admin this download link was issued to may no longer download archives.' };
      }
      return { documentId: claims.r };
    },
  };
};

export default createDownloadLinksService;
