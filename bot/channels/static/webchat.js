// Wegwijs web chat: plain JavaScript, no dependencies, no external requests.
"use strict";
(function () {
  const endpoint = "webhook";
  const log = document.getElementById("log");
  const form = document.getElementById("composer");
  const input = document.getElementById("message");
  const send = document.getElementById("send");
  const storageKey = "wegwijs.sender";

  function newSender() {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return "web-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }
  let sender = localStorage.getItem(storageKey);
  if (!sender) { sender = newSender(); localStorage.setItem(storageKey, sender); }

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

  async function say(message, shown) {
    if (shown) add("user", shown);
    send.disabled = true;
    try {
      const reply = await fetch(endpoint, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ sender, message, metadata: { language_hint: navigator.language } }),
      });
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
  document.getElementById("restart").addEventListener("click", () => {
    sender = newSender(); localStorage.setItem(storageKey, sender);
    log.replaceChildren();
    say("/greet");
  });
  // Messages from the desk's staff (and the bot's "back to the assistant") are fetched.
  const lastKey = "wegwijs.desk";
  async function poll() {
    const after = Number(localStorage.getItem(lastKey + sender) || 0);
    try {
      const reply = await fetch("updates?sender=" + encodeURIComponent(sender) + "&after=" + after);
      if (reply.ok) {
        for (const m of (await reply.json()).messages) {
          add("bot staff", m.text);
          localStorage.setItem(lastKey + sender, String(m.id));
        }
      }
    } catch (e) { /* offline for a moment: the next poll catches up */ }
    setTimeout(poll, 4000);
  }

  say("/greet");
  poll();
})();
