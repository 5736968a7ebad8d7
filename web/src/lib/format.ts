import type { Lang } from '../i18n/messages.js';

// Dates, durations and sizes in the reader's language.

// One clock everywhere: 24-hour in both languages (ko-KR would otherwise say 오후 3:04:05), the
// language's own date order.
const locale = (lang: Lang): string => (lang === 'ko' ? 'ko-KR' : 'en-GB');

/** Date and time, e.g. "2 Dec 2026, 15:04:05" / "2026. 12. 2. 15:04:05". */
export function formatTime(ms: number, lang: Lang): string {
  return new Date(ms).toLocaleString(locale(lang), { dateStyle: 'medium', timeStyle: 'medium', hourCycle: 'h23' });
}

/** Time of day only (chat messages, the request log), e.g. "15:04:05". */
export function formatClock(ms: number, lang: Lang): string {
  return new Date(ms).toLocaleTimeString(locale(lang), { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
}

export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(unit === 0 ? 0 : 1)} ${units[unit]}`;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '—';
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.floor(seconds % 60);
  return h ? `${h}h ${m}m` : m ? `${m}m ${s}s` : `${s}s`;
}
