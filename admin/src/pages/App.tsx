import { Page } from '@strapi/strapi/admin';
import { Routes, Route } from 'react-router-dom';
import { RecordsPage } from './RecordsPage';

const App = () => (
  <Page.Protect permissions={[{ action: 'plugin::backup.read', subject: null }]}>
    <Routes>
      <Route index element={<RecordsPage />} />
      <Route path="*" element={<Page.Error />} />
    </Routes>
  </Page.Protect>
);

export default App;
