import { Page } from '@strapi/strapi/admin';
import { Route, Routes } from 'react-router-dom';
import { RestoreDialogProvider } from '../components/restore/RestoreDialog';
import { PERMISSIONS } from '../constants';
import { RecordDetailPage } from './RecordDetailPage';
import { RecordsPage } from './RecordsPage';

const App = () => (
  <Page.Protect permissions={PERMISSIONS.read}>
    <RestoreDialogProvider>
      <Routes>
        <Route index element={<RecordsPage />} />
        <Route path="records/:documentId" element={<RecordDetailPage />} />
        <Route path="*" element={<Page.Error />} />
      </Routes>
    </RestoreDialogProvider>
  </Page.Protect>
);

export default App;
