// Demo Analytics: a stand-in for a real tracker. keksi runs it only after the visitor
// allows "analytics". It records events, sets a (deliberately) 2-year cookie that keksi
// caps at 12 months, and shows a small badge so a person can see it is active.
(function () {
  'use strict';
  var events = (window.__analyticsEvents = window.__analyticsEvents || []);

  function visitorId() {
    var m = document.cookie.match(/(?:^|;\s*)demo_analytics_id=([^;]+)/);
    if (m) return m[1];
    var id = Math.random().toString(36).slice(2, 12);
    document.cookie = 'demo_analytics_id=' + id + '; max-age=63072000; path=/; SameSite=Lax';
    return id;
  }

  function badge() {
    if (document.querySelector('.analytics-badge')) return;
    var b = document.createElement('div');
    b.className = 'analytics-badge';
    b.setAttribute('role', 'status');
    b.textContent = 'analytics active';
    (document.body || document.documentElement).appendChild(b);
  }

  var id = visitorId();
  window.demoAnalytics = {
    id: id,
    track: function (name, data) {
      events.push({ name: String(name), data: data || null, id: id, path: location.pathname, t: Date.now() });
    },
  };

  if (document.body) badge();
  else document.addEventListener('DOMContentLoaded', badge);
})();
