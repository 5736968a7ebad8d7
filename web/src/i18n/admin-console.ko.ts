import type { adminConsoleEn } from './admin-console.en.js';

// Korean strings of the admin console's user detail view.
export const adminConsoleKo: Record<keyof typeof adminConsoleEn, string> = {
  'admin.view': '보기',
  'admin.detail.back': '목록으로',
  'admin.detail.profile': '프로필',
  'admin.detail.id': 'ID',
  'admin.detail.name': '이름',
  'admin.detail.created': '가입',
  'admin.detail.emailVerified': '이메일 확인',
  'admin.detail.sessions': '로그인된 세션',
  'admin.detail.devices': 'JWT 로그인(기기)',
  'admin.detail.events': '최근 보안 이벤트',
  'admin.detail.at': '시각',
  'admin.detail.event': '이벤트',
  'admin.detail.ip': 'IP',
  'admin.detail.actor': '조치한 관리자',
  'admin.detail.you': '나',
  'admin.client.public': 'public',
  'admin.client.confidential': 'confidential',
};
