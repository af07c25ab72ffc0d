import * as React from 'react';

const isVisible = () => typeof document === 'undefined' || document.visibilityState !== 'hidden';

/** Whether the tab is visible, kept up to date; polling pauses in a hidden tab. */
export const usePageVisible = () => {
  const [visible, setVisible] = React.useState(isVisible);
  React.useEffect(() => {
    const onChange = () => setVisible(isVisible());
    document.addEventListener('visibilitychange', onChange);
    return () => document.removeEventListener('visibilitychange', onChange);
  }, []);
  return visible;
};

/** An RTK Query pollingInterval: `ms` while `active` and the tab is visible, else 0 (no polling). */
export const usePollingInterval = (active: boolean, ms: number) => {
  const visible = usePageVisible();
  return active && visible ? ms : 0;
};
