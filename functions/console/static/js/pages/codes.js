// Codes: generate N codes (background batches with a progress bar), export them as CSV per batch, look a
// code up with all its uses (paged), disable or enable one code.
import { busy, campaigns, csv, exportCodesCsv, facts, ownDiscounts, pagedTable, withKit } from "../kit.js";

const BATCHES_KEY = "passaparola.batches";
const POLL_MS = 1000;

const strings = withKit({
  en: {
    "codes.voided": "void: its referral reward was refunded",
    "codes.switchedOffAt": "Disabled on",
    "codes.title": "Codes",
    "codes.lookup": "Look a code up",
    "codes.code": "Code",
    "codes.find": "Look up",
    "codes.generate": "Generate codes",
    "codes.campaign": "Discount campaign",
    "codes.count": "How many",
    "codes.prefix": "Prefix",
    "codes.pattern": "Pattern",
    "codes.patternHint": "# digit, ? letter, * any character; default ******** (8 characters).",
    "codes.suffix": "Suffix",
    "codes.create": "Generate",
    "codes.created": "{n} codes created.",
    "codes.downloadThese": "Download these codes (CSV)",
    "codes.exportAll": "Export all the campaign's codes (CSV)",
    "codes.noDiscount": "No discount campaign yet: create one first.",
    "codes.batches": "Batches started here",
    "codes.batch": "Batch",
    "codes.progress": "Progress",
    "codes.status": "Status",
    "codes.startedAt": "Started",
    "codes.export": "Export CSV",
    "codes.status.pending": "waiting",
    "codes.status.running": "running",
    "codes.status.completed": "completed",
    "codes.status.failed": "failed",
    "codes.batchStarted": "More than 1,000 codes: they are being generated in the background.",
    "codes.ofTotal": "{done} of {total}",
    "codes.exported": "{n} codes exported.",
    "codes.campaignId": "Campaign",
    "codes.customer": "Customer",
    "codes.createdAt": "Created",
    "codes.issuedAt": "Issued",
    "codes.expiresAt": "Expires",
    "codes.redemptions": "Uses",
    "codes.balance": "Gift card balance",
    "codes.state": "State",
    "codes.active": "active",
    "codes.disabled": "disabled",
    "codes.disable": "Disable this code",
    "codes.enable": "Enable this code",
    "codes.confirmDisable": "Disable code {code}? Customers who try it will be refused.",
    "codes.confirmEnable": "Enable code {code} again?",
    "codes.nowDisabled": "Code {code} disabled.",
    "codes.nowEnabled": "Code {code} enabled.",
    "codes.uses": "Uses",
    "codes.at": "When",
    "codes.order": "Order",
    "codes.orderAmount": "Order total",
    "codes.discount": "Discount",
    "codes.useStatus": "Status",
    "codes.succeeded": "succeeded",
    "codes.rolled_back": "rolled back",
    "codes.noUses": "Not used yet.",
    "codes.back": "All codes",
    "codes.notFound": "No code {code}.",
  },
  it: {
    "codes.voided": "annullato: il premio referral è stato rimborsato",
    "codes.switchedOffAt": "Disattivato il",
    "codes.title": "Codici",
    "codes.lookup": "Cerca un codice",
    "codes.code": "Codice",
    "codes.find": "Cerca",
    "codes.generate": "Genera codici",
    "codes.campaign": "Campagna sconto",
    "codes.count": "Quanti",
    "codes.prefix": "Prefisso",
    "codes.pattern": "Schema",
    "codes.patternHint": "# cifra, ? lettera, * qualsiasi carattere; predefinito ******** (8 caratteri).",
    "codes.suffix": "Suffisso",
    "codes.create": "Genera",
    "codes.created": "{n} codici creati.",
    "codes.downloadThese": "Scarica questi codici (CSV)",
    "codes.exportAll": "Esporta tutti i codici della campagna (CSV)",
    "codes.noDiscount": "Nessuna campagna sconto: creane prima una.",
    "codes.batches": "Lotti avviati qui",
    "codes.batch": "Lotto",
    "codes.progress": "Avanzamento",
    "codes.status": "Stato",
    "codes.startedAt": "Avviato",
    "codes.export": "Esporta CSV",
    "codes.status.pending": "in attesa",
    "codes.status.running": "in corso",
    "codes.status.completed": "completato",
    "codes.status.failed": "non riuscito",
    "codes.batchStarted": "Più di 1.000 codici: vengono generati in background.",
    "codes.ofTotal": "{done} di {total}",
    "codes.exported": "{n} codici esportati.",
    "codes.campaignId": "Campagna",
    "codes.customer": "Cliente",
    "codes.createdAt": "Creato",
    "codes.issuedAt": "Assegnato",
    "codes.expiresAt": "Scade",
    "codes.redemptions": "Utilizzi",
    "codes.balance": "Saldo carta regalo",
    "codes.state": "Stato",
    "codes.active": "attivo",
    "codes.disabled": "disattivato",
    "codes.disable": "Disattiva questo codice",
    "codes.enable": "Riattiva questo codice",
    "codes.confirmDisable": "Disattivare il codice {code}? Chi lo prova verrà rifiutato.",
    "codes.confirmEnable": "Riattivare il codice {code}?",
    "codes.nowDisabled": "Codice {code} disattivato.",
    "codes.nowEnabled": "Codice {code} riattivato.",
    "codes.uses": "Utilizzi",
    "codes.at": "Quando",
    "codes.order": "Ordine",
    "codes.orderAmount": "Totale ordine",
    "codes.discount": "Sconto",
    "codes.useStatus": "Stato",
    "codes.succeeded": "riuscito",
    "codes.rolled_back": "annullato",
    "codes.noUses": "Non ancora usato.",
    "codes.back": "Tutti i codici",
    "codes.notFound": "Nessun codice {code}.",
  },
  es: {
    "codes.voided": "anulado: su premio de referido fue reembolsado",
    "codes.switchedOffAt": "Desactivado el",
    "codes.title": "Códigos",
    "codes.lookup": "Buscar un código",
    "codes.code": "Código",
    "codes.find": "Buscar",
    "codes.generate": "Generar códigos",
    "codes.campaign": "Campaña de descuento",
    "codes.count": "Cuántos",
    "codes.prefix": "Prefijo",
    "codes.pattern": "Patrón",
    "codes.patternHint": "# dígito, ? letra, * cualquier carácter; por defecto ******** (8 caracteres).",
    "codes.suffix": "Sufijo",
    "codes.create": "Generar",
    "codes.created": "{n} códigos creados.",
    "codes.downloadThese": "Descargar estos códigos (CSV)",
    "codes.exportAll": "Exportar todos los códigos de la campaña (CSV)",
    "codes.noDiscount": "Aún no hay campañas de descuento: crea una primero.",
    "codes.batches": "Lotes iniciados aquí",
    "codes.batch": "Lote",
    "codes.progress": "Progreso",
    "codes.status": "Estado",
    "codes.startedAt": "Iniciado",
    "codes.export": "Exportar CSV",
    "codes.status.pending": "en espera",
    "codes.status.running": "en curso",
    "codes.status.completed": "completado",
    "codes.status.failed": "fallido",
    "codes.batchStarted": "Más de 1.000 códigos: se generan en segundo plano.",
    "codes.ofTotal": "{done} de {total}",
    "codes.exported": "{n} códigos exportados.",
    "codes.campaignId": "Campaña",
    "codes.customer": "Cliente",
    "codes.createdAt": "Creado",
    "codes.issuedAt": "Asignado",
    "codes.expiresAt": "Caduca",
    "codes.redemptions": "Usos",
    "codes.balance": "Saldo de tarjeta regalo",
    "codes.state": "Estado",
    "codes.active": "activo",
    "codes.disabled": "desactivado",
    "codes.disable": "Desactivar este código",
    "codes.enable": "Activar este código",
    "codes.confirmDisable": "¿Desactivar el código {code}? Quien lo pruebe será rechazado.",
    "codes.confirmEnable": "¿Activar de nuevo el código {code}?",
    "codes.nowDisabled": "Código {code} desactivado.",
    "codes.nowEnabled": "Código {code} activado.",
    "codes.uses": "Usos",
    "codes.at": "Cuándo",
    "codes.order": "Pedido",
    "codes.orderAmount": "Total del pedido",
    "codes.discount": "Descuento",
    "codes.useStatus": "Estado",
    "codes.succeeded": "correcto",
    "codes.rolled_back": "anulado",
    "codes.noUses": "Aún sin usar.",
    "codes.back": "Todos los códigos",
    "codes.notFound": "No existe el código {code}.",
  },
  fr: {
    "codes.voided": "annulé : sa récompense de parrainage a été remboursée",
    "codes.switchedOffAt": "Désactivé le",
    "codes.title": "Codes",
    "codes.lookup": "Chercher un code",
    "codes.code": "Code",
    "codes.find": "Chercher",
    "codes.generate": "Générer des codes",
    "codes.campaign": "Campagne de réduction",
    "codes.count": "Combien",
    "codes.prefix": "Préfixe",
    "codes.pattern": "Motif",
    "codes.patternHint": "# chiffre, ? lettre, * tout caractère ; par défaut ******** (8 caractères).",
    "codes.suffix": "Suffixe",
    "codes.create": "Générer",
    "codes.created": "{n} codes créés.",
    "codes.downloadThese": "Télécharger ces codes (CSV)",
    "codes.exportAll": "Exporter tous les codes de la campagne (CSV)",
    "codes.noDiscount": "Aucune campagne de réduction : créez-en une d’abord.",
    "codes.batches": "Lots lancés ici",
    "codes.batch": "Lot",
    "codes.progress": "Progression",
    "codes.status": "État",
    "codes.startedAt": "Lancé",
    "codes.export": "Exporter en CSV",
    "codes.status.pending": "en attente",
    "codes.status.running": "en cours",
    "codes.status.completed": "terminé",
    "codes.status.failed": "échoué",
    "codes.batchStarted": "Plus de 1 000 codes : ils sont générés en arrière-plan.",
    "codes.ofTotal": "{done} sur {total}",
    "codes.exported": "{n} codes exportés.",
    "codes.campaignId": "Campagne",
    "codes.customer": "Client",
    "codes.createdAt": "Créé",
    "codes.issuedAt": "Attribué",
    "codes.expiresAt": "Expire",
    "codes.redemptions": "Utilisations",
    "codes.balance": "Solde carte cadeau",
    "codes.state": "État",
    "codes.active": "actif",
    "codes.disabled": "désactivé",
    "codes.disable": "Désactiver ce code",
    "codes.enable": "Réactiver ce code",
    "codes.confirmDisable": "Désactiver le code {code} ? Qui l’essaiera sera refusé.",
    "codes.confirmEnable": "Réactiver le code {code} ?",
    "codes.nowDisabled": "Code {code} désactivé.",
    "codes.nowEnabled": "Code {code} réactivé.",
    "codes.uses": "Utilisations",
    "codes.at": "Quand",
    "codes.order": "Commande",
    "codes.orderAmount": "Total commande",
    "codes.discount": "Réduction",
    "codes.useStatus": "État",
    "codes.succeeded": "réussie",
    "codes.rolled_back": "annulée",
    "codes.noUses": "Pas encore utilisé.",
    "codes.back": "Tous les codes",
    "codes.notFound": "Aucun code {code}.",
  },
  de: {
    "codes.voided": "ungültig: die Empfehlungsprämie wurde erstattet",
    "codes.switchedOffAt": "Deaktiviert am",
    "codes.title": "Codes",
    "codes.lookup": "Code nachschlagen",
    "codes.code": "Code",
    "codes.find": "Suchen",
    "codes.generate": "Codes erzeugen",
    "codes.campaign": "Rabattkampagne",
    "codes.count": "Anzahl",
    "codes.prefix": "Präfix",
    "codes.pattern": "Muster",
    "codes.patternHint": "# Ziffer, ? Buchstabe, * beliebiges Zeichen; Standard ******** (8 Zeichen).",
    "codes.suffix": "Suffix",
    "codes.create": "Erzeugen",
    "codes.created": "{n} Codes erzeugt.",
    "codes.downloadThese": "Diese Codes herunterladen (CSV)",
    "codes.exportAll": "Alle Codes der Kampagne exportieren (CSV)",
    "codes.noDiscount": "Noch keine Rabattkampagne: bitte zuerst eine anlegen.",
    "codes.batches": "Hier gestartete Stapel",
    "codes.batch": "Stapel",
    "codes.progress": "Fortschritt",
    "codes.status": "Status",
    "codes.startedAt": "Gestartet",
    "codes.export": "CSV exportieren",
    "codes.status.pending": "wartet",
    "codes.status.running": "läuft",
    "codes.status.completed": "fertig",
    "codes.status.failed": "fehlgeschlagen",
    "codes.batchStarted": "Mehr als 1.000 Codes: sie werden im Hintergrund erzeugt.",
    "codes.ofTotal": "{done} von {total}",
    "codes.exported": "{n} Codes exportiert.",
    "codes.campaignId": "Kampagne",
    "codes.customer": "Kunde",
    "codes.createdAt": "Erstellt",
    "codes.issuedAt": "Vergeben",
    "codes.expiresAt": "Läuft ab",
    "codes.redemptions": "Einlösungen",
    "codes.balance": "Guthaben der Geschenkkarte",
    "codes.state": "Zustand",
    "codes.active": "aktiv",
    "codes.disabled": "deaktiviert",
    "codes.disable": "Diesen Code deaktivieren",
    "codes.enable": "Diesen Code aktivieren",
    "codes.confirmDisable": "Code {code} deaktivieren? Wer ihn versucht, wird abgewiesen.",
    "codes.confirmEnable": "Code {code} wieder aktivieren?",
    "codes.nowDisabled": "Code {code} deaktiviert.",
    "codes.nowEnabled": "Code {code} aktiviert.",
    "codes.uses": "Einlösungen",
    "codes.at": "Wann",
    "codes.order": "Bestellung",
    "codes.orderAmount": "Bestellwert",
    "codes.discount": "Rabatt",
    "codes.useStatus": "Status",
    "codes.succeeded": "erfolgreich",
    "codes.rolled_back": "storniert",
    "codes.noUses": "Noch nicht benutzt.",
    "codes.back": "Alle Codes",
    "codes.notFound": "Kein Code {code}.",
  },
  ro: {
    "codes.voided": "anulat: recompensa de recomandare a fost rambursată",
    "codes.switchedOffAt": "Dezactivat pe",
    "codes.title": "Coduri",
    "codes.lookup": "Caută un cod",
    "codes.code": "Cod",
    "codes.find": "Caută",
    "codes.generate": "Generează coduri",
    "codes.campaign": "Campanie de reducere",
    "codes.count": "Câte",
    "codes.prefix": "Prefix",
    "codes.pattern": "Model",
    "codes.patternHint": "# cifră, ? literă, * orice caracter; implicit ******** (8 caractere).",
    "codes.suffix": "Sufix",
    "codes.create": "Generează",
    "codes.created": "{n} coduri create.",
    "codes.downloadThese": "Descarcă aceste coduri (CSV)",
    "codes.exportAll": "Exportă toate codurile campaniei (CSV)",
    "codes.noDiscount": "Nicio campanie de reducere încă: creează mai întâi una.",
    "codes.batches": "Loturi pornite aici",
    "codes.batch": "Lot",
    "codes.progress": "Progres",
    "codes.status": "Stare",
    "codes.startedAt": "Pornit",
    "codes.export": "Exportă CSV",
    "codes.status.pending": "în așteptare",
    "codes.status.running": "în curs",
    "codes.status.completed": "finalizat",
    "codes.status.failed": "eșuat",
    "codes.batchStarted": "Peste 1.000 de coduri: se generează în fundal.",
    "codes.ofTotal": "{done} din {total}",
    "codes.exported": "{n} coduri exportate.",
    "codes.campaignId": "Campanie",
    "codes.customer": "Client",
    "codes.createdAt": "Creat",
    "codes.issuedAt": "Atribuit",
    "codes.expiresAt": "Expiră",
    "codes.redemptions": "Utilizări",
    "codes.balance": "Sold card cadou",
    "codes.state": "Stare",
    "codes.active": "activ",
    "codes.disabled": "dezactivat",
    "codes.disable": "Dezactivează acest cod",
    "codes.enable": "Activează acest cod",
    "codes.confirmDisable": "Dezactivezi codul {code}? Cine îl încearcă va fi refuzat.",
    "codes.confirmEnable": "Activezi din nou codul {code}?",
    "codes.nowDisabled": "Codul {code} a fost dezactivat.",
    "codes.nowEnabled": "Codul {code} a fost activat.",
    "codes.uses": "Utilizări",
    "codes.at": "Când",
    "codes.order": "Comandă",
    "codes.orderAmount": "Total comandă",
    "codes.discount": "Reducere",
    "codes.useStatus": "Stare",
    "codes.succeeded": "reușită",
    "codes.rolled_back": "anulată",
    "codes.noUses": "Încă nefolosit.",
    "codes.back": "Toate codurile",
    "codes.notFound": "Niciun cod {code}.",
  },
});

export default {
  title: "codes.title",
  roles: ["owner", "marketer", "support"],
  strings,
  async render(root, ctx) {
    if (ctx.path[0]) return renderCode(root, ctx, decodeURIComponent(ctx.path[0]));
    return renderHome(root, ctx);
  },
};

function lookupForm(ctx, value) {
  const { ui, t } = ctx;
  const input = ui.h("input", { name: "code", required: true, autocomplete: "off", spellcheck: "false", value: value || "" });
  const form = ui.h(
    "form",
    { class: "inline-form", role: "search" },
    ui.field(t("codes.code"), input),
    ui.h("button", { type: "submit", class: "primary" }, t("codes.find")),
  );
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const code = input.value.trim();
    if (code) ctx.navigate(`#/codes/${encodeURIComponent(code)}`);
  });
  return ui.card(t("codes.lookup"), form);
}

async function renderHome(root, ctx) {
  const { ui, t } = ctx;
  root.replaceChildren(ui.pageHeader(t("codes.title")), lookupForm(ctx));
  if (ctx.role === "support") return;
  const list = ownDiscounts(await campaigns(ctx.api, ["discount"]));
  root.append(generateSection(ctx, list), batchesSection(ctx, list));
}

function generateSection(ctx, list) {
  const { ui, t } = ctx;
  if (!list.length) return ui.card(t("codes.generate"), ui.h("p", {}, t("codes.noDiscount")));
  const select = ui.h("select", { name: "campaign_id", required: true });
  for (const c of list) select.append(ui.h("option", { value: c.id }, c.name));
  if (ctx.query.get("campaign")) select.value = ctx.query.get("campaign");
  const count = ui.h("input", { name: "count", type: "number", min: "1", max: "1000000", value: "100", required: true });
  const prefix = ui.h("input", { name: "prefix", autocomplete: "off", maxlength: "20" });
  const pattern = ui.h("input", { name: "pattern", autocomplete: "off", placeholder: "********", maxlength: "64" });
  const suffix = ui.h("input", { name: "suffix", autocomplete: "off", maxlength: "20" });
  const submit = ui.h("button", { type: "submit", class: "primary" }, t("codes.create"));
  const exportAll = ui.h("button", { type: "button", class: "secondary" }, t("codes.exportAll"));
  const result = ui.h("div", { class: "result", "aria-live": "polite" });
  const form = ui.h(
    "form",
    { class: "form-grid", novalidate: true },
    ui.field(t("codes.campaign"), select),
    ui.field(t("codes.count"), count),
    ui.field(t("codes.prefix"), prefix),
    ui.field(t("codes.pattern"), pattern, { hint: t("codes.patternHint") }),
    ui.field(t("codes.suffix"), suffix),
    ui.h("div", { class: "actions" }, submit, exportAll),
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = { count: Number(count.value) };
    for (const [k, el] of [["prefix", prefix], ["pattern", pattern], ["suffix", suffix]]) {
      if (el.value.trim()) body[k] = el.value.trim();
    }
    try {
      const made = await busy(submit, () =>
        ctx.api.post(`/v1/campaigns/${encodeURIComponent(select.value)}/codes`, body, {
          idempotencyKey: crypto.randomUUID(),
        }),
      );
      if (made.batch) {
        remember(made.batch);
        result.replaceChildren(ui.h("p", {}, t("codes.batchStarted")), batchProgress(ctx, made.batch));
      } else {
        result.replaceChildren(createdCodes(ctx, select.value, made));
      }
    } catch (err) {
      ui.formErrors(form, err);
    }
  });
  exportAll.addEventListener("click", () => exportCodes(ctx, exportAll, select.value, null));
  return ui.card(t("codes.generate"), form, result);
}

function createdCodes(ctx, campaignId, made) {
  const { ui, t } = ctx;
  const rows = made.codes.map((c) => [c.code, c.customer_id, c.batch_id, c.created_at, c.expires_at, c.redemptions, c.balance]);
  const save = ui.h("button", { type: "button" }, t("codes.downloadThese"));
  save.addEventListener("click", () =>
    ui.download(
      `${campaignId}-codes.csv`,
      csv(["code", "customer_id", "batch_id", "created_at", "expires_at", "redemptions", "balance"], rows),
    ),
  );
  const shown = made.codes.slice(0, 20).map((c) => ui.h("li", {}, ui.h("a", { href: `#/codes/${encodeURIComponent(c.code)}` }, c.code)));
  return ui.h(
    "div",
    {},
    ui.h("p", { role: "status" }, t("codes.created", { n: ctx.fmt.number(made.created) })),
    save,
    ui.h("ul", { class: "code-list" }, ...shown, made.codes.length > 20 ? ui.h("li", {}, "…") : null),
  );
}

/** Batches started from this browser: there is no API listing a campaign's batches, only reading one. */
function remembered() {
  try {
    return JSON.parse(localStorage.getItem(BATCHES_KEY) || "[]");
  } catch {
    return [];
  }
}

function remember(batch) {
  const list = [{ campaign_id: batch.campaign_id, id: batch.id }, ...remembered()].slice(0, 20);
  localStorage.setItem(BATCHES_KEY, JSON.stringify(list));
}

function batchesSection(ctx, list) {
  const { ui, t } = ctx;
  const known = remembered().filter((b) => list.some((c) => c.id === b.campaign_id));
  const body = ui.h("div", {});
  const el = ui.card(t("codes.batches"), body);
  if (!known.length) {
    body.append(ui.h("p", { class: "muted" }, t("kit.none")));
    return el;
  }
  Promise.all(
    known.map((b) =>
      ctx.api
        .get(`/v1/campaigns/${encodeURIComponent(b.campaign_id)}/batches/${encodeURIComponent(b.id)}`)
        .catch(() => null),
    ),
  ).then((batches) => {
    const names = Object.fromEntries(list.map((c) => [c.id, c.name]));
    body.replaceChildren(
      ...batches.filter(Boolean).map((b) =>
        ui.h("div", { class: "batch-row" }, ui.h("strong", {}, `${names[b.campaign_id] || b.campaign_id} · ${b.id}`), batchProgress(ctx, b)),
      ),
    );
  });
  return el;
}

/** A batch's progress bar, polled until it completes or fails, then its export button. */
function batchProgress(ctx, batch) {
  const { ui, t, fmt } = ctx;
  const bar = ui.h("progress", { max: String(batch.requested), value: String(batch.created) });
  const label = ui.h("span", { class: "progress-label" });
  const exportBtn = ui.h("button", { type: "button", class: "secondary" }, t("codes.export"));
  exportBtn.addEventListener("click", () => exportCodes(ctx, exportBtn, batch.campaign_id, batch.id));
  const el = ui.h("div", { class: "batch" }, bar, label, exportBtn);
  const show = (b) => {
    bar.value = b.created;
    bar.max = b.requested;
    const text = `${t("codes.ofTotal", { done: fmt.number(b.created), total: fmt.number(b.requested) })} · ${t(`codes.status.${b.status}`)}`;
    label.textContent = text;
    bar.setAttribute("aria-label", `${t("codes.progress")} ${b.id}: ${text}`);
    exportBtn.hidden = b.status !== "completed";
  };
  show(batch);
  if (batch.status === "pending" || batch.status === "running") {
    let shown = false;
    const timer = setInterval(async () => {
      shown = shown || el.isConnected;
      if (shown && !el.isConnected) {
        clearInterval(timer); // the page was left
        return;
      }
      try {
        const b = await ctx.api.get(
          `/v1/campaigns/${encodeURIComponent(batch.campaign_id)}/batches/${encodeURIComponent(batch.id)}`,
        );
        show(b);
        if (b.status === "completed" || b.status === "failed") clearInterval(timer);
      } catch {
        clearInterval(timer);
      }
    }, POLL_MS);
  }
  return el;
}

/** The campaign's codes as one CSV file (the export pages by 10,000), only one batch's when batchId is given. */
async function exportCodes(ctx, button, campaignId, batchId) {
  const { ui, t, fmt } = ctx;
  try {
    const n = await busy(button, async () => {
      const { text, count } = await exportCodesCsv(ctx, campaignId, batchId);
      ctx.ui.download(`${campaignId}${batchId ? `-${batchId}` : ""}-codes.csv`, text);
      return count;
    });
    ui.toast(t("codes.exported", { n: fmt.number(n) }), "success");
  } catch (err) {
    ui.toast(err.message || String(err), "error");
  }
}

async function renderCode(root, ctx, code) {
  const { ui, t, fmt } = ctx;
  root.replaceChildren(
    ui.h("p", { class: "crumbs" }, ui.h("a", { href: "#/codes" }, t("codes.back"))),
    ui.pageHeader(`${t("codes.code")} ${code}`),
  );
  let found;
  try {
    found = await ctx.api.get(`/v1/codes/${encodeURIComponent(code)}`);
  } catch (err) {
    if (err.status === 404) {
      root.append(ui.h("p", { role: "alert" }, t("codes.notFound", { code })), lookupForm(ctx, code));
      return;
    }
    throw err;
  }
  let currency = null;
  try {
    const campaign = await ctx.api.get(`/v1/campaigns/${encodeURIComponent(found.campaign_id)}`);
    currency = campaign.rules?.currency || null;
    found.campaign_name = campaign.name;
  } catch {
    // the code's facts still show without its campaign
  }
  const disabled = Boolean(found.switched_off_at); // switched off by the shop (can be switched on again)
  const voided = Boolean(found.disabled_at); // its referral reward's order was refunded: for good
  const campaignText = found.campaign_name ? `${found.campaign_name} (${found.campaign_id})` : found.campaign_id;
  const info = facts(ui, [
    [
      t("codes.state"),
      voided
        ? ui.badge(t("codes.voided"), "danger")
        : ui.badge(disabled ? t("codes.disabled") : t("codes.active"), disabled ? "danger" : "success"),
    ],
    ...(disabled ? [[t("codes.switchedOffAt"), fmt.dateTime(found.switched_off_at)]] : []),
    [t("codes.campaignId"), ctx.role === "support" ? campaignText : ui.h("a", { href: `#/campaigns/${encodeURIComponent(found.campaign_id)}` }, campaignText)],
    [t("codes.customer"), found.customer_id ? ui.h("a", { href: `#/customers/${encodeURIComponent(found.customer_id)}` }, found.customer_id) : null],
    [t("codes.batch"), found.batch_id],
    [t("codes.createdAt"), fmt.dateTime(found.created_at)],
    [t("codes.issuedAt"), found.issued_at ? fmt.dateTime(found.issued_at) : null],
    [t("codes.expiresAt"), found.expires_at ? fmt.dateTime(found.expires_at) : null],
    [t("codes.redemptions"), fmt.number(found.redemptions)],
    ...(found.balance !== null && found.balance !== undefined
      ? [[t("codes.balance"), currency ? fmt.money(found.balance, currency) : fmt.number(found.balance)]]
      : []),
  ]);
  const card = ui.card(null, info);
  if (ctx.role !== "support" && !voided) {
    const toggle = ui.h("button", { type: "button", class: disabled ? "" : "danger" }, disabled ? t("codes.enable") : t("codes.disable"));
    toggle.addEventListener("click", async () => {
      const ok = await ui.confirmDialog(t(disabled ? "codes.confirmEnable" : "codes.confirmDisable", { code }));
      if (!ok) return;
      try {
        await busy(toggle, () => ctx.api.post(`/v1/codes/${encodeURIComponent(code)}/${disabled ? "enable" : "disable"}`));
        ui.toast(t(disabled ? "codes.nowEnabled" : "codes.nowDisabled", { code }), "success");
        renderCode(root, ctx, code);
      } catch (err) {
        ui.toast(err.message, "error");
      }
    });
    card.append(ui.h("div", { class: "actions" }, toggle));
  }
  const uses = pagedTable(ctx, {
    caption: t("codes.uses"),
    empty: t("codes.noUses"),
    columns: [
      { label: t("codes.at"), value: (r) => fmt.dateTime(r.created_at), class: "nowrap" },
      { label: t("codes.order"), value: (r) => r.order_id },
      {
        label: t("codes.customer"),
        value: (r) => (r.customer_id ? ui.h("a", { href: `#/customers/${encodeURIComponent(r.customer_id)}` }, r.customer_id) : "—"),
      },
      { label: t("codes.orderAmount"), value: (r) => fmt.money(r.order_amount, r.currency), align: "end" },
      { label: t("codes.discount"), value: (r) => fmt.money(r.discount_amount, r.currency), align: "end" },
      {
        label: t("codes.useStatus"),
        value: (r) => ui.badge(t(`codes.${r.status}`), r.status === "succeeded" ? "success" : "neutral"),
      },
    ],
    load: (cursor) =>
      ctx.api.get(`/v1/codes/${encodeURIComponent(code)}/redemptions`, cursor ? { limit: 25, cursor } : { limit: 25 }),
  });
  root.append(card, ui.card(t("codes.uses"), uses.el));
}
