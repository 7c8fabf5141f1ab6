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
