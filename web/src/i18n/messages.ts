import type { en } from './en.js';

// The message catalogue: English defines the keys, every other language must fill all of them.
export type MsgKey = keyof typeof en;
export type Messages = Record<MsgKey, string>;
export type Lang = 'en' | 'ko';

/** Fills `{name}` placeholders; an unknown placeholder stays visible rather than vanishing. */
export function format(template: string, vars: Record<string, string | number> = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));
}
