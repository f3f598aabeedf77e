// Live updates over one socket per page (messaging/consumers.py): chat messages, typing, presence,
// read positions, new thread replies and the notification count. A progressive enhancement: every page
// works without it, and while the socket is down a conversation page catches up over HTTP
// (messaging:events) and sends through its own form's URL, so nothing is lost and nothing shows twice.
(function () {
  "use strict";

  var body = document.body;
  var liveUrl = body && body.getAttribute("data-live");
  if (!liveUrl || !("WebSocket" in window)) {
    return;
  }

  var BACKOFF_SECONDS = [1, 2, 4, 8, 15];
  var POLL_MS = 3000;
  var PING_MS = 30000;
  var IDLE_MS = 120000;
  var TYPING_SHOWN_MS = 5000;
  var TYPING_SENT_MS = 3000;
  var SNIPPET_CHARACTERS = 120;
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

  var socket = null;
  var ready = false;
  var refused = false;
  var attempt = 0;
  var reconnectTimer = null;
  var pollTimer = null;
  var pingTimer = null;
  var idleTimer = null;
  var presenceState = "online";
  var statusLine = document.getElementById("live-status");

  // --- Small helpers ---------------------------------------------------------------------

  function csrfToken() {
    try {
      var headers = JSON.parse(body.getAttribute("hx-headers") || "{}");
      if (headers["X-CSRFToken"]) {
        return headers["X-CSRFToken"];
      }
    } catch (ignored) {
      // fall through to the cookie
    }
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function intAttribute(element, name) {
    var value = parseInt(element.getAttribute(name), 10);
    return isNaN(value) ? 0 : value;
  }

  function send(frame) {
    if (socket && ready && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify(frame));
      return true;
    }
    return false;
  }

  function plainText(html) {
    var parsed = new DOMParser().parseFromString(html, "text/html");
    var text = (parsed.body.textContent || "").replace(/\s+/g, " ").trim();
    return text.length > SNIPPET_CHARACTERS ? text.slice(0, SNIPPET_CHARACTERS - 1) + "…" : text;
  }

  function shownTime(iso) {
    var date = new Date(iso);
    if (isNaN(date.getTime())) {
      return iso;
    }
    function two(n) {
      return (n < 10 ? "0" : "") + n;
    }
    return date.getDate() + " " + MONTHS[date.getMonth()] + " " + date.getFullYear() + " " +
      two(date.getHours()) + ":" + two(date.getMinutes());
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  function showStatus(text) {
    if (statusLine) {
      statusLine.textContent = text;
      statusLine.hidden = false;
    }
  }

  function hideStatus() {
    if (statusLine) {
      statusLine.hidden = true;
      statusLine.textContent = "";
    }
  }

  // --- The bell ------------------------------------------------------------------------------

  function setBell(unread) {
    var bell = document.querySelector("[data-unread-count]");
    if (!bell) {
      return;
    }
    var number = bell.querySelector("[data-unread-number]");
    if (number) {
      number.textContent = String(unread);
    }
    bell.hidden = !unread;
  }

  // --- A conversation page ----------------------------------------------------------------------

  var chat = document.querySelector("[data-chat]");
  var conversation = null;

  if (chat) {
    conversation = {
      id: intAttribute(chat, "data-conversation"),
      version: intAttribute(chat, "data-version"),
      lastRead: intAttribute(chat, "data-last-read"),
      member: intAttribute(chat, "data-member"),
      newest: chat.getAttribute("data-newest") === "true",
      eventsUrl: chat.getAttribute("data-events-url"),
      readUrl: chat.getAttribute("data-read-url"),
      sendUrl: chat.getAttribute("data-send-url"),
      historyUrl: chat.getAttribute("data-history-url"),
      mayModerate: chat.getAttribute("data-may-moderate") === "true",
      loadingOlder: false,
      olderWatch: null,
      list: chat.querySelector("[data-messages]"),
      composer: chat.querySelector("[data-composer]"),
      sendError: chat.querySelector("[data-send-error]"),
      typing: chat.querySelector("[data-typing]"),
      closed: false,
      seen: {},
      pending: {},
      typingTimer: null,
      typingSentAt: 0,
      readTimer: null
    };
    Array.prototype.forEach.call(conversation.list.querySelectorAll("li[data-id]"), function (item) {
      conversation.seen[intAttribute(item, "data-id")] = intAttribute(item, "data-version");
    });
  }

  function highestId() {
    var highest = 0;
    Object.keys(conversation.seen).forEach(function (id) {
      highest = Math.max(highest, parseInt(id, 10));
    });
    return highest;
  }

  function showSendError(text) {
    if (conversation && conversation.sendError) {
      conversation.sendError.textContent = text;
      conversation.sendError.hidden = !text;
    }
  }

  var REACTIONS = [["👍", "thumbs up"], ["❤️", "heart"], ["😂", "laughter"], ["🎉", "celebration"], ["😮", "surprise"], ["🙏", "thanks"]];

  function avatarOf(author) {
    var face = element("span", "avatar avatar-sm avatar-c" + (author ? author.colour : 0));
    face.setAttribute("data-initials", author ? author.initials : "?");
    face.setAttribute("aria-hidden", "true");
    return face;
  }

  function hiddenInput(name, value) {
    var input = element("input");
    input.type = "hidden";
    input.name = name;
    input.value = value;
    return input;
  }

  function reactForm(message, className) {
    var form = element("form", className);
    form.method = "post";
    form.action = conversation.sendUrl + "messages/" + message.id + "/react/";
    form.setAttribute("data-react", "");
    form.appendChild(hiddenInput("csrfmiddlewaretoken", csrfToken()));
    return form;
  }

  function reactionButton(emoji, className, label, pressed) {
    var button = element("button", className, emoji);
    button.type = "submit";
    button.name = "emoji";
    button.value = emoji;
    button.setAttribute("aria-pressed", pressed ? "true" : "false");
    button.setAttribute("aria-label", label);
    return button;
  }

  function quoteLink(quote) {
    var link = element("a", "chat-quote");
    link.href = "#m" + quote.id;
    link.setAttribute("data-quote", String(quote.id));
    link.appendChild(element("span", "visually-hidden", "In reply to "));
    link.appendChild(element("span", "chat-quote-author", quote.author));
    link.appendChild(document.createTextNode(" "));
    link.appendChild(element("span", "chat-quote-text", quote.deleted ? "message deleted" : quote.snippet));
    return link;
  }

  // Mentions are linked by the server when a message is written (a.mention[data-member-id]); the reader's own stand out.
  function markMentionsOfMe(root) {
    Array.prototype.forEach.call(root.querySelectorAll('a.mention[data-member-id="' + conversation.member + '"]'), function (link) {
      link.classList.add("mention-me");
    });
  }

  // The same markup as templates/messaging/_message.html: change both together.
  function messageItem(message) {
    var mine = message.author && message.author.id === conversation.member;
    var item = element("li", "chat-message" + (message.deleted ? " chat-message-deleted" : "") + (mine ? " chat-message-own" : ""));
    item.id = "m" + message.id;
    item.setAttribute("data-id", String(message.id));
    item.setAttribute("data-version", String(message.version));
    if (message.author) {
      item.setAttribute("data-author", String(message.author.id));
    }
    item.appendChild(avatarOf(message.author));
    var content = element("div", "chat-content");
    item.appendChild(content);
    var meta = element("p", "chat-meta");
    meta.appendChild(element("strong", "chat-author", message.author ? message.author.name : "A former member"));
    meta.appendChild(document.createTextNode(" · "));
    var link = element("a");
    link.href = "#m" + message.id;
    var time = element("time", "", shownTime(message.created_at));
    time.setAttribute("datetime", message.created_at);
    link.appendChild(time);
    meta.appendChild(link);
    if (message.edited && !message.deleted) {
      meta.appendChild(document.createTextNode(" "));
      meta.appendChild(element("span", "chat-edited muted", "(edited)"));
    }
    content.appendChild(meta);
    if (message.deleted) {
      content.appendChild(element("p", "removed-note chat-body", "This message was deleted."));
      return item;
    }
    if (message.reply_to) {
      content.appendChild(quoteLink(message.reply_to));
    }
    var text = element("div", "post-body chat-body");
    text.innerHTML = message.body_html; // sanitised by the server, as the page shows it
    markMentionsOfMe(text);
    content.appendChild(text);
    var minePressed = {};
    if ((message.reactions || []).length) {
      var chips = reactForm(message, "chat-reactions");
      message.reactions.forEach(function (reaction) {
        var pressed = reaction.members.indexOf(conversation.member) !== -1;
        minePressed[reaction.emoji] = pressed;
        var chip = reactionButton(reaction.emoji, "chat-reaction", reaction.label + ": " + reaction.count, pressed);
        chip.textContent = reaction.emoji + " " + reaction.count;
        chip.title = reaction.names.join(", ");
        chips.appendChild(chip);
      });
      content.appendChild(chips);
    }
    var wrap = element("div", "chat-menu-wrap");
    var toggle = element("button", "chat-menu-button", "⋯");
    toggle.type = "button";
    toggle.setAttribute("aria-expanded", "false");
    toggle.setAttribute("aria-controls", "menu-m" + message.id);
    toggle.setAttribute("aria-label", "Message actions");
    toggle.setAttribute("data-menu-button", "");
    wrap.appendChild(toggle);
    var menu = element("div", "chat-menu");
    menu.id = "menu-m" + message.id;
    menu.setAttribute("data-menu", "");
    menu.hidden = true;
    var reply = element("button", "link-button", "Reply");
    reply.type = "button";
    reply.setAttribute("data-reply", "");
    menu.appendChild(reply);
    var offered = reactForm(message, "chat-menu-reactions");
    REACTIONS.forEach(function (pair) {
      offered.appendChild(reactionButton(pair[0], "chat-react", "React with " + pair[1], minePressed[pair[0]] === true));
    });
    menu.appendChild(offered);
    if (mine) {
      var edit = element("a", "", "Edit");
      edit.href = conversation.sendUrl + "messages/" + message.id + "/edit/";
      edit.appendChild(element("span", "visually-hidden", " your message"));
      menu.appendChild(edit);
    }
    if (mine || conversation.mayModerate) {
      var form = element("form", "inline-form");
      form.method = "post";
      form.action = conversation.sendUrl + "messages/" + message.id + "/delete/";
      form.appendChild(hiddenInput("csrfmiddlewaretoken", csrfToken()));
      var button = element("button", "link-button danger-link", "Delete");
      button.type = "submit";
      button.appendChild(element("span", "visually-hidden", " this message"));
      form.appendChild(button);
      menu.appendChild(form);
    }
    wrap.appendChild(menu);
    item.appendChild(wrap);
    return item;
  }

  // --- Menus, reactions, replies, older history and "Jump to newest" --------------------------------------

  function enhanceMenus(root) {
    Array.prototype.forEach.call(root.querySelectorAll("[data-menu-button], [data-reply]"), function (control) {
      control.hidden = false;
    });
    Array.prototype.forEach.call(root.querySelectorAll("[data-menu]"), function (menu) {
      menu.hidden = true;
    });
  }

  function closeMenus(except) {
    Array.prototype.forEach.call(conversation.list.querySelectorAll('[data-menu-button][aria-expanded="true"]'), function (toggle) {
      if (toggle !== except) {
        toggle.setAttribute("aria-expanded", "false");
        var menu = document.getElementById(toggle.getAttribute("aria-controls"));
        if (menu) {
          menu.hidden = true;
        }
      }
    });
  }

  function toggleMenu(toggle) {
    var menu = document.getElementById(toggle.getAttribute("aria-controls"));
    var open = toggle.getAttribute("aria-expanded") !== "true";
    closeMenus(toggle);
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    if (menu) {
      menu.hidden = !open;
      var first = open && menu.querySelector("button:not([hidden]), a");
      if (first) {
        first.focus();
      }
    }
  }

  function startReply(item) {
    var box = conversation.composer.querySelector("textarea");
    var bar = conversation.composer.querySelector("[data-replying]");
    var field = conversation.composer.querySelector('input[name="reply_to"]');
    if (!bar || !field) {
      return;
    }
    field.value = item.getAttribute("data-id");
    var author = item.querySelector(".chat-author");
    var body = item.querySelector(".chat-body");
    bar.querySelector("[data-replying-author]").textContent = author ? author.textContent : "";
    bar.querySelector("[data-replying-text]").textContent = body ? plainText(body.innerHTML) : "";
    bar.hidden = false;
    box.focus();
  }

  function cancelReply() {
    var bar = conversation.composer.querySelector("[data-replying]");
    var field = conversation.composer.querySelector('input[name="reply_to"]');
    if (field) {
      field.value = "";
    }
    if (bar) {
      bar.hidden = true;
    }
  }

  function react(form, emoji) {
    var id = intAttribute(form.closest("li[data-id]"), "data-id");
    closeMenus(null);
    if (send({ type: "react", conversation: conversation.id, id: id, emoji: emoji })) {
      return;
    }
    var data = new FormData();
    data.append("emoji", emoji);
    fetch(form.action, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": csrfToken() }
    }).then(function (response) {
      return response.json().then(function (answer) {
        if (response.ok) {
          applyMessage(answer.message);
        } else {
          showSendError(answer.detail || "That reaction was not saved.");
        }
      });
    }).catch(function () {
      showSendError("That reaction was not saved: the server cannot be reached.");
    });
  }

  function composerTop() {
    var compose = chat.querySelector(".chat-compose");
    return compose ? compose.getBoundingClientRect().top : window.innerHeight;
  }

  function updateJump() {
    var jump = chat.querySelector("[data-jump]");
    var items = conversation.list.querySelectorAll("li.chat-message");
    if (!jump) {
      return;
    }
    var last = items.length ? items[items.length - 1] : null;
    jump.hidden = !(!conversation.newest || (last && last.getBoundingClientRect().top > composerTop() + 40));
  }

  // Bring the newest message (and the typing line under it) to just above the sticky composer.
  function toNewest() {
    var compose = chat.querySelector(".chat-compose");
    var end = (conversation.typing || conversation.list).getBoundingClientRect().bottom;
    window.scrollBy(0, end - (window.innerHeight - (compose ? compose.offsetHeight : 0)));
  }

  function loadOlder() {
    var link = chat.querySelector("[data-older]");
    if (!link || conversation.loadingOlder) {
      return;
    }
    conversation.loadingOlder = true;
    var before = intAttribute(link, "data-older");
    fetch(conversation.historyUrl + "?before=" + before, {
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (answer) {
      conversation.loadingOlder = false;
      if (!answer) {
        return;
      }
      var template = document.createElement("template");
      template.innerHTML = answer.html;
      var fragment = template.content;
      Array.prototype.forEach.call(fragment.querySelectorAll("li[data-id]"), function (item) {
        var id = intAttribute(item, "data-id");
        if (document.getElementById("m" + id)) {
          item.remove();
        } else {
          conversation.seen[id] = intAttribute(item, "data-version");
        }
      });
      enhanceMenus(fragment);
      markMentionsOfMe(fragment);
      var height = document.documentElement.scrollHeight;
      conversation.list.insertBefore(fragment, conversation.list.firstChild);
      window.scrollBy(0, document.documentElement.scrollHeight - height);
      if (answer.older) {
        link.setAttribute("data-older", String(answer.older));
        link.href = "?before=" + answer.older;
      } else {
        link.parentNode.remove();
      }
      watchOlder();
    }).catch(function () {
      conversation.loadingOlder = false;
    });
  }

  function watchOlder() {
    var link = chat.querySelector("[data-older]");
    if (!link || !("IntersectionObserver" in window)) {
      return;
    }
    if (!conversation.olderWatch) {
      conversation.olderWatch = new IntersectionObserver(function (entries) {
        if (entries.some(function (entry) { return entry.isIntersecting; })) {
          loadOlder();
        }
      });
    }
    conversation.olderWatch.disconnect();
    conversation.olderWatch.observe(link);
  }

  function setUpChatPage() {
    chat.classList.add("chat-live");
    enhanceMenus(conversation.list);
    chat.addEventListener("click", function (event) {
      var toggle = event.target.closest("[data-menu-button]");
      if (toggle) {
        toggleMenu(toggle);
        return;
      }
      var reply = event.target.closest("[data-reply]");
      if (reply) {
        closeMenus(null);
        startReply(reply.closest("li[data-id]"));
        return;
      }
      if (event.target.closest("[data-reply-cancel]")) {
        cancelReply();
        conversation.composer.querySelector("textarea").focus();
        return;
      }
      if (event.target.closest("[data-jump]")) {
        if (conversation.newest) {
          toNewest();
        } else {
          window.location.href = conversation.sendUrl;
        }
        return;
      }
      var quote = event.target.closest("[data-quote]");
      if (quote && !document.getElementById("m" + quote.getAttribute("data-quote"))) {
        event.preventDefault();
        var id = intAttribute(quote, "data-quote");
        window.location.href = conversation.sendUrl + "?before=" + (id + 1) + "#m" + id;
        return;
      }
      var older = event.target.closest("[data-older]");
      if (older) {
        event.preventDefault();
        loadOlder();
        return;
      }
      if (!event.target.closest("[data-menu]")) {
        closeMenus(null);
      }
    });
    chat.addEventListener("keydown", function (event) {
      if (event.key !== "Escape") {
        return;
      }
      var menu = event.target.closest && event.target.closest("[data-menu]");
      var open = menu ? chat.querySelector('[aria-controls="' + menu.id + '"]') : null;
      closeMenus(null);
      if (open) {
        open.focus();
      }
    });
    chat.addEventListener("submit", function (event) {
      var form = event.target.closest("[data-react]");
      if (form) {
        event.preventDefault();
        var emoji = event.submitter && event.submitter.value;
        if (emoji) {
          react(form, emoji);
        }
      }
    });
    markMentionsOfMe(conversation.list);
    window.addEventListener("scroll", updateJump, { passive: true });
    window.addEventListener("resize", updateJump, { passive: true });
    if (!window.location.hash) {
      var divider = chat.querySelector("[data-new-divider]");
      if (divider) {
        divider.scrollIntoView({ block: "start" });
      } else if (conversation.newest) {
        toNewest();
      }
    }
    updateJump();
    watchOlder();
  }

  function nearBottom() {
    var rect = conversation.list.getBoundingClientRect();
    return rect.bottom - composerTop() < 200;
  }

  // Insert or replace a message by id, in id order; a version the page already holds is ignored.
  function applyMessage(message) {
    if (!conversation || message.conversation !== conversation.id) {
      return;
    }
    conversation.version = Math.max(conversation.version, message.version);
    if (message.client_id && conversation.pending[message.client_id]) {
      acknowledged(message.client_id, null);
    }
    if (message.deleted) {
      Array.prototype.forEach.call(conversation.list.querySelectorAll('[data-quote="' + message.id + '"] .chat-quote-text'), function (quoted) {
        quoted.textContent = "message deleted";
      });
    }
    var known = conversation.seen[message.id];
    if (known !== undefined && known >= message.version) {
      return;
    }
    var existing = document.getElementById("m" + message.id);
    if (!existing && !conversation.newest) {
      return; // an older page: new messages belong on the newest one
    }
    conversation.seen[message.id] = message.version;
    var item = messageItem(message);
    if (existing) {
      existing.replaceWith(item);
      return;
    }
    var stick = nearBottom();
    var after = null;
    var items = conversation.list.querySelectorAll("li[data-id]");
    for (var i = 0; i < items.length; i += 1) {
      if (intAttribute(items[i], "data-id") > message.id) {
        after = items[i];
        break;
      }
    }
    if (!after) {
      after = conversation.list.querySelector("[data-client-id]");
    }
    conversation.list.insertBefore(item, after);
    var empty = chat.querySelector("[data-empty]");
    if (empty) {
      empty.hidden = true;
    }
    if (message.author && message.author.id !== conversation.member) {
      clearTyping();
      scheduleRead();
    }
    if (stick) {
      toNewest();
    }
    updateJump();
  }

  function scheduleRead() {
    if (conversation.readTimer || document.visibilityState !== "visible" || !conversation.newest) {
      return;
    }
    conversation.readTimer = window.setTimeout(function () {
      conversation.readTimer = null;
      markRead();
    }, 500);
  }

  function markRead() {
    var upTo = highestId();
    if (upTo <= conversation.lastRead || conversation.closed) {
      return;
    }
    conversation.lastRead = upTo;
    if (send({ type: "read", conversation: conversation.id, id: upTo })) {
      return;
    }
    var data = new FormData();
    data.append("up_to", String(upTo));
    fetch(conversation.readUrl, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": csrfToken() }
    }).catch(function () {
      conversation.lastRead = 0; // try again with the next message
    });
  }

  function showTyping(member) {
    if (!conversation.typing) {
      return;
    }
    conversation.typing.textContent = member.name + " is typing…";
    window.clearTimeout(conversation.typingTimer);
    conversation.typingTimer = window.setTimeout(clearTyping, TYPING_SHOWN_MS);
  }

  function clearTyping() {
    if (conversation && conversation.typing) {
      conversation.typing.textContent = "";
    }
  }

  function setPresence(member, state) {
    var list = document.querySelector(".presence-list");
    if (!list) {
      return;
    }
    var item = list.querySelector('[data-presence-member="' + member.id + '"]');
    if (!item) {
      if (state === "offline") {
        return;
      }
      item = element("li");
      item.setAttribute("data-presence-member", String(member.id));
      item.appendChild(element("span", "presence-dot"));
      item.firstChild.setAttribute("aria-hidden", "true");
      item.appendChild(document.createTextNode(" "));
      var named = element("span", "with-avatar");
      named.appendChild(avatarOf(member));
      named.appendChild(document.createTextNode(member.name));
      item.appendChild(named);
      item.appendChild(document.createTextNode(" "));
      item.appendChild(element("span", "visually-hidden presence-state"));
      list.appendChild(item);
    }
    item.setAttribute("data-state", state);
    var label = item.querySelector(".presence-state");
    if (label) {
      label.textContent = "(" + state + ")";
    }
  }

  function closeConversation(reason) {
    conversation.closed = true;
    var notice = document.getElementById("chat-closed");
    if (notice) {
      notice.textContent = reason;
      notice.hidden = false;
    }
    if (conversation.composer) {
      Array.prototype.forEach.call(conversation.composer.querySelectorAll("textarea, button"), function (control) {
        control.disabled = true;
      });
    }
    stopPolling();
  }

  // The composer's text changed under script (sent and acknowledged, or put back): static/js/drafts.js
  // keeps its stored draft in step, so a message leaves the draft only once the server has it.
  function boxChanged(box) {
    if (box) {
      box.dispatchEvent(new CustomEvent("muster:box-changed"));
    }
  }

  // --- Sending: every message has the browser's own id (client_id). It stays in the composer until the
  // server acknowledges it; one written while the socket is down or closing waits in the list as
  // "pending" (and in this tab's storage) and goes out again on reconnect. The server keeps one
  // message per client id, so a resend after a lost acknowledgement never makes a copy.

  function outboxKey() {
    return "muster-chat-outbox-" + conversation.id;
  }

  function saveOutbox() {
    var waiting = Object.keys(conversation.pending).map(function (clientId) {
      var entry = conversation.pending[clientId];
      return { clientId: clientId, text: entry.text, replyTo: entry.replyTo, queued: entry.queued };
    }).filter(function (entry) {
      return entry.queued;
    });
    try {
      if (waiting.length) {
        window.sessionStorage.setItem(outboxKey(), JSON.stringify(waiting));
      } else {
        window.sessionStorage.removeItem(outboxKey());
      }
    } catch (ignored) {
      // storage full or off: the list still shows what waits
    }
  }

  function pendingItem(entry) {
    var item = element("li", "chat-message chat-message-own chat-message-pending");
    item.setAttribute("data-client-id", entry.clientId);
    var content = element("div", "chat-content");
    content.appendChild(element("p", "chat-meta", "You"));
    content.appendChild(element("p", "chat-body", entry.text));
    content.appendChild(element("p", "chat-pending-note", "Pending — it will be sent when the connection is back."));
    item.appendChild(content);
    return item;
  }

  // A message waits in the list: the socket is down, or closed before the server said it had it.
  function queue(entry) {
    entry.queued = true;
    entry.inFlight = false;
    conversation.pending[entry.clientId] = entry;
    if (!conversation.list.querySelector('[data-client-id="' + entry.clientId + '"]')) {
      conversation.list.appendChild(pendingItem(entry));
      var empty = chat.querySelector("[data-empty]");
      if (empty) {
        empty.hidden = true;
      }
    }
    saveOutbox();
  }

  function settled(clientId) {
    var entry = conversation.pending[clientId];
    if (!entry) {
      return null;
    }
    delete conversation.pending[clientId];
    var item = conversation.list.querySelector('[data-client-id="' + clientId + '"]');
    if (item) {
      item.remove();
    }
    saveOutbox();
    return entry;
  }

  function sendFrame(entry) {
    var frame = { type: "send", conversation: conversation.id, body: entry.text, client_id: entry.clientId, nonce: entry.clientId };
    if (entry.replyTo) {
      frame.reply_to = entry.replyTo;
    }
    return send(frame);
  }

  function sendOverHttp(entry) {
    var data = new FormData();
    data.append("body", entry.text);
    data.append("client_id", entry.clientId);
    if (entry.replyTo) {
      data.append("reply_to", String(entry.replyTo));
    }
    entry.inFlight = true;
    fetch(conversation.sendUrl, {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": csrfToken() }
    }).then(function (response) {
      return response.json().then(function (answer) {
        entry.inFlight = false;
        if (response.status === 201) {
          acknowledged(entry.clientId, answer.message);
        } else {
          refusedSend(entry.clientId, answer.detail || "That message was not sent.");
        }
      });
    }).catch(function () {
      entry.inFlight = false; // still unreachable: it waits for the socket
    });
  }

  // Send what waits, once the socket (or, while it is down, the server) can take it.
  function flushOutbox() {
    Object.keys(conversation.pending).forEach(function (clientId) {
      var entry = conversation.pending[clientId];
      if (!entry.queued || entry.inFlight) {
        return;
      }
      if (sendFrame(entry)) {
        entry.inFlight = true;
      } else {
        sendOverHttp(entry);
      }
    });
  }

  function acknowledged(clientId, message) {
    var entry = settled(clientId);
    if (entry && !entry.queued) {
      var box = conversation.composer.querySelector("textarea");
      if (box.value === entry.text) {
        box.value = "";
        cancelReply();
      }
      box.removeAttribute("aria-busy");
      boxChanged(box);
      showSendError("");
    }
    if (message) {
      applyMessage(message);
      updateInboxRow(message);
    }
  }

  function refusedSend(clientId, text) {
    var entry = settled(clientId);
    var box = conversation.composer.querySelector("textarea");
    box.removeAttribute("aria-busy");
    if (entry && entry.queued && !box.value.trim()) {
      box.value = entry.text;
      boxChanged(box);
    }
    showSendError(text);
  }

  // The socket closed: what was sent but not acknowledged waits in the list, to go again on reconnect.
  function restorePending() {
    var box = conversation.composer && conversation.composer.querySelector("textarea");
    Object.keys(conversation.pending).forEach(function (clientId) {
      var entry = conversation.pending[clientId];
      if (entry.queued) {
        entry.inFlight = false; // goes again; the server keeps one copy per client id
        return;
      }
      if (box && box.value === entry.text) {
        box.value = "";
        cancelReply();
        boxChanged(box);
      }
      if (box) {
        box.removeAttribute("aria-busy");
      }
      queue(entry);
    });
  }

  function loadOutbox() {
    var stored = [];
    try {
      stored = JSON.parse(window.sessionStorage.getItem(outboxKey()) || "[]");
    } catch (ignored) {
      stored = [];
    }
    stored.forEach(function (entry) {
      if (entry && entry.clientId && entry.text) {
        queue({ clientId: entry.clientId, text: entry.text, replyTo: entry.replyTo || null });
      }
    });
  }

  function newClientId() {
    if (window.crypto && window.crypto.randomUUID) {
      return window.crypto.randomUUID();
    }
    return Math.random().toString(36).slice(2) + Date.now().toString(36);
  }

  function setUpComposer() {
    var form = conversation.composer;
    if (!form) {
      return;
    }
    var box = form.querySelector("textarea");
    var replyField = form.querySelector('input[name="reply_to"]');
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (conversation.closed) {
        return;
      }
      var text = box.value;
      if (!text.trim()) {
        showSendError("Write a message first.");
        return;
      }
      var sending = Object.keys(conversation.pending).some(function (clientId) {
        var entry = conversation.pending[clientId];
        return !entry.queued && entry.text === text;
      });
      if (sending) {
        return; // already on its way: the composer empties when the server has it
      }
      showSendError("");
      var entry = {
        clientId: newClientId(),
        text: text,
        replyTo: replyField && replyField.value ? parseInt(replyField.value, 10) : null,
        queued: false,
        inFlight: false
      };
      if (sendFrame(entry)) {
        entry.inFlight = true;
        conversation.pending[entry.clientId] = entry;
        box.setAttribute("aria-busy", "true");
        return;
      }
      box.value = "";
      cancelReply();
      boxChanged(box);
      queue(entry);
      sendOverHttp(entry);
    });
    box.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
    box.addEventListener("input", function () {
      var now = Date.now();
      if (now - conversation.typingSentAt > TYPING_SENT_MS && box.value) {
        conversation.typingSentAt = now;
        send({ type: "typing", conversation: conversation.id });
      }
    });
    loadOutbox();
  }

  // --- HTTP catch-up while the socket is down -------------------------------------------------------

  function poll() {
    if (!conversation || conversation.closed) {
      return;
    }
    fetch(conversation.eventsUrl + "?since=" + conversation.version, {
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      if (response.status === 404) {
        closeConversation("You are no longer in this conversation.");
        return null;
      }
      return response.ok ? response.json() : null;
    }).then(function (answer) {
      if (!answer) {
        return;
      }
      answer.messages.forEach(applyMessage);
      conversation.version = Math.max(conversation.version, answer.version);
      if (!ready) {
        flushOutbox();
      }
      if (!answer.complete) {
        window.location.reload();
      }
    }).catch(function () {
      // still down; the next poll tries again
    });
  }

  function startPolling() {
    if (conversation && !pollTimer && !conversation.closed) {
      pollTimer = window.setInterval(poll, POLL_MS);
    }
  }

  function stopPolling() {
    window.clearInterval(pollTimer);
    pollTimer = null;
  }

  // --- The inbox ---------------------------------------------------------------------------------------

  var inbox = document.querySelector("[data-inbox]");

  function inboxRow(conversationId) {
    return inbox && inbox.querySelector('[data-conversation="' + conversationId + '"]');
  }

  function updateInboxRow(message) {
    var row = inboxRow(message.conversation);
    if (!row || message.version <= intAttribute(row, "data-version")) {
      return;
    }
    row.setAttribute("data-version", String(message.version));
    var lastId = intAttribute(row, "data-last-id");
    if (message.id < lastId) {
      return;
    }
    var isNew = message.id > lastId;
    row.setAttribute("data-last-id", String(message.id));
    var line = row.querySelector("[data-last-message]");
    if (line) {
      line.textContent = "";
      line.appendChild(element("span", "", message.author ? message.author.name : "A former member"));
      line.appendChild(document.createTextNode(": "));
      line.appendChild(element("span", "", message.deleted ? "message deleted" : plainText(message.body_html)));
      line.appendChild(document.createTextNode(" · "));
      var time = element("time", "", shownTime(message.created_at));
      time.setAttribute("datetime", message.created_at);
      line.appendChild(time);
    }
    var mine = message.author && String(message.author.id) === String(inbox.getAttribute("data-member"));
    if (isNew && !mine && !message.deleted) {
      var badge = row.querySelector("[data-unread]");
      var value = badge && badge.querySelector("[data-unread-value]");
      if (value) {
        value.textContent = String((parseInt(value.textContent, 10) || 0) + 1);
        badge.hidden = false;
        row.classList.add("inbox-unread");
      }
    }
    if (isNew && row.parentNode.firstElementChild !== row) {
      row.parentNode.insertBefore(row, row.parentNode.firstElementChild);
    }
  }

  function inboxRead(conversationId, upTo) {
    var row = inboxRow(conversationId);
    if (row && upTo >= intAttribute(row, "data-last-id")) {
      var badge = row.querySelector("[data-unread]");
      if (badge) {
        badge.hidden = true;
        badge.querySelector("[data-unread-value]").textContent = "0";
      }
      row.classList.remove("inbox-unread");
    }
  }

  // --- A thread page -------------------------------------------------------------------------------------

  var thread = document.querySelector("ol[data-thread]");
  var threadAnnounce = document.querySelector("[data-new-replies]");
  var newReplies = 0;

  function announceReply(withLink) {
    newReplies += 1;
    if (!threadAnnounce) {
      return;
    }
    threadAnnounce.textContent = newReplies + (newReplies === 1 ? " new reply" : " new replies");
    if (withLink) {
      threadAnnounce.appendChild(document.createTextNode(" — "));
      var link = element("a", "", "see the last page");
      link.href = thread.getAttribute("data-last-page-url");
      threadAnnounce.appendChild(link);
    }
  }

  function threadReply(postId) {
    if (document.getElementById("post-" + postId)) {
      return;
    }
    if (thread.getAttribute("data-last-page") !== "true") {
      announceReply(true);
      return;
    }
    fetch(thread.getAttribute("data-post-url") + "?post=" + encodeURIComponent(postId), {
      credentials: "same-origin",
      headers: { "Accept": "text/html" }
    }).then(function (response) {
      return response.ok ? response.text() : null;
    }).then(function (html) {
      if (!html || document.getElementById("post-" + postId)) {
        return;
      }
      thread.insertAdjacentHTML("beforeend", html);
      announceReply(false);
    }).catch(function () {
      // the reply stays on the server; a reload shows it
    });
  }

  // --- Presence ----------------------------------------------------------------------------------------------

  function setOwnPresence(state) {
    if (presenceState !== state) {
      presenceState = state;
      send({ type: "presence", state: state });
    }
  }

  function active() {
    setOwnPresence("online");
    window.clearTimeout(idleTimer);
    idleTimer = window.setTimeout(function () {
      setOwnPresence("idle");
    }, IDLE_MS);
  }

  ["keydown", "pointerdown", "scroll", "input"].forEach(function (name) {
    document.addEventListener(name, active, { passive: true });
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") {
      setOwnPresence("idle");
    } else {
      active();
      if (conversation) {
        markRead();
      }
    }
  });

  // --- The socket --------------------------------------------------------------------------------------------

  function subscribeAll() {
    if (conversation && !conversation.closed) {
      send({ type: "subscribe", conversation: conversation.id, since: conversation.version, idle: presenceState === "idle" });
    }
    if (inbox) {
      Array.prototype.forEach.call(inbox.querySelectorAll("[data-conversation]"), function (row) {
        send({ type: "subscribe", conversation: intAttribute(row, "data-conversation"), since: intAttribute(row, "data-version") });
      });
    }
    if (thread) {
      send({ type: "thread.follow", thread: intAttribute(thread, "data-thread") });
    }
    if (presenceState !== "online") {
      send({ type: "presence", state: presenceState });
    }
  }

  var handlers = {
    "session.ready": function () {
      ready = true;
      attempt = 0;
      hideStatus();
      stopPolling();
      subscribeAll();
      if (conversation) {
        markRead();
        flushOutbox();
      }
      window.clearInterval(pingTimer);
      pingTimer = window.setInterval(function () {
        send({ type: "ping" });
      }, PING_MS);
    },
    "session.refused": function (frame) {
      refused = true;
      showStatus(frame.detail || "Live updates are off for this page.");
    },
    "live.paused": function (frame) {
      showStatus(frame.reason || "Live updates are paused — reconnecting…");
    },
    "message": function (frame) {
      applyMessage(frame.message);
      updateInboxRow(frame.message);
    },
    "message.ack": function (frame) {
      if (conversation) {
        acknowledged(frame.client_id || frame.nonce, frame.message);
      } else {
        updateInboxRow(frame.message);
      }
    },
    "subscribed": function (frame) {
      if (!frame.complete) {
        window.location.reload();
        return;
      }
      if (conversation && frame.conversation === conversation.id) {
        conversation.version = Math.max(conversation.version, frame.version);
      }
    },
    "typing": function (frame) {
      if (conversation && frame.conversation === conversation.id) {
        showTyping(frame.member);
      }
    },
    "presence": function (frame) {
      if (conversation && frame.conversation === conversation.id) {
        frame.changes.forEach(function (change) {
          if (change.member.id !== conversation.member) {
            setPresence(change.member, change.state);
          }
        });
      }
    },
    "read": function (frame) {
      inboxRead(frame.conversation, frame.up_to);
      if (conversation && frame.conversation === conversation.id) {
        conversation.lastRead = Math.max(conversation.lastRead, frame.up_to);
      }
    },
    "thread.reply": function (frame) {
      if (thread && frame.thread === intAttribute(thread, "data-thread")) {
        threadReply(frame.post);
      }
    },
    "thread.closed": function (frame) {
      if (thread && frame.thread === intAttribute(thread, "data-thread") && threadAnnounce) {
        threadAnnounce.textContent = frame.reason;
      }
    },
    "notifications": function (frame) {
      setBell(frame.unread);
    },
    "conversation.closed": function (frame) {
      if (conversation && frame.conversation === conversation.id) {
        closeConversation(frame.reason);
      }
      var row = inboxRow(frame.conversation);
      if (row) {
        row.classList.add("inbox-closed");
      }
    },
    "error": function (frame) {
      if (!conversation) {
        return;
      }
      var text = frame.detail || "That did not work.";
      if (frame.nonce && conversation.pending[frame.nonce] !== undefined) {
        refusedSend(frame.nonce, text);
        return;
      }
      if (frame.error === "not_found" && frame.conversation === conversation.id && !frame.nonce) {
        closeConversation(text);
        return;
      }
      showSendError(text);
    },
    "pong": function () {}
  };

  function scheduleReconnect() {
    var delay = BACKOFF_SECONDS[Math.min(attempt, BACKOFF_SECONDS.length - 1)];
    attempt += 1;
    window.clearTimeout(reconnectTimer);
    reconnectTimer = window.setTimeout(connect, delay * 1000);
  }

  function connect() {
    if (refused) {
      return;
    }
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    try {
      socket = new WebSocket(scheme + window.location.host + liveUrl);
    } catch (ignored) {
      socket = null;
      scheduleReconnect();
      return;
    }
    socket.addEventListener("message", function (event) {
      var frame;
      try {
        frame = JSON.parse(event.data);
      } catch (ignored) {
        return;
      }
      var handler = frame && handlers[frame.type];
      if (handler) {
        handler(frame);
      }
    });
    socket.addEventListener("close", function (event) {
      socket = null;
      ready = false;
      window.clearInterval(pingTimer);
      if (conversation) {
        restorePending();
      }
      if (event.code === 4403 || event.code === 4401) {
        refused = true;
        if (statusLine && statusLine.hidden) {
          showStatus("Live updates are off for this page. Reload to try again.");
        }
        return;
      }
      if (!statusLine || statusLine.hidden || event.code !== 4013) {
        showStatus("Live updates are paused — reconnecting…");
      }
      startPolling();
      scheduleReconnect();
    });
  }

  function start() {
    if (conversation) {
      setUpChatPage();
      setUpComposer();
    }
    active();
    connect();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
