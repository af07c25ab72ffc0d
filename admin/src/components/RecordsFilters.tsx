/** Status, profile and kind filters of the Backups page, kept in the URL (shareable, survives reload). */
import { Flex, SingleSelect, SingleSelectOption } from '@strapi/design-system';
import { RECORD_KINDS, RECORD_STATUSES } from '../constants';
import type { Profile, RecordsQuery } from '../types';
import { useT } from '../utils/translate';

type FilterKey = 'status' | 'profile' | 'kind';
/** The select value meaning "no filter" (a select cannot hold an empty value). */
const ALL = 'all';

interface RecordsFiltersProps {
  query: RecordsQuery;
  profiles: Profile[];
  onChange: (key: FilterKey, value: string | undefined) => void;
}

export const RecordsFilters = ({ query, profiles, onChange }: RecordsFiltersProps) => {
  const t = useT();
  const filters: Array<{ key: FilterKey; label: string; options: Array<[string, string]> }> = [
    { key: 'status', label: t('filters.status', 'Status'), options: RECORD_STATUSES.map((s) => [s, t(`status.${s}`, s)]) },
    { key: 'profile', label: t('filters.profile', 'Profile'), options: profiles.map((p) => [p.documentId, p.name]) },
    { key: 'kind', label: t('filters.kind', 'Kind'), options: RECORD_KINDS.map((k) => [k, t(`kind.${k}`, k)]) },
  ];
  return (
    <Flex gap={2} wrap="wrap">
      {filters.map(({ key, label, options }) => (
        <SingleSelect
          key={key}
          aria-label={label}
          size="S"
          value={query[key] ?? ALL}
          onChange={(value) => onChange(key, value === ALL ? undefined : String(value))}
        >
          <SingleSelectOption value={ALL}>{t(`filters.${key}.all`, `Every ${key}`)}</SingleSelectOption>
          {options.map(([value, text]) => (
            <SingleSelectOption key={value} value={value}>
              {text}
            </SingleSelectOption>
          ))}
        </SingleSelect>
      ))}
    </Flex>
  );
};
