import type { ErrorHandler } from 'hono';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { csrf } from 'hono/csrf';
import { NONCE, secureHeaders } from 'hono/secure-headers';
import type { AdminEnv } from '../auth/context';
import { formCsrf } from '../auth/middleware';
import { tooLarge } from '../errors';
import { MAX_BODY_BYTES } from '../model/limits';

/**
 * A new mount of server-rendered pages. Everything under it gets, in this order: a body bound
 * before anything reads the body, the nonce CSP and other security headers, `no-store`, the
 * Origin check for unsafe methods and the form's CSRF token; and any error, from those checks or a
 * handler, answered by `onError` (a page, not the API's JSON). A page added to a mount made here
 * cannot forget any of them.
 */
export function pageMount(onError: ErrorHandler<AdminEnv>): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  app.onError(onError);
  app.use(
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw tooLarge();
      },
    }),
  );
  app.use(
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'none'"],
        scriptSrc: [NONCE],
        styleSrc: [NONCE],
        imgSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
      },
      referrerPolicy: 'same-origin',
    }),
  );
  app.use(async (c, next) => {
    await next();
    c.header('Cache-Control', 'no-store');
  });
  app.use(csrf());
  app.use(formCsrf);
  return app;
}
