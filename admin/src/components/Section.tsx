import * as React from 'react';
import { Box, Flex, Grid, Typography } from '@strapi/design-system';

/** How a card's title and a fact's label sit above what they name. */
const HEADINGS = {
  section: { typography: { variant: 'delta', tag: 'h2' }, flex: { alignItems: 'stretch', gap: 4 } },
  label: { typography: { variant: 'sigma', textColor: 'neutral600' }, flex: { alignItems: 'flex-start', gap: 1 } },
} as const;

const Headed = ({ title, kind, children }: { title: string; kind: keyof typeof HEADINGS; children: React.ReactNode }) => (
  <Flex direction="column" {...HEADINGS[kind].flex}>
    <Typography {...HEADINGS[kind].typography}>{title}</Typography>
    {children}
  </Flex>
);

/** A white card with a title, as Strapi's settings and detail pages group their content. */
export const Section = ({ title, children }: { title: string; children: React.ReactNode }) => (
  <Box background="neutral0" hasRadius shadow="tableShadow" padding={6}>
    <Headed title={title} kind="section">
      {children}
    </Headed>
  </Box>
);

/** A small grey label above what it names. */
export const Labelled = ({ label, children }: { label: string; children: React.ReactNode }) => (
  <Headed title={label} kind="label">
    {children}
  </Headed>
);

/** Label / value pairs in three columns, or a whole row for a `wide` one (a hash); long values wrap anywhere. */
export const Facts = ({ items }: { items: Array<[string, React.ReactNode, 'wide'?]> }) => (
  <Grid.Root gap={4} gridCols={12}>
    {items.map(([label, value, wide]) => (
      <Grid.Item key={label} col={wide ? 12 : 4} s={12} direction="column" alignItems="stretch">
        <Labelled label={label}>
          <Typography textColor="neutral800" style={{ overflowWrap: 'anywhere' }}>
            {value ?? '-'}
          </Typography>
        </Labelled>
      </Grid.Item>
    ))}
  </Grid.Root>
);
