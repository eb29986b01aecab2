// Stubs for the "vendor zoo" (tests/e2e/zoo.test.mjs): each vendor script, answered at its
// real URL through helpers.routeThirdParty, does what matters of the real one for a
// consent manager: it pushes a label to window.__ran when it runs, then takes over the
// snippet's queue/stub the way the real library does, recording every call it receives
// (queued before it loaded or made after) in window.__calls[vendor] as JSON strings,
// and sends one hit to the vendor's collection host (so the router log shows it).

export const ZOO_HOSTS = [
  'licdn.com', 'linkedin.com', 'tiktok.com', 'clarity.ms', 'bing.com',
  'hs-scripts.com', 'hs-analytics.net', 'hs-banner.com', 'usemessages.com', 'hsadspixel.net', 'hscollectedforms.net',
  'intercom.io', 'intercomcdn.com', 'pinimg.com', 'pinterest.com', 'sc-static.net', 'snapchat.com',
  'redditstatic.com', 'reddit.com', 'ads-twitter.com', 'twitter.com', 't.co',
  'segment.com', 'segment.io', 'mxpnl.com', 'mixpanel.com', 'amplitude.com', 'heap-api.com', 'heapanalytics.com',
  'fullstory.com', 'vimeo.com', 'vimeocdn.com', 'google.com', 'criteo.com', 'criteo.net', 'taboola.com', 'outbrain.com',
];

// Shared preamble: R(vendor, callArray) records; RAN(label); S(arguments) = array.
const PRE = `var S=function(a){return Array.prototype.slice.call(a,0)};` +
  `var R=function(v,c){var w=window.__calls=window.__calls||{};(w[v]=w[v]||[]).push(JSON.stringify(c))};` +
  `var RAN=function(l){(window.__ran=window.__ran||[]).push(l)};` +
  `var HIT=function(u){new Image().src=u};` +
  `var ADD=function(src,id){var s=document.createElement('script');s.async=true;s.src=src;if(id)s.id=id;var f=document.getElementsByTagName('script')[0];f.parentNode.insertBefore(s,f);return s};\n`;
const wrap = (body) => `(function(){${PRE}${body}\n})();\n`;

/** Amplitude's old-snippet SDK stub; its sha384 goes into the snippet's `integrity`. */
export const AMPLITUDE_SDK = wrap(`RAN('amplitude');var a=window.amplitude;var q=a._q||[];
var api={};['init','track','logEvent','identify','setUserId','flush','add'].forEach(function(m){api[m]=function(){R('amplitude',[m].concat(S(arguments)));return {promise:Promise.resolve()}}});
api.runQueuedFunctions=function(){};api.invoked=true;window.amplitude=api;
for(var i=0;i<q.length;i++){api[q[i].name].apply(api,q[i].args);if(q[i].resolve)q[i].resolve()}
HIT('https://api2.amplitude.com/2/httpapi?hit=1');`);

export function zooScript(url) {
  const h = url.hostname, p = url.pathname;
  const q = (k) => url.searchParams.get(k);
  // LinkedIn Insight Tag
  if (h === 'snap.licdn.com' && p === '/li.lms-analytics/insight.min.js') return wrap(`RAN('linkedin');
var q=(window.lintrk&&window.lintrk.q)||[];R('linkedin',['partners'].concat(window._linkedin_data_partner_ids||[]));
window.lintrk=function(a,b){R('linkedin',[a,b])};for(var i=0;i<q.length;i++)window.lintrk(q[i][0],q[i][1]);
HIT('https://px.ads.linkedin.com/collect?pid='+(window._linkedin_data_partner_ids||[])[0]+'&fmt=js');`);
  // TikTok Pixel
  if ((h === 'analytics.tiktok.com' || h === 'analytics.us.tiktok.com') && p === '/i18n/pixel/events.js') return wrap(`RAN('tiktok:'+${JSON.stringify(q('sdkid'))});
var n=window.TiktokAnalyticsObject;var t=window[n];R('tiktok',['loaded',${JSON.stringify(q('sdkid'))},Object.keys(t._i||{})]);
var qq=t.slice();t.length=0;for(var i=0;i<t.methods.length;i++)(function(m){t[m]=function(){R('tiktok',[m].concat(S(arguments)))}})(t.methods[i]);
t.push=function(c){R('tiktok',c)};for(var j=0;j<qq.length;j++)R('tiktok',qq[j]);
HIT('https://analytics.tiktok.com/api/v2/pixel?hit=1');`);
  // Microsoft Clarity: the tag loads the library from scripts.clarity.ms
  if (h === 'www.clarity.ms' && p.startsWith('/tag/')) return wrap(`RAN('clarity-tag');ADD('https://scripts.clarity.ms/0.8.9/clarity.js');`);
  if (h === 'scripts.clarity.ms' && p.endsWith('/clarity.js')) return wrap(`RAN('clarity');var q=(window.clarity&&window.clarity.q)||[];
window.clarity=function(){R('clarity',S(arguments))};for(var i=0;i<q.length;i++)R('clarity',S(q[i]));
HIT('https://k.clarity.ms/collect?hit=1');`);
  // Microsoft UET: bat.js defines UET; the snippet's onload makes `new UET(o)`
  if (h === 'bat.bing.com' && p === '/bat.js') return wrap(`RAN('uet');
window.UET=function(o){R('uet',['new',o.ti]);var q=o.q||[];for(var i=0;i<q.length;i++)R('uet',['queued',q[i]]);};
window.UET.prototype.push=function(){R('uet',['push'].concat(S(arguments)));if(arguments[0]==='pageLoad')HIT('https://bat.bing.com/action/0?evt=pageLoad');};`);
  // HubSpot: the loader inserts its scripts as js.hs-scripts.com does (src, then attributes)
  if (h === 'js.hs-scripts.com' || h.endsWith('.hs-scripts.com')) return wrap(`RAN('hubspot-loader');
var add=function(t,e,r){if(!document.getElementById(t)){var n=document.createElement('script');n.src=e;for(var a in r)r.hasOwnProperty(a)&&n.setAttribute(a,r[a]);var i=document.getElementsByTagName('script')[0];i.parentNode.insertBefore(n,i)}};
add('cookieBanner-123456','https://js.hs-banner.com/v2/123456/banner.js',{'data-cookieconsent':'ignore','data-hs-ignore':true,'data-loader':'hs-scriptloader','data-hsjs-portal':123456});
add('hs-analytics','https://js.hs-analytics.net/analytics/1700000000000/123456.js',{id:'hs-analytics'});
add('hubspot-messages-loader','https://js.usemessages.com/conversations-embed.js',{type:'text/javascript',id:'hubspot-messages-loader','data-loader':'hs-scriptloader','data-hsjs-portal':123456});
add('hs-ads-pixel-123456','https://js.hsadspixel.net/fb.js',{type:'text/javascript',id:'hs-ads-pixel-123456','data-loader':'hs-scriptloader','data-ads-portal-id':123456});`);
  if (h === 'js.hs-analytics.net') return wrap(`RAN('hs-analytics');var q=window._hsq||[];for(var i=0;i<q.length;i++)R('hubspot',q[i]);
window._hsq={push:function(c){R('hubspot',c)}};HIT('https://track.hubspot.com/__ptq.gif?hit=1');`);
  if (h === 'js.hs-banner.com') return wrap(`RAN('hs-banner');`);
  if (h === 'js.usemessages.com') return wrap(`RAN('hs-chat');`);
  if (h === 'js.hsadspixel.net') return wrap(`RAN('hs-adspixel');`);
  // Intercom
  if (h === 'widget.intercom.io' && p.startsWith('/widget/')) return wrap(`RAN('intercom');var I=window.Intercom;var q=(I&&I.q)||[];
R('intercom',['settings',window.intercomSettings&&window.intercomSettings.app_id]);
window.Intercom=function(){R('intercom',S(arguments))};for(var i=0;i<q.length;i++)R('intercom',S(q[i]));
ADD('https://js.intercomcdn.com/frame-modern.js');`);
  if (h === 'js.intercomcdn.com') return wrap(`RAN('intercom-frame');`);
  // Pinterest Tag
  if (h === 's.pinimg.com' && p === '/ct/core.js') return wrap(`RAN('pinterest');var q=(window.pintrk&&window.pintrk.queue)||[];
window.pintrk=function(){R('pinterest',S(arguments))};window.pintrk.queue=[];window.pintrk.version='3.0';for(var i=0;i<q.length;i++)R('pinterest',q[i]);
HIT('https://ct.pinterest.com/v3/?event=init&hit=1');`);
  // Snap Pixel
  if (h === 'sc-static.net' && p === '/scevent.min.js') return wrap(`RAN('snap');var a=window.snaptr;var q=a.queue.slice();a.queue=[];
a.handleRequest=function(){R('snap',S(arguments))};for(var i=0;i<q.length;i++)a.handleRequest.apply(a,q[i]);
HIT('https://tr.snapchat.com/p?hit=1');`);
  // Reddit Pixel
  if (h === 'www.redditstatic.com' && p === '/ads/pixel.js') return wrap(`RAN('reddit');var p=window.rdt;var q=p.callQueue.slice();p.callQueue=[];
p.sendEvent=function(){R('reddit',S(arguments))};for(var i=0;i<q.length;i++)p.sendEvent.apply(p,q[i]);
HIT('https://alb.reddit.com/rp.gif?hit=1');`);
  // X (Twitter) pixel
  if (h === 'static.ads-twitter.com' && p === '/uwt.js') return wrap(`RAN('twitter');var s=window.twq;var q=s.queue.slice();s.queue=[];
s.exe=function(){R('twitter',S(arguments))};for(var i=0;i<q.length;i++)s.exe.apply(s,q[i]);
HIT('https://analytics.twitter.com/i/adsct?hit=1');HIT('https://t.co/i/adsct?hit=1');`);
  // Segment analytics.js
  if (h === 'cdn.segment.com' && /^\/analytics\.js\/v1\/[^/]+\/analytics\.min\.js$/.test(p)) return wrap(`RAN('segment');var a=window.analytics;var q=a.slice();
R('segment',['key',a._writeKey,document.querySelector('script[data-global-segment-analytics-key]')?'keyattr':'nokeyattr']);
var real={initialized:true,_writeKey:a._writeKey};a.methods.forEach(function(m){real[m]=function(){R('segment',[m].concat(S(arguments).filter(function(x){return !(x&&x.__t==='bpc')})));return real}});
window.analytics=real;for(var i=0;i<q.length;i++)real[q[i][0]].apply(real,q[i].slice(1));
navigator.sendBeacon('https://api.segment.io/v1/batch','{}');`);
  // Mixpanel
  if (h === 'cdn.mxpnl.com' && p === '/libs/mixpanel-2-latest.min.js') return wrap(`RAN('mixpanel');var m=window.mixpanel;var inits=m._i||[];var q=m.slice();
var real={__loaded:true,people:{set:function(){R('mixpanel',['people.set'].concat(S(arguments)))}}};
['track','identify','register','track_pageview'].forEach(function(k){real[k]=function(){R('mixpanel',[k].concat(S(arguments)))}});
real.init=function(t){R('mixpanel',['init',t])};for(var i=0;i<inits.length;i++)real.init(inits[i][0]);
window.mixpanel=real;for(var j=0;j<q.length;j++){var c=q[j];var n=c[0].split('.');(n.length===2?real[n[0]][n[1]]:real[n[0]]).apply(real,c.slice(1))}
HIT('https://api-js.mixpanel.com/track/?hit=1');`);
  // Amplitude (old snippet SDK, and the unified script loader)
  if (h === 'cdn.amplitude.com' && p.startsWith('/libs/analytics-browser-')) return AMPLITUDE_SDK;
  if (h === 'cdn.amplitude.com' && p.startsWith('/script/')) return wrap(`RAN('amplitude-unified');
window.amplitude={add:function(x){R('amplitude-unified',['add',x&&x.name])},init:function(k){R('amplitude-unified',['init',k]);HIT('https://api2.amplitude.com/2/httpapi?hit=u')},track:function(e){R('amplitude-unified',['track',e])}};
window.sessionReplay={plugin:function(){return {name:'session-replay'}}};`);
  // Heap (current snippet: heap_config.js from cdn.us.heap-api.com)
  if (h === 'cdn.us.heap-api.com' && /^\/config\/[^/]+\/heap_config\.js$/.test(p)) return wrap(`RAN('heap');var hp=window.heap;R('heap',['env',hp.envId]);
['track','identify','addUserProperties','trackPageview'].forEach(function(k){hp[k]=function(){R('heap',[k].concat(S(arguments)))}});
var cb=window.heapReadyCb||[];window.heapReadyCb={push:function(x){x.fn()}};for(var i=0;i<cb.length;i++)cb[i].fn();
HIT('https://c.us.heap-api.com/api/track?hit=1');`);
  // FullStory
  if (h === 'edge.fullstory.com' && p === '/s/fs.js') return wrap(`RAN('fullstory');var g=window[window._fs_namespace||'FS'];
g._api=function(a,b){R('fullstory',[a,b])};var q=g.q||[];g.q=[];for(var i=0;i<q.length;i++)g._api.apply(null,q[i]);
HIT('https://rs.fullstory.com/rec/page?hit=1');`);
  // Vimeo player API
  if (h === 'player.vimeo.com' && p === '/api/player.js') return wrap(`RAN('vimeo-api');window.Vimeo={Player:function(el){R('vimeo',['player',el&&el.tagName])}};`);
  // Criteo OneTag
  if (h === 'dynamic.criteo.com' && p === '/js/ld/ld.js') return wrap(`RAN('criteo');var q=window.criteo_q||[];for(var i=0;i<q.length;i++)R('criteo',q[i]);
window.criteo_q={push:function(){for(var i=0;i<arguments.length;i++)R('criteo',arguments[i])}};HIT('https://sslwidget.criteo.com/event?a=12345&hit=1');`);
  // Taboola (pixel, and the publisher widget loader)
  if (h === 'cdn.taboola.com' && /\/tfa\.js$/.test(p)) return wrap(`RAN('taboola-pixel');var q=window._tfa||[];for(var i=0;i<q.length;i++)R('taboola-pixel',q[i]);
window._tfa={push:function(x){R('taboola-pixel',x)}};HIT('https://trc.taboola.com/1234567/log/3/unip?hit=1');`);
  if (h === 'cdn.taboola.com' && /\/loader\.js$/.test(p)) return wrap(`RAN('taboola-widget');var q=window._taboola||[];for(var i=0;i<q.length;i++)R('taboola-widget',q[i]);
window._taboola={push:function(x){R('taboola-widget',x)}};`);
  // Outbrain (pixel, and the widget)
  if (h === 'amplify.outbrain.com' && p === '/cp/obtp.js') return wrap(`RAN('outbrain-pixel');var api=window.obApi;var q=api.queue.slice();api.queue=[];
api.dispatch=function(){R('outbrain-pixel',S(arguments))};for(var i=0;i<q.length;i++)api.dispatch.apply(api,q[i]);
HIT('https://tr.outbrain.com/unifiedPixel?hit=1');`);
  if (h === 'widgets.outbrain.com' && p === '/outbrain.js') return wrap(`RAN('outbrain-widget');R('outbrain-widget',['divs',document.querySelectorAll('.OUTBRAIN').length]);`);
  return null;
}
