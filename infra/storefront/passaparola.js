/*!
 * Passaparola storefront script: referral attribution in the browser. No dependencies, no build step.
 *
 *   <script src="https://cdn.example.com/passaparola.js" data-api="https://api.example.com"
 *           data-key="pk_..." data-window-days="30" data-model="first_touch"></script>
 *
 * On every page: reads `ref` from the URL and keeps it (first-party cookie + localStorage, either alone
 * suffices) for the attribution window, first or last touch; reports a `visit` once per browser session
 * per code. The shop calls `Passaparola.identify({email, customerId})` at signup and passes
 * `Passaparola.getReferral()` to its backend at checkout. It never throws into the page.
 *
 * Options, from the tag's data-* attributes, then `window.PassaparolaConfig = {...}` if set before the tag,
 * or later with `Passaparola.init({...})` (the script waits for it when neither gave a key):
 *   api (default: this script's origin), key (publishable), windowDays (30; match the program's
 *   attribution.window_days), model ("first_touch" | "last_touch"; match attribution.model), param ("ref"),
 *   cookieDomain (e.g. ".example.com" to share across subdomains), debug (console.warn on errors).
 */
(function (window, document) {
  "use strict";

  if (window.Passaparola && window.Passaparola.version) return; // the tag was included twice

  var VERSION = "1";
  var STORE_KEY = "passaparola_ref";
  var VISITOR_KEY = "passaparola_visitor";
  var VISITED_PREFIX = "passaparola_visited:";
  var SIGNUP_KEY = "passaparola_signup";
  var DAY_MS = 86400000;
  var CODE_PATTERN = /^[A-Z0-9][A-Z0-9_-]{0,63}$/;

  var config = { api: "", key: "", windowDays: 30, model: "first_touch", param: "ref", cookieDomain: "", debug: false };
  var memory = {}; // used when a storage is unavailable (privacy modes, sandboxed frames)
  var started = false; // configured (tag, PassaparolaConfig or init): may capture, prune and report
  var pendingCode = null; // a ref seen before the script knew where to report it

  function warn() {
    if (!config.debug || !window.console || !console.warn) return;
    try {
      console.warn.apply(console, ["[passaparola]"].concat(Array.prototype.slice.call(arguments)));
    } catch (e) {
      /* never throw into the page */
    }
  }

  // ------------------------------------------------------------------------------------ configuration
  function configure(opts) {
    if (!opts) return;
    if (typeof opts.api === "string" && opts.api) config.api = opts.api.replace(/\/+$/, "");
    if (typeof opts.key === "string") config.key = opts.key;
    var days = parseFloat(opts.windowDays);
    if (days > 0 && isFinite(days)) config.windowDays = days;
    if (opts.model === "first_touch" || opts.model === "last_touch") config.model = opts.model;
    if (typeof opts.param === "string" && opts.param) config.param = opts.param;
    if (typeof opts.cookieDomain === "string") config.cookieDomain = opts.cookieDomain;
    if (opts.debug !== undefined && opts.debug !== null) {
      config.debug = opts.debug !== false && opts.debug !== "false" && opts.debug !== "0";
    }
  }

  function fromScriptTag(script) {
    if (!script) return {};
    var data = script.dataset || {};
    var opts = {
      api: data.api,
      key: data.key,
      windowDays: data.windowDays,
      model: data.model,
      param: data.param,
      cookieDomain: data.cookieDomain,
      debug: data.debug !== undefined ? data.debug || true : undefined,
    };
    if (!opts.api && script.src) {
      try {
        opts.api = new URL(script.src, location.href).origin; // served by the API itself (the local stack)
      } catch (e) {
        /* keep no api: visits are then not reported until init({api}) */
      }
    }
    return opts;
  }

  // ------------------------------------------------------------------------------------------ storage
  function storage(kind) {
    try {
      var s = window[kind];
      var probe = "passaparola_probe";
      s.setItem(probe, "1");
      s.removeItem(probe);
      return s;
    } catch (e) {
      return null;
    }
  }

  function getItem(kind, name) {
    var s = storage(kind);
    try {
      return s ? s.getItem(name) : memory[kind + ":" + name] || null;
    } catch (e) {
      return null;
    }
  }

  function setItem(kind, name, value) {
    var s = storage(kind);
    try {
      if (s) s.setItem(name, value);
      else memory[kind + ":" + name] = value;
    } catch (e) {
      memory[kind + ":" + name] = value;
    }
  }

  function removeItem(kind, name) {
    delete memory[kind + ":" + name];
    var s = storage(kind);
    try {
      if (s) s.removeItem(name);
    } catch (e) {
      /* nothing to remove */
    }
  }

  function cookieAttributes(maxAgeSeconds) {
    var attrs = "; path=/; max-age=" + Math.max(0, Math.floor(maxAgeSeconds)) + "; SameSite=Lax";
    if (config.cookieDomain) attrs += "; domain=" + config.cookieDomain;
    if (location.protocol === "https:") attrs += "; Secure";
    return attrs;
  }

  function readCookie(name) {
    try {
      var parts = document.cookie ? document.cookie.split(";") : [];
      for (var i = 0; i < parts.length; i++) {
        var part = parts[i].replace(/^\s+/, "");
        if (part.indexOf(name + "=") === 0) return decodeURIComponent(part.slice(name.length + 1));
      }
    } catch (e) {
      /* cookies disabled */
    }
    return null;
  }

  function writeCookie(name, value, maxAgeSeconds) {
    try {
      document.cookie = name + "=" + encodeURIComponent(value) + cookieAttributes(maxAgeSeconds);
    } catch (e) {
      /* cookies disabled: localStorage still holds it */
    }
  }

  // ------------------------------------------------------------------------------------ the referral
  function normalizeCode(value) {
    var code = typeof value === "string" ? value.replace(/^\s+|\s+$/g, "").toUpperCase() : "";
    return CODE_PATTERN.test(code) ? code : null;
  }

  function toMillis(value) {
    if (typeof value === "number") return value;
    if (typeof value === "string") {
      var n = Date.parse(value);
      return isNaN(n) ? NaN : n;
    }
    return NaN;
  }

  function parseEntry(raw) {
    if (!raw) return null;
    try {
      var e = JSON.parse(raw);
      var code = normalizeCode(e && e.code);
      var first = toMillis(e.first_seen);
      var last = toMillis(e.last_seen);
      if (!code || !isFinite(first) || !isFinite(last)) return null;
      return { code: code, first_seen: first, last_seen: Math.max(first, last) };
    } catch (err) {
      return null;
    }
  }

  /** When the entry stops counting: the window runs from the first touch (first_touch) or the last one. */
  function expiresAt(entry) {
    return (config.model === "last_touch" ? entry.last_seen : entry.first_seen) + config.windowDays * DAY_MS;
  }

  function isLive(entry, now) {
    return !!entry && expiresAt(entry) > now;
  }

  function save(entry, now) {
    var raw = JSON.stringify(entry);
    writeCookie(STORE_KEY, raw, (expiresAt(entry) - now) / 1000);
    setItem("localStorage", STORE_KEY, raw);
  }

  function forget() {
    writeCookie(STORE_KEY, "", 0);
    removeItem("localStorage", STORE_KEY);
  }

  /**
   * The stored, unexpired entry. Both stores are read and, once configured, brought back in step (either
   * alone suffices) and rid of an expired entry (before configuration the window or model may be wrong).
   */
  function load(now) {
    var cookieRaw = readCookie(STORE_KEY);
    var localRaw = getItem("localStorage", STORE_KEY);
    var candidates = [parseEntry(cookieRaw), parseEntry(localRaw)].filter(function (e) {
      return isLive(e, now);
    });
    if (!candidates.length) {
      if (started && (cookieRaw || localRaw)) forget(); // expired or unreadable
      return null;
    }
    candidates.sort(function (a, b) {
      return config.model === "last_touch" ? b.last_seen - a.last_seen : a.first_seen - b.first_seen;
    });
    var entry = candidates[0];
    var raw = JSON.stringify(entry);
    if (started && (cookieRaw !== raw || localRaw !== raw)) save(entry, now);
    return entry;
  }

  /** The ref in the URL, if any: kept according to the model. Returns the normalised code from the URL. */
  function capture(now) {
    var code = null;
    try {
      code = normalizeCode(new URLSearchParams(location.search).get(config.param));
    } catch (e) {
      return null;
    }
    if (!code) return null;
    var entry = load(now);
    if (entry && entry.code === code) {
      entry.last_seen = now;
    } else if (!entry || config.model === "last_touch") {
      entry = { code: code, first_seen: now, last_seen: now };
    } else {
      return code; // first touch: the earlier referrer keeps the attribution
    }
    save(entry, now);
    return code;
  }

  // ------------------------------------------------------------------------------------------- network
  function visitorId() {
    var id = getItem("localStorage", VISITOR_KEY);
    if (id && /^[A-Za-z0-9_-]{8,64}$/.test(id)) return id;
    var bytes = new Uint8Array(16);
    try {
      window.crypto.getRandomValues(bytes);
    } catch (e) {
      for (var i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
    }
    id = "v_";
    for (var j = 0; j < bytes.length; j++) id += (bytes[j] < 16 ? "0" : "") + bytes[j].toString(16);
    setItem("localStorage", VISITOR_KEY, id);
    return id;
  }

  /** POST /v1/referrals/track → {status, body} (body parsed or null); rejects only on network failure. */
  function send(payload) {
    return call("POST", "/v1/referrals/track", payload, {});
  }

  /** Any storefront route with the publishable key → {status, body}; rejects only on network failure. */
  function call(method, path, payload, headers) {
    if (!config.api || !config.key) {
      return Promise.reject(new Error("not configured: set data-api and data-key, or call Passaparola.init"));
    }
    if (typeof window.fetch !== "function") return Promise.reject(new Error("fetch is not available"));
    var all = { "X-Publishable-Key": config.key };
    if (payload !== null) all["Content-Type"] = "application/json";
    for (var name in headers) if (Object.prototype.hasOwnProperty.call(headers, name)) all[name] = headers[name];
    return window
      .fetch(config.api + path, {
        method: method,
        mode: "cors",
        credentials: "omit",
        keepalive: method === "POST",
        headers: all,
        body: payload === null ? undefined : JSON.stringify(payload),
      })
      .then(function (resp) {
        return resp.text().then(function (text) {
          var body = null;
          try {
            body = text ? JSON.parse(text) : null;
          } catch (e) {
            body = null;
          }
          return { status: resp.status, body: body };
        });
      });
  }

  /** An unknown code (404) is forgotten, so checkout never passes it on. */
  function handleRefusal(code, result) {
    var err = (result.body && result.body.error) || {};
    warn("track " + code + " answered " + result.status, err.code || "", err.message || "");
    if (result.status === 404) {
      var entry = load(Date.now());
      if (entry && entry.code === code) forget();
    }
  }

  function reportVisit(code) {
    if (!code || !config.api || !config.key) return;
    var flag = VISITED_PREFIX + code;
    if (getItem("sessionStorage", flag)) return; // once per browser session per code
    setItem("sessionStorage", flag, "1");
    var payload = { type: "visit", ref: code, visitor_id: visitorId(), url: String(location.href).slice(0, 2000) };
    send(payload).then(
      function (result) {
        if (result.status >= 300) handleRefusal(code, result);
      },
      function (error) {
        removeItem("sessionStorage", flag); // not delivered: try again on the next page
        warn("visit not reported:", error);
      }
    );
  }


  function start() {
    started = true;
    var now = Date.now();
    var code = capture(now);
    if (code) pendingCode = code;
    else load(now); // drops an expired entry on pages without ref too
    if (pendingCode && config.api && config.key) {
      reportVisit(pendingCode);
      pendingCode = null;
    }
  }

  // ----------------------------------------------------------------------------------------- the API
  function init(opts) {
    try {
      configure(opts);
      start();
    } catch (e) {
      warn("init failed:", e);
    }
    return api;
  }

  function getReferral() {
    try {
      var entry = load(Date.now());
      return entry ? entry.code : null;
    } catch (e) {
      warn("getReferral failed:", e);
      return null;
    }
  }

  /**
   * The shopper signed up (or logged in): ties their email / customer id to the stored referral.
   * Resolves to the API's answer ({type, ref, campaign_id}) or null (no referral, refused, offline).
   * The same person and code are reported once; later calls resolve to the first answer.
   */
  function identify(person) {
    try {
      person = person || {};
      var email = typeof person.email === "string" ? person.email.replace(/^\s+|\s+$/g, "") : "";
      var customerId = person.customerId !== undefined && person.customerId !== null ? String(person.customerId) : "";
      var code = getReferral();
      if (!code || (!email && !customerId)) return Promise.resolve(null);
      var sentKey = code + "|" + email.toLowerCase() + "|" + customerId;
      var previous = null;
      try {
        previous = JSON.parse(getItem("localStorage", SIGNUP_KEY) || "null");
      } catch (e) {
        previous = null;
      }
      if (previous && previous.key === sentKey) return Promise.resolve(previous.response || null);
      var payload = { type: "signup", ref: code, visitor_id: visitorId() };
      if (email) payload.email = email;
      if (customerId) payload.customer_id = customerId;
      return send(payload).then(
        function (result) {
          if (result.status >= 300) {
            handleRefusal(code, result);
            return null;
          }
          setItem("localStorage", SIGNUP_KEY, JSON.stringify({ key: sentKey, response: result.body }));
          return result.body;
        },
        function (error) {
          warn("signup not reported:", error);
          return null;
        }
      );
    } catch (e) {
      warn("identify failed:", e);
      return Promise.resolve(null);
    }
  }

  /** Forget the referral (e.g. after the order that used it), the signup marker and session flags. */
  function clear() {
    try {
      var code = getReferral();
      forget();
      removeItem("localStorage", SIGNUP_KEY);
      if (code) removeItem("sessionStorage", VISITED_PREFIX + code);
    } catch (e) {
      warn("clear failed:", e);
    }
  }

  /**
   * Join the loyalty program: {email or phone, consent: {email, sms}, name, locale, country, source}.
   * `customerToken` (from the shop's backend) joins the signed-in customer under the shop's own id.
   * Resolves to {status, body}: 201 joined, 200 already a member, 4xx with the API's error.
   */
  function enroll(person, customerToken) {
    var headers = customerToken ? { "X-Customer-Token": String(customerToken) } : {};
    return call("POST", "/v1/loyalty/enroll", person || {}, headers);
  }

  /** The signed-in shopper's wallet (points, tier, rewards, referral link, coupons): needs a customer token. */
  function wallet(customerToken) {
    return call("GET", "/v1/me/wallet", null, { "X-Customer-Token": String(customerToken || "") });
  }

  var api = {
    version: VERSION,
    init: init,
    identify: identify,
    getReferral: getReferral,
    clear: clear,
    enroll: enroll,
    wallet: wallet,
  };
  window.Passaparola = api;

  // Configured by the tag's data-* attributes, then window.PassaparolaConfig (set before the tag) over them.
  // With neither carrying a key, nothing runs until Passaparola.init({...}): the window and model are unknown.
  try {
    var tag = fromScriptTag(document.currentScript);
    var preset = window.PassaparolaConfig;
    configure(tag);
    if (preset && typeof preset === "object") configure(preset);
    if (tag.key || (preset && preset.key)) start();
  } catch (e) {
    warn("start failed:", e);
  }
})(window, document);
