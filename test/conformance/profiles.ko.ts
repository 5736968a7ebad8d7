// The Korean words of docs/conformance.ko.md: each profile's name and note by id, and each comparison
// cell by its English text. A test fails when a profile or a cell has no Korean here.

export const PROFILE_NAMES_KO: Record<string, string> = {
  discovery: 'OpenID Provider 디스커버리',
  rfc8414: '인가 서버 메타데이터(경로 포함 형식)',
  'code-pkce-confidential': 'Authorization code + PKCE, confidential client, RS256 ID 토큰',
  'code-pkce-public': 'Authorization code + PKCE, public client',
  'id-token-alg': '클라이언트별 ID 토큰 알고리즘(ES256, EdDSA)',
  'api-scope-default-resource': 'resource 파라미터 없이 요청한 API scope',
  'resource-indicators': 'Resource indicator',
  refresh: '교체와 재사용 감지가 있는 refresh token',
  'client-credentials': 'Client credentials',
  par: 'Pushed authorization request',
  dpop: 'DPoP 송신자 제약 토큰',
  device: 'Device authorization grant',
  introspection: '불투명·JWT access token의 introspection',
  revocation: '불투명·JWT access token의 폐기(revocation)',
  'rp-initiated-logout': 'RP-initiated logout(gatehouse 세션도 끝냄)',
  'backchannel-logout': 'Back-channel logout',
  dcr: 'initial access token으로 보호되는 동적 클라이언트 등록과 관리',
  'private-key-jwt': 'private_key_jwt 클라이언트 인증',
  'client-secret-jwt': 'client_secret_jwt 클라이언트 인증',
  cors: 'Resource server에서 브라우저 앱을 위한 CORS',
  'ui-locales': '사용자 언어로 된 provider 페이지, login_hint, prompt=create',
  negative: 'RFC 6749 / RFC 9700 부정 사례',
  implicit: 'Implicit·hybrid flow',
  password: 'Resource owner password credentials',
  ciba: 'Client-initiated backchannel authentication',
  'jar-jarm': '서명된 요청 객체(JAR)와 JWT 응답(JARM)',
  mtls: 'Mutual-TLS 클라이언트 인증과 바인딩된 토큰',
};

export const PROFILE_NOTES_KO: Record<string, string> = {
  implicit: '의도적으로 거부: RFC 9700 §2.1.2가 쓰지 말라고 권고합니다.',
  password: '의도적으로 거부: RFC 9700 §2.4는 써서는 안 된다고 합니다.',
};

export const CELLS_KO: Record<string, string> = {
  yes: '예',
  no: '아니요',
  'yes (certified Config OP)': '예(Config OP 인증)',
  'yes (issuer-relative /.well-known/oauth-authorization-server)': '예(issuer 기준 /.well-known/oauth-authorization-server)',
  'yes (certified Basic OP)': '예(Basic OP 인증)',
  'yes (per client)': '예(클라이언트별)',
  'configurable (defaultResource)': '설정 가능(defaultResource)',
  'yes (audience mappers)': '예(audience mapper)',
  'partly (audience, not RFC 8707)': '일부(audience, RFC 8707 아님)',
  'yes (FAPI 2.0)': '예(FAPI 2.0)',
  'opaque only (JWT access tokens are refused)': '불투명 토큰만(JWT access token은 거부)',
  'opaque only': '불투명 토큰만',
  'yes (certified RP-Initiated OP)': '예(RP-Initiated OP 인증)',
  'yes (certified Back-Channel OP)': '예(Back-Channel OP 인증)',
  'yes (certified Dynamic OP)': '예(Dynamic OP 인증)',
  'yes (FAPI)': '예(FAPI)',
  'provider endpoints only (clientBasedCORS)': 'provider 엔드포인트만(clientBasedCORS)',
  'yes (web origins)': '예(web origins)',
  'hooks only (pages are the integrator’s)': '훅만(페이지는 통합하는 쪽 몫)',
  'yes (certified Implicit, Hybrid OP)': '예(Implicit, Hybrid OP 인증)',
  'yes (off by default)': '예(기본값은 꺼짐)',
  'yes (direct access grants)': '예(direct access grants)',
  'yes (certified CIBA OP)': '예(CIBA OP 인증)',
};

export const PAGE_KO = {
  title: 'OAuth 2.0 / OpenID Connect 적합성',
  generated: '<!-- npm run docs:conformance가 test/conformance/profiles.ts(와 profiles.ko.ts)에서 생성합니다. 테스트가 동기화를 확인합니다. -->',
  intro: `gatehouse의 인가 서버(issuer \`<origin>/oidc\`)를 서로 독립된 인증받은 relying party 라이브러리 두 개 —
[openid-client](https://github.com/panva/openid-client)와 [oauth4webapi](https://github.com/panva/oauth4webapi) —
가 **기본 설정 그대로** 실제로 실행 중인 노드를 상대로 구동합니다. 사용자가 할 일은 Chromium에서, 또는 HTTP로
provider의 HTML 폼을 통해 합니다. 스위트는 \`test/conformance/\`에 있고 \`npm test\`로 실행됩니다.

더 읽지 않고도 relying party가 믿을 수 있는 기본값: 디스커버리는
\`/oidc/.well-known/openid-configuration\`, RFC 8414 메타데이터는
\`/.well-known/oauth-authorization-server/oidc\`; PKCE S256을 쓰는 authorization code(모든 클라이언트에 필수);
클라이언트가 \`id_token_signed_response_alg\`(ES256, EdDSA)를 등록하지 않으면 ID 토큰은 RS256;
API scope(\`profile:read\`, \`messages:read\`, \`messages:write\`)는 \`resource\` 파라미터가 없어도
\`<origin>/api\`용 RFC 9068 \`at+jwt\`를 줍니다.`,
  header: '| 프로필 / 기능 | 명세 | gatehouse | 증명하는 테스트 | node-oidc-provider | Keycloak |',
  supported: '지원',
  notSupported: '지원 안 함',
  notesTitle: '참고',
  notes: `- resource가 기본값으로 정해진 API scope를 가진 grant의 access token은 API용입니다. 그때 \`profile\`과
  \`email\`의 클레임은 ID 토큰에서 읽거나, API scope를 요청하지 않는 별도 요청으로 읽습니다. \`resource\`를
  직접 보내는 클라이언트는 RFC 8707의 동작을 그대로 받습니다(\`resource\` 없는 token 엔드포인트 요청은
  불투명한 userinfo 토큰을 돌려줌).
- 불투명 access token을 폐기하면 그 grant가 그 시각까지 발급한 JWT access token도 끝납니다. refresh
  token은 살아 있습니다(grant를 끝내려면 그것을 폐기하세요).
- node-oidc-provider는 gatehouse의 provider가 기반으로 삼는 라이브러리입니다. 그 열은 gatehouse가 켠
  것이 아니라 라이브러리가 할 수 있는 것(그리고 인증받은 것)을 말합니다.
- 테스트 이름은 코드에 있는 그대로(영어) 둡니다.`,
};
