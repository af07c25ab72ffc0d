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

export interface HttpApp {
  app: TestApp;
  url: string;
  /** JWT of the first super admin. */
  adminToken: string;
  request<T = any>(method: string, path: string, options?: RequestOptions): Promise<HttpResponse<T>>;
  /** Registers an admin with a role of its own (no permissions unless `permissions` are given); returns its JWT. */
  createAdmin(label: string, permissions?: string[]): Promise<string>;
  /** A full-access API token (content API). */
  createApiToken(name: string): Promise<string>;
  destroy(): Promise<void>;
}

export const PASSWORD = 'Backup-test-1234';

/** Admin HTTP calls against any Strapi URL: the in-process test apps and the served ones alike. */
export interface AdminClient {
  request<T = any>(method: string, path: string, options?: RequestOptions): Promise<HttpResponse<T>>;
  /** Registers the first super admin (or logs in with `login`) and uses its JWT from then on. */
  registerFirstAdmin(): Promise<string>;
  login(email: string, password?: string): Promise<string>;
  createAdmin(label: string, permissions?: string[]): Promise<string>;
  createApiToken(name: string): Promise<string>;
}

export const FIRST_ADMIN = { email: 'admin@example.test', password: PASSWORD, firstname: 'Ada', lastname: 'Admin' };

export const adminClient = (url: string): AdminClient => {
  let adminToken = '';
  const request = async <T = any>(method: string, path: string, { body, token = adminToken, timeoutMs }: RequestOptions = {}): Promise<HttpResponse<T>> => {
    const headers: Record<string, string> = {};
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const signal = timeoutMs === undefined ? undefined : AbortSignal.timeout(timeoutMs);
    const send = () => fetch(`${url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
    // A kept-alive socket the server closes as it is reused resets the request (undici's race with
    // Node's keepAliveTimeout); a read is safe to send again on a fresh socket.
    const res = await send().catch((error: Error & { cause?: { code?: string } }) => {
      if (method === 'GET' && error.cause?.code === 'ECONNRESET') return send();
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
    async createAdmin(name, permissions = []) {
      const role = expectOk(await request('POST', '/admin/roles', { body: { name: `Role ${name}`, description: 'test' } }), 'create role', 201).data;
      if (permissions.length > 0) {
        const body = { permissions: permissions.map((action) => ({ action, subject: null, conditions: [], properties: {} })) };
        expectOk(await request('PUT', `/admin/roles/${role.id}/permissions`, { body }), 'set permissions', 200);
      }
      const email = `${name.toLowerCase().replace(/\W+/g, '-')}@example.test`;
      const user = expectOk(await request('POST', '/admin/users', { body: { firstname: name, lastname: 'Test', email, roles: [role.id] } }), 'create user', 201).data;
      const body = { registrationToken: user.registrationToken, userInfo: { firstname: name, lastname: 'Test', password: PASSWORD } };
      return expectOk(await request('POST', '/admin/register', { token: null, body }), 'register', 200).data.token;
    },
    async createApiToken(name) {
      const body = { name, type: 'full-access', lifespan: null, description: '' };
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
    createApiToken: client.createApiToken,
    destroy: () => app.destroy(),
  };
};
