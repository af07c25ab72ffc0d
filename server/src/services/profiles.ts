/**
 * Backup profiles. Names are unique case-insensitively, as a site owner reads them. Strapi's
 * `unique` is not a database constraint, so each profile stores its name's key (`nameKey`, trimmed
 * and lower-cased) under a real UNIQUE index declared in its schema: two admins, or two instances
 * creating the default profile at first boot, cannot both win.
 */
import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { getService, isUniqueViolation } from '../utils';
import { ACTIVE_STATUSES, DEFAULT_PROFILE, UID } from '../../../shared/constants';
import { lockProfileRow } from '../locks';
import { ProfileBusyError } from './errors';
import type { Profile } from '../../../shared/contracts';
import { retentionTightened } from './retention';

const nameKeyOf = (name: string) => name.trim().toLowerCase();

const nameTaken = (name: string) => new errors.ValidationError(`A backup profile named “${name.trim()}” already exists.`);

/** Turns the unique index's refusal (a concurrent writer won the name) into the same 400. */
const orNameTaken = (name: string) => (error: unknown) => {
  throw isUniqueViolation(error, 'name_key') ? nameTaken(name) : error;
};

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
      return query().findOne({ where: { nameKey: nameKeyOf(name) } });
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
      if (await this.findByName(data.name)) throw nameTaken(data.name);
      const created = await strapi
        .documents(UID.profile)
        .create({ data: { ...data, name: data.name.trim(), nameKey: nameKeyOf(data.name) } as any })
        .catch(orNameTaken(data.name));
      return (await this.findByDocumentId(created.documentId)) as Profile;
    },

    /**
     * Applies a validated change. A rename onto another profile's name is refused; making a
     * profile the default takes the flag from the previous default in the same transaction.
     * Stricter retention applies at once: whoever lowers it expects the space back now, not after
     * the next backup or the night.
     */
    async update(documentId: string, data: Partial<Omit<Profile, 'id' | 'documentId'>>): Promise<Profile> {
      const current = await this.findByDocumentId(documentId);
      if (!current) throw new errors.NotFoundError(`No backup profile has the documentId “${documentId}”.`);
      if (data.name !== undefined) {
        const clash = await this.findByName(data.name);
        if (clash && clash.id !== current.id) throw nameTaken(data.name);
      }
      const changes = { ...data, ...(data.name !== undefined ? { name: data.name.trim(), nameKey: nameKeyOf(data.name) } : {}) };
      await strapi.db
        .transaction(async () => {
          if (changes.isDefault) await query().updateMany({ where: { isDefault: true, id: { $ne: current.id } }, data: { isDefault: false } });
          await query().update({ where: { id: current.id }, data: changes });
        })
        .catch(orNameTaken(data.name ?? current.name));
      const updated = (await this.findById(current.id)) as Profile;
      if (retentionTightened(current, updated)) await getService(strapi, 'retention').applySafely(updated);
      return updated;
    },

    /**
     * Deletes a profile; its records stay (their history outlives it). Refused for the default
     * profile, and — under the profile's row lock, so no enqueue slips in — while it has jobs.
     */
    async delete(documentId: string): Promise<Profile> {
      const current = await this.findByDocumentId(documentId);
      if (!current) throw new errors.NotFoundError(`No backup profile has the documentId “${documentId}”.`);
      if (current.isDefault) {
        throw new errors.ValidationError(`“${current.name}” is the default profile and cannot be deleted; make another profile the default first.`);
      }
      const active = await strapi.db.transaction(async ({ trx }) => {
        // The same lock the queue takes before it decides anything about this profile.
        await lockProfileRow(trx, strapi.db.metadata.get(UID.profile).tableName, current.id);
        const pending = await strapi.db.query(UID.record).count({ where: { profile: { id: current.id }, status: { $in: ACTIVE_STATUSES } } });
        if (pending === 0) await query().delete({ where: { id: current.id } });
        return pending;
      });
      if (active > 0) {
        throw new ProfileBusyError(
          `“${current.name}” has ${active} queued or running ${active === 1 ? 'job' : 'jobs'}; cancel ${active === 1 ? 'it' : 'them'} or wait for ${active === 1 ? 'it' : 'them'} to finish before deleting the profile.`,
          { pending: active },
        );
      }
      return current;
    },

    /**
     * At first boot a site gets one profile that backs up everything. Instances booting together
     * race here; the name's unique index lets one create it and the others find it.
     */
    async ensureDefault(): Promise<void> {
      if ((await query().count()) > 0) return;
      try {
        await this.create({ ...DEFAULT_PROFILE });
        strapi.log.info(`[backup] Created the default backup profile “${DEFAULT_PROFILE.name}”.`);
      } catch (error) {
        if (!(error instanceof errors.ValidationError)) throw error;
      }
    },
  };
};

export default createProfilesService;
