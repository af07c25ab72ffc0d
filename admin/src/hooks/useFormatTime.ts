import { useIntl } from 'react-intl';

const SHORT: Intl.DateTimeFormatOptions = { day: '2-digit', month: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };
const FULL: Intl.DateTimeFormatOptions = { dateStyle: 'medium', timeStyle: 'medium' };

/** Short dates let eleven columns fit a laptop screen; the detail page spells them out. */
export const useFormatTime = (format: 'short' | 'full' = 'short') => {
  const { formatDate } = useIntl();
  return (iso: string | null) => (iso ? formatDate(iso, format === 'short' ? SHORT : FULL) : '-');
};
