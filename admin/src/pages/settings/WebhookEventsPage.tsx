/**
 * Settings → Backup → Webhook events. Strapi 5.54's own webhook form draws a fixed list of its
 * built-in events, so the plugin's events (registered with Strapi's webhook store, delivered by
 * Strapi's webhook runner) cannot be ticked there. This page ticks them on the same webhooks,
 * through the admin's own webhook API (which checks `admin::webhooks.*` itself); the webhook's
 * other events are kept as they are.
 */
import { Box, Button, Checkbox, EmptyStateLayout, Flex, Grid, LinkButton, Typography } from '@strapi/design-system';
import { Check } from '@strapi/icons';
import { EmptyDocuments } from '@strapi/icons/symbols';
import { Layouts, Page, useFetchClient, useNotification } from '@strapi/strapi/admin';
import { useCallback, useEffect, useState } from 'react';
import { Link } from 'react-router-dom';
import { RestartRequiredBanner } from '../../components/RestartRequiredBanner';
import { WEBHOOK_EVENTS } from '../../../../shared/constants';
import { useT } from '../../utils/translate';
import { PageHeader } from '../../components/PageHeader';

interface Webhook {
  id: string | number;
  name: string;
  url: string;
  headers: Record<string, string>;
  events: string[];
  isEnabled: boolean;
}

const BACKUP_EVENTS: string[] = Object.values(WEBHOOK_EVENTS);

const WebhookCard = ({ webhook, onSaved }: { webhook: Webhook; onSaved: () => void }) => {
  const t = useT();
  const { put } = useFetchClient();
  const { toggleNotification } = useNotification();
  const initial = webhook.events.filter((event) => BACKUP_EVENTS.includes(event));
  const [chosen, setChosen] = useState<string[]>(initial);
  const [saving, setSaving] = useState(false);
  const changed = chosen.length !== initial.length || chosen.some((event) => !initial.includes(event));

  const toggle = (event: string, on: boolean) => setChosen((current) => (on ? [...current, event] : current.filter((e) => e !== event)));

  const save = async () => {
    setSaving(true);
    try {
      const others = webhook.events.filter((event) => !BACKUP_EVENTS.includes(event));
      const { name, url, headers, isEnabled } = webhook;
      await put(`/admin/webhooks/${webhook.id}`, { name, url, headers, isEnabled, events: [...others, ...chosen] });
      toggleNotification({ type: 'success', message: t('webhooks.saved', 'Webhook events saved') });
      onSaved();
    } catch (error) {
      toggleNotification({ type: 'danger', message: (error as Error).message });
    } finally {
      setSaving(false);
    }
  };

  return (
    <Box background="neutral0" hasRadius shadow="tableShadow" padding={6}>
      <Flex justifyContent="space-between" alignItems="flex-start" gap={4}>
        <Flex direction="column" alignItems="flex-start" gap={1}>
          <Typography variant="delta" tag="h2">
            {webhook.name}
          </Typography>
          <Typography variant="pi" textColor="neutral600">
            {webhook.url}
          </Typography>
        </Flex>
        <Button onClick={save} disabled={!changed} loading={saving} startIcon={<Check />}>
          {t('webhooks.save', 'Save')}
        </Button>
      </Flex>
      <Grid.Root gap={2} paddingTop={4}>
        {BACKUP_EVENTS.map((event) => (
          <Grid.Item key={event} col={4} s={6} xs={12}>
            <Checkbox checked={chosen.includes(event)} onCheckedChange={(on: boolean | 'indeterminate') => toggle(event, on === true)}>
              {event}
            </Checkbox>
          </Grid.Item>
        ))}
      </Grid.Root>
    </Box>
  );
};

export const WebhookEventsPage = () => {
  const t = useT();
  const { get } = useFetchClient();
  const [webhooks, setWebhooks] = useState<Webhook[] | null>(null);
  const [failed, setFailed] = useState(false);
  const load = useCallback(() => {
    get<{ data: Webhook[] }>('/admin/webhooks')
      .then(({ data }) => setWebhooks(data.data))
      .catch(() => setFailed(true));
  }, [get]);
  useEffect(load, [load]);

  const title = t('webhooks.title', 'Webhook events');
  if (failed) return <Page.Error />;
  if (!webhooks) return <Page.Loading />;
  return (
    <Page.Main>
      <PageHeader
        title={title}
        subtitle={t('webhooks.subtitle', 'Choose which backup and restore events each webhook receives. Settings → Webhooks lists only Strapi’s own events.')}
      />
      <Layouts.Content>
        <RestartRequiredBanner spaced />
        {webhooks.length === 0 ? (
          <EmptyStateLayout
            icon={<EmptyDocuments width="16rem" />}
            content={t('webhooks.empty', 'No webhook yet. Create one in Settings → Webhooks, then choose its backup events here.')}
            action={
              <LinkButton tag={Link} to="/settings/webhooks/create" variant="secondary">
                {t('webhooks.create', 'Create a webhook')}
              </LinkButton>
            }
          />
        ) : (
          <Flex direction="column" alignItems="stretch" gap={4}>
            {/* Keyed by its events too: a saved webhook comes back as a fresh card, its ticks from the server. */}
            {webhooks.map((webhook) => (
              <WebhookCard key={`${webhook.id}:${webhook.events.join(',')}`} webhook={webhook} onSaved={load} />
            ))}
          </Flex>
        )}
      </Layouts.Content>
    </Page.Main>
  );
};

export default WebhookEventsPage;
