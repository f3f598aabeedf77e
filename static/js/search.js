// The search box's suggestions: an ARIA combobox (https://www.w3.org/WAI/ARIA/apg/patterns/combobox/).
// Without this script the box is a plain form that goes to the results page.
(function () {
  "use strict";
  var PAUSE_MS = 250;

  function setUp(form) {
    var input = form.querySelector("[role=combobox]");
    var list = form.querySelector("[role=listbox]");
    var status = form.querySelector("[data-suggest-status]");
    var timer = null;
    var latest = 0;
    var active = -1;

    function options() {
      return Array.prototype.slice.call(list.querySelectorAll("[role=option]"));
    }

    function isOpen() {
      return !list.hidden;
    }

    function close() {
      clearTimeout(timer);
      latest++; // an answer still on its way must not open the list again
      list.hidden = true;
      list.innerHTML = "";
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      // Emptied, so the same count said again later is a change the screen reader announces.
      status.textContent = "";
      active = -1;
    }

    function highlight(index) {
      var found = options();
      if (!found.length) return;
      active = (index + found.length) % found.length;
      found.forEach(function (option, at) {
        option.setAttribute("aria-selected", at === active ? "true" : "false");
      });
      input.setAttribute("aria-activedescendant", found[active].id);
      found[active].scrollIntoView({ block: "nearest" });
    }

    function show(html) {
      list.innerHTML = html;
      var found = options();
      active = -1;
      if (!found.length) {
        close();
        return;
      }
      found.forEach(function (option) {
        option.setAttribute("aria-selected", "false");
        option.addEventListener("mousedown", function (event) {
          event.preventDefault();
          window.location.href = option.dataset.href;
        });
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
      var count = found.length - (list.querySelector("#suggestion-search") ? 1 : 0);
      status.textContent = count
        ? count + (count === 1 ? " suggestion" : " suggestions") + ". Use the up and down arrows to choose."
        : "No suggestions. Press Enter to search.";
    }

    function fetchSuggestions() {
      var text = input.value.trim();
      if (text.length < 2) {
        close();
        return;
      }
      var asked = ++latest;
      fetch(form.dataset.suggest + "?q=" + encodeURIComponent(text), { credentials: "same-origin" })
        // Redirected means signed out (to the sign-in page): that page is no list of suggestions.
        .then(function (response) { return response.ok && !response.redirected ? response.text() : ""; })
        .then(function (html) { if (asked === latest && document.activeElement === input) show(html); })
        .catch(function () { /* the plain search still works */ });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(fetchSuggestions, PAUSE_MS);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (isOpen()) {
          highlight(active + (event.key === "ArrowDown" ? 1 : -1));
        } else {
          clearTimeout(timer);
          fetchSuggestions();
        }
      } else if (event.key === "Escape") {
        // The first Escape closes the list and keeps what was typed; with the list closed, the
        // browser's own Escape clears the box.
        if (isOpen()) event.preventDefault();
        close();
      } else if (event.key === "Enter" && active >= 0 && isOpen()) {
        event.preventDefault();
        window.location.href = options()[active].dataset.href;
      }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
  }

  document.querySelectorAll("form[data-suggest]").forEach(setUp);
})();
