/** A record's actions, as icon buttons (table rows) or labelled buttons (detail page). */
import * as React from 'react';
import { Button, Dialog, Flex, IconButton } from '@strapi/design-system';
import { ConfirmDialog } from '@strapi/strapi/admin';
import type { RecordAction } from '../hooks/useRecordActions';

/** Wraps an action's button in a confirmation dialog when it asks for one. */
const Confirmable = ({ action, children }: { action: RecordAction; children: React.ReactElement }) => {
  if (!action.confirm) return React.cloneElement(children, { onClick: action.onClick });
  return (
    <Dialog.Root>
      <Dialog.Trigger>{children}</Dialog.Trigger>
      <ConfirmDialog onConfirm={action.onClick} variant={action.danger ? 'danger-light' : 'secondary'}>
        {action.confirm}
      </ConfirmDialog>
    </Dialog.Root>
  );
};

/** `size` XS: beside a status badge, where a full-size button would widen the table. */
export const RecordActionIcons = ({ actions, size = 'S' }: { actions: RecordAction[]; size?: 'XS' | 'S' }) => (
  // The row itself navigates to the detail; a click on an action must not.
  <Flex gap={1} onClick={(e: React.MouseEvent) => e.stopPropagation()}>
    {actions.map((action) => (
      <Confirmable key={action.id} action={action}>
        <IconButton
          label={action.label}
          size={size}
          variant={action.pressed ? 'secondary' : 'ghost'}
          aria-pressed={action.pressed}
          disabled={action.disabled}
          withTooltip
        >
          {action.icon}
        </IconButton>
      </Confirmable>
    ))}
  </Flex>
);

export const RecordActionButtons = ({ actions }: { actions: RecordAction[] }) => (
  <Flex gap={2} wrap="wrap">
    {actions.map((action) => (
      <Confirmable key={action.id} action={action}>
        <Button variant={action.danger ? 'danger-light' : 'secondary'} aria-pressed={action.pressed} startIcon={action.icon} disabled={action.disabled}>
          {action.label}
        </Button>
      </Confirmable>
    ))}
  </Flex>
);
