// A list of members suggested as one types in a text box, chosen with the mouse or the keyboard (up, down,
// Enter or Tab, Escape), announced to screen readers: what @-mentions (mentions.js) and picking a group's
// people (people.js) share. musterSuggest(input, options) wires one box; the options say what is being
// typed (typed), where to ask (url), and what choosing a member does (choose).
(function () {
  "use strict";

  var DELAY_MS = 200;
  var count = 0;

  window.musterSuggest = function (input, options) {
    var listId = (input.id || "suggest-box-" + count++) + "-" + options.idSuffix;
    var list = document.createElement("ul");
    list.id = listId;
    list.className = "mention-suggestions";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", options.label);
    list.hidden = true;
    var status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    input.insertAdjacentElement("afterend", list);
    list.insertAdjacentElement("afterend", status);
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", listId);
    if (options.combobox) {
      input.setAttribute("role", "combobox");
      input.setAttribute("aria-expanded", "false");
      input.setAttribute("autocomplete", "off");
    }

    var suggestions = [];
    var active = -1;
    var timer = null;
    var asked = 0;

    function close() {
      suggestions = [];
      active = -1;
      list.hidden = true;
      list.textContent = "";
      if (options.combobox) {
        input.setAttribute("aria-expanded", "false");
      }
      input.removeAttribute("aria-activedescendant");
    }

    function highlight(index) {
      active = index;
      Array.prototype.forEach.call(list.children, function (item, i) {
        item.setAttribute("aria-selected", i === index ? "true" : "false");
      });
      if (index >= 0) {
        input.setAttribute("aria-activedescendant", listId + "-" + index);
      }
    }

    function choose(index) {
      var chosen = suggestions[index];
      if (!chosen) {
        return;
      }
      close();
      status.textContent = options.choose(chosen);
      input.focus();
    }

    function show(found) {
      close();
      suggestions = found.filter(function (member) { return member.handle; });
      if (!suggestions.length) {
        status.textContent = options.noneText;
        return;
      }
      suggestions.forEach(function (member, i) {
        var item = document.createElement("li");
        item.id = listId + "-" + i;
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        item.textContent = options.optionText(member);
        item.addEventListener("mousedown", function (event) {
          event.preventDefault(); // keep the caret in the box
          choose(i);
        });
        list.appendChild(item);
      });
      list.hidden = false;
      if (options.combobox) {
        input.setAttribute("aria-expanded", "true");
      }
      highlight(0);
      status.textContent = suggestions.length + " member" + (suggestions.length === 1 ? "" : "s") + options.foundText;
    }

    function ask(text) {
      var ticket = ++asked;
      var separator = options.url.indexOf("?") === -1 ? "?" : "&";
      fetch(options.url + separator + "q=" + encodeURIComponent(text), {
        credentials: "same-origin",
        headers: { Accept: "application/json" }
      })
        .then(function (response) { return response.ok ? response.json() : []; })
        .then(function (found) {
          if (ticket === asked && options.typed() === text) {
            show(found);
          }
        })
        .catch(close);
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      if (options.onInput) {
        options.onInput();
      }
      var text = options.typed();
      if (!text) {
        close();
        return;
      }
      timer = setTimeout(function () { ask(text); }, DELAY_MS);
    });

    input.addEventListener("keydown", function (event) {
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

    input.addEventListener("blur", function () { setTimeout(close, 150); });

    return { status: status, after: status };
  };
})();
