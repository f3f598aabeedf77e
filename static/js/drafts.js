// Markdown boxes (textareas marked data-markdown): drafts kept in this browser, and Write / Preview.
// A progressive enhancement: without script the boxes are plain textareas and nothing is stored.
//
// Drafts live only in sessionStorage: they survive a reload, and a closed tab reopened by the browser, but
// never outlast the browser session, so words meant for a FOUO or SBU item do not linger on a shared
// computer. They are keyed by the signed-in member (<body data-draft-owner>), the page's
// path and the field's name, so two members sharing a browser never see each other's text. A draft is
// restored only into a box still holding what the server sent, cleared when its form is submitted (or,
// for a form a script sends itself, when that script dispatches "muster:box-changed" on the box after
// the server accepted the text), and every draft of a member is removed when they sign out.
//
// Preview POSTs the text to <body data-preview-url>, which renders Markdown through the site's sanitiser
// and resolves nothing (no mentions, no wiki links); the answer is shown in place of the box.
(function () {
  "use strict";

  var body = document.body;
  var owner = body.getAttribute("data-draft-owner");
  var previewUrl = body.getAttribute("data-preview-url");
  var PREFIX = "muster-draft:";
  var KEEP_MS = 14 * 24 * 60 * 60 * 1000;

  function storage() {
    try {
      return window.sessionStorage;
    } catch (blocked) {
      return null; // storage disabled: boxes work, drafts are not kept
    }
  }

  function draftKey(box) {
    return PREFIX + owner + ":" + window.location.pathname + ":" + box.name;
  }

  // A short fingerprint of the text the server sent, so a draft of an edit is not silently restored
  // over a text that has changed since (a wiki page someone else saved in between).
  function fingerprint(text) {
    var hash = 5381;
    for (var i = 0; i < text.length; i += 1) {
      hash = ((hash * 33) ^ text.charCodeAt(i)) >>> 0;
    }
    return text.length + ":" + hash.toString(36);
  }

  function readDraft(store, key) {
    try {
      var draft = JSON.parse(store.getItem(key) || "null");
      if (draft && typeof draft.text === "string" && Date.now() - draft.savedAt < KEEP_MS) {
        return draft;
      }
    } catch (ignored) {
      // a damaged entry is dropped below
    }
    store.removeItem(key);
    return null;
  }

  function syncDraft(box) {
    var store = storage();
    if (!store || !owner) {
      return;
    }
    var key = draftKey(box);
    try {
      if (!box.value.trim() || box.value === box.defaultValue) {
        store.removeItem(key);
      } else {
        var draft = { text: box.value, base: fingerprint(box.defaultValue), savedAt: Date.now() };
        store.setItem(key, JSON.stringify(draft));
      }
    } catch (full) {
      // storage full: the box still works
    }
  }

  function restoreDraft(box) {
    var store = storage();
    if (!store || !owner || box.value !== box.defaultValue) {
      return;
    }
    var draft = readDraft(store, draftKey(box));
    if (draft === null || draft.text === box.value) {
      return;
    }
    var note = document.createElement("p");
    note.className = "draft-note";
    note.setAttribute("role", "status");

    function action(label, name, then) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "link-button";
      button.textContent = label;
      button.setAttribute("aria-label", name);
      button.addEventListener("click", then);
      note.appendChild(document.createTextNode(" "));
      note.appendChild(button);
    }

    function discard() {
      box.value = box.defaultValue;
      store.removeItem(draftKey(box));
      note.remove();
      box.focus();
    }

    if (draft.base === fingerprint(box.defaultValue)) {
      box.value = draft.text;
      note.textContent = "Draft restored.";
      action("Discard", "Discard the restored draft", discard);
    } else {
      note.textContent = "You have an unsaved draft, written before this text last changed; it was not restored.";
      action("Restore it", "Restore the older draft", function () {
        box.value = draft.text;
        note.textContent = "Draft restored: compare it with the current text before saving.";
        action("Discard", "Discard the restored draft", discard);
        box.focus();
      });
      action("Discard", "Discard the older draft", discard);
    }
    box.insertAdjacentElement("beforebegin", note);
    // Once the restored text is sent (the box empties) or cleared, the note has nothing left to say.
    function settled() {
      if (box.value === box.defaultValue) {
        note.remove();
      }
    }
    box.addEventListener("input", settled);
    box.addEventListener("muster:box-changed", settled);
  }

  function setUpPreview(box) {
    if (!previewUrl) {
      return;
    }
    var tabs = document.createElement("div");
    tabs.className = "markdown-tabs";
    tabs.setAttribute("role", "group");
    tabs.setAttribute("aria-label", "Write or preview");
    var write = document.createElement("button");
    var preview = document.createElement("button");
    [[write, "Write"], [preview, "Preview"]].forEach(function (pair) {
      pair[0].type = "button";
      pair[0].className = "markdown-tab";
      pair[0].textContent = pair[1];
      tabs.appendChild(pair[0]);
    });
    var panel = document.createElement("div");
    panel.className = "markdown-preview post-body";
    panel.setAttribute("aria-label", "Preview");
    panel.setAttribute("role", "region");
    panel.tabIndex = -1;
    panel.hidden = true;
    box.insertAdjacentElement("beforebegin", tabs);
    box.insertAdjacentElement("afterend", panel);
    var asked = 0;

    function showing(previewing) {
      write.setAttribute("aria-pressed", previewing ? "false" : "true");
      preview.setAttribute("aria-pressed", previewing ? "true" : "false");
      box.hidden = previewing;
      panel.hidden = !previewing;
    }

    function csrfToken() {
      var field = box.form && box.form.querySelector("input[name=csrfmiddlewaretoken]");
      return field ? field.value : "";
    }

    write.addEventListener("click", function () {
      asked += 1; // an answer still on its way is not shown
      showing(false);
      box.focus();
    });

    preview.addEventListener("click", function () {
      var ticket = ++asked;
      showing(true);
      if (!box.value.trim()) {
        panel.textContent = "Nothing to preview yet.";
        panel.focus();
        return;
      }
      panel.textContent = "Loading the preview…";
      var data = new FormData();
      data.append("text", box.value);
      fetch(previewUrl, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken() }
      }).then(function (response) {
        return response.text().then(function (html) {
          if (ticket !== asked) {
            return;
          }
          if (response.ok && !response.redirected) {
            // Sanitised by the server (muster/markdown.py), the same HTML the saved text will show as.
            panel.innerHTML = html || "<p>Nothing to preview yet.</p>";
          } else {
            panel.textContent = "The preview could not be made (" + response.status + "). Your text is unchanged.";
          }
          panel.focus();
        });
      }).catch(function () {
        if (ticket === asked) {
          panel.textContent = "The preview could not be made: the server cannot be reached. Your text is unchanged.";
        }
      });
    });

    showing(false);
  }

  function setUp(box) {
    restoreDraft(box);
    box.addEventListener("input", function () { syncDraft(box); });
    box.addEventListener("muster:box-changed", function () { syncDraft(box); });
    setUpPreview(box);
  }

  // Listening on the document, this runs after a form's own submit handlers: a form whose script
  // prevented the default sends the text itself and says when it has gone (muster:box-changed).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var store = storage();
    if (!(form instanceof HTMLFormElement) || !store || !owner) {
      return;
    }
    if (form.hasAttribute("data-clear-drafts")) {
      Object.keys(store).forEach(function (key) {
        if (key.indexOf(PREFIX + owner + ":") === 0) {
          store.removeItem(key);
        }
      });
      return;
    }
    if (!event.defaultPrevented) {
      Array.prototype.forEach.call(form.querySelectorAll("textarea[data-markdown]"), function (box) {
        store.removeItem(draftKey(box));
      });
    }
  });

  Array.prototype.forEach.call(document.querySelectorAll("textarea[data-markdown]"), setUp);
})();
