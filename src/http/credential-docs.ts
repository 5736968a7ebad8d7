import type { Lang } from '../core/index.js';
import { LANE_KINDS, type CredentialLane, type DeclaredRoute } from './guard.js';

/**
 * docs/credentials.md and docs/credentials.ko.md: every credential kind, where it lives, what ends it,
 * and which routes accept it. The route table is the guard's own record of what each route declared
 * (hooks.routes), so the page cannot drift from what is enforced; `npm run docs:credentials` rewrites
 * it and a test fails when the files differ from what the code declares.
 */
interface KindRow {
  kind: string;
  lives: Record<Lang, string>;
  ends: Record<Lang, string>;
}

const KINDS: KindRow[] = [
  {
    kind: 'Sealed cookie (`cookie`)',
    lives: {
      en: 'The browser: the encrypted `__Host-gh.auth` cookie (user id, times, credential version). Nothing server-side but the user’s credential version.',
      ko: '브라우저: 암호화된 `__Host-gh.auth` 쿠키(사용자 id, 시각, 자격 증명 버전). 서버에는 사용자의 자격 증명 버전만 있습니다.',
    },
    ends: {
      en: 'Its expiry; cookie logout (this copy); “log out everywhere” and a password change (the credential version moves; the caller’s own copy is re-sealed on a password change).',
      ko: '만료; 쿠키 로그아웃(이 사본만); “모든 기기에서 로그아웃”과 비밀번호 변경(자격 증명 버전이 바뀝니다. 비밀번호 변경 시 호출자의 사본은 새로 봉인됩니다).',
    },
  },
  {
    kind: 'Server session (`session`)',
    lives: {
      en: 'The browser holds an opaque id in the `__Host-gh.sid` cookie; the record lives in the session store (SQL or Redis).',
      ko: '브라우저는 `__Host-gh.sid` 쿠키에 불투명한 id만 가지고, 기록은 세션 저장소(SQL 또는 Redis)에 있습니다.',
    },
    ends: {
      en: 'Logout; revoking it in the device list; “log out other devices”; “log out everywhere”; a password change (all but the caller’s); idle and absolute expiry.',
      ko: '로그아웃; 기기 목록에서 해지; “다른 기기 로그아웃”; “모든 기기에서 로그아웃”; 비밀번호 변경(호출자의 세션 제외); 유휴·절대 만료.',
    },
  },
  {
    kind: 'JWT access token (`jwt`)',
    lives: {
      en: 'The client (`Authorization: Bearer`); not stored. Its refresh family (`sid`) goes on the deny-list (Redis or SQL) when the family ends.',
      ko: '클라이언트(`Authorization: Bearer`); 저장되지 않습니다. 패밀리(`sid`)가 끝나면 거부 목록(Redis 또는 SQL)에 오릅니다.',
    },
    ends: {
      en: 'Its expiry; the end of its refresh family, at once on every node (deny-list).',
      ko: '만료; 리프레시 패밀리의 종료 — 모든 노드에서 즉시(거부 목록).',
    },
  },
  {
    kind: 'JWT refresh token (a device)',
    lives: {
      en: 'The `__Secure-gh.rt` cookie (browsers) or the app’s storage; only its SHA-256 in `refresh_tokens`, grouped in a family listed as a device.',
      ko: '`__Secure-gh.rt` 쿠키(브라우저) 또는 앱 저장소; `refresh_tokens`에는 SHA-256만 있고, 기기로 표시되는 패밀리로 묶입니다.',
    },
    ends: {
      en: 'Rotation on every use; reuse (including a replay inside the grace window after its successor was used) kills the family; logout; revoking the device; “log out other devices”; “log out everywhere”; a password change (all but the caller’s); idle and absolute expiry.',
      ko: '사용할 때마다 교체; 재사용(후속 토큰이 이미 쓰인 뒤 유예 시간 안의 재전송 포함)은 패밀리 전체를 끝냅니다; 로그아웃; 기기 해지; “다른 기기 로그아웃”; “모든 기기에서 로그아웃”; 비밀번호 변경(호출자 제외); 유휴·절대 만료.',
    },
  },
  {
    kind: 'OAuth access token (`oauth`)',
    lives: {
      en: 'The third-party client (`at+jwt`, or DPoP-bound); its grant lives in `oauth_models`.',
      ko: '서드파티 클라이언트(`at+jwt`, 또는 DPoP 바인딩); 그랜트는 `oauth_models`에 있습니다.',
    },
    ends: {
      en: 'Its expiry; its grant ending: revoking the app or the grant, “log out everywhere”, a password change.',
      ko: '만료; 그랜트 종료: 앱 또는 그랜트 해지, “모든 기기에서 로그아웃”, 비밀번호 변경.',
    },
  },
  {
    kind: 'OAuth refresh token',
    lives: { en: 'The third-party client; stored in `oauth_models` (SQL) under its grant.', ko: '서드파티 클라이언트; 그랜트 아래 `oauth_models`(SQL)에 저장됩니다.' },
    ends: {
      en: 'Rotation on every use (a rotated one coming back ends the grant); revoking the app or the grant; “log out everywhere”; a password change; expiry.',
      ko: '사용할 때마다 교체(교체된 토큰이 다시 오면 그랜트 종료); 앱 또는 그랜트 해지; “모든 기기에서 로그아웃”; 비밀번호 변경; 만료.',
    },
  },
  {
    kind: 'OAuth provider browser session',
    lives: {
      en: 'The `gh.op.session` cookie; the provider’s Session record, and the credential version its login was proven under (key-value store).',
      ko: '`gh.op.session` 쿠키; 제공자의 Session 기록과, 그 로그인이 증명된 자격 증명 버전(키-값 저장소).',
    },
    ends: {
      en: 'Its expiry; RP-initiated logout; “log out everywhere” and a password change (the version moved: the provider asks for the password again instead of minting a code).',
      ko: '만료; RP 주도 로그아웃; “모든 기기에서 로그아웃”과 비밀번호 변경(버전이 바뀌어 제공자가 코드를 발급하지 않고 비밀번호를 다시 묻습니다).',
    },
  },
  {
    kind: 'Socket (Socket.IO `/chat`)',
    lives: {
      en: 'A live connection authenticated at the handshake with one of the credentials above.',
      ko: '위 자격 증명 중 하나로 핸드셰이크에서 인증된 실시간 연결.',
    },
    ends: {
      en: 'Its credential’s expiry; every revocation of its credential, on every node (sessions, families, apps, grants, “log out everywhere”, a password change but the caller’s own).',
      ko: '자격 증명의 만료; 그 자격 증명의 모든 해지 — 모든 노드에서(세션, 패밀리, 앱, 그랜트, “모든 기기에서 로그아웃”, 호출자 것을 제외한 비밀번호 변경).',
    },
  },
];

const OUTSIDE_GUARD: { method: string; path: string; accepts: Record<Lang, string> }[] = [
  { method: 'POST', path: '/api/auth/jwt/refresh', accepts: { en: 'JWT refresh token (cookie or body)', ko: 'JWT 리프레시 토큰(쿠키 또는 본문)' } },
  { method: 'POST', path: '/oidc/token', accepts: { en: 'OAuth authorization code, OAuth refresh token (the client authenticates)', ko: 'OAuth 인가 코드, OAuth 리프레시 토큰(클라이언트 인증 필요)' } },
  { method: 'GET', path: '/oidc/auth', accepts: { en: 'OAuth provider browser session, or the login form', ko: 'OAuth 제공자 브라우저 세션, 또는 로그인 폼' } },
  {
    method: 'GET',
    path: '/socket.io (namespace /chat)',
    accepts: { en: '`session`, `cookie`, `jwt`, and `oauth` with `messages:read` (`messages:write` to speak)', ko: '`session`, `cookie`, `jwt`, 그리고 `messages:read`가 있는 `oauth`(말하려면 `messages:write`)' },
  },
];

const TEXT = {
  en: {
    title: '# Credentials',
    intro: [
      'Every credential gatehouse issues, where it lives, what ends it, and which routes accept it. A route',
      'declares its **lane** to the guard (`hooks.requireAuth({ lane })`); the default lane is `first-party`, so a',
      'third-party OAuth token reaches only the routes that declare themselves resource routes, and only for',
      'the scopes it carries. Any other credential kind gets 403 `GH_AUTH_CREDENTIAL_NOT_ACCEPTED`.',
      '',
      'This page is generated from the guard’s declarations by `npm run docs:credentials`; a test fails when it',
      'differs from the code.',
    ],
    kinds: '## Credential kinds',
    kindHead: '| credential | where it lives | what ends it |',
    lanes: '## Lanes',
    laneHead: '| lane | accepts |',
    routes: '## Routes and the credentials they accept',
    routeHead: '| method | path | lane | accepts | scopes | roles | anonymous too |',
    outside: '## Endpoints outside the guard',
    outsideHead: '| method | path | accepts |',
    yes: 'yes',
    no: 'no',
  },
  ko: {
    title: '# 자격 증명',
    intro: [
      'gatehouse가 발급하는 모든 자격 증명과, 그것이 어디에 있고 무엇으로 끝나며 어떤 경로가 받는지. 각 경로는',
      '가드에 자신의 **레인**을 선언합니다(`hooks.requireAuth({ lane })`). 기본 레인은 `first-party`이므로 서드파티',
      'OAuth 토큰은 리소스 경로라고 선언한 곳에서만, 그것도 가진 스코프만큼만 통합니다. 다른 종류의 자격 증명은',
      '403 `GH_AUTH_CREDENTIAL_NOT_ACCEPTED`를 받습니다.',
      '',
      '이 페이지는 `npm run docs:credentials`가 가드의 선언으로부터 생성합니다. 코드와 다르면 테스트가 실패합니다.',
    ],
    kinds: '## 자격 증명 종류',
    kindHead: '| 자격 증명 | 어디에 있나 | 무엇으로 끝나나 |',
    lanes: '## 레인',
    laneHead: '| 레인 | 받는 자격 증명 |',
    routes: '## 경로별로 받는 자격 증명',
    routeHead: '| 메서드 | 경로 | 레인 | 받는 자격 증명 | 스코프 | 역할 | 익명도 허용 |',
    outside: '## 가드 밖의 엔드포인트',
    outsideHead: '| 메서드 | 경로 | 받는 자격 증명 |',
    yes: '예',
    no: '아니요',
  },
} as const;

const code = (values: readonly string[]) => (values.length ? values.map((v) => `\`${v}\``).join(', ') : '—');

/** The page in one language, from the routes the guard recorded. */
export function renderCredentialsPage(routes: readonly DeclaredRoute[], lang: Lang): string {
  const t = TEXT[lang];
  const sorted = [...routes].sort((a, b) => a.url.localeCompare(b.url) || a.method.localeCompare(b.method));
  const lanes = Object.entries(LANE_KINDS) as [CredentialLane, readonly string[]][];
  const lines = [
    t.title,
    '',
    ...t.intro,
    '',
    t.kinds,
    '',
    t.kindHead,
    '| --- | --- | --- |',
    ...KINDS.map((k) => `| ${k.kind} | ${k.lives[lang]} | ${k.ends[lang]} |`),
    '',
    t.lanes,
    '',
    t.laneHead,
    '| --- | --- |',
    ...lanes.map(([lane, kinds]) => `| \`${lane}\` | ${code(kinds)} |`),
    '',
    t.routes,
    '',
    t.routeHead,
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...sorted.map((r) => `| ${r.method} | \`${r.url}\` | \`${r.lane}\` | ${code(LANE_KINDS[r.lane])} | ${code(r.scopes)} | ${code(r.roles)} | ${r.required ? t.no : t.yes} |`),
    '',
    t.outside,
    '',
    t.outsideHead,
    '| --- | --- | --- |',
    ...OUTSIDE_GUARD.map((e) => `| ${e.method} | \`${e.path}\` | ${e.accepts[lang]} |`),
    '',
  ];
  return lines.join('\n');
}
