import * as React from 'react';
import { Box, Flex, Typography } from '@strapi/design-system';
import { CheckCircle, WarningCircle } from '@strapi/icons';

type Variant = 'warning' | 'success' | 'danger';

/**
 * A message that stays while its condition holds. The design system's Alert always draws a close
 * button, which would do nothing here (a running backup cannot be dismissed).
 */
export const Notice = ({ variant, title, children }: { variant: Variant; title?: string; children?: React.ReactNode }) => {
  const Icon = variant === 'success' ? CheckCircle : WarningCircle;
  return (
    <Box
      background={`${variant}100`}
      borderColor={`${variant}200`}
      borderStyle="solid"
      borderWidth="1px"
      hasRadius
      padding={4}
      width="100%"
      role={variant === 'danger' ? 'alert' : 'status'}
    >
      <Flex gap={3} alignItems="flex-start">
        <Icon width="2rem" height="2rem" fill={`${variant}600`} aria-hidden style={{ flexShrink: 0 }} />
        <Flex direction="column" alignItems="flex-start" gap={1}>
          {title && (
            <Typography fontWeight="bold" textColor="neutral800">
              {title}
            </Typography>
          )}
          {/* Text in the notice's type; anything richer (a list) brings its own. */}
          {typeof children === 'string' ? <Typography textColor="neutral800">{children}</Typography> : children}
        </Flex>
      </Flex>
    </Box>
  );
};
