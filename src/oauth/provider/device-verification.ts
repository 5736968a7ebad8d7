import type Provider from 'oidc-provider';
import type { Configuration, KoaContextWithOIDC } from 'oidc-provider';

/** The web app's device page (RFC 8628 §3.3 verification URI), relative to the public origin. */
export const DEVICE_PAGE_PATH = '/device';

/** Why a code was refused, as the web app's device page names it. */
export type DeviceProblem = 'not-found' | 'expired' | 'used' | 'aborted' | 'no-code' | 'invalid';

/** What the device page reads from oidc-provider's own verification endpoint when it asks for JSON. */
export type DeviceStep =
  | { step: 'input'; xsrf: string }
  | { step: 'confirm'; xsrf: string; userCode: string; client: { id: string; name: string | null }; scopes: string[] }
  | { step: 'input'; xsrf: string; problem: DeviceProblem };

const PROBLEMS: Record<string, DeviceProblem> = {
  NotFoundError: 'not-found',
  ExpiredError: 'expired',
  AlreadyUsedError: 'used',
  AbortedError: 'aborted',
  NoCodeError: 'no-code',
};

/**
 * The web app fetches with `Accept: application/json`; a browser navigating there asks for HTML, and
 * anything vaguer (any type at all) is treated as a browser.
 */
const wantsJson = (ctx: KoaContextWithOIDC) => ctx.accepts('html', 'json') === 'json';

const xsrfOf = (ctx: KoaContextWithOIDC) => String((ctx.oidc.session?.state as { secret?: string } | undefined)?.secret ?? '');

type DeviceFlowFeature = NonNullable<NonNullable<Configuration['features']>['deviceFlow']>;

/**
 * RFC 8628's user side runs through oidc-provider's own endpoint (/oidc/device: its session, its xsrf
 * secret, its code lookup, its interactions), while the page the user sees is the web app's. Asked for
 * JSON, each step answers what the page needs to draw itself; a browser that lands on a step (a form
 * post, the end of the sign-in) is sent back to the page with the outcome in the query.
 */
export function deviceFlowFeature(pageUrl: string): DeviceFlowFeature {
  const back = (ctx: KoaContextWithOIDC, query: Record<string, string>) => {
    ctx.status = 303;
    ctx.redirect(`${pageUrl}?${new URLSearchParams(query).toString()}`);
  };
  return {
    enabled: true,
    userCodeInputSource: async (ctx, _form, _out, err) => {
      const problem = err ? (PROBLEMS[err.name] ?? 'invalid') : null;
      if (!wantsJson(ctx)) return back(ctx, problem === 'aborted' ? { result: 'denied' } : problem ? { problem } : {});
      // A refused code is a normal answer for the page (200); only a broken form is the client's fault.
      ctx.status = problem === 'invalid' ? 400 : 200;
      ctx.body = (problem ? { step: 'input', xsrf: xsrfOf(ctx), problem } : { step: 'input', xsrf: xsrfOf(ctx) }) satisfies DeviceStep;
    },
    userCodeConfirmSource: async (ctx, _form, client, _deviceInfo, userCode) => {
      if (!wantsJson(ctx)) return back(ctx, { user_code: userCode });
      const requested = String(ctx.oidc.entities.DeviceCode?.params?.scope ?? '');
      ctx.body = {
        step: 'confirm',
        xsrf: xsrfOf(ctx),
        userCode,
        client: { id: client.clientId, name: client.clientName ?? null },
        scopes: requested.split(' ').filter(Boolean),
      } satisfies DeviceStep;
    },
    successSource: async (ctx) => back(ctx, { result: 'approved' }),
  };
}

/**
 * The verification URIs a device shows are the web app's page (the complete one carries the code, as
 * RFC 8628 §3.3.1 has it); a browser that opens oidc-provider's own endpoint is sent there too.
 */
export function installDeviceVerificationUri(provider: Provider, pageUrl: string): void {
  provider.use(async (ctx, next) => {
    if (ctx.method === 'GET' && ctx.path === '/device' && !wantsJson(ctx as KoaContextWithOIDC)) {
      ctx.status = 303;
      return ctx.redirect(`${pageUrl}${ctx.search}`);
    }
    await next();
    const body = ctx.body as { user_code?: unknown; verification_uri?: unknown } | undefined;
    if (ctx.oidc?.route === 'device_authorization' && body && typeof body.user_code === 'string' && typeof body.verification_uri === 'string') {
      Object.assign(body, { verification_uri: pageUrl, verification_uri_complete: `${pageUrl}?${new URLSearchParams({ user_code: body.user_code }).toString()}` });
    }
  });
}
