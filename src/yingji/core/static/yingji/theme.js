/* Yingji: apply the remembered colour theme before the page paints (loaded in <head>, no defer).
   The choice is per browser (localStorage "yingji-theme": "light" | "dark"); no choice follows the OS. */
(function () {
  var stored = null;
  try { stored = localStorage.getItem("yingji-theme"); } catch (e) { /* storage blocked: use the OS */ }
  var dark = stored ? stored === "dark" : window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
  document.documentElement.setAttribute("data-bs-theme", dark ? "dark" : "light");
})();
