/** @jsxImportSource hono/jsx */
import type { Child, FC } from 'hono/jsx';
import { productById } from '../catalogue/products';
import type { AreaId, Product, ProductId } from '../catalogue/types';
import type { Strings } from '../i18n';
import { formatDate, formatDateTime } from '../i18n';
import { MAX_FEEDBACK_CHARS } from '../model/limits';
import type { ProductState } from '../model/state';
import type { ToggleMode } from '../model/toggle';
import { modeLabel } from './mode-label';

/** A message at the top of the page: what was done, or why nothing was. */
export interface Flash {
  kind: 'ok' | 'error';
  text: string;
}

/** What the dialogs say about every change: how long it takes, and that nobody is signed out. */
export interface ChangeNotes {
  /** Worst case until every location follows a change, in seconds (from the cache times). */
  reachSeconds: number;
  /** When the page was made (epoch ms): a phase date is past ("since") or to come ("from"). */
  now: number;
}

/**
 * Where the product stands in its move, from its phases: mandatory since a date, on by default
 * since or from a date, mandatory on a date to come. Nothing for a product that is simply opt-in.
 */
const PhaseLines: FC<{ s: Strings; state: ProductState; now: number }> = ({ s, state, now }) => {
  const past = (iso: string | null): iso is string => iso !== null && Date.parse(iso) <= now;
  const future = (iso: string | null): iso is string => iso !== null && Date.parse(iso) > now;
  const lines: string[] = [];
  if (state.phase === 'locked' && state.lockedFrom !== null)
    lines.push(s.locked(formatDate(s, state.lockedFrom)));
  else {
    if (past(state.onByDefaultFrom))
      lines.push(s.onByDefaultSince(formatDate(s, state.onByDefaultFrom)));
    else if (future(state.onByDefaultFrom))
      lines.push(s.onByDefaultFrom(formatDate(s, state.onByDefaultFrom)));
    if (future(state.lockedFrom)) lines.push(s.mandatoryOn(formatDate(s, state.lockedFrom)));
  }
  return (
    <>
      {lines.map((line) => (
        <p class="meta" data-phase={state.phase}>
          {line}
        </p>
      ))}
    </>
  );
};

/**
 * What moves and what stays, from the catalogue itself: the areas of the product's deep-link
 * rows, and of its out-of-scope pages (plus every unlisted page where only listed ones moved).
 */
function movesAndStays(product: Product): { moves: AreaId[]; stays: AreaId[] } {
  const unique = (areas: AreaId[]) => [...new Set(areas)];
  return {
    moves: unique(product.deepLinks.rows.map((r) => r.area)),
    stays: unique(product.outOfScope.map((o) => o.area)),
  };
}

const MovesLine: FC<{ s: Strings; product: Product }> = ({ s, product }) => {
  const { moves, stays } = movesAndStays(product);
  const staysText = [
    ...stays.map((a) => s.areas[a]),
    ...(product.unlisted === 'out-of-scope' ? [s.staysUnlisted] : []),
  ];
  return (
    <p class="meta" data-moves={product.id}>
      {s.moves} {moves.map((a) => s.areas[a]).join(', ')}. {s.stays}{' '}
      {staysText.length > 0 ? staysText.join(', ') : s.staysNothing}.
    </p>
  );
};

/** What the buttons and the confirmation say for a change to `mode`. */
function modeWords(s: Strings, mode: ToggleMode) {
  switch (mode) {
    case 'on':
      return {
        button: s.enable,
        title: s.confirmEnableTitle,
        text: s.confirmEnableText,
        confirm: s.enable,
      };
    case 'observe':
      return {
        button: s.observeButton,
        title: s.confirmObserveTitle,
        text: s.confirmObserveText,
        confirm: s.observeButton,
      };
    case 'off':
      return {
        button: s.disable,
        title: s.confirmDisableTitle,
        text: s.confirmDisableText,
        confirm: s.disableAndFeedback,
      };
  }
}

/** What a confirmation shows and posts: the product, the mode asked for, the version seen. */
interface ConfirmProps {
  s: Strings;
  product: ProductId;
  mode: ToggleMode;
  version: number;
  csrf: string;
  notes: ChangeNotes;
}

const ConfirmForm: FC<
  ConfirmProps & {
    inDialog: boolean;
    /** The dialog's id suffix (`dialogId`); by default the mode's. */
    id?: string;
  }
> = ({ s, product, mode, version, csrf, notes, inDialog, id = dialogId(product, mode, false) }) => {
  const words = modeWords(s, mode);
  // Signed-in users move at their next sign-in, and where a new tab moves them, then too.
  const newTab = productById(product)?.stickiness === 'session-or-new-tab';
  return (
    <form method="post" action={`/settings/${product}`}>
      <h2 id={`confirm-${id}-title`}>{words.title(s.products[product])}</h2>
      <p>{words.text}</p>
      <p class="meta">
        {s.reachTime(s.duration(notes.reachSeconds))}{' '}
        {mode === 'on' ? (newTab ? s.notSignedOutCloudApps : s.notSignedOut) : null}
      </p>
      <input type="hidden" name="csrf" value={csrf} />
      <input type="hidden" name="mode" value={mode} />
      {/* The version this page showed: a change made meanwhile by someone else is not overwritten. */}
      <input type="hidden" name="version" value={String(version)} />
      {mode !== 'off' ? null : (
        <>
          <label for={`feedback-${product}${inDialog ? '-d' : ''}`}>{s.feedbackLabel}</label>
          <textarea
            id={`feedback-${product}${inDialog ? '-d' : ''}`}
            name="feedback"
            rows={4}
            maxlength={MAX_FEEDBACK_CHARS}
          ></textarea>
        </>
      )}
      <div class="actions">
        <button type="submit">{words.confirm}</button>
        {inDialog ? (
          <button type="button" class="secondary" data-close="">
            {s.cancel}
          </button>
        ) : (
          <a class="button secondary" href="/settings">
            {s.cancel}
          </a>
        )}
      </div>
    </form>
  );
};

/**
 * A change's dialog id: the on/off flip's is `<product>` (a page holds one of the two), observe's
 * `<product>-observe`, keeping the default's mode as a choice `<product>-keep`.
 */
function dialogId(product: ProductId, mode: ToggleMode, keep: boolean): string {
  return keep ? `${product}-keep` : mode === 'observe' ? `${product}-observe` : product;
}

/** Off only because the tenant never chose, with the product on by default from a date to come. */
function offUntilDefault(state: ProductState, now: number): boolean {
  return (
    state.source === 'default' &&
    state.mode === 'off' &&
    state.onByDefaultFrom !== null &&
    Date.parse(state.onByDefaultFrom) > now
  );
}

/**
 * A change button and its dialog. The on/off flip keeps the dialog id `dialog-<product>`;
 * observe has its own, `dialog-<product>-observe`. Without script the button opens the
 * confirmation page, carrying the version shown.
 */
const ChangeButton: FC<{
  s: Strings;
  state: ProductState;
  mode: ToggleMode;
  csrf: string;
  notes: ChangeNotes;
}> = ({ s, state, mode, csrf, notes }) => {
  const { product } = state;
  const keep = mode === state.mode;
  const id = dialogId(product, mode, keep);
  return (
    <>
      <form method="get" action={`/settings/confirm/${product}`} data-confirm={`dialog-${id}`}>
        <input type="hidden" name="mode" value={mode} />
        <input type="hidden" name="version" value={String(state.version)} />
        <button type="submit" class={mode === 'on' ? '' : 'secondary'}>
          {keep ? s.keepOff : modeWords(s, mode).button}
        </button>
      </form>
      <dialog id={`dialog-${id}`} aria-labelledby={`confirm-${id}-title`}>
        <ConfirmForm
          s={s}
          product={product}
          mode={mode}
          version={state.version}
          csrf={csrf}
          notes={notes}
          inDialog={true}
          id={id}
        />
      </dialog>
    </>
  );
};

export const SettingsPage: FC<{
  s: Strings;
  states: ProductState[];
  products: readonly Product[];
  writable: ReadonlySet<ProductId>;
  csrf: string;
  notes: ChangeNotes;
  flash: Flash | null;
  children?: Child;
}> = ({ s, states, products, writable, csrf, notes, flash, children }) => (
  <>
    <p>{s.intro}</p>
    {flash ? (
      <p
        class={flash.kind === 'ok' ? 'flash' : 'flash error'}
        role="status"
        data-flash={flash.kind}
      >
        {flash.text}
      </p>
    ) : null}
    {states.map((state) => {
      const product = products.find((p) => p.id === state.product);
      const canChange = writable.has(state.product) && !state.locked;
      // The on/off flip first, then observe unless it is the current mode; and while off only by
      // default with an on-by-default date to come, off as a choice of the tenant's own.
      const targets: ToggleMode[] = [
        state.mode === 'on' ? 'off' : 'on',
        ...(state.mode === 'observe' ? ['off' as const] : ['observe' as const]),
        ...(offUntilDefault(state, notes.now) ? ['off' as const] : []),
      ];
      return (
        <section
          class="product"
          aria-labelledby={`h-${state.product}`}
          data-product={state.product}
        >
          <h2 id={`h-${state.product}`}>{s.sections[state.product]}</h2>
          <p>
            <span class={`state ${state.mode}`} data-state={state.mode}>
              {modeLabel(s, state.mode)}
            </span>{' '}
            · {state.source === 'default' ? s.sourceDefault : s.sourceTenant}
          </p>
          {product ? <MovesLine s={s} product={product} /> : null}
          {state.mode === 'observe' ? <p class="meta">{s.observeHelp}</p> : null}
          <PhaseLines s={s} state={state} now={notes.now} />
          <p class="meta">
            {state.changedAt && state.changedBy
              ? s.changedBy(
                  state.changedBy.name || state.changedBy.oid || '?',
                  formatDateTime(s, state.changedAt),
                )
              : s.neverChanged}
          </p>
          {canChange ? (
            <div class="actions">
              {targets.map((mode) => (
                <ChangeButton s={s} state={state} mode={mode} csrf={csrf} notes={notes} />
              ))}
            </div>
          ) : state.locked ? null : (
            <p class="note">{s.readOnly(s.writeRoles[state.product])}</p>
          )}
        </section>
      );
    })}
    {children}
    <p>
      <a href="/settings/audit">{s.audit}</a>
    </p>
  </>
);

/** The confirmation without script: the same form, on a page of its own. */
export const ConfirmPage: FC<ConfirmProps> = (props) => (
  <section class="product">
    <ConfirmForm {...props} inDialog={false} />
  </section>
);
