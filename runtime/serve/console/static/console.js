// ClientsVia console: progressive enhancement only; every page works without script.
"use strict";
document.addEventListener("submit", (event) => {
  // Forms that delete or disable ask first (data-confirm="...").
  const message = event.target.getAttribute("data-confirm");
  if (message && !window.confirm(message)) event.preventDefault();
});
