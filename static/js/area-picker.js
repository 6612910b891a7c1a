/* Area picker: fill the next level's list as soon as a level is chosen, so no extra page load is
   needed. Without this file the "Show the list below" buttons do the same through the server. */
(function () {
  "use strict";
  var box = document.querySelector(".area-picker[data-children-url]");
  if (!box || !window.fetch) { return; }
  var url = box.getAttribute("data-children-url");
  var selects = Array.prototype.slice.call(box.querySelectorAll("select[data-level]"));
  var status = document.createElement("p");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  box.appendChild(status);
  box.classList.add("enhanced");

  function reset(select, text) {
    select.innerHTML = "";
    var opt = document.createElement("option");
    opt.value = "";
    opt.textContent = text;
    select.appendChild(opt);
  }

  function clearBelow(index) {
    for (var i = index + 1; i < selects.length; i++) {
      reset(selects[i], selects[i].getAttribute("data-waiting"));
      selects[i].disabled = true;
    }
  }

  function load(index, code) {
    var next = selects[index + 1];
    if (!next) { return; }
    next.setAttribute("aria-busy", "true");
    fetch(url.replace("CODE", encodeURIComponent(code)), {
      headers: { "Accept": "application/json" }, credentials: "same-origin"
    }).then(function (r) {
      if (!r.ok) { throw new Error(r.status); }
      return r.json();
    }).then(function (items) {
      if (selects[index].value !== code) { return; }  // a newer choice was made meanwhile
      reset(next, next.getAttribute("data-placeholder"));
      items.forEach(function (item) {
        var opt = document.createElement("option");
        opt.value = item.code;
        opt.textContent = item.name;
        next.appendChild(opt);
      });
      next.disabled = items.length === 0;
      status.textContent = next.labels && next.labels[0] ? next.labels[0].textContent + ": " + items.length : "";
    }).catch(function () {
      // Fall back to the server: the "Show the list below" button still works.
      box.classList.remove("enhanced");
    }).then(function () {
      next.removeAttribute("aria-busy");
    });
  }

  selects.forEach(function (select, index) {
    select.addEventListener("change", function () {
      clearBelow(index);
      if (select.value) { load(index, select.value); }
    });
  });
})();
