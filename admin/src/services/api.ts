/**
 * The plugin's REST API as RTK Query endpoints on the admin's own store (as Strapi's plugins do),
 * so every read is cached under a tag and every command refreshes exactly what it changed.
 */
import { adminApi } from '@strapi/strapi/admin';
import { watchJob } from '../jobs/watcher';
import { PLUGIN_ID } from '../pluginId';
import type {
  Activity,
  BackupRecord,
  Pagination,
  Profile,
  ProfileInput,
  RecordsQuery,
  RestoreRequest,
  RunResult,
  SchedulePreview,
  StorageReport,
  Summary,
  VerifyResult,
} from '../types';

const TAGS = { record: 'BackupRecord', profile: 'BackupProfile', summary: 'BackupSummary', storage: 'BackupStorage' } as const;
const LIST = 'LIST';
const url = (path: string) => `/${PLUGIN_ID}${path}`;

/** Anything that changes a record changes the list, its detail, the summary and the disk use. */
const recordTags = (documentId?: string) => [
  { type: TAGS.record, id: LIST },
  ...(documentId ? [{ type: TAGS.record, id: documentId }] : []),
  TAGS.summary,
  TAGS.storage,
];

/** A job this admin starts is followed until it ends, wherever the admin goes (jobs/watcher.ts). */
const followJob = async (_arg: unknown, { queryFulfilled }: { queryFulfilled: Promise<{ data: RunResult }> }) => {
  try {
    const { data } = await queryFulfilled;
    if (data.data.status !== 'cancelled') watchJob(data.data.documentId);
  } catch {
    // Refused (409, 400): nothing started.
  }
};

const backupApi = adminApi.enhanceEndpoints({ addTagTypes: Object.values(TAGS) }).injectEndpoints({
  endpoints: (build) => ({
    getRecords: build.query<{ data: BackupRecord[]; meta: { pagination: Pagination } }, RecordsQuery>({
      query: (params) => ({ url: url('/records'), method: 'GET', config: { params } }),
      providesTags: [{ type: TAGS.record, id: LIST }],
    }),
    getRecord: build.query<BackupRecord, string>({
      query: (documentId) => url(`/records/${documentId}`),
      transformResponse: (response: { data: BackupRecord }) => response.data,
      providesTags: (_result, _error, documentId) => [{ type: TAGS.record, id: documentId }],
    }),
    getSummary: build.query<Summary, void>({
      query: () => url('/summary'),
      transformResponse: (response: { data: Summary }) => response.data,
      providesTags: [TAGS.summary],
    }),
    /** Disk use per profile and in all, free space, orphan and missing archives. */
    getStorage: build.query<StorageReport, void>({
      query: () => url('/storage'),
      transformResponse: (response: { data: StorageReport }) => response.data,
      providesTags: [TAGS.storage],
    }),
    /** Any signed-in admin may read it: the Content Manager warning for every editor. */
    getActivity: build.query<Activity, void>({
      query: () => url('/activity'),
      transformResponse: (response: { data: Activity }) => response.data,
      providesTags: [TAGS.summary],
    }),
    runBackup: build.mutation<RunResult, { profile?: string }>({
      query: (body) => ({ url: url('/runs'), method: 'POST', data: { ...body, kind: 'backup' } }),
      invalidatesTags: recordTags(),
      onQueryStarted: followJob,
    }),
    /** Queues a restore of a completed backup's archive: the same answer as a run (202, or 409 restore-pending). */
    restoreRecord: build.mutation<RunResult, RestoreRequest>({
      query: ({ documentId, ...body }) => ({ url: url(`/records/${documentId}/restore`), method: 'POST', data: body }),
      invalidatesTags: recordTags(),
      onQueryStarted: followJob,
    }),
    cancelRecord: build.mutation<BackupRecord, string>({
      query: (documentId) => ({ url: url(`/records/${documentId}/cancel`), method: 'POST' }),
      transformResponse: (response: { data: BackupRecord }) => response.data,
      invalidatesTags: (_result, _error, documentId) => recordTags(documentId),
    }),
    deleteRecord: build.mutation<BackupRecord, string>({
      query: (documentId) => ({ url: url(`/records/${documentId}`), method: 'DELETE' }),
      invalidatesTags: (_result, _error, documentId) => recordTags(documentId),
    }),
    /** Exempts a backup from retention, or gives it back to it. */
    keepRecord: build.mutation<BackupRecord, { documentId: string; keep: boolean }>({
      query: ({ documentId, keep }) => ({ url: url(`/records/${documentId}/keep`), method: 'PUT', data: { keep } }),
      transformResponse: (response: { data: BackupRecord }) => response.data,
      invalidatesTags: (_result, _error, { documentId }) => recordTags(documentId),
    }),
    verifyRecord: build.mutation<VerifyResult, string>({
      query: (documentId) => ({ url: url(`/records/${documentId}/verify`), method: 'POST' }),
      transformResponse: (response: { data: VerifyResult }) => response.data,
    }),
    getProfiles: build.query<Profile[], void>({
      query: () => url('/profiles'),
      transformResponse: (response: { data: Profile[] }) => response.data,
      providesTags: [{ type: TAGS.profile, id: LIST }],
    }),
    /** What the server configuration decides for every profile (shown read-only in the editor). */
    getProfileSettings: build.query<{ includeEnv: boolean }, void>({
      query: () => url('/profiles'),
      transformResponse: (response: { meta: { includeEnv: boolean } }) => response.meta,
    }),
    createProfile: build.mutation<Profile, ProfileInput>({
      query: (data) => ({ url: url('/profiles'), method: 'POST', data }),
      transformResponse: (response: { data: Profile }) => response.data,
      invalidatesTags: [{ type: TAGS.profile, id: LIST }],
    }),
    updateProfile: build.mutation<Profile, { documentId: string; data: ProfileInput }>({
      query: ({ documentId, data }) => ({ url: url(`/profiles/${documentId}`), method: 'PUT', data }),
      transformResponse: (response: { data: Profile }) => response.data,
      // Stricter retention removes archives at once.
      invalidatesTags: [{ type: TAGS.profile, id: LIST }, ...recordTags()],
    }),
    deleteProfile: build.mutation<Profile, string>({
      query: (documentId) => ({ url: url(`/profiles/${documentId}`), method: 'DELETE' }),
      invalidatesTags: [{ type: TAGS.profile, id: LIST }],
    }),
    getSchedulePreview: build.query<SchedulePreview, { schedule: string; timezone?: string }>({
      query: (params) => ({ url: url('/schedule-preview'), method: 'GET', config: { params } }),
      transformResponse: (response: { data: SchedulePreview }) => response.data,
    }),
  }),
  overrideExisting: true,
});

export const {
  useGetRecordsQuery,
  useGetRecordQuery,
  useGetSummaryQuery,
  useGetStorageQuery,
  useGetActivityQuery,
  useRunBackupMutation,
  useRestoreRecordMutation,
  useCancelRecordMutation,
  useDeleteRecordMutation,
  useKeepRecordMutation,
  useVerifyRecordMutation,
  useGetProfilesQuery,
  useGetProfileSettingsQuery,
  useCreateProfileMutation,
  useUpdateProfileMutation,
  useDeleteProfileMutation,
  useGetSchedulePreviewQuery,
} = backupApi;
