import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const TOKEN_FILE = 'balancer-admin-token';

/** A fresh admin token: 32 random bytes, URL-safe. */
export function generateAdminToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * The balancer admin token kept in the data directory (mode 0600), made on first use so the admin API
 * is never open by default. `created` says whether it was made now (the one time it is shown).
 */
export async function loadOrCreateAdminToken(dataDir: string): Promise<{ token: string; created: boolean }> {
  const path = join(dataDir, TOKEN_FILE);
  const existing = await readFile(path, 'utf8').catch(() => undefined);
  if (existing !== undefined && existing.trim().length >= 16) return { token: existing.trim(), created: false };
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const token = generateAdminToken();
  try {
    await writeFile(path, `${token}\n`, { mode: 0o600, flag: 'wx' });
    return { token, created: true };
  } catch {
    // Another process made it first (or an empty file was left): use what is there now.
    const now = (await readFile(path, 'utf8')).trim();
    if (now.length >= 16) return { token: now, created: false };
    await writeFile(path, `${token}\n`, { mode: 0o600 });
    return { token, created: true };
  }
}
