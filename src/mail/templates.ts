// Account mail in English and Korean: each message as plain text and as HTML, every link absolute
// (built from the public URL) and every interpolated value escaped in the HTML part.
import { escapeHtml } from '../core/index.js';
import type { Lang } from '../core/index.js';

export type MailLang = Lang;
export type MailKind = 'verify-email' | 'change-email' | 'reset-password' | 'password-changed' | 'second-factor-changed' | 'second-factor-reset';

interface Copy {
  subject: string;
  intro: string;
  action?: string;
  outro: string;
}

const COPY: Record<MailLang, Record<MailKind, Copy>> = {
  en: {
    'verify-email': {
      subject: 'Confirm your email address',
      intro: 'Welcome to gatehouse. Please confirm that this address belongs to you.',
      action: 'Confirm my email address',
      outro: 'The link works once and expires in {hours} hours. If you did not create an account, ignore this message.',
    },
    'change-email': {
      subject: 'Confirm your new email address',
      intro: 'Someone asked to use this address for a gatehouse account. The change takes effect once you confirm it.',
      action: 'Confirm the new address',
      outro: 'The link works once and expires in {hours} hours. If you did not ask for this, ignore this message.',
    },
    'reset-password': {
      subject: 'Reset your password',
      intro: 'Someone asked to reset the password of the gatehouse account for this address.',
      action: 'Choose a new password',
      outro: 'The link works once and expires in {minutes} minutes. Setting a new password signs you out everywhere. If you did not ask for this, ignore this message: your password stays as it is.',
    },
    'password-changed': {
      subject: 'Your password was changed',
      intro: 'The password of your gatehouse account was just changed, and every device was signed out.',
      outro: 'If this was not you, reset your password now at {origin}/forgot-password and contact your administrator.',
    },
    'second-factor-changed': {
      subject: 'Your two-step verification changed',
      intro: 'Two-step verification of your gatehouse account was just turned on or off, after your password and a recent sign-in were confirmed.',
      outro: 'If this was not you, reset your password now at {origin}/forgot-password and contact your administrator.',
    },
    'second-factor-reset': {
      subject: 'An administrator reset your two-step verification',
      intro: 'An administrator removed the second factors (authenticator app, recovery codes) of your gatehouse account, and every device was signed out. You can sign in with your password and set up a new authenticator on your account page.',
      outro: 'If you did not ask for this, contact your administrator and reset your password at {origin}/forgot-password.',
    },
  },
  ko: {
    'verify-email': {
      subject: '이메일 주소를 확인해 주세요',
      intro: 'gatehouse에 오신 것을 환영합니다. 이 주소가 본인의 것인지 확인해 주세요.',
      action: '이메일 주소 확인',
      outro: '이 링크는 한 번만 쓸 수 있고 {hours}시간 뒤에 만료됩니다. 계정을 만든 적이 없다면 이 메일을 무시하세요.',
    },
    'change-email': {
      subject: '새 이메일 주소를 확인해 주세요',
      intro: '누군가 이 주소를 gatehouse 계정에 쓰겠다고 요청했습니다. 확인해야 변경이 적용됩니다.',
      action: '새 주소 확인',
      outro: '이 링크는 한 번만 쓸 수 있고 {hours}시간 뒤에 만료됩니다. 요청한 적이 없다면 이 메일을 무시하세요.',
    },
    'reset-password': {
      subject: '비밀번호 재설정',
      intro: '누군가 이 주소의 gatehouse 계정 비밀번호 재설정을 요청했습니다.',
      action: '새 비밀번호 정하기',
      outro: '이 링크는 한 번만 쓸 수 있고 {minutes}분 뒤에 만료됩니다. 새 비밀번호를 정하면 모든 기기에서 로그아웃됩니다. 요청한 적이 없다면 이 메일을 무시하세요. 비밀번호는 그대로입니다.',
    },
    'password-changed': {
      subject: '비밀번호가 변경되었습니다',
      intro: 'gatehouse 계정의 비밀번호가 방금 변경되었고 모든 기기에서 로그아웃되었습니다.',
      outro: '본인이 아니라면 지금 {origin}/forgot-password 에서 비밀번호를 재설정하고 관리자에게 알리세요.',
    },
    'second-factor-changed': {
      subject: '2단계 인증 설정이 바뀌었습니다',
      intro: 'gatehouse 계정의 2단계 인증이 방금 켜지거나 꺼졌습니다. 비밀번호와 최근 로그인이 확인된 뒤의 변경입니다.',
      outro: '본인이 아니라면 지금 {origin}/forgot-password 에서 비밀번호를 재설정하고 관리자에게 알리세요.',
    },
    'second-factor-reset': {
      subject: '관리자가 2단계 인증을 초기화했습니다',
      intro: '관리자가 gatehouse 계정의 2단계 인증 수단(인증 앱, 복구 코드)을 삭제했고 모든 기기에서 로그아웃되었습니다. 비밀번호로 로그인한 뒤 계정 페이지에서 새 인증 앱을 설정할 수 있습니다.',
      outro: '요청한 적이 없다면 관리자에게 알리고 {origin}/forgot-password 에서 비밀번호를 재설정하세요.',
    },
  },
};

const fill = (template: string, vars: Record<string, string>): string => template.replace(/\{(\w+)\}/g, (_, key: string) => vars[key] ?? '');

export interface RenderInput {
  kind: MailKind;
  lang: MailLang;
  /** The public origin links point to. */
  origin: string;
  /** The action link, for kinds that have one. */
  link?: string;
  ttlSec?: number;
}

export function renderMail(input: RenderInput): { subject: string; text: string; html: string } {
  const copy = COPY[input.lang][input.kind];
  const ttl = input.ttlSec ?? 0;
  const vars = { origin: input.origin, hours: String(Math.round(ttl / 3600)), minutes: String(Math.round(ttl / 60)) };
  const intro = fill(copy.intro, vars);
  const outro = fill(copy.outro, vars);
  const action = copy.action && input.link ? { label: copy.action, href: input.link } : null;
  const text = [intro, '', ...(action ? [`${action.label}:`, action.href, ''] : []), outro, '', '— gatehouse', ''].join('\n');
  const html = [
    `<!doctype html><html lang="${input.lang}"><head><meta charset="utf-8"><title>${escapeHtml(copy.subject)}</title></head>`,
    '<body style="font-family:system-ui,sans-serif;line-height:1.5">',
    `<p>${escapeHtml(intro)}</p>`,
    action ? `<p><a href="${escapeHtml(action.href)}" data-action="1">${escapeHtml(action.label)}</a></p>` : '',
    `<p>${escapeHtml(outro)}</p>`,
    '<p>— gatehouse</p></body></html>',
  ].join('');
  return { subject: copy.subject, text, html };
}
