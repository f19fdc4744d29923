// Test call result: poll the call's log until its transcript lands, then show it; meanwhile
// show what the caller has heard so far. Without script the page's Refresh link does this.
"use strict";
(() => {
  const region = document.getElementById("test-call-result");
  if (!region) return;
  const url = region.getAttribute("data-poll");
  const everyMs = 1500;
  let triesLeft = 120; // three minutes, then the Refresh link is there
  const landed = () => region.querySelector('[data-state="landed"]') !== null;
  const progress = (root) => {
    const pending = root.querySelector("[data-heard]");
    return pending ? pending.getAttribute("data-heard") : "";
  };
  const poll = async () => {
    if (landed() || triesLeft-- <= 0) return;
    try {
      const response = await fetch(url, { credentials: "same-origin", cache: "no-store" });
      if (response.ok) {
        const fresh = document.createElement("div");
        fresh.innerHTML = await response.text();
        // Replace only on news, so a screen reader hears each change once.
        if (fresh.querySelector('[data-state="landed"]') || progress(fresh) !== progress(region)) {
          region.replaceChildren(...fresh.childNodes);
        }
      }
    } catch (_) {
      // offline for a moment: try again on the next tick
    }
    if (!landed()) window.setTimeout(poll, everyMs);
  };
  window.setTimeout(poll, everyMs);
})();
