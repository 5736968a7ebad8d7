// A small HTTP client with a cookie jar, playing a browser (Origin header, JSON) or a native client.

export interface JsonResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  setCookies: string[];
}

export class TestClient {
  readonly cookies = new Map<string, string>();
  readonly baseUrl: string;
  private readonly defaults: { origin?: string | null; headers?: Record<string, string> };
  constructor(baseUrl: string, defaults: { origin?: string | null; headers?: Record<string, string> } = {}) {
    this.baseUrl = baseUrl;
    this.defaults = defaults;
  }

  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async request<T = any>(method: string, path: string, options: { json?: unknown; body?: string; headers?: Record<string, string> } = {}): Promise<JsonResponse<T>> {
    const headers: Record<string, string> = { ...(this.defaults.headers ?? {}), ...(options.headers ?? {}) };
    const origin = this.defaults.origin === undefined ? new URL(this.baseUrl).origin : this.defaults.origin;
    if (origin && !('origin' in lower(headers))) headers.origin = origin;
    if (this.cookies.size) headers.cookie = this.cookieHeader();
    let body: string | undefined = options.body;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      headers['content-type'] ??= 'application/json';
    }
    const response = await fetch(new URL(path, this.baseUrl), { method, headers, redirect: 'manual', ...(body === undefined ? {} : { body }) });
    const setCookies = response.headers.getSetCookie();
    for (const line of setCookies) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expired = attributes.some((a) => /^\s*max-age=0/i.test(a) || /^\s*expires=Thu, 01 Jan 1970/i.test(a));
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, headers: response.headers, body: parsed as T, setCookies };
  }

  get<T = any>(path: string, headers?: Record<string, string>) {
    return this.request<T>('GET', path, headers ? { headers } : {});
  }
  post<T = any>(path: string, json?: unknown, headers?: Record<string, string>) {
    return this.request<T>('POST', path, { json: json ?? {}, ...(headers ? { headers } : {}) });
  }
  delete<T = any>(path: string, headers?: Record<string, string>) {
    return this.request<T>('DELETE', path, headers ? { headers } : {});
  }
}

function lower(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}

let counter = 0;
/** A unique, valid, not-common email and a strong password for sign-ups. */
export function freshUser(label = 'user'): { email: string; password: string; name: string } {
  counter += 1;
  return { email: `${label}.${process.pid}.${Date.now()}.${counter}@example.test`, password: `correct horse ${counter} battery staple`, name: `${label} ${counter}` };
}
