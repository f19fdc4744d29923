// Test call result: poll the call's log until its transcript lands, then show it.
// Without script the page's Refresh link does the same.
"use strict";
(() => {
  const region = document.getElementById("test-call-result");
  if (!region) return;
  const url = region.getAttribute("data-poll");
  const everyMs = 1500;
  let triesLeft = 120; // three minutes, then the Refresh link is there
  const landed = () => region.querySelector('[data-state="landed"]') !== null;
  const poll = async () => {
    if (landed() || triesLeft-- <= 0) return;
    try {
      const response = await fetch(url, { credentials: "same-origin", cache: "no-store" });
      if (response.ok) {
        const html = await response.text();
        if (html.includes('data-state="landed"')) region.innerHTML = html;
      }
    } catch (_) {
      // offline for a moment: try again on the next tick
    }
    if (!landed()) window.setTimeout(poll, everyMs);
  };
  window.setTimeout(poll, everyMs);
})();
