import type { ProductId, ProductPhases } from './types';

/** Redirection only for tenants that turn it on. */
export const OPT_IN: ProductPhases = { onByDefaultFrom: null, lockedFrom: null };

/**
 * The dates Microsoft published for each product's move (`PRODUCT_PHASES=microsoft` applies
 * them all; the catalogue's own default takes only Office's, whose default has been on since
 * before this Worker existed). Each with its public source:
 * - Endpoint: no date; the redirection setting is opt-in and "can be enabled again at any time"
 *   (https://learn.microsoft.com/defender-xdr/microsoft-365-security-mde-redirection).
 * - Office: "As of the beginning of Oct 2021, portal redirection is now done automatically, or
 *   by default"; the page still says how to turn it off, so no lock
 *   (https://learn.microsoft.com/defender-xdr/microsoft-365-security-mdo-redirection).
 * - Identity: "Starting January 31, 2023, the portal redirection setting will be automatically
 *   enabled for each tenant"; "As of July 2, 2023, the option to revert back to the classic
 *   portal is no longer available"
 *   (https://learn.microsoft.com/defender-for-identity/microsoft-365-security-mdi-redirection;
 *   the release notes of version 2.196 give July 6 for the same change: the earlier date is
 *   taken).
 * - Cloud Apps: the May 2024 release notes turn automatic redirection on by default for all
 *   customers (the month only: its first day is taken); "Starting June 16, 2024, the
 *   redirection toggle will no longer be available"
 *   (https://learn.microsoft.com/defender-cloud-apps/release-notes).
 */
export const MICROSOFT_PHASES: Readonly<Record<ProductId, ProductPhases>> = {
  endpoint: OPT_IN,
  office: { onByDefaultFrom: '2021-10-01T00:00:00Z', lockedFrom: null },
  identity: { onByDefaultFrom: '2023-01-31T00:00:00Z', lockedFrom: '2023-07-02T00:00:00Z' },
  cloudapps: { onByDefaultFrom: '2024-05-01T00:00:00Z', lockedFrom: '2024-06-16T00:00:00Z' },
};
