/*!
 * Passaparola storefront script: referral attribution and the shopper's rewards panel. No dependencies, no build step.
 *
 *   <script src="https://cdn.example.com/passaparola.js" data-api="https://api.example.com"
 *           data-key="pk_..." data-window-days="30" data-model="first_touch" async></script>
 *
 * On every page: reads `ref` from the URL and keeps it (first-party cookie + localStorage, either alone
 * suffices) for the attribution window, first or last touch; reports a `visit` once per browser session
 * per code. The shop calls `Passaparola.identify({email, customerId})` at signup and passes
 * `Passaparola.getReferral()` to its backend at checkout. It never throws into the page.
 *
 * The panel (docs/shopper.md, "The panel"): a launcher and a dialog in a shadow root on <passaparola-panel>:
 * the program for guests (join with per-channel consent), the wallet for a signed-in shopper (the shop's
 * backend gives a customer token: data-customer-token, PassaparolaConfig.customerToken or
 * identify({customerToken})), the referral card, the friend's offer on a page opened through a share link,
 * deep links (#passaparola/<section>), Passaparola.open/close and Passaparola.validate(code, cart) for the
 * checkout's coupon box. data-panel="false" keeps attribution only. Words in it, es, ro, fr, de, en (<html lang>).
 *
 * Options, from the tag's data-* attributes, then `window.PassaparolaConfig = {...}` if set before the tag,
 * or later with `Passaparola.init({...})` (the script waits for it when neither gave a key):
 *   api (default: this script's origin), key (publishable), windowDays (30; match the program's
 *   attribution.window_days), model ("first_touch" | "last_touch"; match attribution.model), param ("ref"),
 *   cookieDomain (e.g. ".example.com" to share across subdomains), debug (console.warn on errors),
 *   panel (true; "false" for attribution only), customerToken, locale (default: <html lang>).
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

  var config = {
    api: "",
    key: "",
    windowDays: 30,
    model: "first_touch",
    param: "ref",
    cookieDomain: "",
    debug: false,
    panel: true,
    customerToken: "",
    locale: "",
  };
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
    if (opts.panel !== undefined && opts.panel !== null) config.panel = opts.panel !== false && opts.panel !== "false";
    if (typeof opts.customerToken === "string") config.customerToken = opts.customerToken;
    if (typeof opts.locale === "string") config.locale = opts.locale;
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
      panel: data.panel,
      customerToken: data.customerToken,
      locale: data.locale,
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
    var landed = pendingCode;
    if (pendingCode && config.api && config.key) {
      reportVisit(pendingCode);
      pendingCode = null;
    }
    if (config.api && config.key) startPanel(landed);
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
      if (typeof person.customerToken === "string" && person.customerToken !== config.customerToken) {
        config.customerToken = person.customerToken; // a signed-in shopper: the panel shows their wallet
        P.wallet = P.ledger = P.referral = null;
        P.redeemed = {};
        if (P.started) loadWallet();
      }
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

  // ------------------------------------------------------------------------------------------- words
  // {p}: a number of points ("50 points"), {n} a number, {d} a date, {t} a tier, {a} an amount, {r} a reward.
  var WORDS = {
    en: {
      tab_referral: "Refer", launcher: "Rewards", close: "Close", title: "Rewards", home: "Home", earn: "Earn", rewards: "Rewards",
      activity: "Activity", referral: "Refer a friend", offer: "Your gift", pt1: "{n} point", ptN: "{n} points",
      guestTitle: "Join and earn points", guestText: "Earn points every time you shop and turn them into rewards.",
      join: "Join now", email: "Email", name: "First name", phone: "Mobile phone (for SMS)",
      consent: "Send me offers and news about my points", byEmail: "by email", bySms: "by SMS",
      inbox: "Almost there! Check your inbox and click the link we sent you to confirm.",
      balance: "Your points", pending: "Pending", expiring: "{p} expire on {d}", tier: "Your tier",
      toNext: "{p} to {t}", top: "You reached the top tier", perks: "Perks", redeem: "Redeem", needs: "Needs {p}",
      code: "Your code", copy: "Copy", copied: "Copied", coupons: "Your coupons", none: "Nothing here yet",
      expires: "Valid until {d}", ways: "Ways to earn", tiers: "Tiers", from: "from {p}", joinToRedeem: "Join to redeem",
      refTitle: "Give a gift, get a gift", refText: "Your friend gets {a}, you get {r}.", link: "Your link",
      share: "Share", qr: "QR code of your link", friends: "Friends", earned: "Rewards earned",
      s_joined: "joined", s_ordered: "ordered", s_rewarded: "rewarded", s_flagged: "under review", s_blocked: "not eligible",
      offerBy: "{n} gave you a gift", offerAnon: "A gift for you", firstOrder: "on your first order at {s}",
      getCoupon: "Get my coupon", atCheckout: "Use it at checkout.", offerOff: "This offer is no longer available.",
      l_earn: "Earned", l_pend: "Pending", l_release: "Confirmed", l_spend: "Spent", l_expire: "Expired",
      l_reverse: "Reversed", l_adjustment: "Adjusted", dismiss: "Dismiss", loading: "Loading…",
      error: "Something went wrong. Please try again.", session: "Your session has expired: please sign in again.",
      applied: "Coupon applied: {a} off.", badEmail: "Enter a valid email address.", newPoints: "You earned {p}!",
      e_coupon_not_found: "This code does not exist.", e_coupon_expired: "This coupon has expired.",
      e_coupon_not_active_yet: "This coupon is not active yet.", e_coupon_not_active_now: "This coupon is not valid right now.",
      e_coupon_disabled: "This coupon is no longer valid.", e_code_disabled: "This code is no longer valid.",
      e_campaign_disabled: "This offer has ended.", e_redemption_limit_reached: "This coupon has been used up.",
      e_customer_limit_reached: "You have already used this offer.", e_customer_not_allowed: "This coupon belongs to someone else.",
      e_customer_required: "Sign in to use this coupon.", e_not_new_customer: "This coupon is for first orders only.",
      e_order_below_minimum: "Your order is below the minimum for this coupon.",
      e_currency_mismatch: "This coupon is not valid in this currency.", e_country_not_allowed: "This coupon is not valid in your country.",
      e_no_applicable_items: "No item in your cart qualifies for this coupon.",
      e_gift_card_balance_exhausted: "This gift card has no balance left.", e_insufficient_points: "You do not have enough points yet.",
      e_points_debt: "Your balance must be above zero to redeem.", e_tier_required: "This reward needs a higher tier.",
      e_out_of_stock: "This reward is sold out.", e_not_a_member: "Join the program first.",
      e_token_expired: "Your session has expired: please sign in again.", e_token_revoked: "You were signed out: please sign in again.",
      e_invalid_token: "Your sign-in is not valid: please sign in again.", e_rate_limited: "Too many attempts: please wait a moment and try again.",
      wallet: "Add to {w}",
      e_offer_after_conversion: "You will get your gift after your first order.", e_invalid_request: "Please check what you entered.",
      e_not_found: "This code does not exist."
    },
    it: {
      tab_referral: "Invita", launcher: "Premi", close: "Chiudi", title: "Premi", home: "Home", earn: "Guadagna", rewards: "Premi",
      activity: "Attività", referral: "Invita un amico", offer: "Il tuo regalo", pt1: "{n} punto", ptN: "{n} punti",
      guestTitle: "Iscriviti e accumula punti", guestText: "Guadagna punti a ogni acquisto e trasformali in premi.",
      join: "Iscriviti", email: "Email", name: "Nome", phone: "Cellulare (per gli SMS)",
      consent: "Inviatemi offerte e novità sui miei punti", byEmail: "via email", bySms: "via SMS",
      inbox: "Ci siamo quasi! Controlla la tua casella e clicca sul link che ti abbiamo inviato per confermare.",
      balance: "I tuoi punti", pending: "In attesa", expiring: "{p} scadono il {d}", tier: "Il tuo livello",
      toNext: "{p} per {t}", top: "Hai raggiunto il livello più alto", perks: "Vantaggi", redeem: "Riscatta", needs: "Servono {p}",
      code: "Il tuo codice", copy: "Copia", copied: "Copiato", coupons: "I tuoi coupon", none: "Ancora niente qui",
      expires: "Valido fino al {d}", ways: "Come guadagnare", tiers: "Livelli", from: "da {p}", joinToRedeem: "Iscriviti per riscattare",
      refTitle: "Fai un regalo, ricevi un regalo", refText: "Il tuo amico riceve {a}, tu ricevi {r}.", link: "Il tuo link",
      share: "Condividi", qr: "Codice QR del tuo link", friends: "Amici", earned: "Premi ottenuti",
      s_joined: "iscritto", s_ordered: "ha ordinato", s_rewarded: "premiato", s_flagged: "in verifica", s_blocked: "non valido",
      offerBy: "{n} ti ha fatto un regalo", offerAnon: "Un regalo per te", firstOrder: "sul tuo primo ordine su {s}",
      getCoupon: "Ricevi il coupon", atCheckout: "Usalo alla cassa.", offerOff: "Questa offerta non è più disponibile.",
      l_earn: "Guadagnati", l_pend: "In attesa", l_release: "Confermati", l_spend: "Spesi", l_expire: "Scaduti",
      l_reverse: "Stornati", l_adjustment: "Rettifica", dismiss: "Chiudi", loading: "Caricamento…",
      error: "Qualcosa è andato storto. Riprova.", session: "La sessione è scaduta: accedi di nuovo.",
      applied: "Coupon applicato: {a} di sconto.", badEmail: "Inserisci un indirizzo email valido.", newPoints: "Hai guadagnato {p}!",
      e_coupon_not_found: "Questo codice non esiste.", e_coupon_expired: "Questo coupon è scaduto.",
      e_coupon_not_active_yet: "Questo coupon non è ancora attivo.", e_coupon_not_active_now: "Questo coupon non è valido in questo momento.",
      e_coupon_disabled: "Questo coupon non è più valido.", e_code_disabled: "Questo codice non è più valido.",
      e_campaign_disabled: "Questa offerta è terminata.", e_redemption_limit_reached: "Questo coupon è esaurito.",
      e_customer_limit_reached: "Hai già usato questa offerta.", e_customer_not_allowed: "Questo coupon appartiene a un'altra persona.",
      e_customer_required: "Accedi per usare questo coupon.", e_not_new_customer: "Questo coupon vale solo sul primo ordine.",
      e_order_below_minimum: "L'ordine è sotto il minimo previsto per questo coupon.",
      e_currency_mismatch: "Questo coupon non vale in questa valuta.", e_country_not_allowed: "Questo coupon non vale nel tuo paese.",
      e_no_applicable_items: "Nessun articolo nel carrello è valido per questo coupon.",
      e_gift_card_balance_exhausted: "Questa carta regalo non ha più credito.", e_insufficient_points: "Non hai ancora abbastanza punti.",
      e_points_debt: "Il saldo deve essere sopra zero per riscattare.", e_tier_required: "Questo premio richiede un livello più alto.",
      e_out_of_stock: "Questo premio è esaurito.", e_not_a_member: "Prima iscriviti al programma.",
      e_token_expired: "La sessione è scaduta: accedi di nuovo.", e_token_revoked: "Sei stato disconnesso: accedi di nuovo.",
      e_invalid_token: "Accesso non valido: accedi di nuovo.", e_rate_limited: "Troppi tentativi: attendi un momento e riprova.",
      wallet: "Aggiungi a {w}",
      e_offer_after_conversion: "Riceverai il regalo dopo il tuo primo ordine.", e_invalid_request: "Controlla i dati inseriti.",
      e_not_found: "Questo codice non esiste."
    },
    es: {
      tab_referral: "Invita", launcher: "Recompensas", close: "Cerrar", title: "Recompensas", home: "Inicio", earn: "Gana", rewards: "Recompensas",
      activity: "Actividad", referral: "Invita a un amigo", offer: "Tu regalo", pt1: "{n} punto", ptN: "{n} puntos",
      guestTitle: "Únete y gana puntos", guestText: "Gana puntos con cada compra y canjéalos por recompensas.",
      join: "Unirme", email: "Correo electrónico", name: "Nombre", phone: "Móvil (para SMS)",
      consent: "Enviadme ofertas y novedades sobre mis puntos", byEmail: "por correo", bySms: "por SMS",
      inbox: "¡Casi listo! Revisa tu bandeja de entrada y haz clic en el enlace que te enviamos para confirmar.",
      balance: "Tus puntos", pending: "Pendientes", expiring: "{p} caducan el {d}", tier: "Tu nivel",
      toNext: "{p} para {t}", top: "Has alcanzado el nivel más alto", perks: "Ventajas", redeem: "Canjear", needs: "Necesitas {p}",
      code: "Tu código", copy: "Copiar", copied: "Copiado", coupons: "Tus cupones", none: "Aún no hay nada",
      expires: "Válido hasta el {d}", ways: "Cómo ganar", tiers: "Niveles", from: "desde {p}", joinToRedeem: "Únete para canjear",
      refTitle: "Regala y recibe un regalo", refText: "Tu amigo recibe {a}, tú recibes {r}.", link: "Tu enlace",
      share: "Compartir", qr: "Código QR de tu enlace", friends: "Amigos", earned: "Recompensas obtenidas",
      s_joined: "se unió", s_ordered: "compró", s_rewarded: "premiado", s_flagged: "en revisión", s_blocked: "no válido",
      offerBy: "{n} te ha hecho un regalo", offerAnon: "Un regalo para ti", firstOrder: "en tu primer pedido en {s}",
      getCoupon: "Obtener mi cupón", atCheckout: "Úsalo al pagar.", offerOff: "Esta oferta ya no está disponible.",
      l_earn: "Ganados", l_pend: "Pendientes", l_release: "Confirmados", l_spend: "Canjeados", l_expire: "Caducados",
      l_reverse: "Anulados", l_adjustment: "Ajuste", dismiss: "Cerrar", loading: "Cargando…",
      error: "Algo salió mal. Inténtalo de nuevo.", session: "Tu sesión ha caducado: vuelve a iniciar sesión.",
      applied: "Cupón aplicado: {a} de descuento.", badEmail: "Introduce un correo electrónico válido.", newPoints: "¡Has ganado {p}!",
      e_coupon_not_found: "Este código no existe.", e_coupon_expired: "Este cupón ha caducado.",
      e_coupon_not_active_yet: "Este cupón aún no está activo.", e_coupon_not_active_now: "Este cupón no es válido en este momento.",
      e_coupon_disabled: "Este cupón ya no es válido.", e_code_disabled: "Este código ya no es válido.",
      e_campaign_disabled: "Esta oferta ha terminado.", e_redemption_limit_reached: "Este cupón está agotado.",
      e_customer_limit_reached: "Ya has usado esta oferta.", e_customer_not_allowed: "Este cupón pertenece a otra persona.",
      e_customer_required: "Inicia sesión para usar este cupón.", e_not_new_customer: "Este cupón es solo para el primer pedido.",
      e_order_below_minimum: "Tu pedido no alcanza el mínimo de este cupón.",
      e_currency_mismatch: "Este cupón no es válido en esta moneda.", e_country_not_allowed: "Este cupón no es válido en tu país.",
      e_no_applicable_items: "Ningún artículo del carrito es válido para este cupón.",
      e_gift_card_balance_exhausted: "Esta tarjeta regalo no tiene saldo.", e_insufficient_points: "Aún no tienes suficientes puntos.",
      e_points_debt: "Tu saldo debe ser positivo para canjear.", e_tier_required: "Esta recompensa requiere un nivel superior.",
      e_out_of_stock: "Esta recompensa está agotada.", e_not_a_member: "Primero únete al programa.",
      e_token_expired: "Tu sesión ha caducado: vuelve a iniciar sesión.", e_token_revoked: "Se ha cerrado tu sesión: vuelve a iniciarla.",
      e_invalid_token: "Tu inicio de sesión no es válido: vuelve a iniciar sesión.", e_rate_limited: "Demasiados intentos: espera un momento y vuelve a intentarlo.",
      wallet: "Añadir a {w}",
      e_offer_after_conversion: "Recibirás tu regalo después de tu primer pedido.", e_invalid_request: "Revisa los datos introducidos.",
      e_not_found: "Este código no existe."
    },
    ro: {
      tab_referral: "Invită", launcher: "Recompense", close: "Închide", title: "Recompense", home: "Acasă", earn: "Câștigă", rewards: "Recompense",
      activity: "Activitate", referral: "Invită un prieten", offer: "Cadoul tău", pt1: "{n} punct", ptN: "{n} puncte",
      guestTitle: "Înscrie-te și câștigă puncte", guestText: "Câștigi puncte la fiecare cumpărătură și le transformi în recompense.",
      join: "Înscrie-te", email: "Email", name: "Prenume", phone: "Telefon mobil (pentru SMS)",
      consent: "Trimiteți-mi oferte și noutăți despre punctele mele", byEmail: "prin email", bySms: "prin SMS",
      inbox: "Aproape gata! Verifică-ți emailul și apasă pe linkul trimis pentru a confirma.",
      balance: "Punctele tale", pending: "În așteptare", expiring: "{p} expiră pe {d}", tier: "Nivelul tău",
      toNext: "{p} până la {t}", top: "Ai atins cel mai înalt nivel", perks: "Beneficii", redeem: "Revendică", needs: "Necesită {p}",
      code: "Codul tău", copy: "Copiază", copied: "Copiat", coupons: "Cupoanele tale", none: "Nimic deocamdată",
      expires: "Valabil până la {d}", ways: "Cum câștigi", tiers: "Niveluri", from: "de la {p}", joinToRedeem: "Înscrie-te pentru a revendica",
      refTitle: "Oferă un cadou, primește un cadou", refText: "Prietenul tău primește {a}, tu primești {r}.", link: "Linkul tău",
      share: "Distribuie", qr: "Cod QR al linkului tău", friends: "Prieteni", earned: "Recompense câștigate",
      s_joined: "înscris", s_ordered: "a comandat", s_rewarded: "recompensat", s_flagged: "în verificare", s_blocked: "neeligibil",
      offerBy: "{n} ți-a făcut un cadou", offerAnon: "Un cadou pentru tine", firstOrder: "la prima ta comandă la {s}",
      getCoupon: "Primește cuponul", atCheckout: "Folosește-l la plată.", offerOff: "Această ofertă nu mai este disponibilă.",
      l_earn: "Câștigate", l_pend: "În așteptare", l_release: "Confirmate", l_spend: "Folosite", l_expire: "Expirate",
      l_reverse: "Anulate", l_adjustment: "Ajustare", dismiss: "Închide", loading: "Se încarcă…",
      error: "Ceva nu a mers. Încearcă din nou.", session: "Sesiunea a expirat: autentifică-te din nou.",
      applied: "Cupon aplicat: reducere de {a}.", badEmail: "Introdu o adresă de email validă.", newPoints: "Ai câștigat {p}!",
      e_coupon_not_found: "Acest cod nu există.", e_coupon_expired: "Acest cupon a expirat.",
      e_coupon_not_active_yet: "Acest cupon nu este încă activ.", e_coupon_not_active_now: "Acest cupon nu este valabil acum.",
      e_coupon_disabled: "Acest cupon nu mai este valabil.", e_code_disabled: "Acest cod nu mai este valabil.",
      e_campaign_disabled: "Această ofertă s-a încheiat.", e_redemption_limit_reached: "Acest cupon a fost epuizat.",
      e_customer_limit_reached: "Ai folosit deja această ofertă.", e_customer_not_allowed: "Acest cupon aparține altcuiva.",
      e_customer_required: "Autentifică-te pentru a folosi acest cupon.", e_not_new_customer: "Acest cupon este doar pentru prima comandă.",
      e_order_below_minimum: "Comanda este sub minimul cerut de acest cupon.",
      e_currency_mismatch: "Acest cupon nu este valabil în această monedă.", e_country_not_allowed: "Acest cupon nu este valabil în țara ta.",
      e_no_applicable_items: "Niciun produs din coș nu se califică pentru acest cupon.",
      e_gift_card_balance_exhausted: "Acest card cadou nu mai are sold.", e_insufficient_points: "Nu ai încă destule puncte.",
      e_points_debt: "Soldul trebuie să fie pozitiv pentru a revendica.", e_tier_required: "Această recompensă necesită un nivel mai înalt.",
      e_out_of_stock: "Această recompensă s-a epuizat.", e_not_a_member: "Mai întâi înscrie-te în program.",
      e_token_expired: "Sesiunea a expirat: autentifică-te din nou.", e_token_revoked: "Ai fost deconectat: autentifică-te din nou.",
      e_invalid_token: "Autentificarea nu este validă: autentifică-te din nou.", e_rate_limited: "Prea multe încercări: așteaptă puțin și încearcă din nou.",
      wallet: "Adaugă în {w}",
      e_offer_after_conversion: "Vei primi cadoul după prima comandă.", e_invalid_request: "Verifică datele introduse.",
      e_not_found: "Acest cod nu există."
    },
    fr: {
      tab_referral: "Parrainer", launcher: "Récompenses", close: "Fermer", title: "Récompenses", home: "Accueil", earn: "Gagner", rewards: "Récompenses",
      activity: "Activité", referral: "Parrainer un ami", offer: "Votre cadeau", pt1: "{n} point", ptN: "{n} points",
      guestTitle: "Inscrivez-vous et gagnez des points", guestText: "Gagnez des points à chaque achat et échangez-les contre des récompenses.",
      join: "S'inscrire", email: "E-mail", name: "Prénom", phone: "Mobile (pour les SMS)",
      consent: "Envoyez-moi des offres et des nouvelles de mes points", byEmail: "par e-mail", bySms: "par SMS",
      inbox: "Presque fini ! Consultez votre boîte mail et cliquez sur le lien envoyé pour confirmer.",
      balance: "Vos points", pending: "En attente", expiring: "{p} expirent le {d}", tier: "Votre statut",
      toNext: "{p} avant {t}", top: "Vous avez atteint le statut le plus élevé", perks: "Avantages", redeem: "Échanger", needs: "Il faut {p}",
      code: "Votre code", copy: "Copier", copied: "Copié", coupons: "Vos bons", none: "Rien pour l'instant",
      expires: "Valable jusqu'au {d}", ways: "Comment gagner", tiers: "Statuts", from: "dès {p}", joinToRedeem: "Inscrivez-vous pour échanger",
      refTitle: "Offrez un cadeau, recevez un cadeau", refText: "Votre ami reçoit {a}, vous recevez {r}.", link: "Votre lien",
      share: "Partager", qr: "QR code de votre lien", friends: "Amis", earned: "Récompenses gagnées",
      s_joined: "inscrit", s_ordered: "a commandé", s_rewarded: "récompensé", s_flagged: "en vérification", s_blocked: "non éligible",
      offerBy: "{n} vous offre un cadeau", offerAnon: "Un cadeau pour vous", firstOrder: "sur votre première commande chez {s}",
      getCoupon: "Obtenir mon bon", atCheckout: "Utilisez-le au paiement.", offerOff: "Cette offre n'est plus disponible.",
      l_earn: "Gagnés", l_pend: "En attente", l_release: "Confirmés", l_spend: "Utilisés", l_expire: "Expirés",
      l_reverse: "Annulés", l_adjustment: "Ajustement", dismiss: "Fermer", loading: "Chargement…",
      error: "Une erreur est survenue. Veuillez réessayer.", session: "Votre session a expiré : reconnectez-vous.",
      applied: "Bon appliqué : {a} de remise.", badEmail: "Saisissez une adresse e-mail valide.", newPoints: "Vous avez gagné {p} !",
      e_coupon_not_found: "Ce code n'existe pas.", e_coupon_expired: "Ce bon a expiré.",
      e_coupon_not_active_yet: "Ce bon n'est pas encore actif.", e_coupon_not_active_now: "Ce bon n'est pas valable en ce moment.",
      e_coupon_disabled: "Ce bon n'est plus valable.", e_code_disabled: "Ce code n'est plus valable.",
      e_campaign_disabled: "Cette offre est terminée.", e_redemption_limit_reached: "Ce bon a été épuisé.",
      e_customer_limit_reached: "Vous avez déjà utilisé cette offre.", e_customer_not_allowed: "Ce bon appartient à quelqu'un d'autre.",
      e_customer_required: "Connectez-vous pour utiliser ce bon.", e_not_new_customer: "Ce bon est réservé à la première commande.",
      e_order_below_minimum: "Votre commande n'atteint pas le minimum de ce bon.",
      e_currency_mismatch: "Ce bon n'est pas valable dans cette devise.", e_country_not_allowed: "Ce bon n'est pas valable dans votre pays.",
      e_no_applicable_items: "Aucun article du panier n'est éligible à ce bon.",
      e_gift_card_balance_exhausted: "Cette carte cadeau n'a plus de solde.", e_insufficient_points: "Vous n'avez pas encore assez de points.",
      e_points_debt: "Votre solde doit être positif pour échanger.", e_tier_required: "Cette récompense demande un statut supérieur.",
      e_out_of_stock: "Cette récompense est épuisée.", e_not_a_member: "Inscrivez-vous d'abord au programme.",
      e_token_expired: "Votre session a expiré : reconnectez-vous.", e_token_revoked: "Vous avez été déconnecté : reconnectez-vous.",
      e_invalid_token: "Votre connexion n'est pas valide : reconnectez-vous.", e_rate_limited: "Trop de tentatives : patientez un instant et réessayez.",
      wallet: "Ajouter à {w}",
      e_offer_after_conversion: "Vous recevrez votre cadeau après votre première commande.", e_invalid_request: "Vérifiez votre saisie.",
      e_not_found: "Ce code n'existe pas."
    },
    de: {
      tab_referral: "Werben", launcher: "Prämien", close: "Schließen", title: "Prämien", home: "Start", earn: "Sammeln", rewards: "Prämien",
      activity: "Verlauf", referral: "Freunde werben", offer: "Dein Geschenk", pt1: "{n} Punkt", ptN: "{n} Punkte",
      guestTitle: "Mitmachen und Punkte sammeln", guestText: "Sammle bei jedem Einkauf Punkte und löse sie gegen Prämien ein.",
      join: "Jetzt mitmachen", email: "E-Mail", name: "Vorname", phone: "Handy (für SMS)",
      consent: "Schickt mir Angebote und Neuigkeiten zu meinen Punkten", byEmail: "per E-Mail", bySms: "per SMS",
      inbox: "Fast geschafft! Sieh in dein Postfach und klicke auf den Link, um zu bestätigen.",
      balance: "Deine Punkte", pending: "Ausstehend", expiring: "{p} verfallen am {d}", tier: "Dein Status",
      toNext: "{p} bis {t}", top: "Du hast den höchsten Status erreicht", perks: "Vorteile", redeem: "Einlösen", needs: "Benötigt {p}",
      code: "Dein Code", copy: "Kopieren", copied: "Kopiert", coupons: "Deine Gutscheine", none: "Noch nichts da",
      expires: "Gültig bis {d}", ways: "So sammelst du", tiers: "Status", from: "ab {p}", joinToRedeem: "Mitmachen zum Einlösen",
      refTitle: "Schenken und beschenkt werden", refText: "Dein Freund bekommt {a}, du bekommst {r}.", link: "Dein Link",
      share: "Teilen", qr: "QR-Code deines Links", friends: "Freunde", earned: "Erhaltene Prämien",
      s_joined: "angemeldet", s_ordered: "hat bestellt", s_rewarded: "belohnt", s_flagged: "in Prüfung", s_blocked: "nicht berechtigt",
      offerBy: "{n} macht dir ein Geschenk", offerAnon: "Ein Geschenk für dich", firstOrder: "auf deine erste Bestellung bei {s}",
      getCoupon: "Gutschein holen", atCheckout: "Löse ihn an der Kasse ein.", offerOff: "Dieses Angebot ist nicht mehr verfügbar.",
      l_earn: "Gesammelt", l_pend: "Ausstehend", l_release: "Bestätigt", l_spend: "Eingelöst", l_expire: "Verfallen",
      l_reverse: "Storniert", l_adjustment: "Korrektur", dismiss: "Schließen", loading: "Wird geladen…",
      error: "Etwas ist schiefgelaufen. Bitte versuche es erneut.", session: "Deine Sitzung ist abgelaufen: bitte melde dich neu an.",
      applied: "Gutschein angewendet: {a} Rabatt.", badEmail: "Gib eine gültige E-Mail-Adresse ein.", newPoints: "Du hast {p} gesammelt!",
      e_coupon_not_found: "Diesen Code gibt es nicht.", e_coupon_expired: "Dieser Gutschein ist abgelaufen.",
      e_coupon_not_active_yet: "Dieser Gutschein ist noch nicht aktiv.", e_coupon_not_active_now: "Dieser Gutschein gilt gerade nicht.",
      e_coupon_disabled: "Dieser Gutschein ist nicht mehr gültig.", e_code_disabled: "Dieser Code ist nicht mehr gültig.",
      e_campaign_disabled: "Dieses Angebot ist beendet.", e_redemption_limit_reached: "Dieser Gutschein ist aufgebraucht.",
      e_customer_limit_reached: "Du hast dieses Angebot schon genutzt.", e_customer_not_allowed: "Dieser Gutschein gehört jemand anderem.",
      e_customer_required: "Melde dich an, um diesen Gutschein zu nutzen.", e_not_new_customer: "Dieser Gutschein gilt nur für die erste Bestellung.",
      e_order_below_minimum: "Deine Bestellung liegt unter dem Mindestwert dieses Gutscheins.",
      e_currency_mismatch: "Dieser Gutschein gilt nicht in dieser Währung.", e_country_not_allowed: "Dieser Gutschein gilt nicht in deinem Land.",
      e_no_applicable_items: "Kein Artikel im Warenkorb ist für diesen Gutschein berechtigt.",
      e_gift_card_balance_exhausted: "Diese Geschenkkarte hat kein Guthaben mehr.", e_insufficient_points: "Du hast noch nicht genug Punkte.",
      e_points_debt: "Dein Punktestand muss über null liegen.", e_tier_required: "Diese Prämie braucht einen höheren Status.",
      e_out_of_stock: "Diese Prämie ist vergriffen.", e_not_a_member: "Mach zuerst beim Programm mit.",
      e_token_expired: "Deine Sitzung ist abgelaufen: bitte melde dich neu an.", e_token_revoked: "Du wurdest abgemeldet: bitte melde dich neu an.",
      e_invalid_token: "Deine Anmeldung ist ungültig: bitte melde dich neu an.", e_rate_limited: "Zu viele Versuche: bitte warte kurz und versuche es erneut.",
      wallet: "Zu {w} hinzufügen",
      e_offer_after_conversion: "Du bekommst dein Geschenk nach der ersten Bestellung.", e_invalid_request: "Bitte prüfe deine Eingaben.",
      e_not_found: "Diesen Code gibt es nicht."
    }
  };

  // ------------------------------------------------------------------------------------------- panel
  // The launcher and the panel, in a shadow root on <passaparola-panel> (the page's CSS cannot reach inside).
  var CSS =
    ":host{all:initial!important}" +
    ".pp{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;color:#1d2330;" +
    "-webkit-font-smoothing:antialiased}" +
    ".pp *{box-sizing:border-box}[hidden]{display:none!important}" +
    "button,input{font:inherit;color:inherit;margin:0}" +
    ":focus-visible{outline:3px solid #1a5fd6;outline-offset:2px}" +
    ".launcher{position:fixed;bottom:20px;right:20px;z-index:2147483000;display:flex;align-items:center;gap:8px;" +
    "padding:12px 18px;border:0;border-radius:999px;background:var(--pp-brand);color:var(--pp-on);font-weight:600;" +
    "cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.25)}" +
    ".nudge{position:fixed;bottom:78px;right:20px;z-index:2147483000;display:flex;align-items:center;gap:4px;" +
    "background:#fff;border-radius:12px;padding:4px 4px 4px 12px;box-shadow:0 4px 14px rgba(0,0,0,.25);font-weight:600}" +
    ".nudge button{background:none;border:0;cursor:pointer;padding:6px}" +
    ".panel{position:fixed;bottom:84px;right:20px;z-index:2147483001;width:380px;max-width:calc(100vw - 24px);" +
    "max-height:calc(100vh - 108px);display:flex;flex-direction:column;background:#fff;border-radius:16px;" +
    "box-shadow:0 12px 40px rgba(0,0,0,.3);overflow:hidden}" +
    ".left .launcher,.left .nudge,.left .panel{right:auto;left:20px}" +
    ".head{background:var(--pp-brand);color:var(--pp-on);padding:10px 10px 10px 16px;display:flex;align-items:center;" +
    "justify-content:space-between;gap:8px}.head h2{margin:0;font-size:17px;font-weight:700}" +
    ".x{background:transparent;border:0;color:inherit;font-size:24px;line-height:1;width:40px;height:40px;" +
    "border-radius:50%;cursor:pointer}" +
    ".tabs{display:flex;overflow-x:auto;scrollbar-width:none;border-bottom:1px solid #e3e6ea;flex:none}" +
    ".tabs button{flex:1 1 auto;background:none;border:0;border-bottom:3px solid transparent;padding:10px 8px;" +
    "cursor:pointer;color:#4a5261;white-space:nowrap;font-size:13px}" +
    ".tabs button:focus-visible{outline-offset:-3px}.share .btn{padding:7px 11px;font-size:13px}" +
    ".tabs button[aria-current=page]{border-bottom-color:var(--pp-brand);color:#1d2330;font-weight:700}" +
    ".body{overflow:auto;padding:16px;flex:1 1 auto}" +
    "h3{font-size:15px;margin:18px 0 8px;font-weight:700}h3:first-child{margin-top:0}p{margin:0 0 10px}" +
    ".big{font-size:34px;font-weight:800;line-height:1.1;margin:0 0 4px}.muted{color:#5a6372;font-size:13px}" +
    ".card{border:1px solid #e3e6ea;border-radius:12px;padding:12px;margin:0 0 10px}" +
    ".row{display:flex;align-items:center;justify-content:space-between;gap:10px}" +
    ".btn{background:var(--pp-brand);color:var(--pp-on);border:0;border-radius:8px;padding:9px 14px;font-weight:600;" +
    "cursor:pointer;flex:none;text-decoration:none;display:inline-block}.btn[disabled]{opacity:.5;cursor:not-allowed}" +
    ".alt{background:#fff;color:#1d2330;border:1px solid #8a93a0}" +
    ".bar{height:10px;background:#e3e6ea;border-radius:5px;overflow:hidden;margin:8px 0 4px}" +
    ".bar i{display:block;height:100%;background:var(--pp-brand)}" +
    "ul{list-style:none;margin:0;padding:0}li{padding:8px 0;border-bottom:1px solid #eef0f2}li:last-child{border:0}" +
    "label{display:block;margin:0 0 10px}.in{display:block;width:100%;padding:9px 10px;border:1px solid #6b7482;" +
    "border-radius:8px;margin-top:4px;background:#fff}.check{display:flex;gap:8px;align-items:center}" +
    "fieldset{border:0;margin:0 0 10px;padding:0}legend{padding:0;margin:0 0 6px}" +
    ".code{font:700 16px ui-monospace,Menlo,Consolas,monospace;letter-spacing:.5px;background:#f3f5f7;" +
    "border:1px dashed #6b7482;border-radius:8px;padding:8px 10px;word-break:break-all;flex:1 1 auto;min-width:0}" +
    ".share{display:flex;flex-wrap:wrap;gap:8px;margin:10px 0}.qr{display:block;width:148px;height:148px;margin:8px auto}" +
    ".err{color:#a11b1b}.good{color:#17613a}.plus{color:#17613a;font-weight:700}.minus{color:#a11b1b;font-weight:700}" +
    ".sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}" +
    "@media (max-width:480px){.panel,.left .panel{inset:0;width:auto;max-width:none;max-height:none;border-radius:0}" +
    ".launcher{bottom:14px;right:14px}.left .launcher{left:14px}}";
  var SECTIONS = ["home", "earn", "rewards", "activity", "referral", "offer"];
  var SEEN_PREFIX = "passaparola_seen:";
  var OFFER_PREFIX = "passaparola_offer:";
  var EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
  var P = { section: "home", redeemed: {}, busy: {}, keys: {} }; // the panel's state

  function lang() {
    var raw = String(config.locale || document.documentElement.lang || "en");
    var code = raw.slice(0, 2).toLowerCase();
    return WORDS[code] ? code : "en";
  }

  function intlLocale() {
    var raw = String(config.locale || document.documentElement.lang || "");
    return raw.slice(0, 2).toLowerCase() === lang() ? raw : lang();
  }

  function t(key, vars) {
    var s = WORDS[lang()][key];
    if (s === undefined) s = WORDS.en[key] || key;
    return s.replace(/\{(\w)\}/g, function (m, k) {
      return vars && vars[k] !== undefined && vars[k] !== null ? String(vars[k]) : "";
    });
  }

  function num(n) {
    try {
      return new Intl.NumberFormat(intlLocale()).format(n);
    } catch (e) {
      return String(n);
    }
  }

  function pts(n) {
    return t(n === 1 || n === -1 ? "pt1" : "ptN", { n: num(n) });
  }

  function money(minor, currency) {
    try {
      var f = new Intl.NumberFormat(intlLocale(), { style: "currency", currency: currency });
      return f.format(minor / Math.pow(10, f.resolvedOptions().maximumFractionDigits));
    } catch (e) {
      return (minor / 100).toFixed(2) + " " + (currency || "");
    }
  }

  function day(iso) {
    try {
      return new Intl.DateTimeFormat(intlLocale(), { day: "numeric", month: "short", year: "numeric" }).format(new Date(iso));
    } catch (e) {
      return String(iso).slice(0, 10);
    }
  }

  /** The API's error code of an answer; API Gateway's own refusals carry none (429: throttled). */
  function errCode(result) {
    var err = (result && result.body && result.body.error) || {};
    return err.code || (result && result.status === 429 ? "rate_limited" : result && result.status === 401 ? "token_required" : "");
  }

  /** A message for an API error code in the page's language (`code`, else the answer's). */
  function errorText(result, code) {
    code = code || errCode(result);
    if (code === "token_required") return t("session");
    return WORDS.en["e_" + code] ? t("e_" + code) : t("error");
  }

  /** Text colour on the brand colour: white or near-black, whichever contrasts more (WCAG relative luminance). */
  function onColor(hex) {
    var l = [1, 3, 5].map(function (i) {
      var c = parseInt(hex.substr(i, 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    var lum = 0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2];
    return 1.05 / (lum + 0.05) >= (lum + 0.05) / 0.0557 ? "#ffffff" : "#111111";
  }

  /** h("button", {class: "btn", onclick: fn}, [children]): elements without innerHTML (API text stays text). */
  function h(tag, attrs, kids) {
    var el = document.createElement(tag);
    for (var k in attrs || {}) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) continue;
      if (k.slice(0, 2) === "on") el.addEventListener(k.slice(2), v);
      else if (k === "text") el.textContent = v;
      else el.setAttribute(k, v === true ? "" : v);
    }
    [].concat(kids || []).forEach(function (kid) {
      if (kid !== null && kid !== undefined && kid !== false) el.appendChild(typeof kid === "object" ? kid : document.createTextNode(kid));
    });
    return el;
  }

  function token() {
    return config.customerToken ? { "X-Customer-Token": String(config.customerToken) } : {};
  }

  function member() {
    return !!(P.wallet && P.wallet.member);
  }

  function announce(text) {
    if (!P.live) return;
    P.live.textContent = "";
    setTimeout(function () {
      P.live.textContent = text;
    }, 30);
  }

  function copy(text, button) {
    function done() {
      if (button) button.textContent = t("copied");
      announce(t("copied") + ": " + text);
    }
    function fallback() {
      var area = h("textarea", { class: "sr", "aria-hidden": "true" }, [text]);
      P.shadow.appendChild(area);
      area.select();
      try {
        document.execCommand("copy");
      } catch (e) {
        /* nothing more to try */
      }
      P.shadow.removeChild(area);
      done();
    }
    try {
      navigator.clipboard.writeText(text).then(done, fallback);
    } catch (e) {
      fallback();
    }
  }

  function codeBox(code, extra) {
    var label = h("span", {}, [t("copy")]);
    var button = h("button", { type: "button", class: "btn alt" }, [label, h("span", { class: "sr" }, [" " + code])]);
    button.addEventListener("click", function () {
      copy(code, label);
    });
    return h("div", { class: "row", "data-pp-code": code }, [h("div", { class: "code" }, [code]), button].concat(extra || []));
  }

  // ----------------------------------------------------------------------------------- data
  function loadProgram() {
    return call("GET", "/v1/program?locale=" + lang(), null, {}).then(function (r) {
      if (r.status === 200 && r.body) {
        P.program = r.body;
        applyDisplay(r.body.display || {});
      } else warn("program answered " + r.status);
      render();
    }, warn);
  }

  function loadWallet() {
    if (!config.customerToken) return Promise.resolve();
    return call("GET", "/v1/me/wallet", null, token()).then(function (r) {
      if (r.status === 200 && r.body) {
        P.wallet = r.body;
        P.sessionError = false;
        nudge(r.body);
      } else {
        warn("wallet answered " + r.status);
        if (r.status === 401) P.sessionError = true;
      }
      render();
    }, warn);
  }

  function loadSection(name) {
    if (name === "activity" && member() && !P.ledger) {
      P.ledger = { loading: true };
      call("GET", "/v1/me/points/ledger?order=newest&limit=20", null, token()).then(function (r) {
        P.ledger = r.status === 200 ? r.body : { error: errorText(r) };
        render();
      }, failed("ledger"));
    }
    if (name === "referral" && member() && !P.referral) {
      P.referral = { loading: true };
      call("POST", "/v1/me/referral", {}, token()).then(function (r) {
        P.referral = r.status < 300 ? r.body : { error: errorText(r) };
        render();
      }, failed("referral"));
    }
    if (name === "offer" && P.ref && !P.offer) loadOffer();
  }

  function loadOffer() {
    P.offer = { loading: true };
    return call("GET", "/v1/referrals/" + encodeURIComponent(P.ref) + "/offer?locale=" + lang(), null, {}).then(function (r) {
      P.offer = r.status === 200 ? r.body : { active: false };
      render();
    }, failed("offer"));
  }

  function failed(what) {
    return function (e) {
      P[what] = { error: t("error") };
      warn(what, e);
      render();
    };
  }

  function applyDisplay(d) {
    var brand = /^#[0-9a-fA-F]{6}$/.test(d.brand_color || "") ? d.brand_color : "#2f5d50";
    P.host.style.setProperty("--pp-brand", brand);
    P.host.style.setProperty("--pp-on", onColor(brand));
    P.root.className = "pp" + (d.position === "bottom-left" ? " left" : "");
    P.launcher.hidden = d.show_launcher === false;
    var text = d.launcher_text && d.launcher_text[lang()];
    if (text) P.launcherText = P.title.textContent = text;
    renderLauncher();
  }

  /** "+50 points" when the balance grew since this browser last saw it (kept per customer). */
  function nudge(wallet) {
    var key = SEEN_PREFIX + wallet.customer_id;
    var balance = (wallet.points && wallet.points.balance) || 0;
    var seen = parseInt(getItem("localStorage", key), 10);
    setItem("localStorage", key, String(balance));
    if (!wallet.member || !isFinite(seen) || balance <= seen) return;
    P.nudgeText.textContent = "+" + pts(balance - seen);
    P.nudge.hidden = false;
  }

  // ----------------------------------------------------------------------------------- rendering
  function mount() {
    if (P.host || !document.body) return;
    var host = (P.host = document.createElement("passaparola-panel"));
    var shadow = (P.shadow = host.attachShadow({ mode: "open" }));
    try {
      var sheet = new CSSStyleSheet(); // not subject to the page's CSP style-src, unlike a <style> element
      sheet.replaceSync(CSS);
      shadow.adoptedStyleSheets = [sheet];
    } catch (e) {
      shadow.appendChild(h("style", {}, [CSS]));
    }
    P.launcherText = t("launcher");
    P.launcher = h("button", { type: "button", class: "launcher", "data-pp": "launcher", "aria-haspopup": "dialog", "aria-expanded": "false", onclick: function () {
      if (P.isOpen) close();
      else open(defaultSection());
    } });
    P.nudgeText = h("button", { type: "button", onclick: function () {
      P.nudge.hidden = true;
      open("home");
    } });
    P.nudge = h("div", { class: "nudge", role: "status", hidden: true }, [
      P.nudgeText,
      h("button", { type: "button", "aria-label": t("dismiss"), text: "×", onclick: function () {
        P.nudge.hidden = true;
      } }),
    ]);
    P.title = h("h2", { id: "pp-title" }, [t("title")]);
    P.tabs = h("nav", { class: "tabs", "aria-label": t("title") });
    P.body = h("div", { class: "body" });
    P.live = h("div", { class: "sr", "aria-live": "polite", "aria-atomic": "true" });
    P.panel = h("div", { class: "panel", "data-pp": "panel", role: "dialog", "aria-modal": "true", "aria-labelledby": "pp-title", hidden: true, onkeydown: keys }, [
      h("div", { class: "head" }, [
        P.title,
        h("button", { type: "button", class: "x", "aria-label": t("close"), text: "×", onclick: close }),
      ]),
      P.tabs,
      P.body,
    ]);
    P.root = h("div", { class: "pp", lang: lang() }, [P.launcher, P.nudge, P.panel, P.live]);
    shadow.appendChild(P.root);
    applyDisplay({});
    document.body.appendChild(host);
  }

  function renderLauncher() {
    var text = P.launcherText;
    P.launcher.textContent = "";
    P.launcher.appendChild(h("span", { "aria-hidden": "true" }, ["★"]));
    P.launcher.appendChild(h("span", {}, [member() ? text + " · " + pts(P.wallet.points.balance) : text]));
  }

  function sections() {
    var out = ["home", "earn", "rewards"];
    if (member()) out.push("activity");
    if (member() && (!P.program || P.program.referral)) out.push("referral");
    if (P.ref && !member()) out.unshift("offer");
    return out;
  }

  function defaultSection() {
    return P.ref && !member() ? "offer" : "home";
  }

  /** A selector finding the same control again after the panel is drawn anew (or null). */
  function focusKey(el) {
    if (!el || !P.panel.contains(el)) return null;
    var box = el.parentNode && el.parentNode.getAttribute && el.parentNode.getAttribute("data-pp-code");
    if (box) return '[data-pp-code="' + box + '"] button';
    var attrs = ["data-pp-tab", "data-pp-redeem", "name"];
    for (var i = 0; i < attrs.length; i++) {
      var v = el.getAttribute(attrs[i]);
      if (v) return "[" + attrs[i] + '="' + v + '"]';
    }
    return "[data-pp-tab]";
  }

  function render() {
    if (!P.host) return;
    renderLauncher();
    if (!P.isOpen) return;
    var key = focusKey(P.shadow.activeElement) || P.focusNext; // a control disabled while busy has lost focus
    draw();
    if (key && !P.panel.contains(P.shadow.activeElement)) {
      var again = P.panel.querySelector(P.focusNext || key) || P.panel.querySelector(key) || P.tabs.querySelector("[aria-current]");
      if (again) again.focus();
    }
    P.focusNext = null;
  }

  function draw() {
    var names = sections();
    if (names.indexOf(P.section) < 0) P.section = names[0] === "offer" ? "home" : names[0];
    loadSection(P.section);
    P.tabs.textContent = "";
    names.forEach(function (name) {
      P.tabs.appendChild(h("button", { type: "button", "data-pp-tab": name, "aria-current": name === P.section ? "page" : null, onclick: function () {
        show(name);
      } }, [t(name === "referral" ? "tab_referral" : name)]));
    });
    P.body.textContent = "";
    P.body.setAttribute("data-pp-section", P.section);
    var body = { home: homeView, earn: earnView, rewards: rewardsView, activity: activityView, referral: referralView, offer: offerView }[P.section]();
    [].concat(body).forEach(function (el) {
      if (el) P.body.appendChild(el);
    });
  }

  function show(name) {
    P.section = name;
    render();
    var tab = P.tabs.querySelector('[data-pp-tab="' + name + '"]');
    if (tab) tab.focus();
  }

  function loading() {
    return h("p", { class: "muted" }, [t("loading")]);
  }

  function homeView() {
    if (!member()) return joinView();
    var w = P.wallet;
    var out = [h("p", { class: "muted" }, [t("balance")]), h("p", { class: "big", "data-pp": "balance" }, [num(w.points.balance)])];
    var facts = [];
    if (w.points.pending) facts.push(h("li", {}, [t("pending") + ": " + pts(w.points.pending)]));
    (w.points.expiring || []).slice(0, 2).forEach(function (x) {
      facts.push(h("li", {}, [t("expiring", { p: pts(x.points), d: day(x.expires_at) })]));
    });
    if (facts.length) out.push(h("ul", { class: "muted" }, facts));
    if (w.tier && w.tier.name) out.push(tierCard(w.tier));
    var message = h("p", { class: "err", role: "alert" });
    out.push(h("div", { class: "share", "data-pp": "wallet" }, [
      walletButton("apple", "Apple Wallet", "POST", "/v1/me/pass/link", "url", message),
      walletButton("google", "Google Wallet", "GET", "/v1/me/pass/google", "save_url", message),
    ]), message);
    return out;
  }

  /** "Add to Apple/Google Wallet": asks the API for the link, then navigates to it (iOS hands a pass to Wallet
   * only from a navigation); a wallet the shop has not configured (501) loses its button. */
  function walletButton(kind, name, method, path, field, message) {
    if (P.noWallet && P.noWallet[kind]) return null;
    var button = h("button", { type: "button", class: "btn alt", "data-pp-wallet": kind }, [t("wallet", { w: name })]);
    button.addEventListener("click", function () {
      button.disabled = true;
      message.textContent = "";
      call(method, path, method === "POST" ? {} : null, token()).then(function (r) {
        button.disabled = false;
        if (r.status < 300 && r.body && r.body[field]) return location.assign(absolute(r.body[field]));
        if (r.status === 501) {
          P.noWallet = P.noWallet || {};
          P.noWallet[kind] = true;
          render();
        } else message.textContent = errorText(r);
      }, function () {
        button.disabled = false;
        message.textContent = t("error");
      });
    });
    return button;
  }

  function bar(pct) {
    var fill = h("i");
    fill.style.width = pct + "%"; // CSSOM, not a style attribute: allowed under a strict CSP
    return fill;
  }

  function programTiers() {
    return (P.program && P.program.loyalty && P.program.loyalty.tiers) || [];
  }

  function tierCard(tier) {
    var tiers = programTiers();
    var current = tiers.filter(function (x) {
      return x.name === tier.name;
    })[0];
    var next = tiers.filter(function (x) {
      return x.name === tier.next;
    })[0];
    var pct = 100;
    if (tier.next) {
      var floor = current ? current.min_points : 0;
      var span = next ? next.min_points - floor : tier.window_points - floor + (tier.points_to_next || 0);
      pct = span > 0 ? Math.max(0, Math.min(100, Math.round(((tier.window_points - floor) / span) * 100))) : 0;
    }
    var label = tier.next ? t("toNext", { p: pts(tier.points_to_next || 0), t: tier.next }) : t("top");
    var kids = [
      h("p", { class: "muted" }, [t("tier")]),
      h("p", { "data-pp": "tier" }, [h("strong", {}, [tier.name])]),
      h("div", { class: "bar", role: "progressbar", "aria-valuemin": "0", "aria-valuemax": "100", "aria-valuenow": String(pct), "aria-label": label }, [
        bar(pct),
      ]),
      h("p", { class: "muted" }, [label]),
    ];
    var perks = (current && current.perks) || [];
    if (perks.length) {
      kids.push(h("h3", {}, [t("perks")]));
      kids.push(h("ul", {}, perks.map(function (p) {
        return h("li", {}, [p]);
      })));
    }
    return h("div", { class: "card" }, kids);
  }

  function joinView() {
    if (P.joined) return h("p", { class: "good", tabindex: "-1", "data-pp": "joined" }, [t("inbox")]);
    var loyalty = P.program && P.program.loyalty;
    var email = h("input", { class: "in", type: "email", name: "email", autocomplete: "email", required: true });
    var name = h("input", { class: "in", type: "text", name: "name", autocomplete: "given-name" });
    var phone = h("input", { class: "in", type: "tel", name: "phone", autocomplete: "tel", placeholder: "+39…" });
    var byEmail = h("input", { type: "checkbox", name: "consent_email" });
    var bySms = h("input", { type: "checkbox", name: "consent_sms" });
    var phoneLabel = h("label", { hidden: true }, [t("phone"), phone]);
    bySms.addEventListener("change", function () {
      phoneLabel.hidden = !bySms.checked;
    });
    var message = h("p", { class: "err", role: "alert" });
    var submit = h("button", { type: "submit", class: "btn" }, [t("join")]);
    var form = h("form", { novalidate: true, "data-pp": "join" }, [
      h("label", {}, [t("email"), email]),
      h("label", {}, [t("name"), name]),
      h("fieldset", {}, [
        h("legend", {}, [t("consent")]),
        h("label", { class: "check" }, [byEmail, t("byEmail")]),
        h("label", { class: "check" }, [bySms, t("bySms")]),
      ]),
      phoneLabel,
      message,
      submit,
    ]);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var address = email.value.replace(/^\s+|\s+$/g, "");
      if (!EMAIL.test(address)) {
        message.textContent = t("badEmail");
        email.setAttribute("aria-invalid", "true");
        email.focus();
        return;
      }
      var person = { email: address, consent: { email: byEmail.checked, sms: bySms.checked }, locale: lang(), source: "web" };
      if (name.value) person.name = name.value.slice(0, 200);
      if (bySms.checked && phone.value) person.phone = phone.value.replace(/[\s().-]/g, "");
      submit.disabled = true;
      enroll(person).then(function (r) {
        submit.disabled = false;
        if (r.status < 300) {
          P.joined = true;
          P.focusNext = "[data-pp=joined]";
          render();
          announce(t("inbox"));
        } else message.textContent = errorText(r);
      }, function () {
        submit.disabled = false;
        message.textContent = t("error");
      });
    });
    return [
      P.sessionError ? h("p", { class: "err" }, [t("session")]) : null,
      h("h3", {}, [t("guestTitle")]),
      h("p", {}, [t("guestText")]),
      loyalty && loyalty.signup_points ? h("p", { class: "good" }, ["+" + pts(loyalty.signup_points)]) : null,
      form,
    ];
  }

  function earnView() {
    var loyalty = (P.program && P.program.loyalty) || {};
    var out = [h("h3", {}, [t("ways")])];
    out.push(h("ul", {}, (loyalty.earning || []).map(function (rule) {
      return h("li", {}, [rule.text]);
    })));
    if (loyalty.tiers && loyalty.tiers.length) {
      out.push(h("h3", {}, [t("tiers")]));
      out.push(h("ul", {}, loyalty.tiers.map(function (tier) {
        return h("li", {}, [
          h("div", { class: "row" }, [h("strong", {}, [tier.name]), h("span", { class: "muted" }, [t("from", { p: pts(tier.min_points) })])]),
          (tier.perks || []).length ? h("div", { class: "muted" }, [tier.perks.join(" · ")]) : null,
        ]);
      })));
    }
    if (loyalty.expiry && loyalty.expiry.text) out.push(h("p", { class: "muted" }, [loyalty.expiry.text]));
    return out;
  }

  function rewardsView() {
    var out = [h("h3", {}, [t("rewards")])];
    var catalogue = member() ? P.wallet.rewards || [] : (P.program && P.program.loyalty && P.program.loyalty.rewards) || [];
    out.push(h("ul", { "data-pp": "catalogue" }, catalogue.map(rewardItem)));
    if (member()) {
      out.push(h("h3", {}, [t("coupons")]));
      var coupons = P.wallet.coupons || [];
      out.push(coupons.length ? h("ul", { "data-pp": "coupons" }, coupons.map(function (c) {
        return h("li", {}, [codeBox(c.code), c.expires_at ? h("p", { class: "muted" }, [t("expires", { d: day(c.expires_at) })]) : null]);
      })) : h("p", { class: "muted" }, [t("none")]));
    }
    return out;
  }

  function rewardItem(reward) {
    var done = P.redeemed[reward.id];
    var message = h("p", { class: "err", role: "alert" });
    var action;
    if (!member()) action = h("span", { class: "muted" }, [t("joinToRedeem")]);
    else {
      action = h("button", { type: "button", class: "btn", "data-pp-redeem": reward.id, disabled: !reward.available || P.busy[reward.id], "aria-label": t("redeem") + ": " + reward.name }, [t("redeem")]);
      action.addEventListener("click", function () {
        redeem(reward, action, message);
      });
    }
    return h("li", { "data-pp-reward": reward.id }, [
      h("div", { class: "row" }, [
        h("div", {}, [h("strong", {}, [reward.name]), h("div", { class: "muted" }, [member() && !reward.affordable ? t("needs", { p: pts(reward.cost) }) : pts(reward.cost)])]),
        action,
      ]),
      reward.description ? h("p", { class: "muted" }, [reward.description]) : null,
      done && done.coupon_code ? h("div", {}, [h("p", { class: "muted" }, [t("code")]), codeBox(done.coupon_code)]) : null,
      done && !done.coupon_code && done.note ? h("p", { class: "good" }, [done.note]) : null,
      message,
    ]);
  }

  /**
   * Spend points on a reward. The Idempotency-Key stays the reward's until a definitive answer (2xx, or a 4xx but
   * 409 idempotency_in_progress): a retry after a lost answer, a timeout or a 5xx replays the first spend.
   */
  function redeem(reward, button, message) {
    if (P.busy[reward.id]) return;
    P.busy[reward.id] = true;
    var key = (P.keys[reward.id] = P.keys[reward.id] || "pp-" + visitorId() + "-" + reward.id + "-" + Date.now());
    button.disabled = true;
    call("POST", "/v1/me/rewards", { reward_id: reward.id }, merge(token(), { "Idempotency-Key": key })).then(function (r) {
      delete P.busy[reward.id];
      if (r.status < 500 && errCode(r) !== "idempotency_in_progress") delete P.keys[reward.id];
      if (r.status === 201 || r.status === 200) {
        P.redeemed[reward.id] = r.body;
        if (r.body.coupon_code) P.focusNext = '[data-pp-code="' + r.body.coupon_code + '"] button';
        if (P.wallet) P.wallet.points.balance = r.body.balance_after;
        announce(r.body.coupon_code ? t("code") + ": " + r.body.coupon_code : reward.name);
        render();
        loadWallet();
      } else {
        button.disabled = false;
        message.textContent = errorText(r);
      }
    }, function () {
      delete P.busy[reward.id];
      button.disabled = false;
      message.textContent = t("error");
    });
  }

  function merge(a, b) {
    var out = {};
    for (var k in a) out[k] = a[k];
    for (var j in b) out[j] = b[j];
    return out;
  }

  var SIGN = { earn: 1, release: 1, spend: -1, expire: -1, reverse: -1 };

  function activityView() {
    var page = P.ledger;
    if (!page || page.loading) return loading();
    if (page.error) return h("p", { class: "err" }, [page.error]);
    if (!page.items.length) return h("p", { class: "muted" }, [t("none")]);
    return h("ul", { "data-pp": "activity" }, page.items.map(function (line) {
      var cls = line.points > 0 ? "plus" : line.points < 0 ? "minus" : "";
      return h("li", { class: "row" }, [
        h("div", {}, [h("div", {}, [t("l_" + line.type)]), h("div", { class: "muted" }, [day(line.at)])]),
        h("span", { class: cls }, [(line.points > 0 ? "+" : "") + num(line.points)]),
      ]);
    }));
  }

  function referralView() {
    var ref = P.referral;
    if (!ref || ref.loading) return loading();
    if (ref.error) return h("p", { class: "err" }, [ref.error]);
    var program = P.program && P.program.referral;
    var share = ref.share || {};
    var text = share.social_text || "";
    var out = [h("h3", {}, [t("refTitle")])];
    if (program && program.referee_reward && program.referrer_reward) {
      out.push(h("p", {}, [t("refText", { a: program.referee_reward.text, r: program.referrer_reward.text })]));
    }
    out.push(h("p", { class: "muted" }, [t("link")]), codeBox(ref.url));
    var links = h("div", { class: "share", "data-pp": "share" });
    if (typeof navigator.share === "function") {
      links.appendChild(h("button", { type: "button", class: "btn", onclick: function () {
        navigator.share({ title: share.email_subject, text: text, url: ref.url }).catch(function () {});
      } }, [t("share")]));
    }
    var u = encodeURIComponent(ref.url);
    [
      ["WhatsApp", "https://wa.me/?text=" + encodeURIComponent((text ? text + " " : "") + ref.url)],
      [t("email"), "mailto:?subject=" + encodeURIComponent(share.email_subject || "") + "&body=" + encodeURIComponent((share.email_body || text) + "\n\n" + ref.url)],
      ["Facebook", "https://www.facebook.com/sharer/sharer.php?u=" + u],
      ["X", "https://x.com/intent/tweet?text=" + encodeURIComponent(text) + "&url=" + u],
    ].forEach(function (link) {
      links.appendChild(h("a", { class: "btn alt", href: link[1], target: "_blank", rel: "noopener noreferrer" }, [link[0]]));
    });
    out.push(links);
    if (ref.qr_url) out.push(h("img", { class: "qr", src: absolute(ref.qr_url), alt: t("qr"), width: "148", height: "148" }));
    out.push(h("h3", {}, [t("friends")]));
    var friends = ref.friends || [];
    out.push(friends.length ? h("ul", { "data-pp": "friends" }, friends.map(function (f) {
      return h("li", { class: "row" }, [h("span", {}, [f.name || "—"]), h("span", { class: "muted" }, [t("s_" + f.status)])]);
    })) : h("p", { class: "muted" }, [t("none")]));
    var rewards = ref.rewards || [];
    if (rewards.length) {
      out.push(h("h3", {}, [t("earned")]));
      out.push(h("ul", {}, rewards.map(function (r) {
        return h("li", {}, [r.text || (r.points ? pts(r.points) : r.type), r.coupon_code ? codeBox(r.coupon_code) : null]);
      })));
    }
    return out;
  }

  function absolute(url) {
    return /^https?:/.test(url) ? url : config.api + url;
  }

  function offerView() {
    var offer = P.offer;
    if (!offer || offer.loading) return loading();
    var wrap = h("div", { "data-pp": "friend-offer" });
    if (!offer.active) {
      wrap.appendChild(h("p", {}, [t("offerOff")]));
      return wrap;
    }
    wrap.appendChild(h("h3", {}, [offer.referrer_name ? t("offerBy", { n: offer.referrer_name }) : t("offerAnon")]));
    wrap.appendChild(h("p", { class: "big" }, [offer.reward && offer.reward.text]));
    if (!firstOrderOffer(offer)) {
      wrap.appendChild(h("p", {}, [t("e_offer_after_conversion")])); // nothing to ask for before the order
      return wrap;
    }
    wrap.appendChild(h("p", {}, [t("firstOrder", { s: offer.shop_name || "" })]));
    var claimed = storedCoupon();
    if (claimed) {
      wrap.appendChild(codeBox(claimed.code));
      wrap.appendChild(h("p", { class: "good" }, [t("atCheckout")]));
      if (claimed.expires_at) wrap.appendChild(h("p", { class: "muted" }, [t("expires", { d: day(claimed.expires_at) })]));
      return wrap;
    }
    var email = h("input", { class: "in", type: "email", name: "email", autocomplete: "email", required: true });
    var message = h("p", { class: "err", role: "alert" });
    var submit = h("button", { type: "submit", class: "btn" }, [t("getCoupon")]);
    var form = h("form", { novalidate: true }, [h("label", {}, [t("email"), email]), message, submit]);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var address = email.value.replace(/^\s+|\s+$/g, "");
      if (!EMAIL.test(address)) {
        message.textContent = t("badEmail");
        email.focus();
        return;
      }
      submit.disabled = true;
      var path = "/v1/referrals/" + encodeURIComponent(P.ref) + "/friends";
      call("POST", path, { email: address, locale: lang() }, {}).then(function (r) {
        submit.disabled = false;
        if (r.status < 300 && r.body) {
          var coupon = { code: r.body.code, expires_at: r.body.expires_at }; // never the email: the page's other scripts read this
          setItem("localStorage", OFFER_PREFIX + P.ref, JSON.stringify(coupon));
          P.focusNext = "[data-pp-code] button";
          render();
          announce(t("code") + ": " + coupon.code);
        } else message.textContent = errorText(r);
      }, function () {
        submit.disabled = false;
        message.textContent = t("error");
      });
    });
    wrap.appendChild(form);
    return wrap;
  }

  function firstOrderOffer(offer) {
    return !!(offer && offer.active && offer.reward && offer.reward.when === "first_order");
  }

  /** The friend's coupon this browser got for the link, until it expires (then forgotten). */
  function storedCoupon() {
    var key = OFFER_PREFIX + P.ref;
    var kept = null;
    try {
      kept = JSON.parse(getItem("localStorage", key) || "null");
    } catch (e) {
      kept = null;
    }
    if (!kept || !kept.code || (kept.expires_at && Date.parse(kept.expires_at) <= Date.now())) {
      if (kept) removeItem("localStorage", key);
      return null;
    }
    if (kept.email) setItem("localStorage", key, JSON.stringify({ code: kept.code, expires_at: kept.expires_at }));
    return kept;
  }

  // ----------------------------------------------------------------------------------- open, close, keys
  function focusables() {
    return [].filter.call(P.panel.querySelectorAll("button,a[href],input,[tabindex]"), function (el) {
      return !el.disabled && el.tabIndex >= 0 && el.getClientRects().length > 0;
    });
  }

  function open(section) {
    try {
      if (!P.started) return warn("the panel is off (data-panel=\"false\") or not configured yet");
      mount();
      if (!P.host) return;
      if (SECTIONS.indexOf(section) >= 0) P.section = section;
      if (!P.isOpen) {
        var active = document.activeElement;
        P.opener = active === P.host ? P.launcher : active;
      }
      P.isOpen = true;
      P.panel.hidden = false;
      P.launcher.setAttribute("aria-expanded", "true");
      render();
      var first = P.tabs.querySelector("[aria-current]") || focusables()[0];
      if (first) first.focus();
    } catch (e) {
      warn("open failed:", e);
    }
  }

  function close() {
    if (!P.isOpen) return;
    P.isOpen = false;
    P.panel.hidden = true;
    P.launcher.setAttribute("aria-expanded", "false");
    var back = P.opener && P.opener.isConnected && P.opener !== document.body ? P.opener : P.launcher;
    try {
      back.focus();
    } catch (e) {
      P.launcher.focus();
    }
  }

  function keys(event) {
    if (event.key === "Escape") {
      event.preventDefault();
      close();
      return;
    }
    if (event.key !== "Tab") return;
    var items = focusables();
    if (!items.length) return;
    var active = P.shadow.activeElement;
    var first = items[0];
    var last = items[items.length - 1];
    if (event.shiftKey && (active === first || items.indexOf(active) < 0)) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (active === last || items.indexOf(active) < 0)) {
      event.preventDefault();
      first.focus();
    }
  }

  /** #passaparola or #passaparola/<section> opens the panel there (and leaves the URL as it was before). */
  function fromHash() {
    var m = /^#passaparola(?:\/([a-z]+))?$/.exec(location.hash || "");
    if (!m) return;
    try {
      history.replaceState(history.state, "", location.pathname + location.search);
    } catch (e) {
      /* keep the hash */
    }
    open(m[1] || defaultSection());
  }

  function startPanel(landedCode) {
    if (P.started || config.panel === false) return;
    P.started = true;
    function go() {
      mount();
      P.ref = getReferral();
      loadProgram();
      loadWallet().then(function () {
        if (location.hash.indexOf("#passaparola") === 0) fromHash();
        else if (landedCode && P.ref === landedCode && !member() && !getItem("sessionStorage", OFFER_PREFIX + landedCode)) {
          setItem("sessionStorage", OFFER_PREFIX + landedCode, "1");
          loadOffer().then(function () {
            if (firstOrderOffer(P.offer)) open("offer"); // an unknown or switched-off link, or nothing to ask for, opens nothing
          });
        }
      });
      window.addEventListener("hashchange", fromHash);
    }
    if (document.body) go();
    else document.addEventListener("DOMContentLoaded", go);
  }

  // ----------------------------------------------------------------------------------- coupon box
  /**
   * Check a code against the cart at checkout: cart {amount, currency, items, country, shipping_amount, email,
   * customerId} (minor units). Resolves to {valid, code, discount, currency, total, error, message}; never rejects.
   */
  function validate(code, cart) {
    cart = cart || {};
    var order = {};
    ["id", "amount", "currency", "country", "shipping_amount", "items"].forEach(function (k) {
      if (cart[k] !== undefined && cart[k] !== null) order[k] = cart[k];
    });
    var body = { code: String(code || "").replace(/^\s+|\s+$/g, ""), order: order };
    var customer = cart.customerId || cart.customer_id;
    if (customer) body.customer_id = String(customer);
    if (cart.email) body.email = String(cart.email);
    function answer(valid, b, error, message) {
      return { valid: valid, code: body.code.toUpperCase(), discount: (b && b.discount_amount) || 0, currency: (b && b.currency) || order.currency || null, total: b ? b.order_amount_after : null, error: error, message: message };
    }
    try {
      return call("POST", "/v1/coupons/validate", body, token()).then(function (r) {
        var b = r.body || {};
        if (r.status === 200 && b.valid) return answer(true, b, null, t("applied", { a: money(b.discount_amount, b.currency) }));
        var err = errCode(r) || (r.status === 404 ? "coupon_not_found" : "error");
        return answer(false, null, err, errorText(r, err));
      }, function () {
        return answer(false, null, "network_error", t("error"));
      });
    } catch (e) {
      return Promise.resolve(answer(false, null, "error", t("error")));
    }
  }

  var api = {
    version: VERSION,
    init: init,
    identify: identify,
    getReferral: getReferral,
    clear: clear,
    enroll: enroll,
    wallet: wallet,
    validate: validate,
    open: function (section) {
      open(section);
    },
    close: function () {
      try {
        close();
      } catch (e) {
        warn("close failed:", e);
      }
    },
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
