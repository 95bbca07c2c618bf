// « Copier le lien »: the button exists only with JavaScript; without it the field is selectable.
(function () {
  "use strict";
  document.querySelectorAll("[data-copier]").forEach(function (button) {
    var field = document.getElementById(button.dataset.copier);
    var wrapper = button.closest(".copier");
    if (!field || !wrapper) { return; }
    var status = wrapper.querySelector(".copier__etat");
    wrapper.hidden = false;
    button.addEventListener("click", function () {
      field.focus();
      field.select();
      var done = function () { status.textContent = "Lien copié."; };
      var fallback = function () {
        status.textContent = document.execCommand && document.execCommand("copy")
          ? "Lien copié." : "Copie impossible : le lien est sélectionné, copiez-le avec Ctrl+C.";
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(done, fallback);
      } else {
        fallback();
      }
    });
  });
})();
