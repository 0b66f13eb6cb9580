// Starts Swagger UI on /docs (a file, not an inline script: the Content-Security-Policy forbids inline code).
// "Try it out" calls made with the session cookie carry the CSRF token like the web UI's own calls (docs/security.md).

function csrfToken() {
  const m = document.cookie.match(/(?:^|;\s*)docgen_csrf=([^;]*)/);
  return m ? decodeURIComponent(m[1]) : '';
}

window.ui = window.SwaggerUIBundle({
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  layout: 'BaseLayout',
  deepLinking: true,
  showExtensions: true,
  showCommonExtensions: true,
  validatorUrl: null, // the default badge would load an image from the validator's own site
  presets: [window.SwaggerUIBundle.presets.apis, window.SwaggerUIBundle.SwaggerUIStandalonePreset],
  requestInterceptor: (req) => {
    if (!['GET', 'HEAD', 'OPTIONS'].includes((req.method || 'GET').toUpperCase())) {
      req.headers['X-CSRF-Token'] = csrfToken();
    }
    return req;
  },
});
