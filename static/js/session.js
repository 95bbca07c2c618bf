// Idle-timeout warning for staff sessions: shown before the server ends the session.
(function () {
  "use strict";
  var script = document.currentScript;
  var dialog = document.getElementById("avertissement-session");
  if (!script || !dialog) { return; }
  var delay = parseInt(script.dataset.delai, 10) * 1000;
  var warning = parseInt(script.dataset.avertissement, 10) * 1000;
  var timer = null;
  function arm() {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      dialog.hidden = false;
      var button = dialog.querySelector("button");
      if (button) { button.focus(); }
    }, Math.max(delay - warning, 1000));
  }
  var form = dialog.querySelector("form");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    fetch(form.action, {
      method: "POST", body: new FormData(form), credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }
    }).then(function (response) {
      if (response.ok) { dialog.hidden = true; arm(); } else { form.submit(); }
    }).catch(function () { form.submit(); });
  });
  arm();
})();
