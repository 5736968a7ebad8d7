// The CLI as a newcomer meets it, as real processes: the command list, an unknown command, creating a
// user without and with a password, the scopes a client may ask for, and an export with no backends.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROCESS_TEST_TIMEOUT_MS, runCli, standaloneEnv } from '../support/cli.js';
import { createTempDir } from '../support/services.js';
import { DEFAULT_ROLES } from '../../src/identity/index.js';
import { ALL_SCOPES } from '../../src/oauth/index.js';
import { COMMANDS } from '../../src/cli/registry.js';

/** The CLI without the shared services, so each run keeps its store in the given data directory. */
const cli = (args: string[], stdin = '') => runCli(args, { env: standaloneEnv(), stdin });

const RUNTIME_WARNING = /oidc-provider WARNING/;

describe('gatehouse --help', () => {
  it('lists every command with its one-line description, and loads none of them', async () => {
    const run = await cli(['--help']);
    expect(run.code).toBe(0);
    for (const [name, { summary }] of Object.entries(COMMANDS)) expect(run.stdout).toMatch(new RegExp(`^  ${name} +${summary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
    expect(run.stderr).not.toMatch(RUNTIME_WARNING);
  }, PROCESS_TEST_TIMEOUT_MS);

  it('shows the same summary a command declares for itself', async () => {
    for (const [name, entry] of Object.entries(COMMANDS)) {
      const command = await entry.load();
      expect(command.name).toBe(name);
      expect(command.summary).toBe(entry.summary);
    }
  }, PROCESS_TEST_TIMEOUT_MS);

  it('says when a command does not exist, and lists a group’s commands for a group name', async () => {
    const unknown = await cli(['frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Unknown command: gatehouse frobnicate');
    const group = await cli(['user']);
    expect(group.code).toBe(2);
    expect(group.stderr).toContain('gatehouse user create');
    expect(group.stderr).toContain('Create a user');
  }, PROCESS_TEST_TIMEOUT_MS);
});

describe('gatehouse user create', () => {
  let dir: Awaited<ReturnType<typeof createTempDir>>;
  beforeAll(async () => {
    dir = await createTempDir('gh-cli-user-');
  });
  afterAll(async () => {
    await dir.remove();
  });

  it('documents --password-stdin', async () => {
    const run = await cli(['user', 'create', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('--password-stdin');
    expect(run.stderr).not.toMatch(RUNTIME_WARNING);
  }, PROCESS_TEST_TIMEOUT_MS);

  it('says that no password was given (not that it is too short) when the input is empty', async () => {
    const run = await cli(['user', 'create', '--email', 'empty@example.com', '--password-stdin', '--data-dir', dir.path], '');
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('No password was given');
    expect(run.stderr).not.toMatch(/too short|GH_AUTH_PASSWORD_TOO_SHORT/);
    expect(run.stderr).not.toMatch(RUNTIME_WARNING);
  }, PROCESS_TEST_TIMEOUT_MS);

  it('gives a CLI-created user the role of a web sign-up, and --admin adds admin', async () => {
    const plain = await cli(['user', 'create', '--email', 'alice@example.com', '--password-stdin', '--json', '--data-dir', dir.path], 'a long enough passphrase 42\n');
    expect(plain.code, plain.stderr).toBe(0);
    expect(JSON.parse(plain.stdout).roles).toEqual([...DEFAULT_ROLES]);
    expect(plain.stderr).not.toMatch(RUNTIME_WARNING);
    const admin = await cli(['user', 'create', '--email', 'root@example.com', '--admin', '--json', '--data-dir', dir.path], 'another long passphrase 42\n');
    expect(admin.code, admin.stderr).toBe(0);
    expect(JSON.parse(admin.stdout).roles).toEqual([...DEFAULT_ROLES, 'admin']);
  }, PROCESS_TEST_TIMEOUT_MS);
});

describe('gatehouse client create --help', () => {
  it('lists every scope the server accepts', async () => {
    const run = await cli(['client', 'create', '--help']);
    expect(run.code).toBe(0);
    for (const scope of ALL_SCOPES) expect(run.stdout).toContain(scope);
    expect(run.stderr).not.toMatch(RUNTIME_WARNING);
  }, PROCESS_TEST_TIMEOUT_MS);
});

describe('gatehouse balance export without backends', () => {
  it('says there is nothing to export and prints the command that exports what `gatehouse up` runs', async () => {
    const run = await cli(['balance', 'export', '--format', 'nginx']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('No backends to export');
    expect(run.stderr).toMatch(/gatehouse balance export --format nginx --listen 0\.0\.0\.0:8080 --backend 127\.0\.0\.1:3001 --backend 127\.0\.0\.1:3002 --backend 127\.0\.0\.1:3003 --health-check \/readyz/);
  }, PROCESS_TEST_TIMEOUT_MS);
});
