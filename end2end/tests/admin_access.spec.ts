import { expect, test, type Page } from './csp-guard';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { E2E_PASSWORD, E2E_USER } from '../playwright.config';

// An admin looks after people and scripts: a new user with a password made for them, a token
// whose secret is shown once, works, and stops working when revoked.
test.describe.configure({ mode: 'serial' });

const SHOTS = join(__dirname, '..', 'screenshots');
mkdirSync(SHOTS, { recursive: true });
const SUFFIX = Date.now().toString(36);

async function signIn(page: Page, username: string, password: string) {
  await page.goto('/login');
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Sites', level: 1 })).toBeVisible();
}

async function screenshots(page: Page, name: string) {
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: join(SHOTS, `${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

test('an admin creates a user who signs in with the password shown once, then disables them', async ({ page }) => {
  const username = `field-${SUFFIX}`;
  await signIn(page, E2E_USER, E2E_PASSWORD);
  await page.getByRole('link', { name: 'Admin' }).click();
  await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Users' }).click();
  await expect(page.getByRole('heading', { name: 'Users', level: 1 })).toBeVisible();
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
  await page.getByRole('button', { name: 'New user' }).click();
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Role').selectOption('manager');
  await expect(page.getByRole('checkbox', { name: 'Only on the sites listed below' })).toBeVisible();
  await screenshots(page, 'admin-user-form');
  await page.getByRole('button', { name: 'Create user' }).click();
  const secret = page.locator('.shown-once .secret');
  await expect(secret).toHaveText(/^[0-9a-f]{40}$/);
  const password = (await secret.textContent())!;
  await expect(page.locator(`tr[data-user="${username}"]`)).toContainText('manager');
  await screenshots(page, 'admin-users');
  await page.getByRole('button', { name: 'I have copied it' }).click();
  await expect(secret).toHaveCount(0);

  // Their role changed in place, to staff.
  const row = page.locator(`tr[data-user="${username}"]`);
  await row.getByRole('button', { name: /Change role/ }).click();
  await page.locator('.grant-editor').getByLabel('Role').selectOption('staff');
  await page.getByRole('button', { name: 'Save role' }).click();
  await expect(row).toContainText('staff');

  const other = await page.context().browser()!.newContext();
  const theirs = await other.newPage();
  await signIn(theirs, username, password);
  await expect(theirs.locator('.user-menu')).toContainText(`${username} · staff`);

  await row.getByRole('button', { name: 'Disable' }).click();
  await row.getByRole('button', { name: 'Disable user' }).click();
  await expect(row).toContainText('Disabled');
  await theirs.reload();
  await expect(theirs.getByRole('link', { name: 'Sign in', exact: true })).toBeVisible();
  await other.close();
});

test('an admin creates a token, its secret works once shown, and revoking it stops it', async ({ page, request }) => {
  const name = `sync ${SUFFIX}`;
  await signIn(page, E2E_USER, E2E_PASSWORD);
  await page.goto('/admin/tokens');
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
  await page.getByRole('button', { name: 'New token' }).click();
  await page.getByLabel('Name', { exact: true }).fill(name);
  await page.getByLabel('Expires after (days)').fill('30');
  await page.getByRole('button', { name: 'Create token' }).click();
  const secret = (await page.locator('.shown-once .secret').textContent())!;
  expect(secret).toMatch(/^sbk_/);
  const row = page.locator(`tr[data-token="${name}"]`);
  await expect(row).toContainText('Active, expires');
  await screenshots(page, 'admin-tokens');

  const bearer = { Authorization: `Bearer ${secret}` };
  expect((await request.get('/api/v1/sites', { headers: bearer })).status()).toBe(200);
  await page.reload();
  await expect(page.locator('.shown-once')).toHaveCount(0);
  await expect(page.locator('body')).not.toContainText(secret);

  await row.getByRole('button', { name: 'Revoke' }).click();
  await row.getByRole('button', { name: 'Revoke token' }).click();
  await expect(row).toContainText('Revoked');
  expect((await request.get('/api/v1/sites', { headers: bearer })).status()).toBe(401);
});
