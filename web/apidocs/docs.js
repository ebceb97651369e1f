// docs.js — render /v1/openapi.json with Swagger UI, from our own origin only.
// validatorUrl: null keeps Swagger UI from calling validator.swagger.io;
// "Try it out" stays off: the page is a reference, requests need a token.
window.ui = SwaggerUIBundle({
  url: "/v1/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  validatorUrl: null,
  supportedSubmitMethods: [],
  defaultModelsExpandDepth: 0,
  docExpansion: "list",
  filter: true,
  syntaxHighlight: { activated: true, theme: "agate" },
});
