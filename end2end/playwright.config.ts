import { defineConfig } from '@playwright/test';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// The tests run against the release build that `scripts/build` leaves in target/.
const root = resolve(__dirname, '..');
const port = process.env.SITEBOOK_E2E_PORT ?? '3107';
const baseURL = `http://127.0.0.1:${port}`;

/** The admin the tests sign in as; created by the webServer command below. */
export const E2E_USER = 'e2e-admin';
export const E2E_PASSWORD = 'e2e-password-not-secret';
/** A site manager and a staff user for the journeys, with the same password. */
export const E2E_MANAGER = 'e2e-manager';
export const E2E_STAFF = 'e2e-staff';

// One fresh data directory per run. Set in the environment so the worker processes, which load
// this file again, see the same value instead of making their own.
process.env.SITEBOOK_E2E_DATA_DIR ??= mkdtempSync(join(tmpdir(), 'sitebook-e2e-'));

export default defineConfig({
  testDir: './tests',
  outputDir: './test-results',
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: !!process.env.CI,
  reporter: [['list']],
  use: {
    baseURL,
    headless: true,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      // Debian's Chromium: Playwright cannot download its own browser on this network.
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--disable-quic',
        '--no-first-run',
      ],
    },
  },
  // Playwright starts the server, waits until it answers, and stops it after the run.
  // First an admin for the tests to sign in as (the data directory is new), then the server.
  webServer: {
    command: [
      `printf '%s\\n' "$E2E_PASSWORD" | "$SITEBOOK_BIN" user create --username "$E2E_USER" --role admin --password-stdin`,
      `printf '%s\\n' "$E2E_PASSWORD" | "$SITEBOOK_BIN" user create --username "$E2E_MANAGER" --role manager --password-stdin`,
      `printf '%s\\n' "$E2E_PASSWORD" | "$SITEBOOK_BIN" user create --username "$E2E_STAFF" --role staff --password-stdin`,
      `exec "$SITEBOOK_BIN"`,
    ].join(' && '),
    cwd: root,
    url: `${baseURL}/`,
    timeout: 60_000,
    reuseExistingServer: false,
    stdout: 'pipe',
    stderr: 'pipe',
    env: {
      SITEBOOK_BIN: process.env.SITEBOOK_BIN ?? join(root, 'target/release/sitebook'),
      E2E_USER: E2E_USER,
      E2E_MANAGER: E2E_MANAGER,
      E2E_STAFF: E2E_STAFF,
      E2E_PASSWORD: E2E_PASSWORD,
      SITEBOOK_ADDR: `127.0.0.1:${port}`,
      SITEBOOK_DATA_DIR: process.env.SITEBOOK_E2E_DATA_DIR,
      LEPTOS_SITE_ROOT: join(root, 'target/site'),
    },
  },
});
