// The sign-in page's only script: remembers which console page the
// reviewer was sent to (a review linked from a notification, say), so that
// signing in lands there. The gate accepts only a console fragment.

const next = document.getElementById('next');
if (next && window.location.hash.startsWith('#/')) next.value = window.location.hash;
