/* A live character count under a text box whose whole text must fit a message budget (the officer's
   question, sent in full by SMS). The box carries data-limit-gsm (the limit for a text in Latin letters),
   data-limit-ucs2 (for one with Bangla or other letters GSM-7 lacks) and data-count-text ("%(n)s of
   %(limit)s characters", in the page's language). Without this file the service still refuses a text
   that is too long, saying its limit. */
(function () {
  "use strict";
  var GSM = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà^{}\\[~]|€\f";
  var boxes = document.querySelectorAll("textarea[data-limit-gsm]");
  Array.prototype.forEach.call(boxes, function (box) {
    var gsm = parseInt(box.getAttribute("data-limit-gsm"), 10);
    var ucs2 = parseInt(box.getAttribute("data-limit-ucs2"), 10);
    var template = box.getAttribute("data-count-text") || "%(n)s / %(limit)s";
    var out = document.createElement("p");
    out.className = "hint char-count";
    out.id = box.id + "-count";
    out.setAttribute("aria-live", "polite");
    box.parentNode.insertBefore(out, box.nextSibling);
    box.setAttribute("aria-describedby", ((box.getAttribute("aria-describedby") || "") + " " + out.id).trim());

    function latin(text) {
      for (var i = 0; i < text.length; i++) { if (GSM.indexOf(text.charAt(i)) < 0) { return false; } }
      return true;
    }

    function update() {
      var text = box.value.replace(/\s+/g, " ").trim();
      var limit = latin(text) ? gsm : ucs2;
      var n = text.length;
      out.textContent = template.replace("%(n)s", n).replace("%(limit)s", limit);
      out.classList.toggle("error", n > limit);
      box.setAttribute("aria-invalid", n > limit ? "true" : "false");
    }

    box.addEventListener("input", update);
    update();
  });
})();
