// Second factors (TOTP, recovery codes), the pending second step of a login, and step-up.
export const mfaErrors = {
  GH_MFA_CODE_INVALID: { status: 401, message: 'The code is not valid, was already used, or has expired.' },
  GH_MFA_TICKET_INVALID: { status: 401, message: 'The sign-in step has expired or was already completed; sign in again.' },
  GH_MFA_ALREADY_ENROLLED: { status: 409, message: 'An authenticator app is already set up; remove it first.' },
  GH_MFA_NOT_ENROLLED: { status: 409, message: 'No second factor is set up for this account.' },
  GH_MFA_ENROLMENT_MISSING: { status: 409, message: 'Start the authenticator set-up first; it may have expired.' },
  GH_MFA_REQUIRED_BY_CLIENT: { status: 403, message: 'This application requires a second factor; set one up on your account page first.' },
  GH_MFA_PASSKEY_INVALID: { status: 401, message: 'The passkey could not be verified.' },
  GH_MFA_PASSKEY_COUNTER: { status: 401, message: "This passkey's signature counter did not advance: the authenticator may have been cloned. Use another factor." },
  GH_MFA_PASSKEY_NOT_FOUND: { status: 404, message: 'No such passkey on this account.' },
  GH_MFA_PASSKEY_NAME_INVALID: { status: 400, message: 'A passkey name is 1–100 characters without control characters.' },
  GH_MFA_CEREMONY_INVALID: { status: 400, message: 'The passkey request expired or was already used; try again.' },
  GH_AUTH_REAUTH_REQUIRED: { status: 401, message: 'Confirm it is you: sign in again (with your second factor) within the last 5 minutes.' },
} as const;
