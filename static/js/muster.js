// Small progressive enhancements; every page works without them.
document.addEventListener("htmx:responseError", function (event) {
  var region = document.getElementById("live-errors");
  if (region) {
    region.textContent = "That did not work (" + event.detail.xhr.status + "). Please try again.";
  }
});

// Error pages: "Go back" returns to the previous page when there is one (the link's address is the fallback).
document.addEventListener("click", function (event) {
  var link = event.target instanceof Element ? event.target.closest("a[data-history-back]") : null;
  if (link && window.history.length > 1) {
    event.preventDefault();
    window.history.back();
  }
});
