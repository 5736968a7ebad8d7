export const realtimeErrors = {
  GH_REALTIME_UNAUTHENTICATED: { status: 401, message: 'The socket has no valid credential.' },
  GH_REALTIME_INVALID_PAYLOAD: { status: 400, message: 'The event payload is not valid.' },
  GH_REALTIME_RATE_LIMITED: { status: 429, message: 'Too many messages; slow down.' },
  GH_REALTIME_MESSAGE_TOO_LARGE: { status: 413, message: 'The message is too large.' },
  GH_REALTIME_NOT_IN_ROOM: { status: 403, message: 'Join the room first.' },
} as const;
