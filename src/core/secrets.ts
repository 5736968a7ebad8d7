import { hkdfSync, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GatehouseError } from './errors.js';

export const SECRET_FILE = 'secret';

/**
 * The instance secret: GATEHOUSE_SECRET when set, otherwise one generated on first start and kept
 * (mode 0600) in the data directory, so every node sharing that directory agrees on it. There is no
 * hard-coded default on purpose.
 */
export async function loadInstanceSecret(options: { dataDir: string; fromEnv?: string | undefined }): Promise<{
  secret: string;
  source: 'env' | 'file' | 'generated';
}> {
  if (options.fromEnv) {
    if (options.fromEnv.length < 32) throw new GatehouseError('GH_CORE_CONFIG_INVALID', { message: 'GATEHOUSE_SECRET must be at least 32 characters long.' });
    return { secret: options.fromEnv, source: 'env' };
  }
  const path = join(options.dataDir, SECRET_FILE);
  try {
    const existing = (await readFile(path, 'utf8')).trim();
    if (existing.length >= 32) return { secret: existing, source: 'file' };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
  const secret = randomBytes(32).toString('base64url');
  try {
    // 'wx' fails if a sibling node created it first; then we read theirs.
    await writeFile(path, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    return { secret, source: 'generated' };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return { secret: (await readFile(path, 'utf8')).trim(), source: 'file' };
  }
}

/**
 * A purpose-bound key derived from the instance secret (HKDF-SHA256), so the sealed cookie, the
 * keystore's at-rest encryption and anything else never share key material.
 */
export function deriveKey(secret: string, purpose: string, bytes = 32): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', secret, 'gatehouse', purpose, bytes));
}
