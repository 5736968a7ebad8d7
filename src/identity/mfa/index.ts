export { createSecondFactors, type CodeCheck, type FactorStatus, type SecondFactorMethod, type SecondFactors } from './factors.js';
export { createPendingLogins, type PendingLogin, type PendingLogins } from './pending-logins.js';
export { acceptTotp, newTotpSecret, totpCode, totpStep, totpUri } from './totp.js';
export { RECOVERY_CODE_COUNT, newRecoveryCodes, normalizeRecoveryCode, recoveryCodeHash } from './recovery-codes.js';
export { createPasskeys, type PasskeyAmr, type PasskeyView, type Passkeys, type RelyingParty } from './passkeys.js';
