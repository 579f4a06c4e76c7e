// Pieces the console's pages share beyond ui.js: cursor-paged tables, CSV files, rendered previews,
// campaign lists. Built from ctx.ui: data is always text, never markup.

import { ApiError, base, session } from "./api.js";

// The pages' own stylesheet (the shell's console.css stays the shell's): added once, on the first page.
if (!document.querySelector("link[data-pages-css]")) {
  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = `${base}/admin/static/css/pages.css`;
  link.dataset.pagesCss = "";
  document.head.append(link);
}

/** Every campaign (all pages of GET /v1/campaigns), optionally only some types. */
export async function campaigns(api, types) {
  const out = [];
  let cursor = null;
  do {
    const page = await api.get("/v1/campaigns", cursor ? { limit: 1000, cursor } : { limit: 1000 });
    out.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return types ? out.filter((c) => types.includes(c.type)) : out;
}

/** A definition list from [label, value] pairs (values: text or nodes; null/undefined shows "—"). */
export function facts(ui, pairs) {
  const dl = ui.h("dl", { class: "facts" });
  for (const [label, value] of pairs) {
    dl.append(ui.h("dt", {}, label), ui.h("dd", {}, value === null || value === undefined || value === "" ? "—" : value));
  }
  return dl;
}

/** ui.table, focusable when it scrolls sideways (a phone, a wide table): keyboard users can scroll it. */
export function table(ctx, options) {
  const wrap = ctx.ui.table(options);
  wrap.tabIndex = 0;
  wrap.setAttribute("role", "region");
  wrap.setAttribute("aria-label", options.caption || ctx.t("kit.table"));
  return wrap;
}

/** Campaigns a person gives codes from: discount campaigns, not the ones a referral program keeps its rewards in. */
export function ownDiscounts(list) {
  return list.filter((c) => c.type === "discount" && !(c.metadata && c.metadata.reward_of));
}

/**
 * A table that pages on with the API's cursor: `load(cursor)` → {items, next_cursor}; rows accumulate under
 * ui.pager's "More". Returns {el, reload}.
 */
export function pagedTable(ctx, { columns, load, empty, caption }) {
  const { ui, t } = ctx;
  const el = ui.h("div", { class: "paged" });
  const reload = () => {
    let wrap = null;
    el.replaceChildren();
    return ui.pager(
      el,
      async (cursor) => {
        const page = await load(cursor);
        if (!wrap) {
          wrap = table(ctx, { columns, rows: page.items || [], empty: empty || t("kit.none"), caption });
          el.prepend(wrap);
        } else ui.appendRows(wrap, columns, page.items || []);
        return page;
      },
      { moreLabel: t("kit.more") },
    );
  };
  reload();
  return { el, reload };
}

/** Comma-separated values, quoted as RFC 4180 says; cells starting with =,+,-,@ are defused for spreadsheets. */
export function csv(header, rows) {
  const cell = (v) => {
    let s = v === null || v === undefined ? "" : String(v);
    if (/^[=+\-@]/.test(s)) s = `'${s}`;
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [header, ...rows].map((r) => r.map(cell).join(",")).join("\n") + "\n";
}

/**
 * A rendered email in a sandboxed frame (no scripts, no same-origin): the customer's view. The frame
 * inherits the console's CSP, so remote images and inline styles may not show: good enough for a preview.
 */
export function emailFrame(ui, html, title) {
  return ui.h("iframe", { class: "email-frame", sandbox: "", title, srcdoc: html || "", loading: "lazy" });
}

/** An SMS as a phone's message bubble. */
export function smsBubble(ui, text, to) {
  return ui.h(
    "div",
    { class: "phone" },
    to ? ui.h("div", { class: "phone-to" }, to) : null,
    ui.h("p", { class: "sms-bubble" }, text || ""),
  );
}

/** Disables a button while `work` runs (no double submit); returns what work returned. */
export async function busy(button, work) {
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  try {
    return await work();
  } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
  }
}

const STATUSES = ["queued", "sending", "retrying", "sent", "failed", "cancelled", "outcome_unknown"];

export const kitStrings = {
  en: {
    "kit.table": "Table",
    "kit.more": "More", "kit.none": "Nothing yet.", "kit.loading": "Loading…",
    "kit.email": "Email", "kit.sms": "SMS", "kit.to": "To", "kit.why": "Why", "kit.variant": "Variant",
    "kit.coupon": "Coupon", "kit.points": "Points", "kit.attempts": "Attempts", "kit.error": "Error",
    "kit.sentAt": "Sent", "kit.createdAt": "Created", "kit.noSubject": "(no subject)", "kit.preview": "The message as the customer sees it",
    "kit.erasedBody": "The message's content was erased.", "kit.customer": "Customer", "kit.campaign": "Campaign",
    "kit.st.queued": "queued", "kit.st.sending": "sending", "kit.st.retrying": "retrying", "kit.st.sent": "sent",
    "kit.st.failed": "failed", "kit.st.cancelled": "cancelled", "kit.st.outcome_unknown": "outcome unknown",
    "kit.copy": "Copy", "kit.copied": "Copied.",
  },
  it: {
    "kit.table": "Tabella",
    "kit.more": "Altri", "kit.none": "Ancora niente.", "kit.loading": "Caricamento…",
    "kit.email": "Email", "kit.sms": "SMS", "kit.to": "A", "kit.why": "Perché", "kit.variant": "Variante",
    "kit.coupon": "Coupon", "kit.points": "Punti", "kit.attempts": "Tentativi", "kit.error": "Errore",
    "kit.sentAt": "Inviato", "kit.createdAt": "Creato", "kit.noSubject": "(senza oggetto)", "kit.preview": "Il messaggio come lo vede il cliente",
    "kit.erasedBody": "Il contenuto del messaggio è stato cancellato.", "kit.customer": "Cliente", "kit.campaign": "Campagna",
    "kit.st.queued": "in coda", "kit.st.sending": "in invio", "kit.st.retrying": "nuovo tentativo", "kit.st.sent": "inviato",
    "kit.st.failed": "non riuscito", "kit.st.cancelled": "annullato", "kit.st.outcome_unknown": "esito sconosciuto",
    "kit.copy": "Copia", "kit.copied": "Copiato.",
  },
  es: {
    "kit.table": "Tabla",
    "kit.more": "Más", "kit.none": "Nada todavía.", "kit.loading": "Cargando…",
    "kit.email": "Email", "kit.sms": "SMS", "kit.to": "Para", "kit.why": "Por qué", "kit.variant": "Variante",
    "kit.coupon": "Cupón", "kit.points": "Puntos", "kit.attempts": "Intentos", "kit.error": "Error",
    "kit.sentAt": "Enviado", "kit.createdAt": "Creado", "kit.noSubject": "(sin asunto)", "kit.preview": "El mensaje tal como lo ve el cliente",
    "kit.erasedBody": "El contenido del mensaje fue borrado.", "kit.customer": "Cliente", "kit.campaign": "Campaña",
    "kit.st.queued": "en cola", "kit.st.sending": "enviando", "kit.st.retrying": "reintentando", "kit.st.sent": "enviado",
    "kit.st.failed": "fallido", "kit.st.cancelled": "cancelado", "kit.st.outcome_unknown": "resultado desconocido",
    "kit.copy": "Copiar", "kit.copied": "Copiado.",
  },
  fr: {
    "kit.table": "Tableau",
    "kit.more": "Plus", "kit.none": "Rien pour l’instant.", "kit.loading": "Chargement…",
    "kit.email": "E-mail", "kit.sms": "SMS", "kit.to": "À", "kit.why": "Pourquoi", "kit.variant": "Variante",
    "kit.coupon": "Coupon", "kit.points": "Points", "kit.attempts": "Tentatives", "kit.error": "Erreur",
    "kit.sentAt": "Envoyé", "kit.createdAt": "Créé", "kit.noSubject": "(sans objet)", "kit.preview": "Le message tel que le client le voit",
    "kit.erasedBody": "Le contenu du message a été effacé.", "kit.customer": "Client", "kit.campaign": "Campagne",
    "kit.st.queued": "en file", "kit.st.sending": "en cours d’envoi", "kit.st.retrying": "nouvel essai", "kit.st.sent": "envoyé",
    "kit.st.failed": "échoué", "kit.st.cancelled": "annulé", "kit.st.outcome_unknown": "résultat inconnu",
    "kit.copy": "Copier", "kit.copied": "Copié.",
  },
  de: {
    "kit.table": "Tabelle",
    "kit.more": "Mehr", "kit.none": "Noch nichts.", "kit.loading": "Wird geladen…",
    "kit.email": "E-Mail", "kit.sms": "SMS", "kit.to": "An", "kit.why": "Warum", "kit.variant": "Variante",
    "kit.coupon": "Gutschein", "kit.points": "Punkte", "kit.attempts": "Versuche", "kit.error": "Fehler",
    "kit.sentAt": "Gesendet", "kit.createdAt": "Erstellt", "kit.noSubject": "(kein Betreff)", "kit.preview": "Die Nachricht, wie der Kunde sie sieht",
    "kit.erasedBody": "Der Inhalt der Nachricht wurde gelöscht.", "kit.customer": "Kunde", "kit.campaign": "Kampagne",
    "kit.st.queued": "wartend", "kit.st.sending": "wird gesendet", "kit.st.retrying": "neuer Versuch", "kit.st.sent": "gesendet",
    "kit.st.failed": "fehlgeschlagen", "kit.st.cancelled": "abgebrochen", "kit.st.outcome_unknown": "Ergebnis unbekannt",
    "kit.copy": "Kopieren", "kit.copied": "Kopiert.",
  },
  ro: {
    "kit.table": "Tabel",
    "kit.more": "Mai multe", "kit.none": "Nimic încă.", "kit.loading": "Se încarcă…",
    "kit.email": "Email", "kit.sms": "SMS", "kit.to": "Către", "kit.why": "De ce", "kit.variant": "Variantă",
    "kit.coupon": "Cupon", "kit.points": "Puncte", "kit.attempts": "Încercări", "kit.error": "Eroare",
    "kit.sentAt": "Trimis", "kit.createdAt": "Creat", "kit.noSubject": "(fără subiect)", "kit.preview": "Mesajul așa cum îl vede clientul",
    "kit.erasedBody": "Conținutul mesajului a fost șters.", "kit.customer": "Client", "kit.campaign": "Campanie",
    "kit.st.queued": "în coadă", "kit.st.sending": "se trimite", "kit.st.retrying": "se reîncearcă", "kit.st.sent": "trimis",
    "kit.st.failed": "eșuat", "kit.st.cancelled": "anulat", "kit.st.outcome_unknown": "rezultat necunoscut",
    "kit.copy": "Copiază", "kit.copied": "Copiat.",
  },
};

const STATUS_KIND = { sent: "success", failed: "danger", cancelled: "neutral", outcome_unknown: "warning" };

/** A message's status as a badge. */
export function statusBadge(ctx, status) {
  return ctx.ui.badge(STATUSES.includes(status) ? ctx.t(`kit.st.${status}`) : status, STATUS_KIND[status] || "info");
}

/** One message as a <details>: the summary line, then (opened) its facts and the rendered message. */
export function messageItem(ctx, m, { showCustomer = false, showCampaign = false } = {}) {
  const { ui, t, fmt } = ctx;
  const title = m.channel === "email" ? m.subject || t("kit.noSubject") : (m.body || "").slice(0, 60) || t("kit.sms");
  const details = ui.h(
    "details",
    { class: "message" },
    ui.h(
      "summary",
      {},
      ui.h("span", { class: "message-channel" }, t(`kit.${m.channel}`)),
      ui.h("span", { class: "message-title" }, title),
      statusBadge(ctx, m.status),
      ui.h("time", { datetime: m.sent_at || m.created_at, class: "muted" }, fmt.dateTime(m.sent_at || m.created_at)),
    ),
  );
  let filled = false;
  details.addEventListener("toggle", () => {
    if (!details.open || filled) return;
    filled = true;
    const pairs = [
      [t("kit.to"), m.to],
      [t("kit.why"), m.reason],
      [t("kit.variant"), m.variant],
      [t("kit.coupon"), m.coupon_code ? ui.h("a", { href: `#/codes/${encodeURIComponent(m.coupon_code)}` }, m.coupon_code) : null],
      [t("kit.points"), m.points === null || m.points === undefined ? null : fmt.number(m.points)],
      [t("kit.attempts"), fmt.number(m.attempts)],
      [t("kit.createdAt"), fmt.dateTime(m.created_at)],
      [t("kit.sentAt"), m.sent_at ? fmt.dateTime(m.sent_at) : null],
      [t("kit.error"), m.error ? `${m.error.code}: ${m.error.message}` : null],
    ];
    if (showCustomer) pairs.unshift([t("kit.customer"), ui.h("a", { href: `#/customers/${encodeURIComponent(m.customer_id)}` }, m.customer_id)]);
    if (showCampaign) pairs.unshift([t("kit.campaign"), m.campaign_id]);
    let preview;
    if (!m.body) preview = ui.h("p", { class: "muted" }, t("kit.erasedBody"));
    else if (m.channel === "email") preview = emailFrame(ui, m.body, `${t("kit.preview")}: ${title}`);
    else preview = smsBubble(ui, m.body, m.to);
    details.append(ui.h("div", { class: "message-body" }, facts(ui, pairs), ui.h("div", { class: "message-preview" }, preview)));
  });
  return details;
}

/** Messages paged by cursor as a list of <details>. Returns {el, reload}. */
export function messageList(ctx, load, options) {
  const { ui, t } = ctx;
  const el = ui.h("div", { class: "message-list" });
  const reload = () => {
    el.replaceChildren();
    const list = ui.h("div", {});
    el.append(list);
    return ui.pager(
      el,
      async (cursor) => {
        const page = await load(cursor);
        if (!cursor && !page.items.length) list.append(ui.h("p", { class: "muted" }, t("kit.none")));
        for (const m of page.items) list.append(messageItem(ctx, m, options));
        return page;
      },
      { moreLabel: t("kit.more") },
    );
  };
  reload();
  return { el, reload };
}

/** A button that copies text to the clipboard. */
export function copyButton(ctx, text, label) {
  const { ui, t } = ctx;
  const button = ui.h("button", { type: "button", class: "secondary small", "aria-label": label || t("kit.copy") }, t("kit.copy"));
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(text);
      ui.toast(t("kit.copied"), "success");
    } catch {
      // no clipboard permission (plain http on another host): select the text instead
      const range = document.createRange();
      const target = button.previousElementSibling;
      if (target) {
        range.selectNodeContents(target);
        getSelection().removeAllRanges();
        getSelection().addRange(range);
      }
    }
  });
  return button;
}

/** A page's strings with the kit's merged in, per language. */
export function withKit(strings) {
  const out = {};
  for (const lang of Object.keys(kitStrings)) out[lang] = { ...kitStrings[lang], ...(strings[lang] || {}) };
  return out;
}

/** Splits one CSV line (RFC 4180 quoting) into cells. */
export function csvCells(line) {
  const cells = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      cells.push(cell);
      cell = "";
    } else cell += ch;
  }
  cells.push(cell);
  return cells;
}

/**
 * A campaign's codes as one CSV (GET …/codes/export pages by 10,000 rows, X-Next-Cursor), keeping only one
 * batch's rows when batchId is given (the batch_id column). → {text, count}
 */
export async function exportCodesCsv(ctx, campaignId, batchId) {
  let cursor = null;
  let header = null;
  const lines = [];
  do {
    const query = cursor ? { limit: 10000, cursor } : { limit: 10000 };
    const { text, headers } = await textWithHeaders(`/v1/campaigns/${encodeURIComponent(campaignId)}/codes/export`, query);
    const rows = text.split("\n").filter((l) => l.length);
    header = header || rows[0];
    const column = csvCells(rows[0]).indexOf("batch_id");
    for (const line of rows.slice(1)) {
      if (!batchId || csvCells(line)[column] === batchId) lines.push(line);
    }
    cursor = headers.get("X-Next-Cursor");
  } while (cursor);
  return { text: `${[header, ...lines].join("\n")}\n`, count: lines.length };
}

/** GET as text with the response's headers (api.text gives the body only; the export pages by X-Next-Cursor). */
async function textWithHeaders(path, query) {
  const current = session.get();
  const response = await fetch(`${base}${path}?${new URLSearchParams(query)}`, {
    headers: current ? { Authorization: `Bearer ${current.id_token}` } : {},
    cache: "no-store",
  });
  const text = await response.text();
  if (!response.ok) {
    let error = {};
    try {
      error = JSON.parse(text).error || {};
    } catch {
      // not JSON
    }
    throw new ApiError(response.status, error.code || `http_${response.status}`, error.message, error.details);
  }
  return { text, headers: response.headers };
}
