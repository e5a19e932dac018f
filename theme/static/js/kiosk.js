/* Kiosk: progressive enhancement only. Without this file every teaser's
   "keep reading" is a plain link to the story; with it, the link becomes a
   disclosure button that shows the story's opening paragraphs in place, and
   the header's menus close on Escape or a click elsewhere.
   Loaded with `defer`; no inline scripts anywhere (CSP-friendly). */
(function () {
  "use strict";

  function enhance(link) {
    var panel = document.getElementById(link.getAttribute("data-expands"));
    if (!panel) return;
    // The teaser text: the Summary or the first paragraph, which the excerpt
    // repeats or paraphrases in its opening, so it gives way while the
    // excerpt shows (`hidden`: screen readers skip it too).
    var replaced = document.getElementById(link.getAttribute("data-replaces") || "");

    var button = document.createElement("button");
    var name = link.querySelector(".visually-hidden");
    var label = document.createElement("span");
    button.type = "button";
    button.className = "keep-reading keep-reading--button";
    button.setAttribute("aria-expanded", "false");
    button.setAttribute("aria-controls", panel.id);
    label.textContent = "keep reading";
    button.appendChild(label);
    if (name) button.appendChild(name.cloneNode(true));

    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") !== "true";
      button.setAttribute("aria-expanded", String(open));
      panel.hidden = !open;
      if (replaced) replaced.hidden = open;
      label.textContent = open ? "Show less" : "keep reading";
      // The excerpt sits above the button ("Show less" closes it, as the
      // design asks), so focus follows what was revealed: the next thing a
      // keyboard or screen-reader user meets is its first paragraph, then
      // "Continue reading", then "Show less". Closing brings focus back.
      var target = open ? panel : button;
      // Chromium centres a focused element taller than the screen, which
      // would hide the excerpt's first lines; scroll only if its top (or a
      // first line of it) is off screen.
      target.focus({ preventScroll: true });
      var top = target.getBoundingClientRect().top;
      if (top < 0 || top > window.innerHeight - 48) target.scrollIntoView({ block: "start" });
    });

    link.replaceWith(button);
  }

  document.querySelectorAll("a[data-expands]").forEach(enhance);

  // The phone's Menu and the Regions list are native <details>, which open
  // and close without this file. With it, they also close as menus do:
  // Escape (focus back on their button), or a click or focus elsewhere.
  function dismissible(menu) {
    var summary = menu.querySelector("summary");
    if (!summary) return;
    menu.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && menu.open) {
        event.stopPropagation(); // the Regions list closes, not the Menu around it
        menu.open = false;
        summary.focus();
      }
    });
    document.addEventListener("click", function (event) {
      if (menu.open && !menu.contains(event.target)) menu.open = false;
    });
    menu.addEventListener("focusout", function (event) {
      var next = event.relatedTarget;
      if (menu.open && next && !menu.contains(next)) menu.open = false;
    });
  }

  document.querySelectorAll(".regions-menu, .nav-menu").forEach(dismissible);
})();
