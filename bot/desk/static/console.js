// Wegwijs desk console: plain JavaScript, no dependencies, no external requests.
// Texts come from the gettext catalogs (Dutch, English) through /api/strings.
"use strict";
(function () {
  const api = "api/";
  const $ = (id) => document.getElementById(id);
  const OUTCOMES = ["answered", "referred", "no_reply", "handed_back"];
  let strings = {};
  let csrf = null;
  let current = null; // the case shown
  let me = null; // who is signed in: {staff, role, csrf}
  let view = "desk"; // "desk" or "editors"
  // What a role sees: the desk (cases and conversations), the editors' view, or both
  const DESK_ROLES = ["staff", "admin"];
  const EDITOR_ROLES = ["editor", "admin"];
  const seesDesk = () => Boolean(me) && DESK_ROLES.includes(me.role);
  const seesEditors = () => Boolean(me) && EDITOR_ROLES.includes(me.role);
  const MAX_EXPORT = 500; // ids in one export (bot/editors/api.py)
  let uiLanguage = localStorage.getItem("wegwijs.console.language") || "nl";

  const t = (text) => strings[text] || text;
  // Dates and language names as in the Netherlands: British English, not American
  const intl = () => (uiLanguage === "en" ? "en-GB" : uiLanguage);
  const languageName = (code) => {
    try { return new Intl.DisplayNames([intl()], { type: "language" }).of(code); } catch (e) { return code; }
  };
  const when = (seconds) => new Intl.DateTimeFormat(intl(), {
    timeZone: "Europe/Amsterdam", dateStyle: "short", timeStyle: "short",
  }).format(new Date(seconds * 1000));
  // A day of the API ("2026-12-03") as people read it; the day itself, in no time zone
  const day = (iso) => {
    try {
      return new Intl.DateTimeFormat(intl(), { timeZone: "UTC", dateStyle: "medium" }).format(new Date(iso + "T00:00:00Z"));
    } catch (e) { return iso; }
  };
  // The day `days` ago in Amsterdam, as a date input wants it ("2026-11-03")
  const daysAgo = (days) => {
    const parts = new Intl.DateTimeFormat("en-GB", {
      timeZone: "Europe/Amsterdam", year: "numeric", month: "2-digit", day: "2-digit",
    }).formatToParts(new Date(Date.now() - days * 86400000));
    const part = (type) => parts.find((p) => p.type === type).value;
    return part("year") + "-" + part("month") + "-" + part("day");
  };
  const element = (tag, text, className) => {
    const el = document.createElement(tag);
    if (text !== undefined && text !== null) el.textContent = String(text); // never innerHTML: user texts
    if (className) el.className = className;
    return el;
  };
  const waited = (seconds) => t("{n} min").replace("{n}", String(Math.max(0, Math.round((Date.now() / 1000 - seconds) / 60))));

  async function call(path, options = {}) {
    const headers = { "Content-Type": "application/json" };
    if (options.method && options.method !== "GET") headers["X-CSRF-Token"] = csrf || "";
    const reply = await fetch(api + path, { credentials: "same-origin", ...options, headers });
    const body = await reply.json().catch(() => ({}));
    if (reply.status === 401) showLogin();
    return { status: reply.status, body };
  }

  async function loadStrings() {
    const reply = await fetch(api + "strings?language=" + uiLanguage);
    strings = await reply.json();
    document.documentElement.lang = uiLanguage;
    for (const el of document.querySelectorAll("[data-t]")) el.textContent = t(el.dataset.t);
    for (const select of [$("outcome"), $("search-outcome")]) {
      const keep = select.id === "search-outcome" ? [""] : [];
      select.replaceChildren(...[...keep, ...OUTCOMES].map((o) => new Option(o ? t("outcome:" + o) : t("all"), o)));
    }
    $("ui-language").value = uiLanguage;
    $("views").setAttribute("aria-label", t("Views"));
  }

  function showLogin() {
    me = null;
    if (events) { events.close(); events = null; }
    $("login").hidden = false; $("desk").hidden = true; $("editors").hidden = true;
    $("views").hidden = true; $("logout").hidden = true; $("who").textContent = "";
  }

  function showWho() {
    if (me) $("who").textContent = me.staff + (me.role === "staff" ? "" : " (" + t("role:" + me.role) + ")");
  }

  // After sign-in: staff see the desk, editors the editors' view, admins both (two buttons)
  function showDesk(signedIn) {
    me = signedIn;
    csrf = me.csrf;
    $("login").hidden = true; $("logout").hidden = false;
    showWho();
    $("views").hidden = !(seesDesk() && seesEditors());
    if (seesDesk()) { // editors never call the case routes: they would get 403
      loadQueue();
      listen();
    }
    $("admin").hidden = me.role !== "admin";
    if (me.role === "admin") loadAdmin();
    show(seesDesk() ? "desk" : "editors");
  }

  function show(which) {
    view = which === "editors" && seesEditors() ? "editors" : seesDesk() ? "desk" : "editors";
    $("desk").hidden = view !== "desk";
    $("editors").hidden = view !== "editors";
    $("show-desk").setAttribute("aria-pressed", String(view === "desk"));
    $("show-editors").setAttribute("aria-pressed", String(view === "editors"));
    if (view === "editors") {
      if (!$("since").value) $("since").value = daysAgo(30);
      loadEditors();
    }
  }

  $("show-desk").addEventListener("click", () => show("desk"));
  $("show-editors").addEventListener("click", () => show("editors"));

  // --- the editors' view: what the assistant did not understand, how its answers do -----

  function fillTable(body, rows, empty) {
    body.replaceChildren(...rows);
    const table = body.closest("table");
    (table.parentElement.classList.contains("scroll") ? table.parentElement : table).hidden = rows.length === 0;
    $(empty).hidden = rows.length > 0;
  }

  function row(cells) {
    const tr = document.createElement("tr");
    for (const cell of cells) tr.appendChild(cell instanceof Node ? cell : element("td", cell));
    return tr;
  }

  const numberCell = (n) => element("td", n, "number");

  function notUnderstoodGroup(g) {
    const li = element("li", null, "group");
    const head = element("p", null, "group-head");
    head.append(element("strong", t("{n}×").replace("{n}", String(g.count)), "count"),
      document.createTextNode(" · " + g.languages.map(languageName).join(", ") + " · "
        + (g.first === g.last ? day(g.first) : day(g.first) + " – " + day(g.last))));
    const examples = element("ul", null, "examples");
    examples.setAttribute("aria-label", t("Examples"));
    for (const text of g.examples) examples.appendChild(element("li", text)); // user texts: textContent
    const kinds = Object.entries(g.kinds || {}).filter(([, n]) => n > 0)
      .map(([kind, n]) => t("kind:" + kind) + " " + n);
    const about = element("p", [
      t("The model's guess") + ": " + (g.guess || t("none")), ...kinds,
    ].join(" · "), "meta");
    const ids = g.ids.slice(0, MAX_EXPORT);
    const exporting = element("a", t("Export"), "button");
    exporting.href = api + "editors/export?ids=" + ids.join(",");
    exporting.setAttribute("download", "not-understood.yml");
    exporting.setAttribute("aria-label", t("Export {n} messages as training examples (YAML)").replace("{n}", String(ids.length)));
    li.append(head, examples, about, exporting);
    return li;
  }

  function answerRow(a) {
    const todo = [];
    if (a.overdue) todo.push(t("Review overdue"));
    if (a.missing) todo.push(t("Translation missing"));
    const tr = row([
      element("td", a.id, "id"), languageName(a.language), numberCell(a.given), numberCell(a.helpful),
      numberCell(a.not_helpful), numberCell(a.then_person), numberCell(a.then_not_understood),
      a.reviewed ? day(a.reviewed) : "–", element("td", todo.join(" · "), "todo"),
    ]);
    if (a.overdue) tr.classList.add("overdue");
    if (a.missing) tr.classList.add("missing");
    return tr;
  }

  function topicRow(topic) {
    const outcomes = Object.entries(topic.outcomes).sort((a, b) => b[1] - a[1])
      .map(([outcome, n]) => t("outcome:" + outcome) + " " + n).join(" · ");
    return row([topic.topic === "-" ? t("no topic yet") : element("td", topic.topic, "id"),
      numberCell(topic.cases), outcomes]);
  }

  function perDay(items) {
    const languages = [...new Set(items.map((i) => i.language))].sort();
    const days = [...new Set(items.map((i) => i.day))].sort().reverse(); // the latest first
    const count = new Map(items.map((i) => [i.day + " " + i.language, i.not_understood]));
    $("per-day-head").replaceChildren(element("th", t("Day")),
      ...languages.map((code) => element("th", languageName(code), "number")));
    for (const th of $("per-day-head").children) th.scope = "col";
    fillTable($("per-day"), days.map((d) => row([day(d),
      ...languages.map((code) => numberCell(count.get(d + " " + code) || 0))])), "per-day-empty");
  }

  async function loadEditors() {
    const since = $("since").value || daysAgo(30);
    const { status, body } = await call("editors?since=" + encodeURIComponent(since));
    $("editors-error").textContent = status === 200 ? "" : t(body.message || "Could not load the figures.");
    if (status !== 200) return;
    const groups = body.not_understood || [];
    $("not-understood").replaceChildren(...groups.map(notUnderstoodGroup));
    $("not-understood-empty").hidden = groups.length > 0;
    fillTable($("answers"), (body.answers || []).map(answerRow), "answers-empty");
    fillTable($("topics"), (body.topics_at_desk || []).map(topicRow), "topics-empty");
    perDay(body.per_day || []);
  }

  $("editors-form").addEventListener("submit", (event) => { event.preventDefault(); loadEditors(); });

  async function loadAdmin() {
    const accounts = await call("staff");
    if (accounts.status === 200) {
      $("accounts").replaceChildren(...accounts.body.staff.map((a) => {
        const li = document.createElement("li");
        li.textContent = a.name + " · " + t("role:" + a.role) + " ";
        const remove = document.createElement("button");
        remove.type = "button";
        remove.textContent = t("Remove");
        remove.setAttribute("aria-label", t("Remove") + " " + a.name);
        remove.addEventListener("click", async () => {
          await call("staff/" + encodeURIComponent(a.name), { method: "DELETE" });
          loadAdmin();
        });
        li.appendChild(remove);
        return li;
      }));
    }
    const audit = await call("audit");
    if (audit.status === 200) {
      $("audit").replaceChildren(...audit.body.audit.map((a) => {
        const li = document.createElement("li");
        li.textContent = when(a.at) + " · " + a.staff + " · " + t("action:" + a.action)
          + (a.case_id ? " · #" + a.case_id : "") + (a.detail ? " · " + a.detail : "");
        return li;
      }));
    }
  }

  $("add-account").addEventListener("submit", async (event) => {
    event.preventDefault();
    const reply = await call("staff", { method: "POST", body: JSON.stringify({
      name: $("new-name").value, password: $("new-password").value, role: $("new-role").value,
    }) });
    if (reply.status >= 400) { $("alert").textContent = reply.body.message; $("alert").hidden = false; return; }
    $("new-name").value = ""; $("new-password").value = "";
    loadAdmin();
  });

  function caseButton(c) {
    const item = document.createElement("li");
    item.className = c.status;
    const button = document.createElement("button");
    button.type = "button";
    button.dataset.case = c.id;
    const title = document.createElement("strong");
    title.textContent = "#" + c.id + " · " + languageName(c.language) + " · " + c.channel;
    const detail = document.createElement("small");
    detail.textContent = (c.status === "closed" ? t("outcome:" + c.outcome) + " · " + when(c.closed_at)
      : t(c.status) + " · " + waited(c.created_at) + (c.staff ? " · " + c.staff : "")) + " — " + (c.description || "").slice(0, 90);
    button.append(title, detail);
    button.addEventListener("click", () => openCase(c.id));
    item.appendChild(button);
    return item;
  }

  async function loadQueue() {
    const { status, body } = await call("cases");
    if (status === 200) $("queue").replaceChildren(...body.cases.map(caseButton));
  }

  let events = null;
  function listen() {
    if (events) events.close();
    events = new EventSource(api + "events");
    events.addEventListener("case", (message) => {
      const c = JSON.parse(message.data);
      loadQueue();
      const alert = $("alert");
      alert.textContent = t("New case") + ": #" + c.id + " · " + languageName(c.language);
      alert.hidden = false;
      document.title = "(!) Wegwijs — desk";
      beep();
    });
    // the server ends the stream when the session ends (logout elsewhere, expiry, removal)
    events.addEventListener("signed_out", () => { events.close(); showLogin(); });
  }

  function beep() {
    try {
      const audio = new AudioContext();
      const tone = audio.createOscillator();
      tone.frequency.value = 880;
      tone.connect(audio.destination);
      tone.start(); tone.stop(audio.currentTime + 0.25);
    } catch (e) { /* no sound: the banner shows it */ }
  }

  async function openCase(id) {
    const { status, body } = await call("cases/" + id);
    if (status !== 200) return;
    current = body.case;
    $("alert").hidden = true; document.title = "Wegwijs — desk";
    $("case").hidden = false;
    $("case-title").textContent = "#" + current.id + " · " + languageName(current.language);
    $("case-meta").textContent = [current.channel, t(current.status), current.staff || "",
      t("contact:" + current.contact) + (current.phone ? " " + current.phone : ""),
      (current.topics || []).join(", ")].filter(Boolean).join(" · ");
    $("case-description").textContent = current.description || "";
    $("claim").hidden = current.status !== "waiting";
    $("unclaim").hidden = current.status !== "claimed";
    for (const form of ["reply", "note", "close"]) $(form).hidden = current.status === "closed";
    const warning = $("window-warning");
    warning.hidden = body.reply_window.open;
    warning.textContent = body.reply_window.template
      ? t("WhatsApp's 24 hours are over: a reply will not arrive; the approved template is sent instead.")
      : t("WhatsApp's 24 hours are over: a reply will not arrive.");
    $("transcript").replaceChildren(...body.transcript.map((item) => {
      const li = document.createElement("li");
      li.className = item.from + (item.delivery === "failed" ? " failed" : "");
      const time = document.createElement("time");
      time.textContent = when(item.at);
      const who = document.createElement("span");
      who.className = "who";
      who.textContent = t("from:" + item.from) + (item.staff ? " " + item.staff : "")
        + (item.delivery ? " · " + t("delivery:" + item.delivery) : "");
      li.append(time, who, document.createTextNode(item.text));
      return li;
    }));
    $("transcript").scrollTop = $("transcript").scrollHeight; // the latest at hand
    const canned = await call("canned?language=" + current.language);
    const select = $("canned");
    select.replaceChildren(new Option("", ""), ...(canned.body.replies || []).map((r) => {
      const option = new Option(r.english || r.id, r.id);
      option.dataset.text = r.text;
      return option;
    }));
    $("canned-english").textContent = "";
  }

  $("canned").addEventListener("change", () => {
    const option = $("canned").selectedOptions[0];
    if (option && option.dataset.text) {
      $("reply-text").value = option.dataset.text;
      $("canned-english").textContent = t("In English") + ": " + option.textContent;
    }
  });

  async function act(path, body) {
    const reply = await call("cases/" + current.id + "/" + path, { method: "POST", body: JSON.stringify(body || {}) });
    if (reply.status >= 400 && reply.body.message) { $("alert").textContent = reply.body.message; $("alert").hidden = false; }
    await openCase(current.id);
    loadQueue();
    return reply;
  }

  $("claim").addEventListener("click", () => act("claim"));
  $("unclaim").addEventListener("click", () => act("unclaim"));
  $("reply").addEventListener("submit", async (event) => {
    event.preventDefault();
    const reply = await act("messages", { text: $("reply-text").value });
    if (reply.status < 400) $("reply-text").value = "";
  });
  $("note").addEventListener("submit", async (event) => {
    event.preventDefault();
    await act("notes", { text: $("note-text").value });
    $("note-text").value = "";
  });
  $("close").addEventListener("submit", (event) => { event.preventDefault(); act("close", { outcome: $("outcome").value }); });
  $("search").addEventListener("submit", async (event) => {
    event.preventDefault();
    const query = new URLSearchParams({ status: "closed", from: $("from").value, to: $("to").value, outcome: $("search-outcome").value });
    const { status, body } = await call("cases?" + query);
    if (status === 200) $("closed").replaceChildren(...body.cases.map(caseButton));
  });

  $("login").addEventListener("submit", async (event) => {
    event.preventDefault();
    const reply = await fetch(api + "login", {
      method: "POST", headers: { "Content-Type": "application/json" }, credentials: "same-origin",
      body: JSON.stringify({ name: $("name").value, password: $("password").value }),
    });
    const body = await reply.json();
    $("password").value = "";
    if (!reply.ok) { $("login-error").textContent = t(body.message || "Sign-in failed."); return; }
    $("login-error").textContent = "";
    showDesk(body);
  });
  $("logout").addEventListener("click", async () => {
    await call("logout", { method: "POST" });
    showLogin();
  });
  $("ui-language").addEventListener("change", async () => {
    uiLanguage = $("ui-language").value;
    localStorage.setItem("wegwijs.console.language", uiLanguage);
    await loadStrings();
    showWho();
    if (seesDesk()) {
      loadQueue();
      if (current) openCase(current.id);
    }
    if (me && me.role === "admin") loadAdmin();
    if (me && view === "editors") loadEditors();
  });

  (async function start() {
    await loadStrings();
    const signedIn = await call("me");
    if (signedIn.status === 200) showDesk(signedIn.body); else showLogin();
  })();
})();
