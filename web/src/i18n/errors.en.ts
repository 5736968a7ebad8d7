import { ERRORS } from '../../../src/core/codes/index.js';

// English text of every coded API error. The registry's own message is the English (src/core/codes is
// data only, so importing it brings no server code into the bundle); a code whose registry sentence is
// written for API clients gets a reader's sentence here instead. The web app shows these in place of the
// server's message, so both languages read alike.
type RegistryText = { readonly [Code in keyof typeof ERRORS as `error.${Code}`]: string };
const fromRegistry = Object.fromEntries(Object.entries(ERRORS).map(([code, spec]) => [`error.${code}`, spec.message])) as RegistryText;

export const errorsEn = {
  ...fromRegistry,
  // The validator's refusal as a person filling in a form reads it.
  'error.GH_CORE_VALIDATION': 'Something in the form is not right; please check it and try again.',
  // A tab is what a reader opens, not a socket.
  'error.GH_REALTIME_TOO_MANY_SOCKETS': 'This account has too many open connections; close a tab first.',
  'error.unknown': 'Something went wrong ({code}).',
  'error.GH_WEB_NETWORK': 'The server could not be reached. Check the connection and try again.',
  'error.GH_WEB_TIMEOUT': 'No answer came in time; try again.',
  'error.field': 'Please check the {field} field.',
  'error.field.email': 'email',
  'error.field.password': 'password',
  'error.field.name': 'name',
  'error.field.newEmail': 'new email',
  'error.field.currentPassword': 'current password',
  'error.field.newPassword': 'new password',
  'error.json': 'The request could not be read.',
  'form.email.invalid': 'Enter an email address like name@example.com.',
};
