import { expect, test, type Page } from './csp-guard';
import { E2E_PASSWORD, E2E_USER } from '../playwright.config';

/** Signs in through the sign-in server function; the cookie lands in the page's context. */
async function signIn(page: Page) {
  const reply = await page.request.post('/rpc/sign_in', {
    form: { username: E2E_USER, password: E2E_PASSWORD },
    headers: { Accept: 'application/json' },
  });
  expect(reply.ok()).toBe(true);
}

/** Waits until the WASM client has hydrated the page (the app marks <body> when it has). */
async function waitForHydration(page: Page) {
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
}

/** A marker that survives only as long as the document does: a full page load erases it. */
async function markDocument(page: Page) {
  await page.evaluate(() => ((window as unknown as { sitebookMarker: number }).sitebookMarker = 42));
}

async function documentWasKept(page: Page) {
  return page.evaluate(() => (window as unknown as { sitebookMarker?: number }).sitebookMarker === 42);
}

test('signing in through the form shows who is signed in, and signing out ends it', async ({ page }) => {
  await page.goto('/');
  await expect(page.locator('main').getByRole('link', { name: 'sign in' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Create site' })).toHaveCount(0);

  await page.goto('/login');
  await waitForHydration(page);
  await page.getByLabel('Username').fill(E2E_USER);
  await page.getByLabel('Password').fill('not the password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('alert')).toHaveText('The username or password is wrong.');

  await page.getByLabel('Password').fill(E2E_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Sites', level: 1 })).toBeVisible();
  await expect(page.locator('.user-menu')).toContainText(E2E_USER);
  await expect(page.getByRole('button', { name: 'Create site' })).toBeVisible();

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page.getByRole('heading', { name: 'Sign in', level: 1 })).toBeVisible();
  await page.goto('/');
  await expect(page.getByRole('button', { name: 'Create site' })).toHaveCount(0);
});

test('a site created through the hydrated form is listed and its page opens', async ({ page }) => {
  await signIn(page);
  const name = `Branch ${Date.now()}`;
  let documentLoads = 0;
  page.on('load', () => documentLoads++);

  await page.goto('/');
  await expect(page.getByRole('heading', { name: 'Sites', level: 1 })).toBeVisible();
  await waitForHydration(page);
  await markDocument(page);
  const loadsBefore = documentLoads;

  const field = page.getByLabel('Site name');
  await field.fill(`  ${name}  `);
  await page.getByRole('button', { name: 'Create site' }).click();

  const table = page.locator('table.sites');
  await expect(table.getByRole('link', { name, exact: true })).toBeVisible();
  await expect(page.locator('.form-ok')).toContainText(`Created ${name}`);
  await expect(field).toHaveValue('');
  // Hydration proven: the submit went through the WASM client, not a page load.
  expect(await documentWasKept(page)).toBe(true);
  expect(documentLoads).toBe(loadsBefore);

  // A duplicate (ignoring case) is refused inline, still without a page load, and not listed.
  await field.fill(name.toUpperCase());
  await page.getByRole('button', { name: 'Create site' }).click();
  await expect(page.getByRole('alert')).toHaveText(`A site named '${name.toUpperCase()}' already exists.`);
  await expect(table.getByRole('link', { name: new RegExp(`^${name}$`, 'i') })).toHaveCount(1);
  expect(await documentWasKept(page)).toBe(true);

  // A blank name gets the core's message inline.
  await field.fill('   ');
  await page.getByRole('button', { name: 'Create site' }).click();
  await expect(page.getByRole('alert')).toHaveText('A name is required.');

  await table.getByRole('link', { name, exact: true }).click();
  await expect(page).toHaveURL(/\/sites\/site_[0-9a-f]{32}$/);
  await expect(page.getByRole('heading', { name, level: 1 })).toBeVisible();
  await expect(page.locator('.facts')).toContainText('site');
  await expect(page).toHaveTitle(`${name} · Sitebook`);

  // The page is server-rendered too: a fresh load of its address shows the same site.
  const response = await page.reload();
  expect(response?.status()).toBe(200);
  await expect(page.getByRole('heading', { name, level: 1 })).toBeVisible();
});

test('an unknown site id gets a 404 page', async ({ page }) => {
  await signIn(page);
  const response = await page.goto('/sites/site_00000000000000000000000000000000');
  expect(response?.status()).toBe(404);
  await expect(page.getByRole('heading', { name: 'Not found' })).toBeVisible();
  await page.getByRole('link', { name: 'Back to all sites' }).click();
  await expect(page.getByRole('heading', { name: 'Sites', level: 1 })).toBeVisible();
});

test.describe('without JavaScript', () => {
  test.use({ javaScriptEnabled: false });

  test('the list is readable and the form still creates a site and reports errors', async ({ page }) => {
    await signIn(page);
    const name = `No-JS depot ${Date.now()}`;
    await page.goto('/');
    await expect(page.getByRole('heading', { name: 'Sites', level: 1 })).toBeVisible();

    await page.getByLabel('Site name').fill(name);
    await page.getByRole('button', { name: 'Create site' }).click();
    await expect(page.locator('table.sites').getByRole('link', { name, exact: true })).toBeVisible();

    await page.getByLabel('Site name').fill(name);
    await page.getByRole('button', { name: 'Create site' }).click();
    await expect(page.getByRole('alert')).toHaveText(`A site named '${name}' already exists.`);
  });
});

test('pages carry a Content-Security-Policy with a fresh nonce and still hydrate under it', async ({ page }) => {
  await signIn(page);
  const first = await page.goto('/');
  const policy = first?.headers()['content-security-policy'] ?? '';
  expect(policy).toMatch(/script-src 'nonce-[A-Za-z0-9_-]+' 'strict-dynamic' 'wasm-unsafe-eval'/);
  expect(policy).toContain("frame-ancestors 'none'");
  await waitForHydration(page);
  const second = await page.reload();
  expect(second?.headers()['content-security-policy']).not.toBe(policy);
  await waitForHydration(page);
});
