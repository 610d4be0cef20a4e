import { en, type Strings } from './en';
import { nl } from './nl';

/**
 * Every language: adding one is a new file and one line here. A Map, because the keys asked for
 * come from request text (`?lang=`, a cookie, Accept-Language): `__proto__` or `constructor`
 * must find nothing, never a property every object inherits.
 */
const LANGUAGES: ReadonlyMap<string, Strings> = new Map([
  ['en', en],
  ['nl', nl],
]);
export const DEFAULT_LANGUAGE = 'en';
export type { Strings };

/** The language with exactly this tag, if there is one. */
export function languageNamed(tag: string | undefined | null): Strings | undefined {
  return tag ? LANGUAGES.get(tag) : undefined;
}

/**
 * The language for a request: an explicit choice (`?lang=`, then the `pr_lang` cookie), else the
 * best match in Accept-Language by q-value, else English.
 */
export function pickLanguage(
  explicit: string | undefined | null,
  acceptLanguage: string | undefined | null,
): Strings {
  const chosen = languageNamed(explicit);
  if (chosen) return chosen;
  const ranked = (acceptLanguage ?? '')
    .split(',')
    .map((part) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = Number(
        params
          .find((p) => p.trim().startsWith('q='))
          ?.trim()
          .slice(2) ?? '1',
      );
      return { base: tag.toLowerCase().split('-')[0] ?? '', q: Number.isFinite(q) ? q : 0 };
    })
    .filter((l) => l.q > 0)
    .sort((a, b) => b.q - a.q);
  for (const { base } of ranked) {
    const match = languageNamed(base);
    if (match) return match;
  }
  return en;
}

/** Dates and times formatted for the language, in UTC (the audit's own clock). */
export function formatDateTime(strings: Strings, iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${new Intl.DateTimeFormat(strings.locale, {
    dateStyle: 'long',
    timeStyle: 'short',
    timeZone: 'UTC',
  }).format(date)} UTC`;
}

/** A day formatted for the language, in UTC (a product's phase dates). */
export function formatDate(strings: Strings, iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return new Intl.DateTimeFormat(strings.locale, {
    dateStyle: 'long',
    timeZone: 'UTC',
  }).format(date);
}
