// Pick the people of a new group conversation by name: the text input inside [data-people] (the
// members:autocomplete URL with ?people=1) offers members as you type the entry after the last comma;
// choosing one puts their @handle in the input and shows them as a chip with a Remove button. Without
// script, members type names or @handles separated by commas, and the server resolves them.
(function () {
  "use strict";

  var SEPARATORS = /[,;\n]/;
  var MIN_CHARACTERS = 2;

  function entriesOf(value) {
    return value.split(SEPARATORS).map(function (entry) { return entry.trim(); }).filter(Boolean);
  }

  function setUp(container) {
    var url = container.getAttribute("data-people");
    var input = container.querySelector("input[type=text], input:not([type])");
    if (!input) {
      return;
    }
    var names = {}; // "@handle" -> name, for chosen suggestions
    var chips = document.createElement("ul");
    chips.className = "participant-chips";
    chips.setAttribute("aria-label", "People added");

    function lastSeparator(value) {
      return Math.max(value.lastIndexOf(","), value.lastIndexOf(";"), value.lastIndexOf("\n"));
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
          box.status.textContent = "Removed " + label.textContent + ".";
          input.focus();
        });
        chip.appendChild(label);
        chip.appendChild(remove);
        chips.appendChild(chip);
      });
    }

    var box = window.musterSuggest(input, {
      url: url,
      idSuffix: "suggestions",
      label: "Members to add",
      combobox: true,
      noneText: "No member matches.",
      foundText: " found; up and down to choose, Enter to add.",
      typed: function () {
        var value = input.value;
        var text = value.slice(lastSeparator(value) + 1).trim().replace(/^@/, "");
        return text.length >= MIN_CHARACTERS ? text : null;
      },
      onInput: renderChips,
      optionText: function (member) { return member.name + " @" + member.handle; },
      choose: function (member) {
        var value = input.value;
        var handle = "@" + member.handle;
        names[handle.toLowerCase()] = member.name;
        var kept = entriesOf(value.slice(0, lastSeparator(value) + 1)).filter(function (entry) {
          return entry.toLowerCase() !== handle;
        });
        kept.push(handle);
        input.value = kept.join(", ") + ", ";
        renderChips();
        return "Added " + member.name + ".";
      }
    });
    box.after.insertAdjacentElement("afterend", chips);
    renderChips();
  }

  Array.prototype.forEach.call(document.querySelectorAll("[data-people]"), setUp);
})();
