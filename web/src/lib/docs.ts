import type { MsgKey } from '../i18n/messages.js';

// The docs pages (docs/<name>.md, served by the node at /docs/<name>), one per section of the study note.
export const DOC_PAGES: { name: string; title: MsgKey; href: string }[] = [
  { name: 'cookies', title: 'docs.cookies', href: '/docs/cookies' },
  { name: 'sessions', title: 'docs.sessions', href: '/docs/sessions' },
  { name: 'jwt', title: 'docs.jwt', href: '/docs/jwt' },
  { name: 'oauth', title: 'docs.oauth', href: '/docs/oauth' },
  { name: 'realtime', title: 'docs.realtime', href: '/docs/realtime' },
  { name: 'load-balancing', title: 'docs.load-balancing', href: '/docs/load-balancing' },
  { name: 'io-models', title: 'docs.io-models', href: '/docs/io-models' },
  { name: 'errors', title: 'docs.errors', href: '/docs/errors' },
  { name: 'credentials', title: 'docs.credentials', href: '/docs/credentials' },
  { name: 'api', title: 'docs.api', href: '/docs/api' },
];
