import { readFile } from 'node:fs/promises';
import { Value } from '@sinclair/typebox/value';
import { parse as parseYaml } from 'yaml';
import { DeclaredProvider, GatehouseError, type Config } from '../../core/index.js';
import { PRESETS, type ProviderKind } from './presets.js';
import { normalizeProvider, type ProviderRecord } from './registry.js';

type Declared = NonNullable<Config['federation']['providers']>[number];

/**
 * Sign-in providers declared in configuration: the providers file (YAML or JSON: a list, or
 * `{ providers: [...] }`) joined by id with `federation.providers` (where the env form
 * GATEHOUSE_PROVIDER_<ID>_<FIELD> lands), the latter winning field by field so a secret can stay in the
 * environment. A mistake refuses to start, naming the file and provider but never a secret.
 */
export async function loadDeclaredProviders(federation: Config['federation'], read: (path: string) => Promise<string> = (p) => readFile(p, 'utf8')): Promise<ProviderRecord[]> {
  const invalid = (message: string) => new GatehouseError('GH_CORE_CONFIG_INVALID', { message });
  const fromFile: Declared[] = [];
  if (federation.providersFile) {
    const where = `federation.providersFile (${federation.providersFile})`;
    let text: string;
    try {
      text = await read(federation.providersFile);
    } catch (cause) {
      throw new GatehouseError('GH_CORE_CONFIG_INVALID', { message: `${where} cannot be read: ${(cause as NodeJS.ErrnoException).code ?? 'error'}.` });
    }
    let parsed: unknown;
    try {
      parsed = parseYaml(text);
    } catch {
      throw invalid(`${where} is not valid YAML or JSON.`);
    }
    const list = Array.isArray(parsed) ? parsed : (parsed as { providers?: unknown } | null)?.providers;
    if (!Array.isArray(list)) throw invalid(`${where} must be a list of providers, or { providers: [...] }.`);
    list.forEach((entry, i) => {
      const error = Value.Errors(DeclaredProvider, entry).First();
      if (error) throw invalid(`${where}, entry ${i + 1}: ${error.path || '/'} ${error.message}.`);
      fromFile.push(entry as Declared);
    });
  }
  const joined = new Map<string, Declared>();
  for (const entry of [...fromFile, ...(federation.providers ?? [])]) joined.set(entry.id, { ...joined.get(entry.id), ...entry });
  return [...joined.values()].map((entry) => {
    const kind = entry.kind ?? (Object.hasOwn(PRESETS, entry.id) ? (entry.id as ProviderKind) : undefined);
    if (!kind) throw invalid(`Sign-in provider ${entry.id}: kind is required (oidc, ${Object.keys(PRESETS).join(', ')}).`);
    if (!entry.clientId) throw invalid(`Sign-in provider ${entry.id}: clientId is required.`);
    try {
      return normalizeProvider({ ...entry, kind, clientId: entry.clientId }, 'config', null);
    } catch (error) {
      throw invalid((error as Error).message);
    }
  });
}
