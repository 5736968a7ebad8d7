import type { factorsEn } from './factors.en.js';

// Korean strings of two-step verification (every English key is required).
export const factorsKo: Record<keyof typeof factorsEn, string> = {
  'factors.title': '2단계 인증',
  'factors.on': '켜짐: 인증 앱이 설정되어 있습니다. 남은 복구 코드: {left}개.',
  'factors.off': '꺼짐: 로그인에 비밀번호만 필요합니다.',
  'factors.code': '코드 (인증 앱 또는 복구 코드)',
  'factors.verify': '확인',
  'factors.reauth': '본인 확인',
  'factors.reauth.hint': '비밀번호·이메일·2단계 인증 수단을 바꾸거나 계정을 삭제하려면 최근 5분 안에 본인 확인을 해야 합니다.',
  'factors.reauth.done': '앞으로 5분 동안 확인되었습니다.',
  'factors.totp.start': '인증 앱 설정',
  'factors.totp.scan': '인증 앱으로 이 QR 코드를 스캔한 뒤 앱에 표시된 6자리 코드를 입력하세요.',
  'factors.totp.qr': '인증 앱 설정 링크의 QR 코드',
  'factors.totp.manual': '또는 이 키를 입력하세요:',
  'factors.totp.confirm': '켜기',
  'factors.totp.off': '2단계 인증 끄기',
  'factors.enabled': '2단계 인증이 켜졌습니다. 다른 모든 기기는 로그아웃되었습니다.',
  'factors.disabled': '2단계 인증이 꺼졌습니다.',
  'factors.recovery.once': '복구 코드: 휴대폰을 잃어버렸을 때 각각 한 번씩 쓸 수 있습니다. 안전한 곳에 보관하세요. 다시 표시되지 않습니다.',
  'factors.recovery.new': '새 복구 코드',
  'factors.login.title': '2단계 인증',
  'factors.login.hint': '인증 앱의 6자리 코드 또는 복구 코드 중 하나를 입력하세요.',
};
