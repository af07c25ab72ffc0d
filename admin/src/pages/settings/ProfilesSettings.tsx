import { Page } from '@strapi/strapi/admin';
import { Route, Routes } from 'react-router-dom';
import { PERMISSIONS } from '../../constants';
import { ProfileEditPage } from './ProfileEditPage';
import { ProfilesListPage } from './ProfilesListPage';

/** Settings → Backup → Profiles, for whoever may manage profiles (the server checks the same action). */
const ProfilesSettings = () => (
  <Page.Protect permissions={PERMISSIONS.manageProfiles}>
    <Routes>
      <Route index element={<ProfilesListPage />} />
      <Route path="new" element={<ProfileEditPage />} />
      <Route path=":documentId" element={<ProfileEditPage />} />
      <Route path="*" element={<Page.Error />} />
    </Routes>
  </Page.Protect>
);

export default ProfilesSettings;
