// Renders the API document the page names (data-spec) with Swagger UI; "Try it out" calls this origin.
'use strict';
window.SwaggerUIBundle({
  url: document.body.dataset.spec,
  dom_id: '#docs',
  deepLinking: true,
  presets: [window.SwaggerUIBundle.presets.apis],
  layout: 'BaseLayout',
});
