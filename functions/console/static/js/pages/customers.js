// Customers: find one by id or email; their profile, wallet, points ledger, rewards, segments, coupons and
// messages (rendered); the support actions (a customer-bound code from a campaign open to support, a points
// adjustment with a reason) and, for the owner, erasure with a typed confirmation.
import { busy, campaigns, copyButton, facts, messageList, ownDiscounts, pagedTable, table, withKit } from "../kit.js";

const LANGS = {
  en: {
    "cu.v.earn": "earned",
    "cu.v.pend": "pending",
    "cu.v.release": "released",
    "cu.v.spend": "spent",
    "cu.v.expire": "expired",
    "cu.v.reverse": "reversed",
    "cu.v.adjustment": "adjustment",
    "cu.v.pending": "pending",
    "cu.v.released": "released",
    "cu.v.voided": "voided",
    "cu.v.reversed": "reversed",
    "cu.v.referee": "friend",
    "cu.v.referrer": "referrer",
    "cu.v.tier": "tier bonus",
    "cu.title": "Customers",
    "cu.search": "Find a customer",
    "cu.query": "Customer id or email",
    "cu.find": "Find",
    "cu.noMatch": "No customer matches “{q}”.",
    "cu.results": "Matches",
    "cu.id": "Id",
    "cu.name": "Name",
    "cu.email": "Email",
    "cu.phone": "Phone",
    "cu.country": "Country",
    "cu.locale": "Language",
    "cu.orders": "Orders",
    "cu.points": "Points",
    "cu.segments": "Segments",
    "cu.back": "Find another customer",
    "cu.profile": "Profile",
    "cu.createdAt": "Customer since",
    "cu.birthday": "Birthday",
    "cu.consent": "Consent",
    "cu.consentEmail": "email",
    "cu.consentSms": "SMS",
    "cu.none": "none",
    "cu.totalSpent": "Total spent",
    "cu.lastOrder": "Last order",
    "cu.engagement": "Engagement score",
    "cu.referredBy": "Referred by",
    "cu.erased": "erased",
    "cu.member": "loyalty member",
    "cu.wallet": "Wallet",
    "cu.balance": "Points balance",
    "cu.pending": "Pending points",
    "cu.debt": "Points debt",
    "cu.lifetime": "Earned in total",
    "cu.tier": "Tier",
    "cu.toNext": "{points} points to {tier}",
    "cu.expiring": "{points} points expire on {date}",
    "cu.referralCodes": "Referral codes",
    "cu.coupons": "Coupons",
    "cu.code": "Code",
    "cu.campaign": "Campaign",
    "cu.expires": "Expires",
    "cu.couponBalance": "Balance",
    "cu.source": "From",
    "cu.ledger": "Points ledger",
    "cu.when": "When",
    "cu.type": "Type",
    "cu.reason": "Reason",
    "cu.balanceAfter": "Balance after",
    "cu.rewards": "Rewards",
    "cu.reward": "Reward",
    "cu.role": "Role",
    "cu.status": "Status",
    "cu.messages": "Messages",
    "cu.segmentsNone": "In no segment.",
    "cu.actions": "Support actions",
    "cu.issue": "Give a code",
    "cu.issueCampaign": "Campaign",
    "cu.issueHint": "Only campaigns the owner opened to support are listed for support agents.",
    "cu.issueNone": "No campaign is open to support: ask the owner to open one.",
    "cu.issueButton": "Give the code",
    "cu.issued": "Code {code} is now {name}'s: read it to them or send it.",
    "cu.adjust": "Adjust points",
    "cu.adjustPoints": "Points (negative to remove)",
    "cu.adjustReason": "Reason (kept in the ledger and the audit log)",
    "cu.adjustButton": "Adjust",
    "cu.adjusted": "Points adjusted: {points}. New balance {balance}.",
    "cu.erase": "Erase this customer",
    "cu.eraseText": "Erasure removes the customer's personal data for good (right to be forgotten). Ledgers and figures stay, anonymous. This cannot be undone.",
    "cu.eraseType": "Type the customer id ({id}) to confirm",
    "cu.eraseButton": "Erase for good",
    "cu.erasedDone": "Customer erased.",
    "cu.erasedWhat": "Erased",
    "cu.keptWhat": "Kept (anonymous)",
    "cu.open": "Open",
  },
  it: {
    "cu.v.earn": "guadagnati",
    "cu.v.pend": "in attesa",
    "cu.v.release": "sbloccati",
    "cu.v.spend": "spesi",
    "cu.v.expire": "scaduti",
    "cu.v.reverse": "stornati",
    "cu.v.adjustment": "rettifica",
    "cu.v.pending": "in attesa",
    "cu.v.released": "sbloccato",
    "cu.v.voided": "annullato",
    "cu.v.reversed": "stornato",
    "cu.v.referee": "invitato",
    "cu.v.referrer": "chi invita",
    "cu.v.tier": "bonus livello",
    "cu.title": "Clienti",
    "cu.search": "Trova un cliente",
    "cu.query": "Id cliente o email",
    "cu.find": "Trova",
    "cu.noMatch": "Nessun cliente corrisponde a «{q}».",
    "cu.results": "Risultati",
    "cu.id": "Id",
    "cu.name": "Nome",
    "cu.email": "Email",
    "cu.phone": "Telefono",
    "cu.country": "Paese",
    "cu.locale": "Lingua",
    "cu.orders": "Ordini",
    "cu.points": "Punti",
    "cu.segments": "Segmenti",
    "cu.back": "Trova un altro cliente",
    "cu.profile": "Profilo",
    "cu.createdAt": "Cliente dal",
    "cu.birthday": "Compleanno",
    "cu.consent": "Consenso",
    "cu.consentEmail": "email",
    "cu.consentSms": "SMS",
    "cu.none": "nessuno",
    "cu.totalSpent": "Speso in totale",
    "cu.lastOrder": "Ultimo ordine",
    "cu.engagement": "Punteggio di coinvolgimento",
    "cu.referredBy": "Invitato da",
    "cu.erased": "cancellato",
    "cu.member": "iscritto al programma fedeltà",
    "cu.wallet": "Portafoglio",
    "cu.balance": "Saldo punti",
    "cu.pending": "Punti in attesa",
    "cu.debt": "Debito di punti",
    "cu.lifetime": "Guadagnati in totale",
    "cu.tier": "Livello",
    "cu.toNext": "{points} punti per {tier}",
    "cu.expiring": "{points} punti scadono il {date}",
    "cu.referralCodes": "Codici invito",
    "cu.coupons": "Coupon",
    "cu.code": "Codice",
    "cu.campaign": "Campagna",
    "cu.expires": "Scade",
    "cu.couponBalance": "Saldo",
    "cu.source": "Origine",
    "cu.ledger": "Movimenti punti",
    "cu.when": "Quando",
    "cu.type": "Tipo",
    "cu.reason": "Motivo",
    "cu.balanceAfter": "Saldo dopo",
    "cu.rewards": "Premi",
    "cu.reward": "Premio",
    "cu.role": "Ruolo",
    "cu.status": "Stato",
    "cu.messages": "Messaggi",
    "cu.segmentsNone": "In nessun segmento.",
    "cu.actions": "Azioni di assistenza",
    "cu.issue": "Dai un codice",
    "cu.issueCampaign": "Campagna",
    "cu.issueHint": "Agli operatori di assistenza sono elencate solo le campagne aperte dal titolare.",
    "cu.issueNone": "Nessuna campagna è aperta all’assistenza: chiedi al titolare di aprirne una.",
    "cu.issueButton": "Dai il codice",
    "cu.issued": "Il codice {code} ora è di {name}: leggiglielo o invialo.",
    "cu.adjust": "Rettifica punti",
    "cu.adjustPoints": "Punti (negativi per toglierli)",
    "cu.adjustReason": "Motivo (resta nei movimenti e nel registro)",
    "cu.adjustButton": "Rettifica",
    "cu.adjusted": "Punti rettificati: {points}. Nuovo saldo {balance}.",
    "cu.erase": "Cancella questo cliente",
    "cu.eraseText": "La cancellazione rimuove per sempre i dati personali del cliente (diritto all’oblio). Movimenti e cifre restano, anonimi. Non si può annullare.",
    "cu.eraseType": "Scrivi l’id del cliente ({id}) per confermare",
    "cu.eraseButton": "Cancella per sempre",
    "cu.erasedDone": "Cliente cancellato.",
    "cu.erasedWhat": "Cancellato",
    "cu.keptWhat": "Conservato (anonimo)",
    "cu.open": "Apri",
  },
  es: {
    "cu.v.earn": "ganados",
    "cu.v.pend": "pendientes",
    "cu.v.release": "liberados",
    "cu.v.spend": "gastados",
    "cu.v.expire": "caducados",
    "cu.v.reverse": "revertidos",
    "cu.v.adjustment": "ajuste",
    "cu.v.pending": "pendiente",
    "cu.v.released": "liberado",
    "cu.v.voided": "anulado",
    "cu.v.reversed": "revertido",
    "cu.v.referee": "invitado",
    "cu.v.referrer": "quien invita",
    "cu.v.tier": "bono de nivel",
    "cu.title": "Clientes",
    "cu.search": "Buscar un cliente",
    "cu.query": "Id de cliente o email",
    "cu.find": "Buscar",
    "cu.noMatch": "Ningún cliente coincide con «{q}».",
    "cu.results": "Resultados",
    "cu.id": "Id",
    "cu.name": "Nombre",
    "cu.email": "Email",
    "cu.phone": "Teléfono",
    "cu.country": "País",
    "cu.locale": "Idioma",
    "cu.orders": "Pedidos",
    "cu.points": "Puntos",
    "cu.segments": "Segmentos",
    "cu.back": "Buscar otro cliente",
    "cu.profile": "Perfil",
    "cu.createdAt": "Cliente desde",
    "cu.birthday": "Cumpleaños",
    "cu.consent": "Consentimiento",
    "cu.consentEmail": "email",
    "cu.consentSms": "SMS",
    "cu.none": "ninguno",
    "cu.totalSpent": "Gasto total",
    "cu.lastOrder": "Último pedido",
    "cu.engagement": "Puntuación de compromiso",
    "cu.referredBy": "Referido por",
    "cu.erased": "borrado",
    "cu.member": "miembro del programa de fidelidad",
    "cu.wallet": "Monedero",
    "cu.balance": "Saldo de puntos",
    "cu.pending": "Puntos pendientes",
    "cu.debt": "Deuda de puntos",
    "cu.lifetime": "Ganados en total",
    "cu.tier": "Nivel",
    "cu.toNext": "{points} puntos para {tier}",
    "cu.expiring": "{points} puntos caducan el {date}",
    "cu.referralCodes": "Códigos de invitación",
    "cu.coupons": "Cupones",
    "cu.code": "Código",
    "cu.campaign": "Campaña",
    "cu.expires": "Caduca",
    "cu.couponBalance": "Saldo",
    "cu.source": "Origen",
    "cu.ledger": "Movimientos de puntos",
    "cu.when": "Cuándo",
    "cu.type": "Tipo",
    "cu.reason": "Motivo",
    "cu.balanceAfter": "Saldo después",
    "cu.rewards": "Premios",
    "cu.reward": "Premio",
    "cu.role": "Rol",
    "cu.status": "Estado",
    "cu.messages": "Mensajes",
    "cu.segmentsNone": "En ningún segmento.",
    "cu.actions": "Acciones de soporte",
    "cu.issue": "Dar un código",
    "cu.issueCampaign": "Campaña",
    "cu.issueHint": "Al soporte solo se le muestran las campañas que el propietario abrió al soporte.",
    "cu.issueNone": "Ninguna campaña está abierta al soporte: pide al propietario que abra una.",
    "cu.issueButton": "Dar el código",
    "cu.issued": "El código {code} ahora es de {name}: díctaselo o envíaselo.",
    "cu.adjust": "Ajustar puntos",
    "cu.adjustPoints": "Puntos (negativos para quitar)",
    "cu.adjustReason": "Motivo (queda en los movimientos y en el registro)",
    "cu.adjustButton": "Ajustar",
    "cu.adjusted": "Puntos ajustados: {points}. Nuevo saldo {balance}.",
    "cu.erase": "Borrar este cliente",
    "cu.eraseText": "El borrado elimina para siempre los datos personales del cliente (derecho al olvido). Los movimientos y cifras quedan, anónimos. No se puede deshacer.",
    "cu.eraseType": "Escribe el id del cliente ({id}) para confirmar",
    "cu.eraseButton": "Borrar para siempre",
    "cu.erasedDone": "Cliente borrado.",
    "cu.erasedWhat": "Borrado",
    "cu.keptWhat": "Conservado (anónimo)",
    "cu.open": "Abrir",
  },
  fr: {
    "cu.v.earn": "gagnés",
    "cu.v.pend": "en attente",
    "cu.v.release": "débloqués",
    "cu.v.spend": "dépensés",
    "cu.v.expire": "expirés",
    "cu.v.reverse": "annulés",
    "cu.v.adjustment": "ajustement",
    "cu.v.pending": "en attente",
    "cu.v.released": "versée",
    "cu.v.voided": "annulée",
    "cu.v.reversed": "reprise",
    "cu.v.referee": "filleul",
    "cu.v.referrer": "parrain",
    "cu.v.tier": "bonus de niveau",
    "cu.title": "Clients",
    "cu.search": "Trouver un client",
    "cu.query": "Identifiant client ou e-mail",
    "cu.find": "Trouver",
    "cu.noMatch": "Aucun client ne correspond à « {q} ».",
    "cu.results": "Résultats",
    "cu.id": "Identifiant",
    "cu.name": "Nom",
    "cu.email": "E-mail",
    "cu.phone": "Téléphone",
    "cu.country": "Pays",
    "cu.locale": "Langue",
    "cu.orders": "Commandes",
    "cu.points": "Points",
    "cu.segments": "Segments",
    "cu.back": "Trouver un autre client",
    "cu.profile": "Profil",
    "cu.createdAt": "Client depuis",
    "cu.birthday": "Anniversaire",
    "cu.consent": "Consentement",
    "cu.consentEmail": "e-mail",
    "cu.consentSms": "SMS",
    "cu.none": "aucun",
    "cu.totalSpent": "Total dépensé",
    "cu.lastOrder": "Dernière commande",
    "cu.engagement": "Score d’engagement",
    "cu.referredBy": "Parrainé par",
    "cu.erased": "effacé",
    "cu.member": "membre du programme de fidélité",
    "cu.wallet": "Portefeuille",
    "cu.balance": "Solde de points",
    "cu.pending": "Points en attente",
    "cu.debt": "Dette de points",
    "cu.lifetime": "Gagnés au total",
    "cu.tier": "Niveau",
    "cu.toNext": "{points} points pour {tier}",
    "cu.expiring": "{points} points expirent le {date}",
    "cu.referralCodes": "Codes de parrainage",
    "cu.coupons": "Coupons",
    "cu.code": "Code",
    "cu.campaign": "Campagne",
    "cu.expires": "Expire",
    "cu.couponBalance": "Solde",
    "cu.source": "Origine",
    "cu.ledger": "Mouvements de points",
    "cu.when": "Quand",
    "cu.type": "Type",
    "cu.reason": "Motif",
    "cu.balanceAfter": "Solde après",
    "cu.rewards": "Récompenses",
    "cu.reward": "Récompense",
    "cu.role": "Rôle",
    "cu.status": "État",
    "cu.messages": "Messages",
    "cu.segmentsNone": "Dans aucun segment.",
    "cu.actions": "Actions du support",
    "cu.issue": "Donner un code",
    "cu.issueCampaign": "Campagne",
    "cu.issueHint": "Le support ne voit que les campagnes que le propriétaire lui a ouvertes.",
    "cu.issueNone": "Aucune campagne n’est ouverte au support : demandez au propriétaire d’en ouvrir une.",
    "cu.issueButton": "Donner le code",
    "cu.issued": "Le code {code} appartient maintenant à {name} : dictez-le ou envoyez-le.",
    "cu.adjust": "Ajuster les points",
    "cu.adjustPoints": "Points (négatifs pour retirer)",
    "cu.adjustReason": "Motif (conservé dans les mouvements et le journal)",
    "cu.adjustButton": "Ajuster",
    "cu.adjusted": "Points ajustés : {points}. Nouveau solde {balance}.",
    "cu.erase": "Effacer ce client",
    "cu.eraseText": "L’effacement supprime définitivement les données personnelles du client (droit à l’oubli). Mouvements et chiffres restent, anonymes. Irréversible.",
    "cu.eraseType": "Tapez l’identifiant du client ({id}) pour confirmer",
    "cu.eraseButton": "Effacer définitivement",
    "cu.erasedDone": "Client effacé.",
    "cu.erasedWhat": "Effacé",
    "cu.keptWhat": "Conservé (anonyme)",
    "cu.open": "Ouvrir",
  },
  de: {
    "cu.v.earn": "gesammelt",
    "cu.v.pend": "ausstehend",
    "cu.v.release": "freigegeben",
    "cu.v.spend": "eingelöst",
    "cu.v.expire": "verfallen",
    "cu.v.reverse": "storniert",
    "cu.v.adjustment": "Korrektur",
    "cu.v.pending": "ausstehend",
    "cu.v.released": "ausgezahlt",
    "cu.v.voided": "storniert",
    "cu.v.reversed": "zurückgebucht",
    "cu.v.referee": "Geworbener",
    "cu.v.referrer": "Empfehler",
    "cu.v.tier": "Stufenbonus",
    "cu.title": "Kunden",
    "cu.search": "Kunden finden",
    "cu.query": "Kunden-ID oder E-Mail",
    "cu.find": "Finden",
    "cu.noMatch": "Kein Kunde passt zu „{q}“.",
    "cu.results": "Treffer",
    "cu.id": "ID",
    "cu.name": "Name",
    "cu.email": "E-Mail",
    "cu.phone": "Telefon",
    "cu.country": "Land",
    "cu.locale": "Sprache",
    "cu.orders": "Bestellungen",
    "cu.points": "Punkte",
    "cu.segments": "Segmente",
    "cu.back": "Anderen Kunden finden",
    "cu.profile": "Profil",
    "cu.createdAt": "Kunde seit",
    "cu.birthday": "Geburtstag",
    "cu.consent": "Einwilligung",
    "cu.consentEmail": "E-Mail",
    "cu.consentSms": "SMS",
    "cu.none": "keine",
    "cu.totalSpent": "Gesamtumsatz",
    "cu.lastOrder": "Letzte Bestellung",
    "cu.engagement": "Engagement-Wert",
    "cu.referredBy": "Geworben von",
    "cu.erased": "gelöscht",
    "cu.member": "Mitglied im Treueprogramm",
    "cu.wallet": "Wallet",
    "cu.balance": "Punktestand",
    "cu.pending": "Ausstehende Punkte",
    "cu.debt": "Punkteschuld",
    "cu.lifetime": "Insgesamt gesammelt",
    "cu.tier": "Stufe",
    "cu.toNext": "{points} Punkte bis {tier}",
    "cu.expiring": "{points} Punkte verfallen am {date}",
    "cu.referralCodes": "Empfehlungscodes",
    "cu.coupons": "Gutscheine",
    "cu.code": "Code",
    "cu.campaign": "Kampagne",
    "cu.expires": "Läuft ab",
    "cu.couponBalance": "Guthaben",
    "cu.source": "Herkunft",
    "cu.ledger": "Punktebuchungen",
    "cu.when": "Wann",
    "cu.type": "Art",
    "cu.reason": "Grund",
    "cu.balanceAfter": "Stand danach",
    "cu.rewards": "Prämien",
    "cu.reward": "Prämie",
    "cu.role": "Rolle",
    "cu.status": "Status",
    "cu.messages": "Nachrichten",
    "cu.segmentsNone": "In keinem Segment.",
    "cu.actions": "Support-Aktionen",
    "cu.issue": "Code vergeben",
    "cu.issueCampaign": "Kampagne",
    "cu.issueHint": "Support sieht nur Kampagnen, die der Inhaber für den Support geöffnet hat.",
    "cu.issueNone": "Keine Kampagne ist für den Support geöffnet: bitte den Inhaber, eine zu öffnen.",
    "cu.issueButton": "Code vergeben",
    "cu.issued": "Code {code} gehört jetzt {name}: vorlesen oder zusenden.",
    "cu.adjust": "Punkte korrigieren",
    "cu.adjustPoints": "Punkte (negativ zum Abziehen)",
    "cu.adjustReason": "Grund (steht in den Buchungen und im Protokoll)",
    "cu.adjustButton": "Korrigieren",
    "cu.adjusted": "Punkte korrigiert: {points}. Neuer Stand {balance}.",
    "cu.erase": "Diesen Kunden löschen",
    "cu.eraseText": "Das Löschen entfernt die persönlichen Daten des Kunden endgültig (Recht auf Vergessenwerden). Buchungen und Zahlen bleiben anonym erhalten. Nicht umkehrbar.",
    "cu.eraseType": "Zur Bestätigung die Kunden-ID ({id}) eingeben",
    "cu.eraseButton": "Endgültig löschen",
    "cu.erasedDone": "Kunde gelöscht.",
    "cu.erasedWhat": "Gelöscht",
    "cu.keptWhat": "Behalten (anonym)",
    "cu.open": "Öffnen",
  },
  ro: {
    "cu.v.earn": "câștigate",
    "cu.v.pend": "în așteptare",
    "cu.v.release": "eliberate",
    "cu.v.spend": "cheltuite",
    "cu.v.expire": "expirate",
    "cu.v.reverse": "anulate",
    "cu.v.adjustment": "ajustare",
    "cu.v.pending": "în așteptare",
    "cu.v.released": "acordată",
    "cu.v.voided": "anulată",
    "cu.v.reversed": "retrasă",
    "cu.v.referee": "invitat",
    "cu.v.referrer": "cine recomandă",
    "cu.v.tier": "bonus de nivel",
    "cu.title": "Clienți",
    "cu.search": "Găsește un client",
    "cu.query": "Id client sau email",
    "cu.find": "Caută",
    "cu.noMatch": "Niciun client nu corespunde cu „{q}”.",
    "cu.results": "Rezultate",
    "cu.id": "Id",
    "cu.name": "Nume",
    "cu.email": "Email",
    "cu.phone": "Telefon",
    "cu.country": "Țară",
    "cu.locale": "Limbă",
    "cu.orders": "Comenzi",
    "cu.points": "Puncte",
    "cu.segments": "Segmente",
    "cu.back": "Găsește alt client",
    "cu.profile": "Profil",
    "cu.createdAt": "Client din",
    "cu.birthday": "Zi de naștere",
    "cu.consent": "Consimțământ",
    "cu.consentEmail": "email",
    "cu.consentSms": "SMS",
    "cu.none": "niciunul",
    "cu.totalSpent": "Total cheltuit",
    "cu.lastOrder": "Ultima comandă",
    "cu.engagement": "Scor de implicare",
    "cu.referredBy": "Recomandat de",
    "cu.erased": "șters",
    "cu.member": "membru al programului de fidelitate",
    "cu.wallet": "Portofel",
    "cu.balance": "Sold puncte",
    "cu.pending": "Puncte în așteptare",
    "cu.debt": "Datorie de puncte",
    "cu.lifetime": "Câștigate în total",
    "cu.tier": "Nivel",
    "cu.toNext": "{points} puncte până la {tier}",
    "cu.expiring": "{points} puncte expiră pe {date}",
    "cu.referralCodes": "Coduri de recomandare",
    "cu.coupons": "Cupoane",
    "cu.code": "Cod",
    "cu.campaign": "Campanie",
    "cu.expires": "Expiră",
    "cu.couponBalance": "Sold",
    "cu.source": "Sursă",
    "cu.ledger": "Mișcări de puncte",
    "cu.when": "Când",
    "cu.type": "Tip",
    "cu.reason": "Motiv",
    "cu.balanceAfter": "Sold după",
    "cu.rewards": "Recompense",
    "cu.reward": "Recompensă",
    "cu.role": "Rol",
    "cu.status": "Stare",
    "cu.messages": "Mesaje",
    "cu.segmentsNone": "În niciun segment.",
    "cu.actions": "Acțiuni de suport",
    "cu.issue": "Oferă un cod",
    "cu.issueCampaign": "Campanie",
    "cu.issueHint": "Agenții de suport văd doar campaniile deschise suportului de proprietar.",
    "cu.issueNone": "Nicio campanie nu e deschisă suportului: cere proprietarului să deschidă una.",
    "cu.issueButton": "Oferă codul",
    "cu.issued": "Codul {code} îi aparține acum lui {name}: citește-l sau trimite-l.",
    "cu.adjust": "Ajustează punctele",
    "cu.adjustPoints": "Puncte (negative pentru a scădea)",
    "cu.adjustReason": "Motiv (rămâne în mișcări și în jurnal)",
    "cu.adjustButton": "Ajustează",
    "cu.adjusted": "Puncte ajustate: {points}. Sold nou {balance}.",
    "cu.erase": "Șterge acest client",
    "cu.eraseText": "Ștergerea elimină definitiv datele personale ale clientului (dreptul de a fi uitat). Mișcările și cifrele rămân, anonime. Ireversibil.",
    "cu.eraseType": "Scrie id-ul clientului ({id}) pentru a confirma",
    "cu.eraseButton": "Șterge definitiv",
    "cu.erasedDone": "Client șters.",
    "cu.erasedWhat": "Șters",
    "cu.keptWhat": "Păstrat (anonim)",
    "cu.open": "Deschide",
  },
};

/** A value the API names in English (a ledger line's type, a reward's status or role) in the user's language. */
function word(t, value) {
  const key = `cu.v.${value}`;
  const out = t(key);
  return out === key ? value : out;
}

export default {
  title: "cu.title",
  roles: ["owner", "marketer", "support"],
  strings: withKit(LANGS),
  async render(root, ctx) {
    if (ctx.path[0]) return renderCustomer(root, ctx, decodeURIComponent(ctx.path[0]));
    return renderSearch(root, ctx);
  },
};

function searchForm(ctx, value) {
  const { ui, t } = ctx;
  const input = ui.h("input", {
    name: "query",
    type: "search",
    required: true,
    autocomplete: "off",
    spellcheck: "false",
    value: value || "",
    placeholder: "cus_123 · ana@example.com",
  });
  const form = ui.h(
    "form",
    { class: "inline-form", role: "search" },
    ui.field(t("cu.query"), input),
    ui.h("button", { type: "submit", class: "primary" }, t("cu.find")),
  );
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const q = input.value.trim();
    if (q) ctx.navigate(`#/customers?q=${encodeURIComponent(q)}`);
  });
  return { form, input };
}

async function renderSearch(root, ctx) {
  const { ui, t, fmt } = ctx;
  const q = (ctx.query.get("q") || "").trim();
  const { form, input } = searchForm(ctx, q);
  root.replaceChildren(ui.pageHeader(t("cu.title")), ui.card(t("cu.search"), form));
  if (!q) {
    input.focus();
    return;
  }
  const found = await ctx.api.get("/v1/customers", { query: q });
  const list = found.customers || [];
  if (list.length === 1) {
    ctx.navigate(`#/customers/${encodeURIComponent(list[0].id)}`);
    return;
  }
  if (!list.length) {
    root.append(ui.h("p", { role: "status", class: "empty" }, t("cu.noMatch", { q })));
    return;
  }
  root.append(
    ui.card(
      t("cu.results"),
      table(ctx, {
        caption: t("cu.results"),
        columns: [
          { label: t("cu.id"), value: (c) => ui.h("a", { href: `#/customers/${encodeURIComponent(c.id)}` }, c.id) },
          { label: t("cu.name"), value: (c) => c.name || "—" },
          { label: t("cu.email"), value: (c) => c.email || "—" },
          { label: t("cu.country"), value: (c) => c.country || "—" },
          { label: t("cu.orders"), value: (c) => fmt.number(c.order_count), align: "end" },
          { label: t("cu.points"), value: (c) => fmt.number(c.loyalty?.balance ?? 0), align: "end" },
        ],
        rows: list,
      }),
    ),
  );
}

async function renderCustomer(root, ctx, id) {
  const { ui, t } = ctx;
  const path = `/v1/customers/${encodeURIComponent(id)}`;
  root.replaceChildren(ui.h("p", { class: "crumbs" }, ui.h("a", { href: "#/customers" }, t("cu.back"))));
  const [customer, wallet] = await Promise.all([ctx.api.get(path), ctx.api.get(`${path}/wallet`).catch(() => null)]);
  const heading = customer.name || customer.email || customer.id;
  const badges = ui.h(
    "div",
    { class: "badges" },
    customer.erased ? ui.badge(t("cu.erased"), "danger") : null,
    customer.loyalty?.member ? ui.badge(t("cu.member"), "success") : null,
    customer.loyalty?.tier ? ui.badge(customer.loyalty.tier, "info") : null,
  );
  root.append(ui.pageHeader(heading), badges);
  const top = ui.h("div", { class: "grid" }, walletCard(ctx, customer, wallet), profileCard(ctx, customer));
  root.append(top);
  if (!customer.erased) root.append(actionsCard(ctx, customer, () => renderCustomer(root, ctx, id)));
  root.append(
    ui.tabs([
      { id: "ledger", label: t("cu.ledger"), render: (panel) => panel.append(ledgerTable(ctx, path).el) },
      { id: "coupons", label: t("cu.coupons"), render: (panel) => panel.append(couponsTable(ctx, wallet)) },
      { id: "rewards", label: t("cu.rewards"), render: (panel) => panel.append(rewardsTable(ctx, path).el) },
      {
        id: "messages",
        label: t("cu.messages"),
        render: (panel) =>
          panel.append(
            messageList(ctx, (cursor) => ctx.api.get(`${path}/messages`, { limit: 20, cursor }), { showCampaign: true }).el,
          ),
      },
      { id: "segments", label: t("cu.segments"), render: (panel) => panel.append(segmentList(ctx, customer)) },
    ]),
  );
  if (ctx.role === "owner" && !customer.erased) root.append(eraseCard(ctx, customer, () => renderCustomer(root, ctx, id)));
}

function profileCard(ctx, c) {
  const { ui, t, fmt } = ctx;
  const consent = Object.entries(c.consent || {})
    .filter(([, v]) => v === true || (v && v.granted))
    .map(([k]) => (k === "email" ? t("cu.consentEmail") : k === "sms" ? t("cu.consentSms") : k));
  const money = (map) =>
    Object.entries(map || {})
      .map(([cur, v]) => fmt.money(v, cur))
      .join(" · ") || null;
  const b = c.birthday;
  return ui.card(
    t("cu.profile"),
    facts(ui, [
      [t("cu.id"), ui.h("code", {}, c.id)],
      [t("cu.email"), c.email],
      [t("cu.phone"), c.phone],
      [t("cu.country"), c.country],
      [t("cu.locale"), c.locale],
      [t("cu.createdAt"), c.created_at ? fmt.date(c.created_at) : null],
      [t("cu.birthday"), b ? [b.day, b.month, b.year].filter(Boolean).join("/") : null],
      [t("cu.consent"), consent.length ? consent.join(", ") : t("cu.none")],
      [t("cu.orders"), fmt.number(c.facts?.order_count ?? 0)],
      [t("cu.totalSpent"), money(c.facts?.total_spent)],
      [t("cu.lastOrder"), c.facts?.last_order_at ? fmt.dateTime(c.facts.last_order_at) : null],
      [t("cu.engagement"), c.facts ? fmt.number(c.facts.engagement_score, { maximumFractionDigits: 1 }) : null],
      [
        t("cu.referredBy"),
        c.facts?.referred_by_customer_id
          ? ui.h("a", { href: `#/customers/${encodeURIComponent(c.facts.referred_by_customer_id)}` }, c.facts.referred_by_customer_id)
          : c.facts?.referred_by,
      ],
    ]),
  );
}

function walletCard(ctx, c, wallet) {
  const { ui, t, fmt } = ctx;
  const points = wallet?.points || { balance: c.loyalty?.balance ?? 0, pending: c.loyalty?.pending ?? 0, debt: c.loyalty?.debt ?? 0 };
  const tier = wallet?.tier;
  const pairs = [
    [t("cu.balance"), ui.h("strong", { class: "big-number" }, fmt.number(points.balance))],
    [t("cu.pending"), fmt.number(points.pending)],
  ];
  if (points.debt) pairs.push([t("cu.debt"), fmt.number(points.debt)]);
  if (points.lifetime_earned !== undefined) pairs.push([t("cu.lifetime"), fmt.number(points.lifetime_earned)]);
  if (tier && tier.name) {
    pairs.push([
      t("cu.tier"),
      tier.next && tier.points_to_next !== null ? `${tier.name} · ${t("cu.toNext", { points: fmt.number(tier.points_to_next), tier: tier.next })}` : tier.name,
    ]);
  }
  const el = ui.card(t("cu.wallet"), facts(ui, pairs));
  for (const x of points.expiring || []) el.append(ui.h("p", { class: "muted" }, t("cu.expiring", { points: fmt.number(x.points), date: fmt.date(x.expires_at) })));
  const coupons = wallet?.coupons || [];
  if (coupons.length) {
    el.append(
      ui.h("h3", {}, t("cu.coupons")),
      ui.h(
        "ul",
        { class: "plain" },
        ...coupons.slice(0, 5).map((c) =>
          ui.h(
            "li",
            {},
            ui.h("a", { href: `#/codes/${encodeURIComponent(c.code)}` }, c.code),
            c.expires_at ? ui.h("span", { class: "muted" }, ` · ${t("cu.expires")} ${fmt.date(c.expires_at)}`) : null,
          ),
        ),
        coupons.length > 5 ? ui.h("li", { class: "muted" }, "…") : null,
      ),
    );
  }
  const refs = wallet?.referrals || [];
  if (refs.length) {
    el.append(
      ui.h("h3", {}, t("cu.referralCodes")),
      ui.h(
        "ul",
        { class: "plain" },
        ...refs.map((r) => ui.h("li", {}, ui.h("code", {}, r.code), ` · ${t("cu.orders")}: ${fmt.number(r.conversions)}`)),
      ),
    );
  }
  return el;
}

function couponsTable(ctx, wallet) {
  const { ui, t, fmt } = ctx;
  return table(ctx, {
    caption: t("cu.coupons"),
    columns: [
      { label: t("cu.code"), value: (c) => ui.h("a", { href: `#/codes/${encodeURIComponent(c.code)}` }, c.code) },
      { label: t("cu.campaign"), value: (c) => c.campaign_id },
      { label: t("cu.source"), value: (c) => c.source || "—" },
      { label: t("cu.expires"), value: (c) => (c.expires_at ? fmt.date(c.expires_at) : "—") },
      { label: t("cu.couponBalance"), value: (c) => (c.balance === null || c.balance === undefined ? "—" : fmt.money(c.balance, c.currency)), align: "end" },
    ],
    rows: wallet?.coupons || [],
    empty: t("kit.none"),
  });
}

function ledgerTable(ctx, path) {
  const { t, fmt } = ctx;
  const signed = (n) => (n > 0 ? `+${fmt.number(n)}` : fmt.number(n));
  return pagedTable(ctx, {
    caption: t("cu.ledger"),
    columns: [
      { label: t("cu.when"), value: (e) => fmt.dateTime(e.at), class: "nowrap" },
      { label: t("cu.type"), value: (e) => word(t, e.type) },
      { label: t("cu.points"), value: (e) => signed(e.points), align: "end" },
      { label: t("cu.reason"), value: (e) => e.reason || "—" },
      { label: t("cu.balanceAfter"), value: (e) => (e.balance_after === null || e.balance_after === undefined ? "—" : fmt.number(e.balance_after)), align: "end" },
    ],
    load: (cursor) => ctx.api.get(`${path}/points/ledger`, { limit: 25, cursor }),
  });
}

function rewardsTable(ctx, path) {
  const { ui, t, fmt } = ctx;
  const what = (r) => {
    if (r.type === "points") return `${fmt.number(r.points)} ${t("cu.points").toLowerCase()}`;
    if (r.amount !== null && r.amount !== undefined) return fmt.money(r.amount, r.currency);
    return r.type;
  };
  return pagedTable(ctx, {
    caption: t("cu.rewards"),
    columns: [
      { label: t("cu.when"), value: (r) => fmt.dateTime(r.created_at) },
      { label: t("cu.reward"), value: (r) => what(r) },
      { label: t("cu.role"), value: (r) => word(t, r.role) },
      { label: t("cu.code"), value: (r) => (r.coupon_code ? ui.h("a", { href: `#/codes/${encodeURIComponent(r.coupon_code)}` }, r.coupon_code) : "—") },
      { label: t("cu.status"), value: (r) => ui.badge(word(t, r.status), r.status === "released" ? "success" : r.status === "pending" ? "info" : "neutral") },
      { label: t("cu.reason"), value: (r) => r.reason },
    ],
    load: (cursor) => ctx.api.get(`${path}/rewards`, { limit: 25, cursor }),
  });
}

function segmentList(ctx, c) {
  const { ui, t } = ctx;
  if (!c.segments?.length) return ui.h("p", { class: "muted" }, t("cu.segmentsNone"));
  const link = ctx.role !== "support";
  return ui.h(
    "ul",
    { class: "chips" },
    ...c.segments.map((s) => ui.h("li", {}, link ? ui.h("a", { href: `#/segments/${encodeURIComponent(s)}` }, s) : s)),
  );
}

function actionsCard(ctx, customer, refresh) {
  const { ui, t } = ctx;
  const body = ui.h("div", { class: "grid" });
  const el = ui.card(t("cu.actions"), body);
  body.append(issueForm(ctx, customer), adjustForm(ctx, customer, refresh));
  return el;
}

function issueForm(ctx, customer) {
  const { ui, t } = ctx;
  const holder = ui.h("div", { class: "subcard" }, ui.h("h3", {}, t("cu.issue")));
  campaigns(ctx.api, ["discount"]).then((all) => {
    const list = ownDiscounts(all).filter((c) => c.enabled);
    const open = ctx.role === "support" ? list.filter((c) => c.open_to_support) : list;
    if (!open.length) {
      holder.append(ui.h("p", { class: "muted" }, t("cu.issueNone")));
      return;
    }
    const select = ui.h("select", { name: "campaign_id", required: true });
    for (const c of open) select.append(ui.h("option", { value: c.id }, c.name));
    const submit = ui.h("button", { type: "submit", class: "primary" }, t("cu.issueButton"));
    const result = ui.h("div", { class: "issued", "aria-live": "polite" });
    const form = ui.h(
      "form",
      { novalidate: true },
      ui.field(t("cu.issueCampaign"), select, { hint: ctx.role === "support" ? null : t("cu.issueHint") }),
      ui.h("div", { class: "actions" }, submit),
      result,
    );
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      ui.clearErrors(form);
      try {
        const made = await busy(submit, () =>
          ctx.api.post(`/v1/campaigns/${encodeURIComponent(select.value)}/codes`, { customer_id: customer.id }, { idempotencyKey: crypto.randomUUID() }),
        );
        const code = made.codes[0].code;
        const codeEl = ui.h("code", { class: "issued-code" }, code);
        result.replaceChildren(
          ui.h("p", {}, t("cu.issued", { code, name: customer.name || customer.id })),
          ui.h("div", { class: "code-box" }, codeEl, copyButton(ctx, code)),
        );
      } catch (err) {
        ui.formErrors(form, err);
      }
    });
    holder.append(form);
  });
  return holder;
}

function adjustForm(ctx, customer, refresh) {
  const { ui, t, fmt } = ctx;
  const points = ui.h("input", { name: "points", type: "number", step: "1", required: true, inputmode: "numeric" });
  const reason = ui.h("input", { name: "reason", required: true, maxlength: "200", autocomplete: "off" });
  const submit = ui.h("button", { type: "submit", class: "primary" }, t("cu.adjustButton"));
  const form = ui.h(
    "form",
    { novalidate: true },
    ui.field(t("cu.adjustPoints"), points),
    ui.field(t("cu.adjustReason"), reason),
    ui.h("div", { class: "actions" }, submit),
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    ui.clearErrors(form);
    try {
      const done = await busy(submit, () =>
        ctx.api.post(
          `/v1/customers/${encodeURIComponent(customer.id)}/points/adjustments`,
          { points: Number(points.value), reason: reason.value.trim() },
          { idempotencyKey: crypto.randomUUID() },
        ),
      );
      const balance = done.balance ?? done.balance_after ?? done.entry?.balance_after;
      ui.toast(t("cu.adjusted", { points: fmt.number(Number(points.value)), balance: balance === undefined ? "—" : fmt.number(balance) }), "success");
      refresh();
    } catch (err) {
      ui.formErrors(form, err);
    }
  });
  return ui.h("div", { class: "subcard" }, ui.h("h3", {}, t("cu.adjust")), form);
}

function eraseCard(ctx, customer, refresh) {
  const { ui, t } = ctx;
  const typed = ui.h("input", { name: "confirm_id", autocomplete: "off", spellcheck: "false" });
  const submit = ui.h("button", { type: "submit", class: "danger", disabled: true }, t("cu.eraseButton"));
  typed.addEventListener("input", () => {
    submit.disabled = typed.value.trim() !== customer.id;
  });
  const form = ui.h(
    "form",
    { novalidate: true },
    ui.h("p", {}, t("cu.eraseText")),
    ui.field(t("cu.eraseType", { id: customer.id }), typed),
    ui.h("div", { class: "actions" }, submit),
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (typed.value.trim() !== customer.id) return;
    try {
      const done = await busy(submit, () => ctx.api.del(`/v1/customers/${encodeURIComponent(customer.id)}`));
      ui.toast(t("cu.erasedDone"), "success");
      await refresh();
      ctx.ui.toast(`${t("cu.erasedWhat")}: ${done.erased.join(", ")} · ${t("cu.keptWhat")}: ${done.kept.join(", ")}`, "info");
    } catch (err) {
      ui.formErrors(form, err);
    }
  });
  return ui.h("section", { class: "card danger-zone" }, ui.h("h2", {}, t("cu.erase")), form);
}
