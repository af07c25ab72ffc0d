import { Th, Thead, Tr, Typography } from '@strapi/design-system';
import { useT } from '../utils/translate';

/** A table's header row from [translation key, English] pairs, as every list of the plugin has one. */
export const ColumnHeads = ({ columns }: { columns: Array<[string, string]> }) => {
  const t = useT();
  return (
    <Thead>
      <Tr>
        {columns.map(([key, label]) => (
          <Th key={key}>
            <Typography variant="sigma">{t(key, label)}</Typography>
          </Th>
        ))}
      </Tr>
    </Thead>
  );
};
