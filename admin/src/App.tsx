import { useMemo } from 'react';
import { BrowserRouter, Outlet, Route, Routes } from 'react-router';
import { App as AntdApp, ConfigProvider } from 'antd';
import enUS from 'antd/es/locale/en_US';
import zhCN from 'antd/es/locale/zh_CN';
import dayjs from 'dayjs';
import 'dayjs/locale/zh-cn';
import { useTranslation } from 'react-i18next';
import { Authenticated, Refine } from '@refinedev/core';
import {
  ErrorComponent,
  RefineThemes,
  ThemedLayout,
  ThemedSider,
  useNotificationProvider,
} from '@refinedev/antd';
import routerProvider, {
  CatchAllNavigate,
  DocumentTitleHandler,
  NavigateToResource,
  UnsavedChangesNotifier,
} from '@refinedev/react-router';
import '@refinedev/antd/dist/reset.css';

import { Header } from './components/header';
import { Logo } from './components/logo';
import { createI18nProvider } from './i18n';
import { createAuthProvider, LOGIN_PATH } from './providers/auth-provider';
import { createDataProvider } from './providers/data-provider';
import { createStoryDataProvider } from './providers/story-data-provider';
import { createNanobananaDataProvider } from './providers/nanobanana-data-provider';
import { createAnimeDataProvider } from './providers/anime-data-provider';
import { animeRoutes } from './pages/anime';
import { nanobananaRoutes } from './pages/nanobanana';
import { storyResourceApis } from './story-resources';
import { storyRoutes } from './pages/story';
import { resourceApis, resources } from './resources';
import { LoginPage } from './pages/login';
import { lazyPage, PageSuspense } from './lazy-page';

// Pages load on first use (route-level code splitting); the login page is part of the first load.
const DashboardPage = lazyPage(() => import('./pages/dashboard'), 'DashboardPage');
const JimengAccountList = lazyPage(() => import('./pages/jimeng-accounts/list'), 'JimengAccountList');
const JimengAccountCreate = lazyPage(() => import('./pages/jimeng-accounts/create'), 'JimengAccountCreate');
const JimengAccountEdit = lazyPage(() => import('./pages/jimeng-accounts/edit'), 'JimengAccountEdit');
const JimengBatchList = lazyPage(() => import('./pages/jimeng-batches/list'), 'JimengBatchList');
const JimengBatchShow = lazyPage(() => import('./pages/jimeng-batches/show'), 'JimengBatchShow');
const JimengRecordList = lazyPage(() => import('./pages/jimeng-records/list'), 'JimengRecordList');
const JimengRecordShow = lazyPage(() => import('./pages/jimeng-records/show'), 'JimengRecordShow');
const TracePage = lazyPage(() => import('./pages/trace'), 'TracePage');

/** The router basename follows Vite's `base` (/admin/), where the server mounts the admin. */
const BASENAME = import.meta.env.BASE_URL.replace(/\/$/, '');

function SiderWithoutLogout(props: React.ComponentProps<typeof ThemedSider>) {
  // Logout lives in the header's user menu; one place is enough.
  return <ThemedSider {...props} render={({ items }) => items} />;
}

export function App() {
  const { i18n } = useTranslation();
  const language = i18n.resolvedLanguage ?? i18n.language;
  // A new provider per language makes every `useTranslate` consumer re-render on a switch.
  const i18nProvider = useMemo(() => createI18nProvider(i18n), [i18n, language]);
  const authProvider = useMemo(() => createAuthProvider(), []);
  const dataProvider = useMemo(() => createDataProvider(resourceApis), []);
  const storyDataProvider = useMemo(() => createStoryDataProvider(storyResourceApis), []);
  const nanobananaDataProvider = useMemo(() => createNanobananaDataProvider(), []);
  const animeDataProvider = useMemo(() => createAnimeDataProvider(), []);
  const zh = language.startsWith('zh');
  dayjs.locale(zh ? 'zh-cn' : 'en');

  return (
    <BrowserRouter basename={BASENAME}>
      <ConfigProvider theme={RefineThemes.Purple} locale={zh ? zhCN : enUS}>
        <AntdApp>
          <Refine
            routerProvider={routerProvider}
            dataProvider={{
              default: dataProvider,
              story: storyDataProvider,
              nanobanana: nanobananaDataProvider,
              anime: animeDataProvider,
            }}
            authProvider={authProvider}
            i18nProvider={i18nProvider}
            notificationProvider={useNotificationProvider}
            resources={[...resources]}
            options={{
              syncWithLocation: true,
              warnWhenUnsavedChanges: true,
              disableTelemetry: true,
              title: { text: 'Dreamloom', icon: <Logo /> },
            }}
          >
            <Routes>
              <Route
                element={
                  <Authenticated key="authenticated-routes" fallback={<CatchAllNavigate to={LOGIN_PATH} />}>
                    <ThemedLayout Header={Header} Sider={SiderWithoutLogout}>
                      <PageSuspense>
                        <Outlet />
                      </PageSuspense>
                    </ThemedLayout>
                  </Authenticated>
                }
              >
                <Route index element={<DashboardPage />} />
                <Route path="/jimeng-accounts">
                  <Route index element={<JimengAccountList />} />
                  <Route path="create" element={<JimengAccountCreate />} />
                  <Route path="edit/:id" element={<JimengAccountEdit />} />
                </Route>
                <Route path="/jimeng-batches">
                  <Route index element={<JimengBatchList />} />
                  <Route path="show/:id" element={<JimengBatchShow />} />
                </Route>
                {storyRoutes()}
                {nanobananaRoutes()}
                {animeRoutes()}
                <Route path="/jimeng-records">
                  <Route index element={<JimengRecordList />} />
                  <Route path="show/:id" element={<JimengRecordShow />} />
                </Route>
                <Route path="/trace" element={<TracePage />} />
              </Route>

              <Route
                element={
                  <Authenticated key="auth-pages" fallback={<Outlet />}>
                    <NavigateToResource resource="jimeng_accounts" />
                  </Authenticated>
                }
              >
                <Route path={LOGIN_PATH} element={<LoginPage />} />
              </Route>

              <Route
                element={
                  <Authenticated key="catch-all">
                    <ThemedLayout Header={Header} Sider={SiderWithoutLogout}>
                      <Outlet />
                    </ThemedLayout>
                  </Authenticated>
                }
              >
                <Route path="*" element={<ErrorComponent />} />
              </Route>
            </Routes>
            <UnsavedChangesNotifier />
            <DocumentTitleHandler
              // It re-titles on navigation only; remounting on a language switch re-titles then too.
              key={language}
              handler={({ resource, action }) => {
                const page = resource
                  ? i18nProvider.translate(`${resource.name}.titles.${action ?? 'list'}`, resource.name)
                  : i18nProvider.translate('pages.login.signin', 'Sign in');
                return i18nProvider.translate('app.documentTitle', { page });
              }}
            />
          </Refine>
        </AntdApp>
      </ConfigProvider>
    </BrowserRouter>
  );
}
