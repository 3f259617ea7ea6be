import { expect, test, type Page } from './csp-guard';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { E2E_PASSWORD, E2E_USER } from '../playwright.config';

// /import: a file's preview shows each bad row with its line and column and writes nothing; the
// fixed file imports as one change set; the site list's export of a search downloads a file
// that imports back as unchanged.
const SHOTS = join(__dirname, '..', 'screenshots');
mkdirSync(SHOTS, { recursive: true });

async function signIn(page: Page) {
  const reply = await page.request.post('/rpc/sign_in', {
    form: { username: E2E_USER, password: E2E_PASSWORD },
    headers: { Accept: 'application/json' },
  });
  expect(reply.ok()).toBe(true);
}

async function openImport(page: Page) {
  await page.goto('/import');
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
  await expect(page.getByRole('heading', { name: 'Import resources' })).toBeVisible();
}

async function choose(page: Page, name: string, text: string) {
  await page.locator('#import-file').setInputFiles({
    name,
    mimeType: 'text/csv',
    buffer: Buffer.from(text, 'utf8'),
  });
}

const stamp = Date.now().toString(36);
const depot = `imp-depot-${stamp}`;
const device = `imp-switch-${stamp}`;
const header = 'id,type,name,parent,meta.rack_units:number,meta.circuit';

test('a bad row is shown with its line and nothing is written; the fixed file imports', async ({ page }) => {
  await signIn(page);
  await openImport(page);

  const bad = [
    header,
    `${depot},site,Import depot ${stamp},,,00123`,
    `${device},device,Core switch ${stamp},${depot},four,`,
    '',
  ].join('\r\n');
  await choose(page, 'sites.csv', bad);
  const errors = page.locator('table.import-errors');
  await expect(errors).toBeVisible();
  const row = errors.locator('tr[data-line="3"]');
  await expect(row).toContainText('meta.rack_units');
  await expect(page.locator('.import-counts .error-count')).toHaveText('1');
  await expect(page.getByRole('button', { name: 'Import', exact: true })).toHaveCount(0);
  await expect(page.getByRole('link', { name: 'Download the error (CSV)' })).toBeVisible();
  await page.screenshot({ path: join(SHOTS, 'import-preview-errors-1280.png'), fullPage: true });
  // Nothing was written by the preview.
  expect((await page.request.get(`/api/v1/resources/${depot}`)).status()).toBe(404);

  const fixed = bad.replace(',four,', ',4,');
  await choose(page, 'sites.csv', fixed);
  await expect(page.locator('.import-counts .creates')).toHaveText('2');
  await expect(page.locator('.import-counts .error-count')).toHaveText('0');
  await expect(page.locator('.import-counts .delimiter')).toHaveText(',');
  await page.getByLabel('Comment (kept with the change set)').fill('first load');
  await page.screenshot({ path: join(SHOTS, 'import-preview-1280.png'), fullPage: true });
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Imported' })).toBeVisible();
  await expect(page.locator('.import-counts .change-set')).toContainText('chg_');
  await page.screenshot({ path: join(SHOTS, 'import-done-1280.png'), fullPage: true });

  const written = await (await page.request.get(`/api/v1/metadata/${device}`)).json();
  expect(written.metadata.rack_units).toBe(4);
  const depotMeta = await (await page.request.get(`/api/v1/metadata/${depot}`)).json();
  expect(depotMeta.metadata.circuit).toBe('00123');

  // The device has a page of its own, linked from its site, whose history names the file.
  await page.goto(`/sites/${depot}`);
  await expect(page.locator('li.change-set').first().locator('.how')).toContainText('Imported by');
  await expect(page.locator('li.change-set').first().locator('.how')).toContainText('from sites.csv');
  await page.getByRole('link', { name: `Core switch ${stamp}` }).click();
  await expect(page.getByRole('heading', { name: `Core switch ${stamp}`, level: 1 })).toBeVisible();
  await expect(page.locator('tr[data-key="rack_units"] .value-text')).toHaveText('4');
  await page.screenshot({ path: join(SHOTS, 'resource-page-1280.png'), fullPage: true });
});

test('the export of a search downloads and imports back as unchanged', async ({ page }) => {
  await signIn(page);
  await page.goto(`/?q=${stamp}`);
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
  await expect(page.locator('table.sites')).toContainText(`Import depot ${stamp}`);
  await page.screenshot({ path: join(SHOTS, 'list-export-1280.png'), fullPage: true });

  const downloading = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Export CSV' }).click();
  const download = await downloading;
  const exported = readFileSync(await download.path(), 'utf8');
  expect(exported).toContain(depot);
  expect(exported).not.toContain(device);

  await openImport(page);
  await choose(page, 'export.csv', exported);
  await expect(page.locator('.import-counts .unchanged')).toHaveText('1');
  await expect(page.locator('.import-counts .creates')).toHaveText('0');
  await expect(page.getByText('Nothing to import: every row is as stored.')).toBeVisible();
});
