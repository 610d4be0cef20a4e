import type { Strings } from '../i18n';
import type { ToggleMode } from '../model/toggle';

/** A mode as the pages say it. */
export const modeLabel = (s: Strings, mode: ToggleMode): string =>
  mode === 'on' ? s.on : mode === 'observe' ? s.observe : s.off;
