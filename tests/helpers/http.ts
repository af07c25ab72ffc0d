/**
 * A test app that answers HTTP: booted like the other integration apps, listening on a free
 * port of 127.0.0.1, with its first super admin registered. Requests are real fetches.
 */
import type { AddressInfo } from 'node:net';
import type { TestDialect } from './databases';
import { createTestApp, type TestApp } from './strapi-app';

export interface HttpResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  /** The raw bytes, for downloads. */
  bytes: Buffer;
}

export interface RequestOptions {
  body?: unknown;
  /** Bearer token; the super admin's JWT by default, `null` for none. */
  token?: string | null;
  /** Give up (reject) after this long: a server being restarted may hold the request. */
  timeoutMs?: number;
}

/** An action name (plugin actions have no subject), or a permission on a content type with its fields. */
export type AdminPermission = string | { action: string; subject: string; properties?: { fields?: string[] } };

export interface HttpApp {
  app: TestApp;
  url: string;
  /** JWT of the first super admin. */
  adminToken: string;
  request<T = any>(method: string, path: string, options?: RequestOptions): Promise<HttpResponse<T>>;
  /** Registers an admin with a role of its own (no permissions unless `permissions` are given); returns its JWT. */
  createAdmin(label: string, permissions?: AdminPermission[]): Promise<string>;
  /** Gives the role `createAdmin(label)` made exactly these permissions (none: an empty list). */
  setRolePermissions(label: string, permissions: AdminPermission[]): Promise<void>;
  /** An API token (content API): full access unless a type (and a custom token's actions) is given. */
  createApiToken(name: string, options?: ApiTokenOptions): Promise<string>;
  destroy(): Promise<void>;
}

export const PASSWORD = 'Backup-test-1234';

export interface ApiTokenOptions {
  type?: 'full-access' | 'read-only' | 'custom';
  /** Content-API actions of a custom token, e.g. `plugin::backup.api.getRecord`. */
  permissions?: string[];
}

/** Admin HTTP calls against any Strapi URL: the in-process test apps and the served ones alike. */
export interface AdminClient {
  request<T = any>(method: string, path: string, options?: RequestOptions): Promise<HttpResponse<T>>;
  /** Registers the first super admin (or logs in with `login`) and uses its JWT from then on. */
  registerFirstAdmin(): Promise<string>;
  login(email: string, password?: string): Promise<string>;
  createAdmin(label: string, permissions?: AdminPermission[]): Promise<string>;
  setRolePermissions(label: string, permissions: AdminPermission[]): Promise<void>;
  createApiToken(name: string, options?: ApiTokenOptions): Promise<string>;
}

export const FIRST_ADMIN = { email: 'admin@example.test', password: PASSWORD, firstname: 'Ada', lastname: 'Admin' };

/** Socket errors of a reused keep-alive connection, after which a GET is sent again once. */
const RESENDABLE = new Set(['ECONNRESET', 'UND_ERR_SOCKET']);

export const adminClient = (url: string): AdminClient => {
  let adminToken = '';
  const request = async <T = any>(method: string, path: string, { body, token = adminToken, timeoutMs }: RequestOptions = {}): Promise<HttpResponse<T>> => {
    const headers: Record<string, string> = {};
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const signal = timeoutMs === undefined ? undefined : AbortSignal.timeout(timeoutMs);
    const send = () => fetch(`${url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
    // A kept-alive socket the server closes as it is reused resets the request (undici's race with
    // Node's keepAliveTimeout), or undici sees it closed first ("other side closed",
    // UND_ERR_SOCKET, seen in the e2e suite); a read is safe to send again on a fresh socket.
    const res = await send().catch((error: Error & { cause?: { code?: string } }) => {
      if (method === 'GET' && RESENDABLE.has(error.cause?.code ?? '')) return send();
      throw error;
    });
    const bytes = Buffer.from(await res.arrayBuffer());
    const type = res.headers.get('content-type') ?? '';
    const parsed = type.includes('json') && bytes.length > 0 ? JSON.parse(bytes.toString('utf8')) : bytes.toString('utf8');
    return { status: res.status, headers: res.headers, body: parsed, bytes };
  };

  const expectOk = <T>(res: HttpResponse<T>, what: string, status: number) => {
    if (res.status !== status) throw new Error(`${what}: expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body as any;
  };

  const setRolePermissions = async (name: string, permissions: AdminPermission[]) => {
    const roles = expectOk(await request('GET', '/admin/roles'), 'list roles', 200).data as { id: number; name: string }[];
    const role = roles.find((r) => r.name === `Role ${name}`);
    if (!role) throw new Error(`no role “Role ${name}”`);
    const body = {
      permissions: permissions.map((p) =>
        typeof p === 'string' ? { action: p, subject: null, conditions: [], properties: {} } : { conditions: [], properties: {}, ...p },
      ),
    };
    expectOk(await request('PUT', `/admin/roles/${role.id}/permissions`, { body }), 'set permissions', 200);
  };

  return {
    request,
    async registerFirstAdmin() {
      const registered = await request('POST', '/admin/register-admin', { token: null, body: FIRST_ADMIN });
      adminToken = expectOk(registered, 'register-admin', 200).data.token;
      return adminToken;
    },
    async login(email, password = PASSWORD) {
      adminToken = expectOk(await request('POST', '/admin/login', { token: null, body: { email, password } }), 'login', 200).data.token;
      return adminToken;
    },
    setRolePermissions,
    async createAdmin(name, permissions = []) {
      const role = expectOk(await request('POST', '/admin/roles', { body: { name: `Role ${name}`, description: 'test' } }), 'create role', 201).data;
      if (permissions.length > 0) await setRolePermissions(name, permissions);
      const email = `${name.toLowerCase().replace(/\W+/g, '-')}@example.test`;
      const user = expectOk(
        await request('POST', '/admin/users', { body: { firstname: name, lastname: 'Test', email, roles: [role.id] } }),
        'create user',
        201,
      ).data;
      const body = { registrationToken: user.registrationToken, userInfo: { firstname: name, lastname: 'Test', password: PASSWORD } };
      return expectOk(await request('POST', '/admin/register', { token: null, body }), 'register', 200).data.token;
    },
    async createApiToken(name, { type = 'full-access', permissions }: ApiTokenOptions = {}) {
      const body = { name, type, lifespan: null, description: '', ...(permissions ? { permissions } : {}) };
      return expectOk(await request('POST', '/admin/api-tokens', { body }), 'create API token', 201).data.accessKey;
    },
  };
};

export const startHttpApp = async (dialect: TestDialect, label: string, env: Record<string, string> = {}): Promise<HttpApp> => {
  const app = await createTestApp(dialect, label);
  Object.assign(app.env, env);
  await app.boot();
  const server = app.strapi.server;
  await new Promise<void>((resolve, reject) => {
    server.httpServer.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.httpServer.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const client = adminClient(url);
  const adminToken = await client.registerFirstAdmin();
  return {
    app,
    url,
    adminToken,
    request: client.request,
    createAdmin: client.createAdmin,
    setRolePermissions: client.setRolePermissions,
    createApiToken: client.createApiToken,
    destroy: () => app.destroy(),
  };
};
