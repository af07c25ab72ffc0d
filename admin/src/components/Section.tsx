import * as React from 'react';
import { Box, Flex, Grid, Typography } from '@strapi/design-system';

/** A white card with a title, as Strapi's settings and detail pages group their content. */
export const Section = ({ title, children }: { title: string; children: React.ReactNode }) => (
  <Box background="neutral0" hasRadius shadow="tableShadow" padding={6}>
    <Flex direction="column" alignItems="stretch" gap={4}>
      <Typography variant="delta" tag="h2">
        {title}
      </Typography>
      {children}
    </Flex>
  </Box>
);

/** Label / value pairs in three columns, or a whole row for a `wide` one (a hash); long values wrap anywhere. */
export const Facts = ({ items }: { items: Array<[string, React.ReactNode, 'wide'?]> }) => (
  <Grid.Root gap={4} gridCols={12}>
    {items.map(([label, value, wide]) => (
      <Grid.Item key={label} col={wide ? 12 : 4} s={12} direction="column" alignItems="flex-start" gap={1}>
        <Typography variant="sigma" textColor="neutral600">
          {label}
        </Typography>
        <Typography textColor="neutral800" style={{ overflowWrap: 'anywhere' }}>
          {value ?? '-'}
        </Typography>
      </Grid.Item>
    ))}
  </Grid.Root>
);
