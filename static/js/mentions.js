// @-mention suggestions for textareas marked with data-mentions, or for every Markdown textarea inside an
// element marked with it (a form): the members:autocomplete URL with ?thread=, ?page=, ?conversation= or
// ?in_community=<pk>, which offers only members who may see that place. A progressive enhancement: without
// script, members type @handle themselves, and the server records only mentions of members who may see it.
(function () {
  "use strict";

  // The text before the caret ends with "@" and the start of a handle or name.
  var TYPING_MENTION = /(?:^|[^\w@/])@([a-z0-9][a-z0-9_-]{0,59})$/i;
  var MIN_CHARACTERS = 2;
  var DELAY_MS = 200;

  function setUp(textarea, index, url) {
    if (textarea.hasAttribute("data-mentions-ready")) {
      return;
    }
    textarea.setAttribute("data-mentions-ready", "");
    var listId = (textarea.id || "mention-box-" + index) + "-mentions";
    var list = document.createElement("ul");
    list.id = listId;
    list.className = "mention-suggestions";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Members to mention");
    list.hidden = true;
    var status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    textarea.insertAdjacentElement("afterend", list);
    list.insertAdjacentElement("afterend", status);
    textarea.setAttribute("aria-autocomplete", "list");
    textarea.setAttribute("aria-controls", listId);

    var suggestions = [];
    var active = -1;
    var timer = null;
    var asked = 0;

    function typed() {
      var match = TYPING_MENTION.exec(textarea.value.slice(0, textarea.selectionStart));
      return match && match[1].length >= MIN_CHARACTERS ? match[1] : null;
    }

    function close() {
      suggestions = [];
      active = -1;
      list.hidden = true;
      list.textContent = "";
      textarea.removeAttribute("aria-activedescendant");
    }

    function highlight(index) {
      active = index;
      Array.prototype.forEach.call(list.children, function (item, i) {
        item.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      if (index >= 0) {
        textarea.setAttribute("aria-activedescendant", listId + "-" + index);
      }
    }

    function choose(index) {
      var chosen = suggestions[index];
      if (!chosen) {
        return;
      }
      var caret = textarea.selectionStart;
      var before = textarea.value.slice(0, caret).replace(/@[a-z0-9_-]*$/i, "@" + chosen.handle + " ");
      textarea.value = before + textarea.value.slice(caret);
      textarea.setSelectionRange(before.length, before.length);
      close();
      status.textContent = "Mentioned " + chosen.name + ".";
      textarea.focus();
    }

    function show(found) {
      close();
      suggestions = found.filter(function (member) { return member.handle; });
      if (!suggestions.length) {
        status.textContent = "No member who can see this place matches.";
        return;
      }
      suggestions.forEach(function (member, i) {
        var item = document.createElement("li");
        item.id = listId + "-" + i;
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        item.textContent = member.name + " (@" + member.handle + ")";
        item.addEventListener("mousedown", function (event) {
          event.preventDefault(); // keep the caret in the textarea
          choose(i);
        });
        list.appendChild(item);
      });
      list.hidden = false;
      highlight(0);
      status.textContent = suggestions.length + " member" + (suggestions.length === 1 ? "" : "s") +
        " to mention; up and down to choose, Enter to pick.";
    }

    function ask(text) {
      var ticket = ++asked;
      var separator = url.indexOf("?") === -1 ? "?" : "&";
      fetch(url + separator + "q=" + encodeURIComponent(text), {
        credentials: "same-origin",
        headers: { Accept: "application/json" }
      })
        .then(function (response) { return response.ok ? response.json() : []; })
        .then(function (found) {
          if (ticket === asked && typed() === text) {
            show(found);
          }
        })
        .catch(close);
    }

    textarea.addEventListener("input", function () {
      clearTimeout(timer);
      var text = typed();
      if (!text) {
        close();
        return;
      }
      timer = setTimeout(function () { ask(text); }, DELAY_MS);
    });

    textarea.addEventListener("keydown", function (event) {
      if (list.hidden) {
        return;
      }
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        var step = event.key === "ArrowDown" ? 1 : -1;
        highlight((active + step + suggestions.length) % suggestions.length);
      } else if (event.key === "Enter" || event.key === "Tab") {
        if (active >= 0) {
          event.preventDefault();
          choose(active);
        }
      } else if (event.key === "Escape") {
        event.preventDefault();
        close();
      }
    });

    textarea.addEventListener("blur", function () { setTimeout(close, 150); });
  }

  // Forms marked data-mentions-check (the wiki's, whose pages have no server-side check) ask, before
  // posting, whether each @handle names a member who may see the place; if some name nobody, the form
  // stays, a warning lists them, and a second press of the button posts anyway. The text is never lost.
  var HANDLE = /(?:^|[^\w@/])@([a-z0-9][a-z0-9_.-]*[a-z0-9_]|[a-z0-9])/gi;

  function checkBeforePosting(form, textarea, url) {
    var warning = document.createElement("p");
    warning.className = "message message-warning mention-warning";
    warning.setAttribute("role", "alert");
    warning.hidden = true;
    textarea.insertAdjacentElement("beforebegin", warning);
    var warnedFor = null;

    // Suggestions never offer the writer; a mention of oneself names someone who may see the place all the same.
    var myHandle = (document.body.getAttribute("data-my-handle") || "").toLowerCase();

    function named(handle) {
      if (myHandle && handle.toLowerCase() === myHandle) {
        return Promise.resolve(true);
      }
      var separator = url.indexOf("?") === -1 ? "?" : "&";
      return fetch(url + separator + "q=" + encodeURIComponent(handle), {
        credentials: "same-origin",
        headers: { Accept: "application/json" }
      })
        .then(function (response) { return response.ok ? response.json() : []; })
        .then(function (found) {
          return found.some(function (member) { return (member.handle || "").toLowerCase() === handle.toLowerCase(); });
        })
        .catch(function () { return true; }); // unsure: let the post through
    }

    var place = form.getAttribute("data-mentions-check") || "this page";
    // Capture, so the check runs before a form's own script (the chat composer's socket send) and can hold it.
    form.addEventListener("submit", function (event) {
      var text = textarea.value;
      if (warnedFor === text) {
        return; // warned about this very text: post anyway
      }
      var handles = [];
      var match;
      HANDLE.lastIndex = 0;
      while ((match = HANDLE.exec(text)) !== null) {
        if (handles.indexOf(match[1]) === -1 && handles.length < 20) {
          handles.push(match[1]);
        }
      }
      if (!handles.length) {
        return;
      }
      event.preventDefault();
      event.stopImmediatePropagation();
      var submitter = event.submitter;
      Promise.all(handles.map(named)).then(function (known) {
        var unknown = handles.filter(function (handle, i) { return !known[i]; });
        if (!unknown.length) {
          warnedFor = text;
          if (submitter && form.requestSubmit) { form.requestSubmit(submitter); } else { form.submit(); }
          return;
        }
        warnedFor = text;
        warning.textContent = "No member " + unknown.map(function (h) { return "@" + h; }).join(", ") +
          " can see " + place + ", so nobody would be told. Check the handle (handles use hyphens, not dots)," +
          " or press the button again to go ahead anyway.";
        warning.hidden = false;
        textarea.focus();
      });
    }, true);
  }

  var count = 0;
  Array.prototype.forEach.call(document.querySelectorAll("[data-mentions]"), function (marked) {
    var url = marked.getAttribute("data-mentions");
    var boxes = marked.tagName === "TEXTAREA" ? [marked] : marked.querySelectorAll("textarea");
    Array.prototype.forEach.call(boxes, function (textarea) {
      setUp(textarea, count++, textarea.getAttribute("data-mentions") || url);
    });
    var form = marked.tagName === "FORM" ? marked : null;
    if (form && form.hasAttribute("data-mentions-check") && boxes.length) {
      checkBeforePosting(form, boxes[0], url);
    }
  });
})();
