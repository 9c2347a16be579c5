// Wegwijs web chat: plain JavaScript, no dependencies, no external requests.
"use strict";
(function () {
  const endpoint = "webhook";
  const log = document.getElementById("log");
  const form = document.getElementById("composer");
  const input = document.getElementById("message");
  const send = document.getElementById("send");
  const storageKey = "wegwijs.chat";

  // The server gives each conversation its id and a key that proves it is ours; both stay in
  // this browser only. An old or unknown chat (403) starts a new one.
  let chat = null;
  try { chat = JSON.parse(localStorage.getItem(storageKey) || "null"); } catch (e) { chat = null; }
  async function newChat() {
    const reply = await fetch("session", { method: "POST" });
    if (!reply.ok) throw new Error("no session");
    chat = await reply.json();
    localStorage.setItem(storageKey, JSON.stringify(chat));
    return chat;
  }
  async function currentChat() {
    return chat && chat.sender && chat.key ? chat : newChat();
  }
  function keyHeaders(extra) {
    return Object.assign({ "X-Webchat-Key": chat.key }, extra || {});
  }

  // Text is inserted as text (never HTML); links become <a> elements built by hand.
  function appendText(parent, text) {
    const parts = text.split(/(https?:\/\/[^\s]+)/g);
    for (const part of parts) {
      if (/^https?:\/\/[^\s]+$/.test(part)) {
        const a = document.createElement("a");
        a.href = part; a.textContent = part; a.target = "_blank"; a.rel = "noopener noreferrer";
        parent.appendChild(a);
      } else if (part) {
        parent.appendChild(document.createTextNode(part));
      }
    }
  }

  function add(kind, text, buttons) {
    const item = document.createElement("li");
    item.className = "msg " + kind;
    const bubble = document.createElement("div");
    bubble.className = "bubble";
    appendText(bubble, text || "");
    item.appendChild(bubble);
    if (buttons && buttons.length) {
      const row = document.createElement("div");
      row.className = "buttons";
      for (const b of buttons) {
        const button = document.createElement("button");
        button.type = "button";
        button.textContent = b.title;
        button.addEventListener("click", () => say(b.payload, b.title));
        row.appendChild(button);
      }
      item.appendChild(row);
    }
    log.appendChild(item);
    item.scrollIntoView({ block: "end" });
  }

  async function post(message) {
    await currentChat();
    return fetch(endpoint, {
      method: "POST",
      headers: keyHeaders({ "Content-Type": "application/json" }),
      body: JSON.stringify({
        sender: chat.sender, message, metadata: { language_hint: navigator.language },
      }),
    });
  }

  async function say(message, shown) {
    if (shown) add("user", shown);
    send.disabled = true;
    try {
      let reply = await post(message);
      if (reply.status === 403) { await newChat(); reply = await post(message); }
      const body = await reply.json();
      if (!reply.ok) { add("bot error", body.message || "Something went wrong."); return; }
      // No reply is normal while a person of the desk has the conversation: their messages
      // arrive through poll() below.
      for (const m of body) add("bot", m.text, m.buttons);
    } catch (e) {
      add("bot error", "The assistant cannot be reached. Is it still running?");
    } finally {
      send.disabled = false;
      input.focus();
    }
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    say(text, text);
  });
  document.getElementById("restart").addEventListener("click", async () => {
    log.replaceChildren();
    try { await newChat(); } catch (e) { /* say() below reports it */ }
    say("/greet");
  });
  // Messages from the desk's staff (and the bot's "back to the assistant") are fetched.
  const lastKey = "wegwijs.desk";
  async function poll() {
    try {
      if (chat && chat.key) {
        const after = Number(localStorage.getItem(lastKey + chat.sender) || 0);
        const url = "updates?sender=" + encodeURIComponent(chat.sender) + "&after=" + after;
        const reply = await fetch(url, { headers: keyHeaders() });
        if (reply.ok) {
          for (const m of (await reply.json()).messages) {
            add("bot staff", m.text);
            localStorage.setItem(lastKey + chat.sender, String(m.id));
          }
        }
      }
    } catch (e) { /* offline for a moment: the next poll catches up */ }
    setTimeout(poll, 4000);
  }

  say("/greet");
  poll();
})();
