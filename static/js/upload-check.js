/* Refuse a file over the upload limit as soon as it is chosen, before anything is sent: the server would
   answer 413 only after the whole file had crossed a slow connection. Any file input with data-max-bytes
   (and data-too-large, the message in the page's language) is checked; without this file the server
   still refuses the file and gives the form back filled in. */
(function () {
  "use strict";
  var inputs = document.querySelectorAll("input[type=file][data-max-bytes]");
  Array.prototype.forEach.call(inputs, function (input) {
    var max = parseInt(input.getAttribute("data-max-bytes"), 10);
    var message = document.createElement("p");
    message.className = "error";
    message.id = input.id + "-size-error";
    message.setAttribute("role", "alert");
    message.hidden = true;
    input.parentNode.insertBefore(message, input);

    function tooLarge() {
      return Array.prototype.some.call(input.files || [], function (f) { return f.size > max; });
    }

    function check() {
      var field = input.closest(".field");
      if (tooLarge()) {
        message.textContent = input.getAttribute("data-too-large");
        message.hidden = false;
        input.setAttribute("aria-invalid", "true");
        input.setAttribute("aria-describedby", ((input.getAttribute("aria-describedby") || "").replace(message.id, "") + " " + message.id).trim());
        if (field) { field.classList.add("has-error"); }
        input.value = "";  // the form can still be sent, without the file
        return false;
      }
      if (!input.value) { return true; }
      message.hidden = true;
      input.setAttribute("aria-invalid", "false");
      if (field) { field.classList.remove("has-error"); }
      return true;
    }

    input.addEventListener("change", check);
    if (input.form) {
      input.form.addEventListener("submit", function (event) {
        if (!check()) { event.preventDefault(); input.focus(); }
      });
    }
  });
})();
