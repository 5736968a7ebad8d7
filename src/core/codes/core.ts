export const coreErrors = {
  GH_CORE_VALIDATION: { status: 400, message: 'The request is not valid.' },
  GH_CORE_BODY_TOO_LARGE: { status: 413, message: 'The request body is too large.' },
  GH_CORE_BODY_TOO_DEEP: { status: 400, message: 'The request body is nested too deeply.' },
  GH_CORE_UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'The request body has an unsupported content type.' },
  GH_CORE_NOT_FOUND: { status: 404, message: 'Nothing is here.' },
  GH_CORE_METHOD_NOT_ALLOWED: { status: 405, message: 'This method is not allowed here.' },
  GH_CORE_RATE_LIMITED: { status: 429, message: 'Too many requests; retry later.' },
  GH_CORE_INTERNAL: { status: 500, message: 'Something went wrong on our side.' },
  GH_CORE_UNAVAILABLE: { status: 503, message: 'The service is not ready.' },
  GH_CORE_CONFIG_INVALID: { status: 500, message: 'The configuration is not valid.' },
  GH_CORE_CONFIG_CONTRADICTION: { status: 500, message: 'The configuration contradicts itself.' },
} as const;
