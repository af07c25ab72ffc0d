/** Create or edit one profile; the server validates again and its field errors land on the fields. */
import * as React from 'react';
import { Button } from '@strapi/design-system';
import { Check } from '@strapi/icons';
import { BackButton, Layouts, Page, useNotification } from '@strapi/strapi/admin';
import { useNavigate, useParams } from 'react-router-dom';
import { emptyForm, fieldErrors, toForm, toInput, type ProfileForm } from '../../components/profile/form';
import { ProfileFields } from '../../components/profile/ProfileFields';
import { RestartRequiredBanner } from '../../components/RestartRequiredBanner';
import { useCreateProfileMutation, useGetProfilesQuery, useUpdateProfileMutation } from '../../services/api';
import type { ApiError, Profile } from '../../types';
import { useT } from '../../utils/translate';

const ProfileEditor = ({ profile }: { profile?: Profile }) => {
  const t = useT();
  const navigate = useNavigate();
  const { toggleNotification } = useNotification();
  const [form, setForm] = React.useState<ProfileForm>(() => (profile ? toForm(profile) : emptyForm()));
  const [errors, setErrors] = React.useState<Record<string, string>>({});
  const [create, created] = useCreateProfileMutation();
  const [update, updated] = useUpdateProfileMutation();

  const onChange = <K extends keyof ProfileForm>(key: K, value: ProfileForm[K]) => {
    setForm((previous) => ({ ...previous, [key]: value }));
    setErrors(({ [key]: _fixed, ...rest }) => rest);
  };

  const onSubmit = async (event: React.FormEvent) => {
    event.preventDefault();
    const body = toInput(form);
    if ('errors' in body) return setErrors(body.errors);
    const answer = profile ? await update({ documentId: profile.documentId, data: body.input }) : await create(body.input);
    if ('error' in answer && answer.error) {
      const error = answer.error as ApiError;
      setErrors(fieldErrors(error.details));
      toggleNotification({ type: 'danger', message: error.message ?? t('error.unknown', 'Something went wrong.') });
      return;
    }
    toggleNotification({ type: 'success', message: t('profiles.saved', 'Profile saved') });
    if (!profile) navigate('..', { relative: 'path' });
  };

  const title = profile ? profile.name : t('profiles.new', 'New profile');
  return (
    <Page.Main>
      <Page.Title>{title}</Page.Title>
      <form onSubmit={onSubmit} noValidate>
        <Layouts.Header
          navigationAction={<BackButton fallback=".." />}
          title={title}
          subtitle={t('profiles.edit.subtitle', 'Changes apply to the next backup; a schedule change applies at once, without a restart.')}
          primaryAction={
            <Button type="submit" startIcon={<Check />} loading={created.isLoading || updated.isLoading}>
              {t('actions.save', 'Save')}
            </Button>
          }
        />
        <Layouts.Content>
          <RestartRequiredBanner spaced />
          <ProfileFields form={form} errors={errors} onChange={onChange} wasDefault={Boolean(profile?.isDefault)} documentId={profile?.documentId} />
        </Layouts.Content>
      </form>
    </Page.Main>
  );
};

export const ProfileEditPage = () => {
  const { documentId } = useParams<{ documentId: string }>();
  const profiles = useGetProfilesQuery();
  if (documentId === undefined) return <ProfileEditor />;
  if (profiles.isLoading) return <Page.Loading />;
  const profile = profiles.data?.find((p) => p.documentId === documentId);
  if (profiles.isError || !profile) return <Page.Error />;
  return <ProfileEditor key={profile.documentId} profile={profile} />;
};
