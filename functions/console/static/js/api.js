// The console's only way to the API: JSON in and out, the signed-in person's token on every call,
// one silent refresh when the token expired, and errors as ApiError (the API's error envelope).

const SESSION = "passaparola.session";

function apiBase() {
  const meta = document.querySelector('meta[name="api-base"]');
  return (meta && meta.content) || "";
}
export const base = apiBase();

export class ApiError extends Error {
  constructor(status, code, message, details) {
    super(message || code);
    this.name = "ApiError";
    this.status = status;
    this.code = code;
    this.details = details || {};
  }
}

export const session = {
  /** {id_token, refresh_token, user: {email, role}} or null. */
  get() {
    try {
      const raw = sessionStorage.getItem(SESSION);
      return raw ? JSON.parse(raw) : null;
    } catch (e) {
      return null;
    }
  },
  set(value) {
    sessionStorage.setItem(SESSION, JSON.stringify(value));
  },
  clear() {
    sessionStorage.removeItem(SESSION);
  },
};

let onSignedOut = () => {};
/** The shell's handler for a session that cannot be used any more (back to the sign-in page). */
export function whenSignedOut(fn) {
  onSignedOut = fn;
}

function url(path, query) {
  let out = base + path;
  if (query) {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) {
      if (v !== undefined && v !== null && v !== "") params.set(k, String(v));
    }
    const text = params.toString();
    if (text) out += (out.includes("?") ? "&" : "?") + text;
  }
  return out;
}

async function send(method, path, { query, body, idempotencyKey, token, contentType } = {}) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = contentType || "application/json";
  if (token) headers.Authorization = "Bearer " + token;
  if (idempotencyKey) headers["Idempotency-Key"] = idempotencyKey;
  let response;
  try {
    response = await fetch(url(path, query), {
      method,
      headers,
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
      credentials: "omit",
      cache: "no-store",
    });
  } catch (e) {
    throw new ApiError(0, "network_error", "The server could not be reached.", {});
  }
  const text = await response.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch (e) {
      data = text;
    }
  }
  if (!response.ok) {
    const error = (data && data.error) || {};
    throw new ApiError(
      response.status,
      error.code || "http_" + response.status,
      error.message || response.statusText,
      error.details,
    );
  }
  return data;
}

let refreshing = null;
async function refresh(current) {
  if (!refreshing) {
    refreshing = send("POST", "/v1/console/session/refresh", { body: { refresh_token: current.refresh_token } })
      .then((fresh) => {
        const next = { ...current, ...fresh, refresh_token: fresh.refresh_token || current.refresh_token };
        session.set(next);
        return next;
      })
      .finally(() => {
        refreshing = null;
      });
  }
  return refreshing;
}

async function request(method, path, options = {}) {
  const current = session.get();
  try {
    return await send(method, path, { ...options, token: current && current.id_token });
  } catch (error) {
    if (!(error instanceof ApiError) || error.status !== 401 || !current) throw error;
    if (error.code === "token_expired" && current.refresh_token) {
      let next;
      try {
        next = await refresh(current);
      } catch (e) {
        session.clear();
        onSignedOut("expired");
        throw error;
      }
      return send(method, path, { ...options, token: next.id_token });
    }
    session.clear();
    onSignedOut("invalid");
    throw error;
  }
}

/** A fresh Idempotency-Key for one user action (its retries reuse it). */
export function newKey() {
  return "console-" + (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random());
}

export const api = {
  get: (path, query) => request("GET", path, { query }),
  post: (path, body, { idempotencyKey, query } = {}) =>
    request("POST", path, { body: body === undefined ? {} : body, idempotencyKey, query }),
  patch: (path, body, { idempotencyKey } = {}) =>
    request("PATCH", path, { body, idempotencyKey, contentType: "application/merge-patch+json" }),
  put: (path, body, { idempotencyKey } = {}) => request("PUT", path, { body, idempotencyKey }),
  del: (path, { idempotencyKey } = {}) => request("DELETE", path, { idempotencyKey }),
  /** Raw text (CSV exports): the same auth and errors, the body unparsed. */
  async text(path, query) {
    const current = session.get();
    const response = await fetch(url(path, query), {
      headers: current ? { Authorization: "Bearer " + current.id_token } : {},
      cache: "no-store",
    });
    const text = await response.text();
    if (!response.ok) {
      let error = {};
      try {
        error = JSON.parse(text).error || {};
      } catch (e) {
        // not JSON
      }
      throw new ApiError(response.status, error.code || "http_" + response.status, error.message, error.details);
    }
    return text;
  },
  /** Sign-in is not a signed request: no token, no refresh. */
  signIn: (body) => send("POST", "/v1/console/session", { body }),
};
