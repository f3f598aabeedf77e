// The header's menu button on narrow screens, and the site's keyboard shortcuts.
// Without this script the navigation stays open on every width and no shortcut exists; nothing is lost.
(function () {
  "use strict";

  // --- The menu: a disclosure button (https://www.w3.org/WAI/ARIA/apg/patterns/disclosure/). ---
  var header = document.querySelector(".site-header");
  var button = document.querySelector("[data-menu-button]");
  var nav = button && document.getElementById(button.getAttribute("aria-controls"));

  function menuIsOpen() {
    return button.getAttribute("aria-expanded") === "true";
  }

  function setMenu(open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    nav.classList.toggle("is-open", open);
  }

  if (header && button && nav) {
    // Collapsed only now the script runs; the stylesheet hides the button on wide screens.
    header.classList.add("has-menu");
    button.addEventListener("click", function () {
      setMenu(!menuIsOpen());
    });
    document.addEventListener("keydown", function (event) {
      // A field's own Escape (the search suggestions) comes first and prevents this one.
      if (event.key !== "Escape" || event.defaultPrevented || !menuIsOpen()) return;
      if (document.querySelector("dialog[open]")) return; // that Escape closes the dialog
      setMenu(false);
      button.focus();
    });
    // A tap or click elsewhere on the page closes the menu; focus stays where the member put it.
    document.addEventListener("click", function (event) {
      if (menuIsOpen() && !header.contains(event.target)) setMenu(false);
    });
  }

  // --- Keyboard shortcuts: "/" search, "?" this list, "j"/"k" through a list, "r" reply. ---
  var dialog = document.getElementById("shortcuts");

  function isTyping(target) {
    if (!target || target === document.body) return false;
    if (target.isContentEditable) return true;
    var tag = target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT";
  }

  function openShortcuts() {
    if (dialog && !dialog.open) dialog.showModal();
  }

  // Lists opt in with data-list; each child <li> is an item. Read each time, so rows added live count too.
  function listItems() {
    return Array.prototype.filter.call(
      document.querySelectorAll("[data-list] > li:not([data-list-empty])"),
      function (item) { return item.getClientRects().length > 0; }
    );
  }

  function mainLink(item) {
    return item.querySelector("h2 a[href], h3 a[href]") || item.querySelector("a[href]");
  }

  function moveThroughList(step) {
    var items = listItems();
    if (!items.length) return false;
    var current = -1;
    items.forEach(function (item, index) {
      if (item.contains(document.activeElement) || (current < 0 && item.classList.contains("is-current"))) current = index;
    });
    var next = current < 0 ? 0 : Math.min(Math.max(current + step, 0), items.length - 1);
    items.forEach(function (item, index) { item.classList.toggle("is-current", index === next); });
    var target = mainLink(items[next]);
    if (!target) {
      items[next].setAttribute("tabindex", "-1");
      target = items[next];
    }
    target.focus();
    items[next].scrollIntoView({ block: "nearest" });
    return true;
  }

  function focusField(field) {
    // Absent, or hidden (a collapsed section): the key does nothing.
    if (!field || !field.getClientRects().length) return false;
    field.focus();
    return true;
  }

  var shortcuts = {
    "/": function () { return focusField(document.getElementById("site-search")); },
    "?": function () { if (!dialog) return false; openShortcuts(); return true; },
    j: function () { return moveThroughList(1); },
    k: function () { return moveThroughList(-1); },
    r: function () { return focusField(document.querySelector("[data-reply-box]")); },
  };

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.altKey || event.metaKey) return;
    if (isTyping(event.target) || document.querySelector("dialog[open]")) return;
    var shortcut = Object.prototype.hasOwnProperty.call(shortcuts, event.key) ? shortcuts[event.key] : null;
    // Handled shortcuts keep their key out of the field they focus ("/" is not typed into the search box).
    if (shortcut && shortcut()) event.preventDefault();
  });

  if (dialog) {
    var hint = document.querySelector("[data-shortcuts-hint]");
    if (hint) hint.hidden = false;
    document.querySelectorAll("[data-shortcuts-open]").forEach(function (opener) {
      opener.addEventListener("click", openShortcuts);
    });
  }
})();
