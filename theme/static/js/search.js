/* Kiosk search page: starts the Pagefind UI that kiosk_search builds into
   /pagefind/ (no third-party requests), and runs the query in ?q= so that the
   404 page's search form and the WebSite SearchAction land on results. */
(function () {
  "use strict";

  function start() {
    var root = document.getElementById("search");
    if (!root || typeof window.PagefindUI !== "function") {
      return;
    }
    var ui = new window.PagefindUI({
      element: "#search",
      bundlePath: root.getAttribute("data-bundle-path") || "/pagefind/",
      showImages: false,
      showSubResults: false,
      resetStyles: false,
      autofocus: true,
    });
    var query = new URLSearchParams(window.location.search).get("q");
    if (query) {
      ui.triggerSearch(query);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
