// Pick the people of a new group conversation by name: the text input inside [data-people] (the
// members:autocomplete URL with ?people=1) offers members as you type the entry after the last comma;
// choosing one puts their @handle in the input and shows them as a chip with a Remove button. Without
// script, members type names or @handles separated by commas, and the server resolves them.
(function () {
  "use strict";

  var SEPARATORS = /[,;\n]/;
  var MIN_CHARACTERS = 2;
  var DELAY_MS = 200;

  function entriesOf(value) {
    return value.split(SEPARATORS).map(function (entry) { return entry.trim(); }).filter(Boolean);
  }

  function setUp(container) {
    var url = container.getAttribute("data-people");
    var input = container.querySelector("input[type=text], input:not([type])");
    if (!input) {
      return;
    }
    var listId = input.id + "-suggestions";
    var list = document.createElement("ul");
    list.id = listId;
    list.className = "mention-suggestions";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Members to add");
    list.hidden = true;
    var chips = document.createElement("ul");
    chips.className = "participant-chips";
    chips.setAttribute("aria-label", "People added");
    var status = document.createElement("p");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    input.insertAdjacentElement("afterend", list);
    list.insertAdjacentElement("afterend", chips);
    chips.insertAdjacentElement("afterend", status);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-controls", listId);
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("autocomplete", "off");

    var names = {}; // "@handle" -> name, for chosen suggestions
    var suggestions = [];
    var active = -1;
    var timer = null;
    var asked = 0;

    function typing() {
      var value = input.value;
      var last = Math.max(value.lastIndexOf(","), value.lastIndexOf(";"), value.lastIndexOf("\n"));
      var text = value.slice(last + 1).trim().replace(/^@/, "");
      return text.length >= MIN_CHARACTERS ? text : null;
    }

    function close() {
      suggestions = [];
      active = -1;
      list.hidden = true;
      list.textContent = "";
      input.setAttribute("aria-expanded", "false");
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

    function renderChips() {
      chips.textContent = "";
      var value = input.value;
      // Entries followed by a separator are complete; the one still being typed is not a chip yet.
      var complete = /[,;\n]\s*$/.test(value) ? entriesOf(value) : entriesOf(value).slice(0, -1);
      complete.forEach(function (entry) {
        var chip = document.createElement("li");
        var label = document.createElement("span");
        label.textContent = names[entry.toLowerCase()] ? names[entry.toLowerCase()] + " " + entry : entry;
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "secondary";
        remove.textContent = "Remove";
        remove.setAttribute("aria-label", "Remove " + label.textContent);
        remove.addEventListener("click", function () {
          var kept = entriesOf(input.value).filter(function (other) { return other !== entry; });
          input.value = kept.length ? kept.join(", ") + ", " : "";
          renderChips();
          status.textContent = "Removed " + label.textContent + ".";
          input.focus();
        });
        chip.appendChild(label);
        chip.appendChild(remove);
        chips.appendChild(chip);
      });
    }

    function choose(index) {
      var chosen = suggestions[index];
      if (!chosen) {
        return;
      }
      var value = input.value;
      var last = Math.max(value.lastIndexOf(","), value.lastIndexOf(";"), value.lastIndexOf("\n"));
      var handle = "@" + chosen.handle;
      names[handle.toLowerCase()] = chosen.name;
      var kept = entriesOf(value.slice(0, last + 1)).filter(function (entry) { return entry.toLowerCase() !== handle; });
      kept.push(handle);
      input.value = kept.join(", ") + ", ";
      close();
      renderChips();
      status.textContent = "Added " + chosen.name + ".";
      input.focus();
    }

    function show(found) {
      close();
      suggestions = found.filter(function (member) { return member.handle; });
      if (!suggestions.length) {
        status.textContent = "No member matches.";
        return;
      }
      suggestions.forEach(function (member, i) {
        var item = document.createElement("li");
        item.id = listId + "-" + i;
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        item.textContent = member.name + " @" + member.handle;
        item.addEventListener("mousedown", function (event) {
          event.preventDefault();
          choose(i);
        });
        list.appendChild(item);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      highlight(0);
      status.textContent = suggestions.length + " member" + (suggestions.length === 1 ? "" : "s") +
        " found; up and down to choose, Enter to add.";
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
          if (ticket === asked && typing() === text) {
            show(found);
          }
        })
        .catch(close);
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      renderChips();
      var text = typing();
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
    renderChips();
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-people]"), setUp);
})();
