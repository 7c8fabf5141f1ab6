// Live notifications (Server-Sent Events from /notifications/stream): the unread count in the navigation and a
// banner with a link for each new notification, without reloading. The page says where its notifications end
// (data-after); the browser resumes from the last one it got (Last-Event-ID) when the stream breaks.
(function () {
  var box = document.getElementById('live');
  if (!box || !window.EventSource || !window.JSON) return;
  var lastID = box.dataset.after || '0';
  var retries = 0;

  function setUnread(count) {
    var badges = document.querySelectorAll('[data-unread]');
    for (var i = 0; i < badges.length; i++) {
      badges[i].textContent = String(count);
      badges[i].hidden = count <= 0;
    }
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function show(note) {
    var toast = element('div', 'live-toast' + (note.urgent ? ' urgent' : ''));
    toast.dataset.notification = String(note.id);
    toast.appendChild(element('strong', '', note.title));
    if (note.text) toast.appendChild(element('p', '', note.text));
    var actions = element('div', 'live-actions');
    var link = element('a', '', note.linkLabel);
    link.href = note.link;
    actions.appendChild(link);
    var dismiss = element('button', 'link', box.dataset.dismiss);
    dismiss.type = 'button';
    dismiss.addEventListener('click', function () { toast.remove(); });
    actions.appendChild(dismiss);
    toast.appendChild(actions);
    box.appendChild(toast);
    while (box.children.length > 3) box.removeChild(box.firstChild);
  }

  function connect() {
    var source = new EventSource(box.dataset.stream + '?after=' + encodeURIComponent(lastID));
    source.addEventListener('open', function () { retries = 0; });
    source.addEventListener('unread', function (e) { setUnread(JSON.parse(e.data).unread); });
    source.addEventListener('notification', function (e) {
      var note = JSON.parse(e.data);
      if (e.lastEventId) lastID = e.lastEventId;
      setUnread(note.unread);
      show(note);
    });
    // The browser reconnects by itself after a network error; a refusal (signed out, too many tabs, the server
    // stopping) closes the stream, which is tried again a few times, slowly.
    source.addEventListener('error', function () {
      if (source.readyState !== EventSource.CLOSED || retries >= 10) return;
      retries += 1;
      setTimeout(connect, 30000);
    });
  }
  connect();
})();
