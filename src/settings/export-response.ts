import type { AuditExport } from '../model/audit';

/**
 * An audit export as a download, for the API and the pages alike; each mount's `no-store`
 * applies to it. `nosniff`: a CSV is never rendered as a page.
 */
export function exportResponse(file: AuditExport): Response {
  return new Response(file.body, {
    headers: {
      'Content-Type': file.contentType,
      'Content-Disposition': `attachment; filename="${file.filename}"`,
      'X-Content-Type-Options': 'nosniff',
    },
  });
}
