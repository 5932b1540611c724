// Wide tables scroll inside their own box on a phone or at 200% zoom, instead of pushing the whole
// page sideways. A box that does scroll becomes a labelled, focusable region, so it can be scrolled
// from the keyboard. Without this script the page itself scrolls, as data tables may (WCAG 1.4.10).
(function () {
  "use strict";
  function wrap(table) {
    var parent = table.parentElement;
    if (parent.classList.contains("table-scroll") || table.closest(".diagram-scroll")) {
      return;
    }
    var box = document.createElement("div");
    box.className = "table-scroll";
    parent.insertBefore(box, table);
    box.appendChild(table);
  }
  function mark(box) {
    if (box.scrollWidth > box.clientWidth + 1) {
      var caption = box.querySelector("caption");
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", (caption ? caption.textContent.trim() : "Table") + " (scrolls sideways)");
    } else {
      box.removeAttribute("tabindex");
      box.removeAttribute("role");
      box.removeAttribute("aria-label");
    }
  }
  function update() {
    document.querySelectorAll("main table").forEach(wrap);
    document.querySelectorAll(".table-scroll").forEach(mark);
  }
  update();
  window.addEventListener("resize", update);
}());
