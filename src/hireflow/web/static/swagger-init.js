// Starts Swagger UI on /api/docs from the locally bundled swagger-ui-dist (no CDN).
window.addEventListener("DOMContentLoaded", () => {
  const node = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({ url: node.dataset.openapiUrl, dom_id: "#swagger-ui", deepLinking: true });
});
