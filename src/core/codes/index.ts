// Data only, no imports beyond the areas' code lists: the web build reads the English messages from
// here (web/src/i18n/errors.en.ts), so nothing of the server enters the bundle with them.
import { coreErrors } from './core.js';
import { storageErrors } from './storage.js';
import { authErrors } from './auth.js';
import { sessionErrors } from './session.js';
import { tokenErrors } from './token.js';
import { oauthErrors } from './oauth.js';
import { realtimeErrors } from './realtime.js';
import { balancerErrors } from './balancer.js';
import { labErrors } from './lab.js';
import { balancerL4Errors } from './balancer-l4.js';
import { federationErrors } from './federation.js';
import { clusterErrors } from './cluster.js';
import { mfaErrors } from './mfa.js';

/** What every coded error is: an HTTP status and a message that never carries a secret. */
export interface ErrorSpec {
  readonly status: number;
  readonly message: string;
}

/**
 * The one registry of coded errors. Codes are stable (`GH_<AREA>_<REASON>`) and documented in
 * docs/errors.md (a test fails when one is missing there). Each area keeps its codes in codes/<area>.ts
 * so the areas can grow without editing each other's lines.
 */
export const ERRORS = {
  ...coreErrors,
  ...storageErrors,
  ...authErrors,
  ...sessionErrors,
  ...tokenErrors,
  ...oauthErrors,
  ...realtimeErrors,
  ...balancerErrors,
  ...labErrors,
  ...balancerL4Errors,
  ...federationErrors,
  ...clusterErrors,
  ...mfaErrors,
} as const satisfies Record<string, ErrorSpec>;

