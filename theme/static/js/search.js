/* Kiosk search page: starts the Pagefind UI that kiosk_search builds into
   /pagefind/ (no third-party requests), and runs the query in ?q= so that the
   404 page's search form and the WebSite SearchAction land on results.
   The index is one bundle per year of articles (a big year: per month range):
   the newest at /pagefind/, each older one at /pagefind/<year>/ (or
   /pagefind/<year>-<month>/), listed newest first in
   /pagefind/shards.json and merged into the one search (Pagefind mergeIndex). */
(function () {
  "use strict";

  function shards(bundlePath) {
    // Without the list (an older build, a failed request) the newest year
    // still answers rather than nothing.
    return window
      .fetch(bundlePath + "shards.json")
      .then(function (response) {
        return response.ok ? response.json() : { merge: [] };
      })
      .then(function (list) {
        return (list.merge || []).map(function (path) {
          // A merged bundle named by a full URL is taken for another site's,
          // and its results get absolute links: on this site, give the path.
          var url = new URL(bundlePath + path, window.location.href);
          var here = url.origin === window.location.origin;
          return { bundlePath: here ? url.pathname : url.href };
        });
      })
      .catch(function () {
        return [];
      });
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  // Pagefind's UI lists a result's metadata as "Kicker: Reporting | Africa",
  // "Date: July 9, 2025". A reader gets one line above the excerpt instead,
  // as a listing page shows a story: "Reporting | Africa · July 9, 2025".
  function presentResult(result) {
    var meta = result.meta || {};
    var context = [meta.kicker, meta.date].filter(Boolean).join(" · ");
    delete meta.kicker;
    delete meta.date;
    if (context) {
      result.excerpt =
        '<span class="search-result__context">' + escapeHtml(context) + "</span> " +
        (result.excerpt || "");
    }
    return result;
  }

  function start() {
    var root = document.getElementById("search");
    if (!root || typeof window.PagefindUI !== "function") {
      return;
    }
    var bundlePath = root.getAttribute("data-bundle-path") || "/pagefind/";
    shards(bundlePath).then(function (mergeIndex) {
      var ui = new window.PagefindUI({
        element: "#search",
        bundlePath: bundlePath,
        mergeIndex: mergeIndex,
        showImages: false,
        showSubResults: false,
        resetStyles: false,
        autofocus: true,
        processResult: presentResult,
      });
      // The box's only name was its title attribute: the page's heading names it.
      var input = root.querySelector(".pagefind-ui__search-input");
      if (input) {
        input.setAttribute("aria-labelledby", "search-title");
      }
      var query = new URLSearchParams(window.location.search).get("q");
      if (query) {
        ui.triggerSearch(query);
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
