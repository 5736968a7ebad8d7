import { SCOPE_DESCRIPTIONS } from '../provider/scopes.js';
import type { PageLang } from './locale.js';

const SCOPE_DESCRIPTIONS_KO: Record<string, string> = {
  openid: 'gatehouse에서 나를 식별 (계정 ID)',
  profile: '내 이름',
  email: '내 이메일 주소',
  offline_access: '내가 없는 동안에도 접근 유지 (리프레시 토큰)',
  'profile:read': 'API로 내 gatehouse 프로필 읽기',
  'messages:read': 'API로 내 채팅 메시지 읽기',
  'messages:write': '나로서 채팅 메시지 보내기',
};

export function scopeDescription(scope: string, lang: PageLang): string {
  return (lang === 'ko' ? SCOPE_DESCRIPTIONS_KO[scope] : SCOPE_DESCRIPTIONS[scope]) ?? scope;
}

/** Every word the provider's pages say, in English and Korean. */
const TEXT = {
  en: {
    signIn: 'Sign in',
    signInTo: (client: string) => `Sign in to continue to ${client}`,
    email: 'Email',
    password: 'Password',
    secondFactor: 'Two-step verification',
    secondFactorExplain: 'Enter the 6-digit code from your authenticator app, or one of your recovery codes.',
    code: 'Code',
    verify: 'Verify',
    cancel: 'Cancel',
    createAccount: 'Create an account',
    createFor: (client: string) => `Create a gatehouse account to continue to ${client}`,
    name: 'Name',
    authorize: 'Authorize',
    wantsAccess: (client: string) => `${client} wants to access your gatehouse account`,
    signedInAs: (email: string) => `Signed in as ${email}. Untick anything you do not want to share.`,
    allow: 'Allow',
    deny: 'Deny',
    error: 'Error',
    somethingWrong: 'Something went wrong',
    signOut: 'Sign out',
    signOutQuestion: 'Sign out of gatehouse?',
    signOutExplain: 'Signing out ends your gatehouse session: you are signed out of gatehouse itself and of every application you signed in to with it.',
    signOutYes: 'Yes, sign me out of gatehouse',
    signOutNo: 'No, only leave this application',
    signedOut: 'Signed out',
    signedOutOf: (client: string | null) => `You have signed out${client ? ` of ${client}` : ''}.`,
  },
  ko: {
    signIn: '로그인',
    signInTo: (client: string) => `${client}(으)로 계속하려면 로그인하세요`,
    email: '이메일',
    password: '비밀번호',
    secondFactor: '2단계 인증',
    secondFactorExplain: '인증 앱의 6자리 코드 또는 복구 코드 중 하나를 입력하세요.',
    code: '코드',
    verify: '확인',
    cancel: '취소',
    createAccount: '계정 만들기',
    createFor: (client: string) => `${client}(으)로 계속하려면 gatehouse 계정을 만드세요`,
    name: '이름',
    authorize: '권한 허용',
    wantsAccess: (client: string) => `${client}이(가) gatehouse 계정에 접근하려고 합니다`,
    signedInAs: (email: string) => `${email}(으)로 로그인했습니다. 공유하고 싶지 않은 항목은 선택을 해제하세요.`,
    allow: '허용',
    deny: '거부',
    error: '오류',
    somethingWrong: '문제가 발생했습니다',
    signOut: '로그아웃',
    signOutQuestion: 'gatehouse에서 로그아웃할까요?',
    signOutExplain: '로그아웃하면 gatehouse 세션이 끝납니다. gatehouse와, gatehouse로 로그인한 모든 애플리케이션에서 로그아웃됩니다.',
    signOutYes: '예, gatehouse에서 로그아웃합니다',
    signOutNo: '아니요, 이 애플리케이션만 떠납니다',
    signedOut: '로그아웃됨',
    signedOutOf: (client: string | null) => (client ? `${client}에서 로그아웃했습니다.` : '로그아웃했습니다.'),
  },
} as const;

export type PageText = (typeof TEXT)['en'];

export function pageText(lang: PageLang): PageText {
  return TEXT[lang] as PageText;
}
