import { expect } from 'vitest';
import type { RoleName } from '../src/catalogue/roles';
import { send } from './helpers';

export const ADMIN = 'http://localhost';

/** A tiny cookie jar for one browser. */
export class Browser {
  cookies = new Map<string, string>();
  lang = 'en-GB,en;q=0.9';

  async go(
    path: string,
    init: RequestInit & { form?: Record<string, string> } = {},
  ): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set('Accept-Language', this.lang);
    if (this.cookies.size)
      headers.set('Cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    let body = init.body;
    if (init.form) {
      body = new URLSearchParams(init.form).toString();
      headers.set('Content-Type', 'application/x-www-form-urlencoded');
      headers.set('Origin', ADMIN);
    }
    const res = await send(
      new Request(`${ADMIN}${path}`, { ...init, headers, body, redirect: 'manual' }),
    );
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const [name, ...value] = (pair ?? '').split('=');
      if (/Max-Age=0/i.test(c)) this.cookies.delete(name!.trim());
      else this.cookies.set(name!.trim(), value.join('='));
    }
    return res;
  }

  csrf(html: string): string {
    return /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
  }

  async signIn(tenant: string, role: RoleName, name = 'Dev Admin'): Promise<void> {
    const page = await (await this.go('/settings')).text();
    const res = await this.go('/auth/dev', {
      method: 'POST',
      form: { csrf: this.csrf(page), tenant, role, name },
    });
    expect(res.status).toBe(303);
  }
}
