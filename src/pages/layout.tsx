/** @jsxImportSource hono/jsx */
import { raw } from 'hono/html';
import type { Child, FC } from 'hono/jsx';
import { DIRECTORY_ROLES, type RoleName } from '../catalogue/roles';
import type { ErrorCode } from '../errors';
import type { Strings } from '../i18n';
import { CSS, SCRIPT } from './assets';

export interface Viewer {
  name: string;
  tenant: string;
}

/** Every page's frame: `<!doctype html>` (standards mode), header, language switch, sign-out. */
export const Layout: FC<{
  s: Strings;
  nonce: string;
  title: string;
  viewer?: Viewer | null;
  csrf?: string;
  script?: boolean;
  children?: Child;
}> = ({ s, nonce, title, viewer, csrf, script, children }) => (
  <>
    {raw('<!doctype html>')}
    <html lang={s.lang}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{title}</title>
        {/* Constant text of our own: not escaped (escaping would break the CSS and the script). */}
        <style nonce={nonce} dangerouslySetInnerHTML={{ __html: CSS }} />
      </head>
      <body>
        <header>
          <h1>{s.title}</h1>
          <nav aria-label="account">
            <a
              href={`?lang=${s.lang === 'nl' ? 'en' : 'nl'}`}
              hreflang={s.lang === 'nl' ? 'en' : 'nl'}
              lang={s.lang === 'nl' ? 'en' : 'nl'}
            >
              {s.switchLanguage}
            </a>
            {viewer ? (
              <>
                {' · '}
                {s.signedInAs} {viewer.name} ({s.tenant} {viewer.tenant}){' '}
                <form method="post" action="/auth/logout" class="inline">
                  <input type="hidden" name="csrf" value={csrf ?? ''} />
                  <button type="submit">{s.signOut}</button>
                </form>
              </>
            ) : null}
          </nav>
        </header>
        <main>{children}</main>
        {script ? <script nonce={nonce} dangerouslySetInnerHTML={{ __html: SCRIPT }} /> : null}
      </body>
    </html>
  </>
);

/** The settings side's error page: the status, what happened, and what to do, in words. */
export const ErrorPage: FC<{ s: Strings; code: ErrorCode; status: number }> = ({
  s,
  code,
  status,
}) => {
  const [what, todo] = s.errors[code];
  const signIn = code === 'unauthorized';
  return (
    <section class="product error-page" data-error={code}>
      <h2>{code === 'internal_error' ? s.errorTitle : what}</h2>
      <p class="meta">{s.errorStatus(status)}</p>
      {code === 'internal_error' ? <p>{what}</p> : null}
      <p>{todo}</p>
      <p class="actions">
        <a class="button" href="/settings">
          {signIn ? s.signInAgain : s.reload}
        </a>
      </p>
    </section>
  );
};

/** The sign-in page: with Microsoft when configured, and the local development sign-in. */
export const SignInPage: FC<{
  s: Strings;
  dev: boolean;
  production: boolean;
  csrf: string;
  tenant: string;
}> = ({ s, dev, production, csrf, tenant }) => (
  <>
    <p>{s.intro}</p>
    {production ? (
      <p>
        <a class="button" href="/auth/login">
          {s.signIn}
        </a>
      </p>
    ) : null}
    {dev ? (
      <section class="product">
        <h2>{s.devSignIn}</h2>
        <p class="meta">{s.devSignInHelp}</p>
        <form method="post" action="/auth/dev">
          <input type="hidden" name="csrf" value={csrf} />
          <label for="dev-tenant">{s.tenant}</label>
          <input
            id="dev-tenant"
            name="tenant"
            value={tenant}
            required
            aria-describedby="dev-tenant-help"
            pattern="[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
          />
          <p class="meta" id="dev-tenant-help">
            {s.devTenantHelp}
          </p>
          <label for="dev-role">{s.role}</label>
          <select id="dev-role" name="role">
            {(Object.keys(DIRECTORY_ROLES) as RoleName[]).map((r) => (
              <option value={r}>{s.roles[r]}</option>
            ))}
          </select>
          <label for="dev-name">{s.name}</label>
          <input id="dev-name" name="name" value="Dev Admin" />
          <div class="actions">
            <button type="submit">{s.continue}</button>
          </div>
        </form>
      </section>
    ) : null}
  </>
);
