// Mailbox (local stack only): every email and SMS the emulated SES/SNS received, newest first; an email
// rendered as the customer would see it (sandboxed frame), an SMS as a phone's message bubble.
import { emailFrame, facts, smsBubble, withKit } from "../kit.js";

const LANGS = {
  en: {
    "mb.title": "Mailbox",
    "mb.intro": "Every email and SMS the local stack sent (emulated SES and SNS: nothing left this machine).",
    "mb.localOnly": "The mailbox exists only in the local stack.",
    "mb.filter": "Recipient contains",
    "mb.refresh": "Refresh",
    "mb.empty": "Nothing sent yet.",
    "mb.from": "From",
    "mb.to": "To",
    "mb.date": "Date",
    "mb.subject": "Subject",
    "mb.textVersion": "Plain-text version",
    "mb.count": "{n} messages",
    "mb.countOne": "1 message",
  },
  it: {
    "mb.title": "Posta",
    "mb.intro": "Ogni email e SMS inviati dallo stack locale (SES e SNS emulati: niente è uscito da questa macchina).",
    "mb.localOnly": "La posta esiste solo nello stack locale.",
    "mb.filter": "Il destinatario contiene",
    "mb.refresh": "Aggiorna",
    "mb.empty": "Ancora niente di inviato.",
    "mb.from": "Da",
    "mb.to": "A",
    "mb.date": "Data",
    "mb.subject": "Oggetto",
    "mb.textVersion": "Versione solo testo",
    "mb.count": "{n} messaggi",
    "mb.countOne": "1 messaggio",
  },
  es: {
    "mb.title": "Buzón",
    "mb.intro": "Cada email y SMS enviado por el entorno local (SES y SNS emulados: nada salió de esta máquina).",
    "mb.localOnly": "El buzón solo existe en el entorno local.",
    "mb.filter": "El destinatario contiene",
    "mb.refresh": "Actualizar",
    "mb.empty": "Aún no se ha enviado nada.",
    "mb.from": "De",
    "mb.to": "Para",
    "mb.date": "Fecha",
    "mb.subject": "Asunto",
    "mb.textVersion": "Versión de texto",
    "mb.count": "{n} mensajes",
    "mb.countOne": "1 mensaje",
  },
  fr: {
    "mb.title": "Boîte aux lettres",
    "mb.intro": "Chaque e-mail et SMS envoyé par la pile locale (SES et SNS émulés : rien n’a quitté cette machine).",
    "mb.localOnly": "La boîte aux lettres n’existe que dans la pile locale.",
    "mb.filter": "Le destinataire contient",
    "mb.refresh": "Actualiser",
    "mb.empty": "Rien d’envoyé pour l’instant.",
    "mb.from": "De",
    "mb.to": "À",
    "mb.date": "Date",
    "mb.subject": "Objet",
    "mb.textVersion": "Version texte",
    "mb.count": "{n} messages",
    "mb.countOne": "1 message",
  },
  de: {
    "mb.title": "Postfach",
    "mb.intro": "Jede E-Mail und SMS des lokalen Stacks (SES und SNS emuliert: nichts hat diesen Rechner verlassen).",
    "mb.localOnly": "Das Postfach gibt es nur im lokalen Stack.",
    "mb.filter": "Empfänger enthält",
    "mb.refresh": "Aktualisieren",
    "mb.empty": "Noch nichts gesendet.",
    "mb.from": "Von",
    "mb.to": "An",
    "mb.date": "Datum",
    "mb.subject": "Betreff",
    "mb.textVersion": "Textversion",
    "mb.count": "{n} Nachrichten",
    "mb.countOne": "1 Nachricht",
  },
  ro: {
    "mb.title": "Căsuță poștală",
    "mb.intro": "Fiecare email și SMS trimis de mediul local (SES și SNS emulate: nimic nu a ieșit de pe această mașină).",
    "mb.localOnly": "Căsuța poștală există doar în mediul local.",
    "mb.filter": "Destinatarul conține",
    "mb.refresh": "Reîmprospătează",
    "mb.empty": "Nimic trimis încă.",
    "mb.from": "De la",
    "mb.to": "Către",
    "mb.date": "Data",
    "mb.subject": "Subiect",
    "mb.textVersion": "Versiunea text",
    "mb.count": "{n} mesaje",
    "mb.countOne": "1 mesaj",
  },
};

export default {
  title: "mb.title",
  roles: ["owner", "marketer", "support"],
  strings: withKit(LANGS),
  async render(root, ctx) {
    const { ui, t } = ctx;
    root.replaceChildren(ui.pageHeader(t("mb.title")));
    if (!ctx.config?.local) {
      root.append(ui.h("p", { class: "empty" }, t("mb.localOnly")));
      return;
    }
    const filter = ui.h("input", { name: "to", type: "search", autocomplete: "off" });
    const refresh = ui.h("button", { type: "button", class: "secondary" }, t("mb.refresh"));
    const count = ui.h("p", { class: "muted", role: "status" });
    const list = ui.h("div", { class: "message-list" });
    root.append(ui.h("p", { class: "muted" }, t("mb.intro")), ui.h("div", { class: "toolbar" }, ui.field(t("mb.filter"), filter), refresh), count, list);
    let items = [];
    const draw = () => {
      const needle = filter.value.trim().toLowerCase();
      const shown = needle ? items.filter((m) => recipients(m).join(" ").toLowerCase().includes(needle)) : items;
      count.textContent = shown.length === 1 ? t("mb.countOne") : t("mb.count", { n: ctx.fmt.number(shown.length) });
      list.replaceChildren(...(shown.length ? shown.map((m) => mailItem(ctx, m)) : [ui.h("p", { class: "empty" }, t("mb.empty"))]));
    };
    const load = async () => {
      refresh.disabled = true;
      try {
        const box = await ctx.api.get("/local/mailbox");
        items = box.items || box.messages || [];
        draw();
      } finally {
        refresh.disabled = false;
      }
    };
    filter.addEventListener("input", draw);
    refresh.addEventListener("click", () => load().catch((err) => ui.toast(err.message, "error")));
    await load();
  },
};

function recipients(m) {
  const to = m.to ?? m.destination ?? m.phone_number ?? [];
  return Array.isArray(to) ? to : [to];
}

function mailItem(ctx, m) {
  const { ui, t, fmt } = ctx;
  const channel = m.channel || m.type || (m.phone_number ? "sms" : "email");
  const at = m.at || m.sent_at || m.timestamp || m.created_at;
  const to = recipients(m).join(", ");
  const html = m.html ?? m.body_html ?? null;
  const text = m.text ?? m.body_text ?? m.body ?? m.message ?? "";
  const title = channel === "email" ? m.subject || t("kit.noSubject") : text.slice(0, 60);
  const details = ui.h(
    "details",
    { class: "message" },
    ui.h(
      "summary",
      {},
      ui.h("span", { class: "message-channel" }, t(`kit.${channel === "email" ? "email" : "sms"}`)),
      ui.h("span", { class: "message-title" }, title),
      ui.h("span", { class: "message-to" }, to),
      ui.h("time", { datetime: at, class: "muted" }, fmt.dateTime(at)),
    ),
  );
  let filled = false;
  details.addEventListener("toggle", () => {
    if (!details.open || filled) return;
    filled = true;
    if (channel === "email") {
      const head = facts(ui, [
        [t("mb.from"), m.from || m.source],
        [t("mb.to"), to],
        [t("mb.date"), fmt.dateTime(at)],
        [t("mb.subject"), m.subject],
      ]);
      const body = html ? emailFrame(ui, html, `${t("kit.preview")}: ${title}`) : ui.h("pre", { class: "mail-text" }, text);
      const plain = html && text ? ui.h("details", { class: "mail-plain" }, ui.h("summary", {}, t("mb.textVersion")), ui.h("pre", { class: "mail-text" }, text)) : null;
      details.append(ui.h("div", { class: "message-body mail" }, head, ui.h("div", { class: "message-preview" }, body), plain));
    } else {
      details.append(ui.h("div", { class: "message-body" }, facts(ui, [[t("mb.to"), to], [t("mb.date"), fmt.dateTime(at)]]), smsBubble(ui, text, to)));
    }
  });
  return details;
}
