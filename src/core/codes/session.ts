export const sessionErrors = {
  GH_SESSION_INVALID: { status: 401, message: 'The session is not valid.' },
  GH_SESSION_NOT_FOUND: { status: 404, message: 'No such session.' },
} as const;
