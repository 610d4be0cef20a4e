/** Text safe inside HTML content and quoted attributes: `& < > " '` as numeric references. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}
