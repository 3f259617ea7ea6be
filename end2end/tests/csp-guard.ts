import { expect, test as base } from '@playwright/test';

export { expect };
export type { Page, CDPSession } from '@playwright/test';

// Every browser test runs its pages under Sitebook's Content-Security-Policy, and fails if
// the browser refused anything the pages do (a script, a style, a connection): the hydrated
// app has to work under the policy, not merely load.
export const test = base.extend<{ cspRefusals: string[] }>({
  cspRefusals: [
    async ({ page }, use) => {
      const refused: string[] = [];
      page.on('console', (message) => {
        if (message.text().includes('Content Security Policy')) refused.push(message.text());
      });
      await use(refused);
      expect(refused, 'the browser refused what the page did under its policy').toEqual([]);
    },
    { auto: true },
  ],
});
