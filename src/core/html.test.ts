import { describe, expect, it } from 'vitest';
import { escapeHtml } from './index.js';

describe('escapeHtml', () => {
  it('escapes the five characters that can end text or a quoted attribute, and nothing else', () => {
    expect(escapeHtml(`<a href="x" title='y'>&amp;</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;');
    expect(escapeHtml('한국어 — plain')).toBe('한국어 — plain');
  });

  it('renders null and undefined as nothing and other values as their text', () => {
    expect(escapeHtml(undefined)).toBe('');
    expect(escapeHtml(null)).toBe('');
    expect(escapeHtml(42)).toBe('42');
  });
});
