/**
 * Backup profiles. Strapi's `unique` is not a database constraint, so name uniqueness is
 * enforced here (case-insensitively, as a site owner reads names).
 */
import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { DEFAULT_PROFILE, UID } from '../constants';

export interface Profile {
  id: number;
  documentId: string;
  name: string;
  description?: string | null;
  queueBehavior: 'cancel' | 'queue';
  maxQueueDepth: number;
  includeDatabase: boolean;
  excludeTables: string[] | null;
  includeUploads: boolean;
  includeProjectFiles: boolean;
  includeEnv: boolean;
  schedule: string | null;
  timezone: string | null;
  retainCount: number | null;
  retainDays: number | null;
  format: 'tar' | 'tar.gz';
  encrypt: boolean;
  timeoutMinutes: number;
  notify: unknown;
  isDefault: boolean;
}

const createProfilesService = ({ strapi }: { strapi: Core.Strapi }) => {
  const query = () => strapi.db.query(UID.profile);

  return {
    async list(): Promise<Profile[]> {
      return query().findMany({ orderBy: [{ isDefault: 'desc' }, { name: 'asc' }] });
    },

    async findById(id: number): Promise<Profile | null> {
      return query().findOne({ where: { id } });
    },

    async findByDocumentId(documentId: string): Promise<Profile | null> {
      return query().findOne({ where: { documentId } });
    },

    async findByName(name: string): Promise<Profile | null> {
      const all = await this.list();
      const wanted = name.trim().toLowerCase();
      return all.find((p) => p.name.trim().toLowerCase() === wanted) ?? null;
    },

    async findDefault(): Promise<Profile | null> {
      return (await query().findOne({ where: { isDefault: true } })) ?? (await this.list())[0] ?? null;
    },

    /** The named profile, or the default one when no name is given; a clear 404 otherwise. */
    async resolve(name?: string | null): Promise<Profile> {
      const profile = name ? await this.findByName(name) : await this.findDefault();
      if (!profile) {
        throw new errors.NotFoundError(name ? `No backup profile is named “${name}”.` : 'No default backup profile exists.');
      }
      return profile;
    },

    async create(data: Partial<Profile> & { name: string }): Promise<Profile> {
      if (await this.findByName(data.name)) {
        throw new errors.ValidationError(`A backup profile named “${data.name.trim()}” already exists.`);
      }
      const created = await strapi.documents(UID.profile).create({ data: { ...data, name: data.name.trim() } as any });
      return (await this.findByDocumentId(created.documentId)) as Profile;
    },

    /** At first boot a site gets one profile that backs up everything. */
    async ensureDefault(): Promise<void> {
      if ((await query().count()) > 0) return;
      await this.create({ ...DEFAULT_PROFILE });
      strapi.log.info(`[backup] Created the default backup profile “${DEFAULT_PROFILE.name}”.`);
    },
  };
};

export type ProfilesService = ReturnType<typeof createProfilesService>;
export default createProfilesService;
