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
  }

  function showLogin() {
    $("login").hidden = false; $("desk").hidden = true; $("logout").hidden = true; $("who").textContent = "";
  }

  function showDesk(me) {
    csrf = me.csrf;
    $("login").hidden = true; $("desk").hidden = false; $("logout").hidden = false;
    $("who").textContent = me.staff + (me.role === "admin" ? " (admin)" : "");
    loadQueue();
    listen();
    $("admin").hidden = me.role !== "admin";
    if (me.role === "admin") loadAdmin();
  }

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
    if (events) events.close();
    showLogin();
  });
  $("ui-language").addEventListener("change", async () => {
    uiLanguage = $("ui-language").value;
    localStorage.setItem("wegwijs.console.language", uiLanguage);
    await loadStrings();
    loadQueue();
    if (current) openCase(current.id);
  });

  (async function start() {
    await loadStrings();
    const me = await call("me");
    if (me.status === 200) showDesk(me.body); else showLogin();
  })();
})();
