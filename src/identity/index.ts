// identity/: accounts — users and their roles, argon2id password hashing off the event loop, the
// password policy (length, common-password list), login throttling kept in the shared store, and the
// audit log of security events.
export { isUniqueViolation } from './users.js';
export { DEFAULT_ROLES, createIdentity } from './identity.js';
export { checkPasswordPolicy, normalizePassword, passwordLength } from './password-policy.js';
export { createPasswordHasher } from './password-hasher.js';
export { createLoginThrottle } from './login-throttle.js';
export { createSqlAuditLog } from './audit-log.js';
export { normalizeEmail, tryNormalizeEmail } from './email.js';
export { isCommonPassword } from './common-passwords.js';
export {
  RECOVERY_CODE_COUNT,
  acceptTotp,
  totpCode,
  totpStep,
  type FactorStatus,
  type PasskeyAmr,
  type PasskeyView,
  type Passkeys,
  type RelyingParty,
  type PendingLogin,
  type PendingLogins,
  type SecondFactorMethod,
  type SecondFactors,
} from './mfa/index.js';
export type {
  AuditEvent,
  AuditEventInput,
  AuditEventType,
  AuditLog,
  AuditQuery,
  Identity,
  IdentityDeps,
  LoginThrottle,
  PasswordHasher,
  ThrottleInput,
  User,
} from './types.js';
