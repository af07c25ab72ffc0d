import { Badge } from '@strapi/design-system';
import { useIntl } from 'react-intl';
import { PLUGIN_ID } from '../pluginId';

type Status = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';

/** The one mapping from a record status to its badge colours. */
export const getBadgeProps = (status: Status) => {
  switch (status) {
    case 'queued':
      return { backgroundColor: 'warning100', textColor: 'warning700' };
    case 'running':
      return { backgroundColor: 'primary100', textColor: 'primary700' };
    case 'completed':
      return { backgroundColor: 'success100', textColor: 'success700' };
    case 'failed':
      return { backgroundColor: 'danger100', textColor: 'danger700' };
    default:
      return { backgroundColor: 'neutral150', textColor: 'neutral700' };
  }
};

export const StatusBadge = ({ status, percent }: { status: Status; percent?: number }) => {
  const { formatMessage } = useIntl();
  const label = formatMessage({ id: `${PLUGIN_ID}.status.${status}`, defaultMessage: status });
  return <Badge {...getBadgeProps(status)}>{status === 'running' && percent !== undefined ? `${label} ${percent}%` : label}</Badge>;
};
