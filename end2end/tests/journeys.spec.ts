import { expect, test, type Page, type CDPSession } from './csp-guard';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { E2E_MANAGER, E2E_PASSWORD, E2E_STAFF, E2E_USER } from '../playwright.config';

// The three journeys of the web UI, in order: an admin defines tags, a manager fills in a site,
// a staff member finds and reads it. They share one server and one site.
test.describe.configure({ mode: 'serial' });

const SITE = `Harbour Depot ${Date.now()}`;
const SHOTS = join(__dirname, '..', 'screenshots');
mkdirSync(SHOTS, { recursive: true });

async function signInAs(page: Page, username: string) {
  await page.goto('/login');
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(E2E_PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('heading', { name: 'Sites', level: 1 })).toBeVisible();
}

async function hydrated(page: Page) {
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
}

/** Full-page screenshots at desktop and phone width. */
async function screenshots(page: Page, name: string) {
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: join(SHOTS, `${name}-${width}.png`), fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 900 });
}

/** A real PNG of random pixels, about 5 MB: stored deflate blocks keep it that large. */
function fiveMegabytePng(): Buffer {
  const width = 1400;
  const height = 1250;
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body) >>> 0);
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // RGB
  const rows = Buffer.alloc((width * 3 + 1) * height);
  const pixels = randomBytes(width * 3 * height);
  for (let y = 0; y < height; y++) {
    rows[y * (width * 3 + 1)] = 0; // no filter
    pixels.copy(rows, y * (width * 3 + 1) + 1, y * width * 3, (y + 1) * width * 3);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(rows, { level: 0 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** Slows uploads (nominally to 20 MB/s; Chromium's emulation lands far below) so their
 * progress can be watched. */
async function throttleUploads(page: Page): Promise<CDPSession> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 0,
    downloadThroughput: -1,
    uploadThroughput: 20 * 1024 * 1024,
  });
  return cdp;
}

test('1. an admin defines a tag with allowed values and a free-text tag', async ({ page }) => {
  await signInAs(page, E2E_USER);
  await page.getByLabel('Site name').fill(SITE);
  await page.getByRole('button', { name: 'Create site' }).click();
  await expect(page.getByRole('link', { name: SITE }).first()).toBeVisible();

  await page.getByRole('link', { name: 'Admin' }).click();
  await expect(page.getByRole('heading', { name: 'Tags', level: 1 })).toBeVisible();
  await hydrated(page);
  await page.getByRole('button', { name: 'New tag' }).click();
  await page.getByLabel('Name').fill('Region');
  await page.getByLabel('Description').fill('Where the site is');
  await page.getByLabel('Colour').fill('#1e90ff');
  await expect(page.getByRole('checkbox', { name: 'site' })).toBeChecked();
  await page.getByRole('checkbox', { name: 'wan' }).check();
  await page.getByLabel('Allowed values').fill('APAC\nEMEA\nAMER');
  await screenshots(page, 'admin-tag-form');
  await page.getByRole('button', { name: 'Create tag' }).click();
  const region = page.locator('tr[data-tag="Region"]');
  await expect(region).toContainText('APAC, EMEA, AMER');
  await expect(region).toContainText('0 resources');

  // A bad colour or no type is refused in words, and nothing is created.
  await page.getByRole('button', { name: 'New tag' }).click();
  await page.getByLabel('Name').fill('Circuit owner');
  await page.getByRole('checkbox', { name: 'site' }).uncheck();
  await page.getByRole('button', { name: 'Create tag' }).click();
  await expect(page.getByRole('alert')).toContainText('must apply to at least one');
  await page.getByRole('checkbox', { name: 'site' }).check();
  await page.getByRole('button', { name: 'Create tag' }).click();
  await expect(page.locator('tr[data-tag="Circuit owner"]')).toContainText('any');
  await screenshots(page, 'admin-tags');
});

test('2. a manager tags a site, edits metadata, uploads a photo and writes a note', async ({ page }) => {
  test.setTimeout(120_000);
  await signInAs(page, E2E_MANAGER);
  await page.getByRole('link', { name: SITE }).click();
  await expect(page.getByRole('heading', { name: SITE, level: 1 })).toBeVisible();
  await hydrated(page);

  // Tags: the picker offers Region's allowed values, and a text box for the free-text tag.
  await page.getByLabel('Tag', { exact: true }).selectOption({ label: 'Region' });
  await page.locator('#tag-picker-value').selectOption('EMEA');
  await page.getByRole('button', { name: 'Add tag' }).click();
  await expect(page.locator('.chip', { hasText: 'EMEA' })).toBeVisible();
  await page.getByLabel('Tag', { exact: true }).selectOption({ label: 'Circuit owner' });
  await page.locator('#tag-picker-value').fill('Telco North');
  await page.getByRole('button', { name: 'Add tag' }).click();
  await expect(page.locator('.chip', { hasText: 'Telco North' })).toBeVisible();
  await page.getByRole('button', { name: 'Remove tag Circuit owner: Telco North' }).click();
  await expect(page.locator('.chip', { hasText: 'Telco North' })).toHaveCount(0);

  // Metadata of each type; a bad number is named before anything is sent.
  const add = async (key: string, type: string, value: string) => {
    await page.getByLabel('Key', { exact: true }).fill(key);
    await page.locator('#new-key-value-type').selectOption(type);
    if (type === 'boolean') await page.locator('#new-key-value').selectOption(value);
    else await page.locator('#new-key-value').fill(value);
    await page.getByRole('button', { name: 'Add key' }).click();
    await expect(page.locator(`tr[data-key="${key}"]`)).toBeVisible();
  };
  await add('circuit_id', 'string', 'AS-4411-X');
  await page.getByLabel('Key', { exact: true }).fill('rack_units');
  await page.locator('#new-key-value-type').selectOption('number');
  await page.locator('#new-key-value').fill('two');
  await expect(page.locator('#new-key-feedback')).toContainText("'two' is not a number");
  await page.locator('#new-key-value').fill('2');
  await page.getByRole('button', { name: 'Add key' }).click();
  await expect(page.locator('tr[data-key="rack_units"]')).toContainText('number');
  await add('is_critical', 'boolean', 'true');
  await expect(page.locator('tr[data-key="is_critical"]')).toContainText('boolean');
  // The form starts over as a string key, not a boolean with no value.
  await expect(page.locator('#new-key-value-type')).toHaveValue('string');
  await expect(page.locator('#new-key-value')).toHaveValue('');

  const rack = page.locator('tr[data-key="rack_units"]');
  await rack.getByRole('button', { name: 'Edit' }).click();
  await rack.getByLabel('Value').fill('4');
  await rack.getByRole('button', { name: 'Save' }).click();
  await expect(page.locator('tr[data-key="rack_units"] .value-text')).toHaveText('4');
  const critical = page.locator('tr[data-key="is_critical"]');
  await critical.getByRole('button', { name: 'Delete' }).click();
  await critical.getByRole('button', { name: 'Delete' }).click();
  await expect(page.locator('tr[data-key="is_critical"]')).toHaveCount(0);

  // A 5 MB photo, uploaded slowly enough to watch the bar move, then a second one cancelled.
  const png = fiveMegabytePng();
  expect(png.length).toBeGreaterThan(5_000_000);
  const cdp = await throttleUploads(page);
  await page.locator('#upload-input').setInputFiles({ name: 'rack-photo.png', mimeType: 'image/png', buffer: png });
  const bar = page.getByRole('progressbar', { name: 'Upload of rack-photo.png' });
  await expect
    .poll(async () => Number(await bar.getAttribute('value')), { timeout: 15_000 })
    .toBeGreaterThan(5);
  const midway = Number(await bar.getAttribute('value'));
  expect(midway).toBeLessThan(100);
  await expect(page.locator('.upload', { hasText: 'rack-photo.png' })).toContainText('Uploaded', { timeout: 60_000 });

  // Slow enough that the cancel surely lands mid-upload: at the first upload's speed this one
  // could finish before the click, whose button then became "Dismiss" under the pointer (the
  // row vanished; seen once in a full run).
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 0,
    downloadThroughput: -1,
    uploadThroughput: 256 * 1024,
  });
  await page.locator('#upload-input').setInputFiles({ name: 'cancelled.png', mimeType: 'image/png', buffer: png });
  const second = page.locator('.upload', { hasText: 'cancelled.png' });
  await expect.poll(async () => Number(await second.locator('progress').getAttribute('value'))).toBeGreaterThan(0);
  await second.getByRole('button', { name: /Cancel/ }).click();
  await expect(second).toContainText('Cancelled');
  await cdp.detach();

  const photo = page.locator('.file', { hasText: 'rack-photo.png' });
  await expect(photo).toBeVisible();
  await expect(page.locator('.file', { hasText: 'cancelled.png' })).toHaveCount(0);
  const thumbnail = photo.locator('.thumb img');
  await expect.poll(() => thumbnail.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(1400);
  await photo.getByRole('button', { name: 'Preview rack-photo.png' }).click();
  await expect(photo.getByRole('img', { name: 'Preview of rack-photo.png' })).toBeVisible();

  const downloading = page.waitForEvent('download');
  await photo.getByRole('link', { name: /Download/ }).click();
  const download = await downloading;
  const saved = readFileSync(await download.path());
  expect(saved.equals(png)).toBe(true);

  // A note written, then edited in place.
  await page.getByRole('button', { name: 'Write a note' }).click();
  await page.getByLabel('Note title').fill('Access');
  await page.getByLabel('Text').fill('Key at reception.');
  await page.getByRole('button', { name: 'Save note' }).click();
  const note = page.locator('.file', { hasText: 'Access' });
  await expect(note).toContainText('note');
  await note.getByRole('button', { name: 'Edit note' }).click();
  await expect(note.getByLabel('Text')).toHaveValue('Key at reception.');
  await note.getByLabel('Text').fill('Key at reception; badge 4411.');
  await note.getByRole('button', { name: 'Save note' }).click();
  await expect(note.getByRole('button', { name: 'Edit note' })).toBeVisible();

  const history = page.locator('.timeline');
  await expect(history).toContainText('removed metadata');
  await expect(history.locator('li').first()).toContainText(E2E_MANAGER);
  await expect(page.locator('.last-change')).toContainText(E2E_MANAGER);
  await screenshots(page, 'site-page-manager');
});

test('3. a staff member finds the site by a tag search and can only read it', async ({ page }) => {
  await signInAs(page, E2E_STAFF);
  await hydrated(page);
  await page.getByLabel('Search sites').fill('tag:Region=EMEA');
  await page.getByRole('button', { name: 'Search' }).click();
  await expect(page).toHaveURL(/q=tag/);
  await expect(page.getByRole('link', { name: SITE })).toBeVisible();
  await page.getByRole('link', { name: SITE }).click();
  await expect(page.getByRole('heading', { name: SITE, level: 1 })).toBeVisible();
  await hydrated(page);

  await expect(page.locator('.chip', { hasText: 'EMEA' })).toBeVisible();
  await expect(page.locator('tr[data-key="rack_units"]')).toContainText('4');
  await expect(page.locator('.file', { hasText: 'rack-photo.png' })).toBeVisible();
  await expect(page.locator('.timeline li').first()).toBeVisible();
  for (const name of ['Add key', 'Add tag', 'Write a note', 'Edit', 'Delete', 'Edit note']) {
    await expect(page.getByRole('button', { name, exact: true })).toHaveCount(0);
  }
  await expect(page.locator('#upload-input')).toHaveCount(0);
  await expect(page.getByRole('button', { name: /Remove tag/ })).toHaveCount(0);
  await screenshots(page, 'site-page-staff');

  // A forged call with the staff member's own cookie and CSRF token is still refused.
  const user = await (await page.request.post('/rpc/current_user', { headers: { Accept: 'application/json' } })).json();
  const siteId = page.url().split('/sites/')[1];
  const forged = await page.request.post('/rpc/set_metadata', {
    form: { site: siteId, key: 'rack_units', kind: 'number', text: '99', revision: '0', csrf: user.csrf },
    headers: { Accept: 'application/json' },
  });
  expect(forged.status()).toBe(403);
  const upload = await page.request.post(`/api/v1/sites/${siteId}/files`, {
    headers: { 'X-CSRF-Token': user.csrf },
    multipart: { file: { name: 'x.txt', mimeType: 'text/plain', buffer: Buffer.from('hello') } },
  });
  expect(upload.status()).toBe(403);
  await page.reload();
  await expect(page.locator('tr[data-key="rack_units"] .value-text')).toHaveText('4');
});
