// @-mention suggestions for textareas marked with data-mentions, or for every Markdown textarea inside an
// element marked with it (a form): the members:autocomplete URL with ?thread=, ?page=, ?conversation= or
// ?in_community=<pk>, which offers only members who may see that place. A progressive enhancement: without
// script, members type @handle themselves, and the server records only mentions of members who may see it.
(function () {
  "use strict";

  // The text before the caret ends with "@" and the start of a handle or name.
  var TYPING_MENTION = /(?:^|[^\w@/])@([a-z0-9][a-z0-9_-]{0,59})$/i;
  var MIN_CHARACTERS = 2;

  function setUp(textarea, url) {
    if (textarea.hasAttribute("data-mentions-ready")) {
      return;
    }
    textarea.setAttribute("data-mentions-ready", "");
    window.musterSuggest(textarea, {
      url: url,
      idSuffix: "mentions",
      label: "Members to mention",
      noneText: "No member who can see this place matches.",
      foundText: " to mention; up and down to choose, Enter to pick.",
      typed: function () {
        var match = TYPING_MENTION.exec(textarea.value.slice(0, textarea.selectionStart));
        return match && match[1].length >= MIN_CHARACTERS ? match[1] : null;
      },
      optionText: function (member) { return member.name + " (@" + member.handle + ")"; },
      choose: function (member) {
        var caret = textarea.selectionStart;
        var before = textarea.value.slice(0, caret).replace(/@[a-z0-9_-]*$/i, "@" + member.handle + " ");
        textarea.value = before + textarea.value.slice(caret);
        textarea.setSelectionRange(before.length, before.length);
        return "Mentioned " + member.name + ".";
      }
    });
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
    textarea.addEventListener("input", function () { warning.hidden = true; });
    // Capture, so the check runs before a form's own script (the chat composer's socket send) and can hold it.
    form.addEventListener("submit", function (event) {
      var text = textarea.value;
      if (warnedFor === text) {
        warning.hidden = true;
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

  Array.prototype.forEach.call(document.querySelectorAll("[data-mentions]"), function (marked) {
    var url = marked.getAttribute("data-mentions");
    var boxes = marked.tagName === "TEXTAREA" ? [marked] : marked.querySelectorAll("textarea");
    Array.prototype.forEach.call(boxes, function (textarea) {
      setUp(textarea, textarea.getAttribute("data-mentions") || url);
    });
    var form = marked.tagName === "FORM" ? marked : null;
    if (form && form.hasAttribute("data-mentions-check") && boxes.length) {
      checkBeforePosting(form, boxes[0], url);
    }
  });
})();
