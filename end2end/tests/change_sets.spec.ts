import { expect, test, type Page } from './csp-guard';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { E2E_PASSWORD, E2E_USER } from '../playwright.config';

// A history grouped by change set, and "Revert…": what would be put back is shown first, then
// the edit is undone and the page shows the value as it was.
const SHOTS = join(__dirname, '..', 'screenshots');
mkdirSync(SHOTS, { recursive: true });

async function signIn(page: Page) {
  const reply = await page.request.post('/rpc/sign_in', {
    form: { username: E2E_USER, password: E2E_PASSWORD },
    headers: { Accept: 'application/json' },
  });
  expect(reply.ok()).toBe(true);
}

test('Revert… on an edit shows what it would put back, then puts the value back', async ({ page }) => {
  await signIn(page);
  const name = `Revert depot ${Date.now()}`;
  await page.goto('/');
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
  await page.getByLabel('Site name').fill(name);
  await page.getByRole('button', { name: 'Create site' }).click();
  await page.locator('table.sites').getByRole('link', { name, exact: true }).click();
  await expect(page.getByRole('heading', { name, level: 1 })).toBeVisible();
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();

  await page.getByLabel('Key', { exact: true }).fill('rack_units');
  await page.locator('#new-key-value-type').selectOption('number');
  await page.locator('#new-key-value').fill('2');
  await page.getByRole('button', { name: 'Add key' }).click();
  const rack = page.locator('tr[data-key="rack_units"]');
  await expect(rack).toBeVisible();
  await rack.getByRole('button', { name: 'Edit' }).click();
  await rack.getByLabel('Value').fill('4');
  await rack.getByRole('button', { name: 'Save' }).click();
  await expect(page.locator('tr[data-key="rack_units"] .value-text')).toHaveText('4');

  // Newest first: the edit's set heads the history, in words.
  const newest = page.locator('li.change-set').first();
  await expect(newest.locator('.how')).toContainText('Changed by');
  await expect(newest).toContainText("metadata 'rack_units'");
  await newest.getByRole('button', { name: 'Revert…' }).click();
  const preview = newest.getByRole('dialog', { name: 'Revert this change' });
  await expect(preview).toContainText("'rack_units' back to 2");
  await page.screenshot({ path: join(SHOTS, 'revert-preview-1280.png'), fullPage: true });
  await preview.getByRole('button', { name: 'Revert', exact: true }).click();

  await expect(page.locator('tr[data-key="rack_units"] .value-text')).toHaveText('2');
  await expect(page.locator('li.change-set').first().locator('.how')).toContainText('Reverted by');
  await page.screenshot({ path: join(SHOTS, 'revert-done-1280.png'), fullPage: true });
});
