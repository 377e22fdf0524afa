// The gate's API, as the signed-in console calls it: the session cookie
// authenticates (the browser sends it), and every POST carries the CSRF
// token read once from /console/session.

let csrfToken = null;

/** An answer other than 2xx: its status and the gate's message. */
export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function answer(response) {
  if (response.status === 401) {
    window.location.assign('/console/login');
    throw new ApiError(401, 'signed out');
  }
  const text = await response.text();
  let body = null;
  try { body = text ? JSON.parse(text) : null; } catch { body = text; }
  if (!response.ok) {
    const message = body && body.error ? body.error : `HTTP ${response.status}`;
    throw new ApiError(response.status, message);
  }
  return body;
}

/** Who is signed in; keeps the CSRF token for later POSTs. */
export async function whoami() {
  const me = await answer(await fetch('/console/session', { credentials: 'same-origin' }));
  csrfToken = me.csrf_token;
  return me;
}

export async function get(path) {
  return answer(await fetch(path, {
    credentials: 'same-origin',
    headers: { Accept: 'application/json' },
  }));
}

export async function post(path, body) {
  return answer(await fetch(path, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrfToken || '' },
    body: body === undefined ? undefined : JSON.stringify(body),
  }));
}

/** The live review events (Server-Sent Events; the cookie authenticates). */
export function reviewEvents() {
  return new EventSource('/v1/reviews/events', { withCredentials: true });
}
