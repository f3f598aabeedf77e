// Small progressive enhancements; every page works without them.
document.addEventListener("htmx:responseError", function (event) {
  var region = document.getElementById("live-errors");
  if (region) {
    region.textContent = "That did not work (" + event.detail.xhr.status + "). Please try again.";
  }
});
