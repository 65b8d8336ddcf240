/**
 * Session-wide protections: the Content-Security-Policy header on every response and
 * a refusal of every permission the page might ask for (camera, geolocation,
 * notifications, ...). A forensic viewer needs none of them.
 */
import type { Session } from 'electron';
import { contentSecurityPolicy } from '../../shared/csp.ts';
import type { CspMode } from '../../shared/csp.ts';

/** Put our CSP on every response, replacing any the response brought. */
export function installCsp(session: Session, mode: CspMode): void {
  const policy = contentSecurityPolicy(mode);
  session.webRequest.onHeadersReceived((details, callback) => {
    const headers: Record<string, string[]> = {};
    for (const [name, value] of Object.entries(details.responseHeaders ?? {})) {
      if (name.toLowerCase() !== 'content-security-policy') headers[name] = value;
    }
    headers['Content-Security-Policy'] = [policy];
    callback({ responseHeaders: headers });
  });
}

/** Refuse every permission request and check. */
export function denyPermissions(session: Session): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
}
