// Settings (owner): API keys (list, create — the whole key shown once —, revoke) and console users
// (list, invite with a role, change a role, disable or enable).
import { busy, copyButton, table, withKit } from "../kit.js";

const ROLES = ["owner", "marketer", "support"];

const LANGS = {
  en: {
    "set.st.CONFIRMED": "signed up",
    "set.st.FORCE_CHANGE_PASSWORD": "invited: first sign-in pending",
    "set.title": "Settings",
    "set.keys": "API keys",
    "set.keysIntro": "Secret keys are for the shop's backend (never in a browser); publishable keys are for the storefront script.",
    "set.name": "Name",
    "set.kind": "Kind",
    "set.kind.secret": "secret",
    "set.kind.publishable": "publishable",
    "set.prefix": "Key starts with",
    "set.created": "Created",
    "set.state": "State",
    "set.active": "active",
    "set.revoked": "revoked {date}",
    "set.revoke": "Revoke",
    "set.confirmRevoke": "Revoke the key “{name}” ({prefix}…)? Every program using it will be refused at once.",
    "set.revokedDone": "Key revoked.",
    "set.newKey": "Create a key",
    "set.create": "Create",
    "set.keyOnce": "Copy the key now: it is shown this once only (only its hash is kept).",
    "set.users": "Console users",
    "set.email": "Email",
    "set.role": "Role",
    "set.role.owner": "owner",
    "set.role.marketer": "marketer",
    "set.role.support": "support",
    "set.role.none": "no role",
    "set.status": "Status",
    "set.enabled": "Can sign in",
    "set.invite": "Invite someone",
    "set.inviteButton": "Invite",
    "set.invited": "{email} invited: they get an email with a temporary password.",
    "set.roleChanged": "{email} is now {role}.",
    "set.disable": "Disable",
    "set.enable": "Enable",
    "set.confirmDisable": "Disable {email}? They are signed out and cannot sign in until enabled again.",
    "set.confirmRole": "Make {email} {role}?",
    "set.disabledDone": "{email} disabled.",
    "set.enabledDone": "{email} enabled.",
    "set.you": "you",
    "set.roleOf": "Role of {email}",
    "set.yes": "yes",
    "set.no": "no",
  },
  it: {
    "set.st.CONFIRMED": "registrato",
    "set.st.FORCE_CHANGE_PASSWORD": "invitato: primo accesso in attesa",
    "set.title": "Impostazioni",
    "set.keys": "Chiavi API",
    "set.keysIntro": "Le chiavi segrete sono per il backend del negozio (mai in un browser); quelle pubblicabili per lo script della vetrina.",
    "set.name": "Nome",
    "set.kind": "Tipo",
    "set.kind.secret": "segreta",
    "set.kind.publishable": "pubblicabile",
    "set.prefix": "Inizia con",
    "set.created": "Creata",
    "set.state": "Stato",
    "set.active": "attiva",
    "set.revoked": "revocata il {date}",
    "set.revoke": "Revoca",
    "set.confirmRevoke": "Revocare la chiave «{name}» ({prefix}…)? Ogni programma che la usa verrà subito rifiutato.",
    "set.revokedDone": "Chiave revocata.",
    "set.newKey": "Crea una chiave",
    "set.create": "Crea",
    "set.keyOnce": "Copia la chiave ora: viene mostrata solo questa volta (se ne conserva solo l’impronta).",
    "set.users": "Utenti della console",
    "set.email": "Email",
    "set.role": "Ruolo",
    "set.role.owner": "titolare",
    "set.role.marketer": "marketing",
    "set.role.support": "assistenza",
    "set.role.none": "nessun ruolo",
    "set.status": "Stato",
    "set.enabled": "Può accedere",
    "set.invite": "Invita qualcuno",
    "set.inviteButton": "Invita",
    "set.invited": "{email} invitato: riceverà un’email con una password temporanea.",
    "set.roleChanged": "{email} ora è {role}.",
    "set.disable": "Disattiva",
    "set.enable": "Riattiva",
    "set.confirmDisable": "Disattivare {email}? Viene disconnesso e non può accedere finché non viene riattivato.",
    "set.confirmRole": "Rendere {email} {role}?",
    "set.disabledDone": "{email} disattivato.",
    "set.enabledDone": "{email} riattivato.",
    "set.you": "tu",
    "set.roleOf": "Ruolo di {email}",
    "set.yes": "sì",
    "set.no": "no",
  },
  es: {
    "set.st.CONFIRMED": "registrado",
    "set.st.FORCE_CHANGE_PASSWORD": "invitado: primer acceso pendiente",
    "set.title": "Ajustes",
    "set.keys": "Claves API",
    "set.keysIntro": "Las claves secretas son para el backend de la tienda (nunca en un navegador); las publicables, para el script de la tienda.",
    "set.name": "Nombre",
    "set.kind": "Tipo",
    "set.kind.secret": "secreta",
    "set.kind.publishable": "publicable",
    "set.prefix": "Empieza por",
    "set.created": "Creada",
    "set.state": "Estado",
    "set.active": "activa",
    "set.revoked": "revocada el {date}",
    "set.revoke": "Revocar",
    "set.confirmRevoke": "¿Revocar la clave «{name}» ({prefix}…)? Todo programa que la use será rechazado al instante.",
    "set.revokedDone": "Clave revocada.",
    "set.newKey": "Crear una clave",
    "set.create": "Crear",
    "set.keyOnce": "Copia la clave ahora: solo se muestra esta vez (solo se guarda su hash).",
    "set.users": "Usuarios de la consola",
    "set.email": "Email",
    "set.role": "Rol",
    "set.role.owner": "propietario",
    "set.role.marketer": "marketing",
    "set.role.support": "soporte",
    "set.role.none": "sin rol",
    "set.status": "Estado",
    "set.enabled": "Puede entrar",
    "set.invite": "Invitar a alguien",
    "set.inviteButton": "Invitar",
    "set.invited": "{email} invitado: recibirá un email con una contraseña temporal.",
    "set.roleChanged": "{email} ahora es {role}.",
    "set.disable": "Desactivar",
    "set.enable": "Activar",
    "set.confirmDisable": "¿Desactivar a {email}? Se cierra su sesión y no podrá entrar hasta que se reactive.",
    "set.confirmRole": "¿Hacer a {email} {role}?",
    "set.disabledDone": "{email} desactivado.",
    "set.enabledDone": "{email} activado.",
    "set.you": "tú",
    "set.roleOf": "Rol de {email}",
    "set.yes": "sí",
    "set.no": "no",
  },
  fr: {
    "set.st.CONFIRMED": "inscrit",
    "set.st.FORCE_CHANGE_PASSWORD": "invité : première connexion en attente",
    "set.title": "Réglages",
    "set.keys": "Clés API",
    "set.keysIntro": "Les clés secrètes sont pour le backend de la boutique (jamais dans un navigateur) ; les clés publiables pour le script de la vitrine.",
    "set.name": "Nom",
    "set.kind": "Type",
    "set.kind.secret": "secrète",
    "set.kind.publishable": "publiable",
    "set.prefix": "Commence par",
    "set.created": "Créée",
    "set.state": "État",
    "set.active": "active",
    "set.revoked": "révoquée le {date}",
    "set.revoke": "Révoquer",
    "set.confirmRevoke": "Révoquer la clé « {name} » ({prefix}…) ? Tout programme qui l’utilise sera refusé aussitôt.",
    "set.revokedDone": "Clé révoquée.",
    "set.newKey": "Créer une clé",
    "set.create": "Créer",
    "set.keyOnce": "Copiez la clé maintenant : elle n’est montrée qu’une fois (seule son empreinte est gardée).",
    "set.users": "Utilisateurs de la console",
    "set.email": "E-mail",
    "set.role": "Rôle",
    "set.role.owner": "propriétaire",
    "set.role.marketer": "marketing",
    "set.role.support": "support",
    "set.role.none": "aucun rôle",
    "set.status": "Statut",
    "set.enabled": "Peut se connecter",
    "set.invite": "Inviter quelqu’un",
    "set.inviteButton": "Inviter",
    "set.invited": "{email} invité : un e-mail avec un mot de passe temporaire lui est envoyé.",
    "set.roleChanged": "{email} est maintenant {role}.",
    "set.disable": "Désactiver",
    "set.enable": "Réactiver",
    "set.confirmDisable": "Désactiver {email} ? Sa session est fermée et il ne peut plus se connecter jusqu’à sa réactivation.",
    "set.confirmRole": "Passer {email} en {role} ?",
    "set.disabledDone": "{email} désactivé.",
    "set.enabledDone": "{email} réactivé.",
    "set.you": "vous",
    "set.roleOf": "Rôle de {email}",
    "set.yes": "oui",
    "set.no": "non",
  },
  de: {
    "set.st.CONFIRMED": "registriert",
    "set.st.FORCE_CHANGE_PASSWORD": "eingeladen: erste Anmeldung ausstehend",
    "set.title": "Einstellungen",
    "set.keys": "API-Schlüssel",
    "set.keysIntro": "Geheime Schlüssel sind für das Shop-Backend (nie im Browser); veröffentlichbare für das Storefront-Skript.",
    "set.name": "Name",
    "set.kind": "Art",
    "set.kind.secret": "geheim",
    "set.kind.publishable": "veröffentlichbar",
    "set.prefix": "Beginnt mit",
    "set.created": "Erstellt",
    "set.state": "Zustand",
    "set.active": "aktiv",
    "set.revoked": "widerrufen am {date}",
    "set.revoke": "Widerrufen",
    "set.confirmRevoke": "Schlüssel „{name}“ ({prefix}…) widerrufen? Jedes Programm, das ihn nutzt, wird sofort abgewiesen.",
    "set.revokedDone": "Schlüssel widerrufen.",
    "set.newKey": "Schlüssel erstellen",
    "set.create": "Erstellen",
    "set.keyOnce": "Kopieren Sie den Schlüssel jetzt: er wird nur dieses eine Mal gezeigt (gespeichert wird nur sein Hash).",
    "set.users": "Konsolen-Benutzer",
    "set.email": "E-Mail",
    "set.role": "Rolle",
    "set.role.owner": "Inhaber",
    "set.role.marketer": "Marketing",
    "set.role.support": "Support",
    "set.role.none": "keine Rolle",
    "set.status": "Status",
    "set.enabled": "Darf sich anmelden",
    "set.invite": "Jemanden einladen",
    "set.inviteButton": "Einladen",
    "set.invited": "{email} eingeladen: eine E-Mail mit einem vorläufigen Passwort ist unterwegs.",
    "set.roleChanged": "{email} ist jetzt {role}.",
    "set.disable": "Deaktivieren",
    "set.enable": "Aktivieren",
    "set.confirmDisable": "{email} deaktivieren? Die Person wird abgemeldet und kann sich erst nach erneuter Aktivierung anmelden.",
    "set.confirmRole": "{email} zu {role} machen?",
    "set.disabledDone": "{email} deaktiviert.",
    "set.enabledDone": "{email} aktiviert.",
    "set.you": "Sie",
    "set.roleOf": "Rolle von {email}",
    "set.yes": "ja",
    "set.no": "nein",
  },
  ro: {
    "set.st.CONFIRMED": "înregistrat",
    "set.st.FORCE_CHANGE_PASSWORD": "invitat: prima conectare în așteptare",
    "set.title": "Setări",
    "set.keys": "Chei API",
    "set.keysIntro": "Cheile secrete sunt pentru backend-ul magazinului (niciodată într-un browser); cele publicabile pentru scriptul din vitrină.",
    "set.name": "Nume",
    "set.kind": "Tip",
    "set.kind.secret": "secretă",
    "set.kind.publishable": "publicabilă",
    "set.prefix": "Începe cu",
    "set.created": "Creată",
    "set.state": "Stare",
    "set.active": "activă",
    "set.revoked": "revocată pe {date}",
    "set.revoke": "Revocă",
    "set.confirmRevoke": "Revoci cheia „{name}” ({prefix}…)? Orice program care o folosește va fi refuzat imediat.",
    "set.revokedDone": "Cheie revocată.",
    "set.newKey": "Creează o cheie",
    "set.create": "Creează",
    "set.keyOnce": "Copiază cheia acum: este afișată doar de această dată (se păstrează doar amprenta ei).",
    "set.users": "Utilizatori ai consolei",
    "set.email": "Email",
    "set.role": "Rol",
    "set.role.owner": "proprietar",
    "set.role.marketer": "marketing",
    "set.role.support": "suport",
    "set.role.none": "fără rol",
    "set.status": "Stare",
    "set.enabled": "Se poate conecta",
    "set.invite": "Invită pe cineva",
    "set.inviteButton": "Invită",
    "set.invited": "{email} a fost invitat: primește un email cu o parolă temporară.",
    "set.roleChanged": "{email} este acum {role}.",
    "set.disable": "Dezactivează",
    "set.enable": "Activează",
    "set.confirmDisable": "Dezactivezi {email}? Este deconectat și nu se poate conecta până la reactivare.",
    "set.confirmRole": "Îl faci pe {email} {role}?",
    "set.disabledDone": "{email} dezactivat.",
    "set.enabledDone": "{email} activat.",
    "set.you": "tu",
    "set.roleOf": "Rolul lui {email}",
    "set.yes": "da",
    "set.no": "nu",
  },
};

export default {
  title: "set.title",
  roles: ["owner"],
  strings: withKit(LANGS),
  async render(root, ctx) {
    const { ui, t } = ctx;
    const keys = ui.h("div", {});
    const users = ui.h("div", {});
    root.replaceChildren(ui.pageHeader(t("set.title")), keysCard(ctx, keys), usersCard(ctx, users));
    await Promise.all([drawKeys(ctx, keys), drawUsers(ctx, users)]);
  },
};

function keysCard(ctx, holder) {
  const { ui, t } = ctx;
  const name = ui.h("input", { name: "name", required: true, maxlength: "100", autocomplete: "off" });
  const kind = ui.h("select", { name: "kind" }, ...["secret", "publishable"].map((k) => ui.h("option", { value: k }, t(`set.kind.${k}`))));
  const submit = ui.h("button", { type: "submit", class: "primary" }, t("set.create"));
  const created = ui.h("div", { "aria-live": "polite" });
  const form = ui.h(
    "form",
    { class: "inline-form", novalidate: true },
    ui.field(t("set.name"), name),
    ui.field(t("set.kind"), kind),
    submit,
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    ui.clearErrors(form);
    try {
      const key = await busy(submit, () => ctx.api.post("/v1/keys", { name: name.value.trim(), kind: kind.value }, { idempotencyKey: crypto.randomUUID() }));
      name.value = "";
      const value = ui.h("code", { class: "secret-key" }, key.key);
      created.replaceChildren(
        ui.h("div", { class: "key-once", role: "alert" }, ui.h("p", {}, t("set.keyOnce")), ui.h("div", { class: "code-box" }, value, copyButton(ctx, key.key))),
      );
      await drawKeys(ctx, holder);
    } catch (err) {
      ui.formErrors(form, err);
    }
  });
  return ui.card(t("set.keys"), ui.h("p", { class: "muted" }, t("set.keysIntro")), holder, ui.h("h3", {}, t("set.newKey")), form, created);
}

async function drawKeys(ctx, holder) {
  const { ui, t, fmt } = ctx;
  const { items } = await ctx.api.get("/v1/keys");
  items.sort((a, b) => Boolean(a.revoked_at) - Boolean(b.revoked_at) || String(b.created_at).localeCompare(String(a.created_at)));
  const revoke = (k) => {
    const b = ui.h("button", { type: "button", class: "danger small", "aria-label": `${t("set.revoke")} ${k.name}` }, t("set.revoke"));
    b.addEventListener("click", async () => {
      const ok = await ui.confirmDialog(t("set.confirmRevoke", { name: k.name, prefix: k.prefix }), { danger: true, confirmLabel: t("set.revoke") });
      if (!ok) return;
      try {
        await busy(b, () => ctx.api.post(`/v1/keys/${encodeURIComponent(k.prefix)}/revoke`));
        await drawKeys(ctx, holder);
        ui.toast(t("set.revokedDone"), "success");
      } catch (err) {
        ui.toast(err.message, "error");
      }
    });
    return b;
  };
  holder.replaceChildren(
    table(ctx, {
      caption: t("set.keys"),
      columns: [
        { label: t("set.name"), value: (k) => k.name },
        { label: t("set.kind"), value: (k) => ui.badge(t(`set.kind.${k.kind}`), k.kind === "secret" ? "warning" : "info") },
        { label: t("set.prefix"), value: (k) => ui.h("code", {}, `${k.prefix}…`) },
        { label: t("set.created"), value: (k) => fmt.date(k.created_at) },
        { label: t("set.state"), value: (k) => (k.revoked_at ? ui.badge(t("set.revoked", { date: fmt.date(k.revoked_at) }), "neutral") : ui.badge(t("set.active"), "success")) },
        { label: "", value: (k) => (k.revoked_at ? "" : revoke(k)), align: "end" },
      ],
      rows: items,
      empty: t("kit.none"),
    }),
  );
}

/** Cognito's user status in words (others as Cognito names them). */
function statusWord(t, status) {
  const key = `set.st.${status}`;
  const out = t(key);
  return out === key ? status : out;
}

function roleSelect(ctx, value, extra) {
  const { ui, t } = ctx;
  const select = ui.h("select", extra || {}, ...ROLES.map((r) => ui.h("option", { value: r }, t(`set.role.${r}`))));
  select.value = value || "support";
  return select;
}

function usersCard(ctx, holder) {
  const { ui, t } = ctx;
  const email = ui.h("input", { name: "email", type: "email", required: true, autocomplete: "off" });
  const role = roleSelect(ctx, "support", { name: "role" });
  const submit = ui.h("button", { type: "submit", class: "primary" }, t("set.inviteButton"));
  const form = ui.h("form", { class: "inline-form", novalidate: true }, ui.field(t("set.email"), email), ui.field(t("set.role"), role), submit);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    ui.clearErrors(form);
    try {
      const made = await busy(submit, () => ctx.api.post("/v1/console/users", { email: email.value.trim(), role: role.value }));
      email.value = "";
      await drawUsers(ctx, holder);
      ui.toast(t("set.invited", { email: made.email }), "success");
    } catch (err) {
      ui.formErrors(form, err);
    }
  });
  return ui.card(t("set.users"), holder, ui.h("h3", {}, t("set.invite")), form);
}

async function drawUsers(ctx, holder) {
  const { ui, t, fmt } = ctx;
  const { items } = await ctx.api.get("/v1/console/users");
  const patch = (u, body) => ctx.api.patch(`/v1/console/users/${encodeURIComponent(u.email)}`, body);
  const roleCell = (u) => {
    if (u.email === ctx.email) return ui.h("span", {}, t(`set.role.${u.role || "none"}`), ui.h("span", { class: "muted" }, ` (${t("set.you")})`));
    const select = roleSelect(ctx, u.role, { "aria-label": t("set.roleOf", { email: u.email }) });
    if (!u.role) select.prepend(ui.h("option", { value: "" }, t("set.role.none")));
    select.value = u.role || "";
    select.addEventListener("change", async () => {
      const next = select.value;
      const ok = await ui.confirmDialog(t("set.confirmRole", { email: u.email, role: t(`set.role.${next}`) }));
      if (!ok) {
        select.value = u.role || "";
        return;
      }
      try {
        await patch(u, { role: next });
        await drawUsers(ctx, holder);
        ui.toast(t("set.roleChanged", { email: u.email, role: t(`set.role.${next}`) }), "success");
      } catch (err) {
        select.value = u.role || "";
        ui.toast(err.message, "error");
      }
    });
    return select;
  };
  const enableCell = (u) => {
    if (u.email === ctx.email) return t("set.yes");
    const b = ui.h("button", { type: "button", class: u.enabled ? "danger small" : "small" }, u.enabled ? t("set.disable") : t("set.enable"));
    b.setAttribute("aria-label", `${b.textContent} ${u.email}`);
    b.addEventListener("click", async () => {
      if (u.enabled) {
        const ok = await ui.confirmDialog(t("set.confirmDisable", { email: u.email }), { danger: true, confirmLabel: t("set.disable") });
        if (!ok) return;
      }
      try {
        await busy(b, () => patch(u, { enabled: !u.enabled }));
        await drawUsers(ctx, holder);
        ui.toast(t(u.enabled ? "set.disabledDone" : "set.enabledDone", { email: u.email }), "success");
      } catch (err) {
        ui.toast(err.message, "error");
      }
    });
    return ui.h("span", { class: "row-actions" }, u.enabled ? t("set.yes") : t("set.no"), " ", b);
  };
  items.sort((a, b) => a.email.localeCompare(b.email));
  holder.replaceChildren(
    table(ctx, {
      caption: t("set.users"),
      columns: [
        { label: t("set.email"), value: (u) => u.email },
        { label: t("set.role"), value: roleCell },
        { label: t("set.status"), value: (u) => ui.h("span", { class: "muted" }, statusWord(t, u.status)) },
        { label: t("set.created"), value: (u) => (u.created_at ? fmt.date(u.created_at) : "—") },
        { label: t("set.enabled"), value: enableCell },
      ],
      rows: items,
      empty: t("kit.none"),
    }),
  );
}
