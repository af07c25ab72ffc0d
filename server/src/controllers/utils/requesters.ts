/**
 * Records keep the id of the admin who asked (requestedBy); the admin panel shows a name. One
 * query per response, for the few distinct ids of a page, and only the fields a name needs.
 */
import type { Core } from '@strapi/strapi';
import { UID } from '../../../../shared/constants';
import type { BackupRecord } from '../../../../shared/contracts';

interface AdminUserName {
  id: number;
  firstname: string | null;
  lastname: string | null;
  username: string | null;
  email: string;
}

const displayName = (user: AdminUserName): string => user.username || [user.firstname, user.lastname].filter(Boolean).join(' ') || user.email;

export type WithRequester<T> = T & { requester: { id: number; name: string } | null };

export const withRequesters = async <T extends BackupRecord>(strapi: Core.Strapi, records: T[]): Promise<WithRequester<T>[]> => {
  const ids = [...new Set(records.map((r) => r.requestedBy).filter((id): id is number => typeof id === 'number'))];
  const users: AdminUserName[] = ids.length
    ? await strapi.db.query(UID.adminUser).findMany({ where: { id: { $in: ids } }, select: ['id', 'firstname', 'lastname', 'username', 'email'] })
    : [];
  const names = new Map(users.map((user) => [user.id, displayName(user)]));
  return records.map((record) => {
    const name = record.requestedBy === null ? undefined : names.get(record.requestedBy);
    // A deleted admin keeps its id on old records; the panel shows the id then.
    return { ...record, requester: record.requestedBy === null ? null : { id: record.requestedBy, name: name ?? `#${record.requestedBy}` } };
  });
};
