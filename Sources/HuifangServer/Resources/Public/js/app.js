// Behaviour every page shares, kept out of the HTML so the Content-Security-Policy allows no inline script.
(function () {
  // A form with data-confirm asks before it is sent (deleting, revoking).
  document.addEventListener('submit', function (e) {
    var form = e.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) e.preventDefault();
  });
  // A button with data-print prints the page.
  document.addEventListener('click', function (e) {
    if (e.target.closest && e.target.closest('[data-print]')) window.print();
  });
})();
// The agent's home page: N opens the next task on the call list (not while typing).
document.addEventListener('keydown', function (e) {
  var next = document.getElementById('today-due');
  if (!next || e.key !== 'n' || e.ctrlKey || e.metaKey || e.altKey) return;
  var tag = (e.target && e.target.tagName) || '';
  if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT') return;
  window.location.href = next.getAttribute('href');
});
// The navigation's menus (<details>): one open at a time, closed by a click elsewhere or Escape.
(function () {
  var menus = document.querySelectorAll('.nav-group');
  function closeAll(except) {
    for (var i = 0; i < menus.length; i++) if (menus[i] !== except) menus[i].open = false;
  }
  for (var i = 0; i < menus.length; i++) {
    menus[i].addEventListener('toggle', function (e) { if (e.target.open) closeAll(e.target); });
  }
  document.addEventListener('click', function (e) {
    if (!e.target.closest || !e.target.closest('.nav-group')) closeAll(null);
  });
  document.addEventListener('keydown', function (e) { if (e.key === 'Escape') closeAll(null); });
})();
