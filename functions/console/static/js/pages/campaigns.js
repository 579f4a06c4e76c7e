// Campaigns: every campaign with its type, status (one-click switch) and dates; links to the editor.
// Also exports what the overview and the editor share: the switch, the type badge and their strings.

export const TYPES = ["discount", "referral", "loyalty", "reengagement"];

export const TYPE_STRINGS = {
  en: {
    "type.discount": "Discount",
    "type.referral": "Referral",
    "type.loyalty": "Loyalty",
    "type.reengagement": "Re-engagement",
    "switch.label": "{name} is on",
    "switch.on": "On",
    "switch.off": "Off",
    "switch.turnedOn": "“{name}” is on: its codes work again.",
    "switch.turnedOff": "“{name}” is off: its codes are refused until you switch it on.",
    "switch.failed": "Could not switch “{name}”: {message}",
  },
  it: {
    "type.discount": "Sconto",
    "type.referral": "Referral",
    "type.loyalty": "Fedeltà",
    "type.reengagement": "Riattivazione",
    "switch.label": "{name} è attiva",
    "switch.on": "Attiva",
    "switch.off": "Spenta",
    "switch.turnedOn": "“{name}” è attiva: i suoi codici funzionano di nuovo.",
    "switch.turnedOff": "“{name}” è spenta: i suoi codici sono rifiutati finché non la riattivi.",
    "switch.failed": "Impossibile cambiare “{name}”: {message}",
  },
  es: {
    "type.discount": "Descuento",
    "type.referral": "Referidos",
    "type.loyalty": "Fidelidad",
    "type.reengagement": "Reactivación",
    "switch.label": "{name} está activa",
    "switch.on": "Activa",
    "switch.off": "Apagada",
    "switch.turnedOn": "“{name}” está activa: sus códigos vuelven a funcionar.",
    "switch.turnedOff": "“{name}” está apagada: sus códigos se rechazan hasta que la actives.",
    "switch.failed": "No se pudo cambiar “{name}”: {message}",
  },
  fr: {
    "type.discount": "Remise",
    "type.referral": "Parrainage",
    "type.loyalty": "Fidélité",
    "type.reengagement": "Réactivation",
    "switch.label": "{name} est active",
    "switch.on": "Active",
    "switch.off": "Arrêtée",
    "switch.turnedOn": "« {name} » est active : ses codes fonctionnent à nouveau.",
    "switch.turnedOff": "« {name} » est arrêtée : ses codes sont refusés jusqu’à sa réactivation.",
    "switch.failed": "Impossible de modifier « {name} » : {message}",
  },
  de: {
    "type.discount": "Rabatt",
    "type.referral": "Empfehlung",
    "type.loyalty": "Treue",
    "type.reengagement": "Reaktivierung",
    "switch.label": "{name} ist aktiv",
    "switch.on": "Aktiv",
    "switch.off": "Aus",
    "switch.turnedOn": "„{name}“ ist aktiv: Ihre Codes gelten wieder.",
    "switch.turnedOff": "„{name}“ ist aus: Ihre Codes werden abgelehnt, bis Sie sie einschalten.",
    "switch.failed": "„{name}“ konnte nicht umgeschaltet werden: {message}",
  },
  ro: {
    "type.discount": "Reducere",
    "type.referral": "Recomandare",
    "type.loyalty": "Fidelitate",
    "type.reengagement": "Reactivare",
    "switch.label": "{name} este activă",
    "switch.on": "Activă",
    "switch.off": "Oprită",
    "switch.turnedOn": "„{name}” este activă: codurile ei funcționează din nou.",
    "switch.turnedOff": "„{name}” este oprită: codurile ei sunt refuzate până o activezi.",
    "switch.failed": "„{name}” nu a putut fi schimbată: {message}",
  },
};

const TYPE_BADGES = { discount: "info", referral: "success", loyalty: "warning", reengagement: "neutral" };

export function typeBadge(type, t) {
  const badge = document.createElement("span");
  badge.className = "badge badge-" + (TYPE_BADGES[type] || "neutral");
  badge.textContent = t("type." + type);
  return badge;
}

/**
 * The one-click switch of a campaign ({id, name, enabled | status}): POST /v1/campaigns/{id}/enable|disable.
 * `onChanged(enabled)` runs after the API agreed; a refusal (403 for support, 404) puts the switch back.
 */
export function campaignSwitch(ctx, campaign, onChanged) {
  const { api, t, ui } = ctx;
  const enabled = campaign.enabled !== undefined ? campaign.enabled : campaign.status === "enabled";
  const toggle = ui.switchToggle({
    checked: enabled,
    label: t("switch.label", { name: campaign.name }),
    onText: t("switch.on"),
    offText: t("switch.off"),
    onChange: async (next) => {
      try {
        await api.post(`/v1/campaigns/${encodeURIComponent(campaign.id)}/${next ? "enable" : "disable"}`, {});
      } catch (error) {
        ui.toast(t("switch.failed", { name: campaign.name, message: error.message }), "error");
        throw error;
      }
      campaign.enabled = next;
      ui.toast(t(next ? "switch.turnedOn" : "switch.turnedOff", { name: campaign.name }), "success");
      if (onChanged) onChanged(next);
    },
  });
  toggle.dataset.campaign = campaign.id;
  return toggle;
}

/** Up to `max` campaigns, reading on through the API's pages (each is a page of a filtered table scan). */
export async function listCampaigns(api, max = 300) {
  const out = [];
  let cursor = null;
  for (let i = 0; i < 10; i += 1) {
    const page = await api.get("/v1/campaigns", { limit: 100, cursor });
    out.push(...(page.items || []));
    cursor = page.next_cursor;
    if (!cursor || out.length >= max) break;
  }
  return out;
}

/** The campaign's dates in one line ("1 Dec 2026 – 31 Dec 2026", "from 1 Dec", "—"). */
export function scheduleText(campaign, t, fmt) {
  let start = null;
  let end = null;
  if (campaign.type === "discount") {
    start = campaign.rules && campaign.rules.starts_at;
    end = campaign.rules && campaign.rules.expires_at;
  } else if (campaign.type === "reengagement") {
    start = campaign.starts_at;
    end = campaign.ends_at;
  }
  if (start && end) return t("schedule.range", { from: fmt.date(start), to: fmt.date(end) });
  if (start) return t("schedule.from", { from: fmt.date(start) });
  if (end) return t("schedule.until", { to: fmt.date(end) });
  return t("schedule.always");
}

const STRINGS = {
  en: {
    title: "Campaigns",
    newCampaign: "New campaign",
    all: "All",
    filter: "Show",
    name: "Name",
    type: "Type",
    status: "Status",
    schedule: "Dates",
    updated: "Last change",
    empty: "No campaigns yet. Create one: a discount, a referral program, a loyalty program or a re-engagement message.",
    emptyType: "No campaigns of this type.",
    "schedule.range": "{from} – {to}",
    "schedule.from": "From {from}",
    "schedule.until": "Until {to}",
    "schedule.always": "No end date",
  },
  it: {
    title: "Campagne",
    newCampaign: "Nuova campagna",
    all: "Tutte",
    filter: "Mostra",
    name: "Nome",
    type: "Tipo",
    status: "Stato",
    schedule: "Date",
    updated: "Ultima modifica",
    empty: "Ancora nessuna campagna. Creane una: uno sconto, un programma referral, un programma fedeltà o un messaggio di riattivazione.",
    emptyType: "Nessuna campagna di questo tipo.",
    "schedule.range": "{from} – {to}",
    "schedule.from": "Dal {from}",
    "schedule.until": "Fino al {to}",
    "schedule.always": "Senza scadenza",
  },
  es: {
    title: "Campañas",
    newCampaign: "Nueva campaña",
    all: "Todas",
    filter: "Mostrar",
    name: "Nombre",
    type: "Tipo",
    status: "Estado",
    schedule: "Fechas",
    updated: "Último cambio",
    empty: "Aún no hay campañas. Crea una: un descuento, un programa de referidos, de fidelidad o un mensaje de reactivación.",
    emptyType: "No hay campañas de este tipo.",
    "schedule.range": "{from} – {to}",
    "schedule.from": "Desde el {from}",
    "schedule.until": "Hasta el {to}",
    "schedule.always": "Sin fecha de fin",
  },
  fr: {
    title: "Campagnes",
    newCampaign: "Nouvelle campagne",
    all: "Toutes",
    filter: "Afficher",
    name: "Nom",
    type: "Type",
    status: "Statut",
    schedule: "Dates",
    updated: "Dernière modification",
    empty: "Pas encore de campagne. Créez une remise, un programme de parrainage, de fidélité ou un message de réactivation.",
    emptyType: "Aucune campagne de ce type.",
    "schedule.range": "{from} – {to}",
    "schedule.from": "À partir du {from}",
    "schedule.until": "Jusqu’au {to}",
    "schedule.always": "Sans date de fin",
  },
  de: {
    title: "Kampagnen",
    newCampaign: "Neue Kampagne",
    all: "Alle",
    filter: "Anzeigen",
    name: "Name",
    type: "Typ",
    status: "Status",
    schedule: "Zeitraum",
    updated: "Letzte Änderung",
    empty: "Noch keine Kampagnen. Legen Sie einen Rabatt, ein Empfehlungs- oder Treueprogramm oder eine Reaktivierung an.",
    emptyType: "Keine Kampagnen dieses Typs.",
    "schedule.range": "{from} – {to}",
    "schedule.from": "Ab {from}",
    "schedule.until": "Bis {to}",
    "schedule.always": "Ohne Enddatum",
  },
  ro: {
    title: "Campanii",
    newCampaign: "Campanie nouă",
    all: "Toate",
    filter: "Arată",
    name: "Nume",
    type: "Tip",
    status: "Stare",
    schedule: "Perioadă",
    updated: "Ultima modificare",
    empty: "Nicio campanie încă. Creează o reducere, un program de recomandare, de fidelitate sau un mesaj de reactivare.",
    emptyType: "Nicio campanie de acest tip.",
    "schedule.range": "{from} – {to}",
    "schedule.from": "De la {from}",
    "schedule.until": "Până la {to}",
    "schedule.always": "Fără dată de final",
  },
};

function mergeStrings(...sets) {
  const out = {};
  for (const set of sets) for (const [lang, strings] of Object.entries(set)) out[lang] = { ...(out[lang] || {}), ...strings };
  return out;
}
export const SCHEDULE_STRINGS = STRINGS;

export default {
  title: "title",
  roles: ["owner", "marketer"],
  strings: mergeStrings(TYPE_STRINGS, STRINGS),
  async render(root, ctx) {
    const { api, t, fmt, ui, query } = ctx;
    const { h } = ui;
    const only = TYPES.includes(query.get("type")) ? query.get("type") : "";

    const filter = h(
      "div",
      { class: "segmented", role: "group", "aria-label": t("filter") },
      ["", ...TYPES].map((type) =>
        h(
          "button",
          {
            type: "button",
            "aria-pressed": String(type === only),
            onclick: () => ctx.navigate("#/campaigns" + (type ? "?type=" + type : "")),
          },
          type ? t("type." + type) : t("all"),
        ),
      ),
    );
    root.append(
      ui.pageHeader(t("title"), h("a", { class: "button primary", href: "#/campaigns/new" + (only ? "?type=" + only : "") }, t("newCampaign"))),
      h("div", { class: "toolbar" }, filter),
    );
    const columns = [
      {
        label: t("name"),
        value: (c) =>
          h(
            "div",
            { class: "name-cell" },
            h("a", { href: "#/campaigns/" + encodeURIComponent(c.id), class: "strong" }, c.name),
            c.description ? h("div", { class: "hint clamp" }, c.description) : null,
          ),
      },
      { label: t("type"), value: (c) => typeBadge(c.type, t) },
      { label: t("status"), value: (c) => campaignSwitch(ctx, c) },
      { label: t("schedule"), value: (c) => scheduleText(c, t, fmt) },
      { label: t("updated"), value: (c) => h("time", { datetime: c.updated_at, title: fmt.dateTime(c.updated_at) }, fmt.relative(c.updated_at)) },
    ];
    const list = ui.table({ columns, rows: [], empty: ui.spinner(t("common.loading")), caption: t("title") });
    const holder = h("div", null, list);
    root.append(holder);
    let shown = 0;
    await ui.pager(
      holder,
      async (cursor) => {
        // a page of the API is a page of its table scan: keep reading until there is something to show
        let page = await api.get("/v1/campaigns", { limit: 100, cursor });
        let rows = (page.items || []).filter((c) => !only || c.type === only);
        for (let i = 0; i < 10 && rows.length < 25 && page.next_cursor; i += 1) {
          page = await api.get("/v1/campaigns", { limit: 100, cursor: page.next_cursor });
          rows = rows.concat((page.items || []).filter((c) => !only || c.type === only));
        }
        if (!ctx.isCurrent()) return { items: [] };
        shown += rows.length;
        ui.appendRows(list, columns, rows);
        if (!shown) {
          const cell = list.querySelector(".empty-row");
          if (cell) cell.textContent = only ? t("emptyType") : t("empty");
        }
        return page;
      },
      { moreLabel: t("common.more") },
    );
  },
};
